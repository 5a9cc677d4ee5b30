#!/usr/bin/env bash
# Local STAND-INS for the ZooKeeper images that zkgen's generated files name.
#
# These are NOT the real images. No registry is reachable on the test machines, so this script
# builds, from Debian's packages on the host, images that reproduce each real image's behaviour
# as the image's own scripts have it (start command, variables read and ignored, defaults
# written, required-variable checks, paths, volumes, the user it runs as) and tags them with the
# real names, so that generated compose files and scripts run unchanged. Each stand-in is one
# folder beside this script, written from the real image's scripts and never from zkgen's
# dialects: a misreading of an image in zkgen then shows up as a difference, not twice.
#
#   garland/    the tutorial's image: ZooKeeper 3.4.6's behaviour, runs as root
#   official/   the official zookeeper image, 3.8 and 3.9: starts as root, runs as uid 1000
#   official-3.4/  its 3.4 tags, whose older entrypoint writes clientPort=2181 and appends
#               ZOO_CFG_EXTRA: starts as root, runs as uid 1000
#   bitnami/    bitnami/zookeeper and bitnamilegacy/zookeeper, 3.8 and 3.9 (one build each):
#               runs as uid 1001
#   confluent/  confluentinc/cp-zookeeper 7.9: runs as appuser, uid 1000
#
# Each folder holds a Dockerfile (FROM the shared base, given as the build argument BASE), rootfs/
# (files copied as they are, owned by root), and layout: what this script adds from the host —
# `zookeeper-tree PREFIX` (ZooKeeper's jars under PREFIX/lib, Debian's zkServer.sh and zkCli.sh
# and common/zkEnv-common.sh under PREFIX/bin, unless rootfs/ has its own), `jar-links DIR`,
# `link TARGET PATH`, `file SOURCE PATH` and `dir MODE PATH`; a PATH written `owned:/p` goes to
# owned/, which the Dockerfile copies with the image user's ownership.
#
# The server inside every stand-in is Debian's ZooKeeper 3.8 on a cut-down Java 17 runtime (the
# shared base, base/base.sh), whatever version the real image carries. Every stand-in ships bash
# and coreutils (busybox) but no nc, wget or curl (the real official image has nc: the generated
# health checks may not count on it), and none has ZooKeeper's Prometheus metrics provider (Debian
# does not package it): a member configured with metricsProvider.className stops at boot.
#
# Usage:
#   DOCKER_HOST=unix:///tmp/zkd/docker.sock test/e2e/images/build.sh [--force] IMAGE...
#
#   IMAGE: garland/zookeeper[:latest]
#          zookeeper[:3.5 … 3.9.x|:latest]      (tagged zookeeper:3.9.4, :3.9, :3.8.6, :3.8,
#                                                 :latest and the name asked for)
#          zookeeper:3.4[.x]                     (tagged zookeeper:3.4.14, :3.4 and the name)
#          bitnami/zookeeper[:TAG], bitnamilegacy/zookeeper[:TAG]
#                                                (3.9.x, 3.9, latest → the 3.9 build; 3.8.x, 3.8
#                                                 → the 3.8 build; under both names)
#          confluentinc/cp-zookeeper[:7.x|:latest]
#                                                (tagged :7.9.0, :7.9, :latest and the name asked for)
#
# Environment:
#   ZKGEN_REAL_IMAGES=1   docker pull the real images instead (a registry must be reachable)
#   ZKGEN_IMAGE_CACHE     folder for the pieces shared between images and between runs
#                         (default /tmp/zkgen-image-cache)
#   ZKGEN_FORCE_BUILD=1   same as --force: rebuild (or re-pull) even if the tag exists
#
# An image whose tags already exist in the engine with the same inputs is left alone, so a second
# call costs about a second. Nothing is printed on stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly cache=${ZKGEN_IMAGE_CACHE:-/tmp/zkgen-image-cache}
force=${ZKGEN_FORCE_BUILD:-0}

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# shellcheck source=base/base.sh
. "$here/base/base.sh"

# --- building one stand-in ----------------------------------------------------------------------

context_hash() {
  (
    cd "$1"
    find . -printf '%p %y %m %l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -c1-16
}

# A PATH of a layout line, inside the build context $1: owned:/p under owned/, /p under rootfs/.
layout_path() {
  case $2 in
    owned:*) printf '%s/owned%s\n' "$1" "${2#owned:}" ;;
    *) printf '%s/rootfs%s\n' "$1" "$2" ;;
  esac
}

# Fills build context $2 from stand-in folder $1: its files, then what its layout asks for.
stage() {
  local folder="$here/$1" context=$2 verb a b target jar
  rm -rf "$context"
  mkdir -p "$context"
  cp -a "$folder/." "$context/"
  rm -f "$context/layout"
  mkdir -p "$context/rootfs" "$context/owned"
  while read -r verb a b; do
    case $verb in
      '' | '#'*) continue ;;
      zookeeper-tree)
        # Laid out as a release tarball: jars in lib/ (links to the base layer's copies), the
        # launch scripts in bin/ reading everything site-specific from zkEnv.sh beside them.
        target="$context/rootfs$a"
        mkdir -p "$target/bin" "$target/lib"
        while read -r jar; do
          ln -sf "/usr/share/java/$(basename "$jar")" "$target/lib/$(basename "$jar")"
        done < <(jar_closure)
        [[ -e "$target/bin/zkServer.sh" ]] || install -m 755 /usr/share/zookeeper/bin/zkServer.sh "$target/bin/zkServer.sh"
        [[ -e "$target/bin/zkCli.sh" ]] || install -m 755 /usr/share/zookeeper/bin/zkCli.sh "$target/bin/zkCli.sh"
        install -m 644 "$here/common/zkEnv-common.sh" "$target/bin/zkEnv-common.sh"
        ;;
      jar-links)
        target="$context/rootfs$a"
        mkdir -p "$target"
        while read -r jar; do
          ln -sf "/usr/share/java/$(basename "$jar")" "$target/$(basename "$jar")"
        done < <(jar_closure)
        ;;
      link)
        target="$context/rootfs$b"
        mkdir -p "$(dirname "$target")"
        ln -sfn "$a" "$target"
        ;;
      file)
        target=$(layout_path "$context" "$b")
        mkdir -p "$(dirname "$target")"
        install -m "$(stat -c %a "$here/$a")" "$here/$a" "$target"
        ;;
      dir)
        target=$(layout_path "$context" "$b")
        mkdir -p "$target"
        chmod "$a" "$target"
        ;;
      *) die "$1/layout: unknown line: $verb $a $b" ;;
    esac
  done <"$folder/layout"
}

# Builds context $1 with the build arguments in array variable $2 as tags $3..., unless every
# tag already carries the context's hash.
build_context() {
  local context=$1 tag stale=0 log hash
  local -n build_args=$2
  shift 2
  hash=$( (context_hash "$context" && printf '%s\n' "${build_args[@]}") | sha256sum | cut -c1-16)
  for tag in "$@"; do
    [[ "$(docker image inspect -f '{{ index .Config.Labels "org.zkgen.standin" }}' "$tag" 2>/dev/null)" == "$hash" ]] || stale=1
  done
  if ((!stale && !force)); then
    say "up to date: $*"
    return 0
  fi
  local -a tag_args=() arg_args=()
  for tag in "$@"; do tag_args+=(-t "$tag"); done
  for tag in "${build_args[@]}"; do arg_args+=(--build-arg "$tag"); done
  log="$cache/logs/$(basename "$context").log"
  mkdir -p "$cache/logs"
  say "building stand-in $*"
  # The classic builder: the docker client here has no buildx component, and nothing in these
  # builds needs BuildKit (or a network: they only COPY).
  if ! DOCKER_BUILDKIT=0 docker build --label "org.zkgen.standin=$hash" "${arg_args[@]}" "${tag_args[@]}" "$context" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "docker build failed for $* (full log: $log)"
  fi
}

# Builds stand-in folder $1 as variant $2 (build arguments "$3", space-separated) under tags $4...
standin() {
  local folder=$1 variant=$2 base context
  local -a args
  read -r -a args <<<"$3"
  shift 3
  base=$(base_image)
  args=("BASE=$base" "${args[@]}")
  context="$cache/context/$folder-$variant"
  stage "$folder" "$context"
  build_context "$context" args "$@"
}

# --- which stand-in answers which name -----------------------------------------------------------

# Prints the plan for image $1: folder, variant, build arguments (one word, or -), tags.
standin_for() {
  local image=$1 tag=${1##*:}
  [[ $image == *:* ]] || tag=latest
  case "$image" in
    garland/zookeeper | garland/zookeeper:latest)
      echo garland default - garland/zookeeper:latest
      ;;
    zookeeper | zookeeper:latest | zookeeper:3.[5-9] | zookeeper:3.[5-9].*)
      echo official default - zookeeper:3.9.4 zookeeper:3.9 zookeeper:3.8.6 zookeeper:3.8 zookeeper:latest "$image"
      ;;
    zookeeper:3.4 | zookeeper:3.4.*)
      echo official-3.4 default - zookeeper:3.4.14 zookeeper:3.4 "$image"
      ;;
    bitnami/zookeeper* | bitnamilegacy/zookeeper*)
      case $tag in
        latest | 3.9 | 3.9.*) echo bitnami 3.9 APP_VERSION=3.9.5 {bitnami,bitnamilegacy}/zookeeper:{3.9,latest} "$image" ;;
        3.8 | 3.8.*) echo bitnami 3.8 APP_VERSION=3.8.4 {bitnami,bitnamilegacy}/zookeeper:3.8 "$image" ;;
        *) return 1 ;;
      esac
      ;;
    confluentinc/cp-zookeeper | confluentinc/cp-zookeeper:latest | confluentinc/cp-zookeeper:7.*)
      echo confluent default - confluentinc/cp-zookeeper:{7.9.0,7.9,latest} "$image"
      ;;
    *) return 1 ;;
  esac
}

pull_real() {
  local image label
  for image in "$@"; do
    # A stand-in under the real name does not count as present.
    if ((!force)) && label=$(docker image inspect -f '{{ index .Config.Labels "org.zkgen.standin" }}' "$image" 2>/dev/null) &&
      [[ -z $label || $label == '<no value>' ]]; then
      say "present: $image"
      continue
    fi
    say "pulling the real $image"
    docker pull "$image" >&2
  done
}

main() {
  local -a images=()
  while (($#)); do
    case "$1" in
      --force) force=1 ;;
      -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 0
        ;;
      -*) die "unknown option $1" ;;
      *) images+=("$1") ;;
    esac
    shift
  done
  ((${#images[@]})) || die "usage: build.sh [--force] IMAGE..."
  [[ $force == 1 ]] && force=1 || force=0
  docker version >/dev/null 2>&1 ||
    die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}): start one with test/e2e/runtime/engine.sh"

  if [[ ${ZKGEN_REAL_IMAGES:-0} == 1 ]]; then
    pull_real "${images[@]}"
    return
  fi

  local image plan
  local -a plans=()
  for image in "${images[@]}"; do
    plan=$(standin_for "$image") ||
      die "no stand-in for $image (known: garland/zookeeper, zookeeper:3.4 … 3.9, bitnami/zookeeper and bitnamilegacy/zookeeper 3.8 and 3.9, confluentinc/cp-zookeeper:7.x)"
    plans+=("$plan")
  done

  jlink=${ZKGEN_JLINK:-$(command -v jlink || true)}
  [[ -x $jlink ]] || die "jlink not found: a JDK 17 or newer is needed to assemble the stand-ins"
  local tool
  for tool in busybox dockerd setpriv /usr/share/zookeeper/bin/zkServer.sh /usr/share/java/servlet-api.jar; do
    [[ -e $tool ]] || command -v "$tool" >/dev/null ||
      die "$tool is missing: run test/e2e/runtime/install-deps.sh"
  done

  mkdir -p "$cache"
  # Two test runs may share the cache; one builds while the other waits.
  exec 9>"$cache/.lock"
  flock 9

  local -A done_plans=()
  local -a words
  for plan in "${plans[@]}"; do
    [[ -z ${done_plans[$plan]:-} ]] || continue
    done_plans[$plan]=1
    read -ra words <<<"$plan"
    [[ ${words[2]} != - ]] || words[2]=
    standin "${words[@]}"
  done
}

main "$@"
