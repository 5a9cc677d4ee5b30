#!/usr/bin/env bash
# Checks that the images (the local stand-ins from build.sh, or the real ones)
# keep the contract the generated files rely on: three members with host
# networking on one machine form a quorum, a znode written through one member
# reads back through another with the image's own zkCli.sh, and each image's
# configuration mechanism ends up in zoo.cfg and myid as documented.
#
# Usage:
#   DOCKER_HOST=unix:///tmp/zkd/docker.sock test/e2e/images/check.sh [IMAGE...]
#   IMAGE: garland/zookeeper, zookeeper:3.9 (default: both)
#
# Uses client ports 2181-2183, quorum ports 2888-2890 and 3888-3890 and admin
# ports 8081-8083 on 127.0.0.1, so nothing else may hold them. Containers are
# named zkgen-check-*, data lives in a temporary folder, and both are removed
# on exit. Prints one line per check and "N passed, N failed" at the end.
set -euo pipefail

readonly quorum_timeout_s=60
passed=0
failed=0
data=$(mktemp -d "${TMPDIR:-/tmp}/zkgen-check.XXXXXX")
containers=()

cleanup() {
  if ((${#containers[@]})); then
    docker rm -f "${containers[@]}" >/dev/null 2>&1 || true
  fi
  # The official image hands its data to uid 1000; root removes it anyway.
  rm -rf "$data"
}
trap cleanup EXIT

pass() {
  passed=$((passed + 1))
  printf 'ok     %s\n' "$*"
}
fail() {
  failed=$((failed + 1))
  printf 'FAILED %s\n' "$*"
}

# Sends four-letter word $2 to 127.0.0.1:$1 with bash alone, as a health check
# inside an image without netcat must.
four_letter_word() {
  (
    # A member not yet listening refuses the connection: no reply, no noise.
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf '%s' "$2" >&3
    timeout 2 cat <&3
  ) || true
}

serving() {
  four_letter_word "$1" srvr | grep -E '^Mode: (leader|follower)$' >/dev/null
}

# Waits until members on client ports $@ all serve; prints the seconds since
# the first member was started.
wait_for_quorum() {
  local start=$EPOCHREALTIME port ready
  while :; do
    ready=1
    for port in "$@"; do
      serving "$port" || ready=0
    done
    ((ready)) && break
    if ((EPOCHSECONDS - ${start%.*} >= quorum_timeout_s)); then
      return 1
    fi
    sleep 0.1
  done
  awk -v a="$first_run_at" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

run_member() {
  local name=$1
  shift
  containers+=("$name")
  docker run -d --name "$name" --net=host "$@" >/dev/null
}

# zkCli.sh through docker exec: $1 container, $2 client port, then the command.
# Callers read all of its output: a grep -q that stops early would make
# docker exec die of SIGPIPE and, under pipefail, fail the check.
zkcli() {
  local container=$1 port=$2
  shift 2
  docker exec "$container" "$zkcli_path" -server "127.0.0.1:$port" "$@" 2>&1
}

check_members() {
  local image=$1 prefix=$2 seconds
  if seconds=$(wait_for_quorum 2181 2182 2183); then
    pass "$image: three members serve (quorum ${seconds}s after the first docker run)"
  else
    fail "$image: no quorum within ${quorum_timeout_s}s"
    docker logs "${prefix}1" 2>&1 | tail -n 20 >&2
    return
  fi
  if zkcli "${prefix}1" 2181 create /zkgen-check abc | grep '^Created /zkgen-check' >/dev/null; then
    pass "$image: zkCli.sh create through member 1"
  else
    fail "$image: zkCli.sh create through member 1"
  fi
  if zkcli "${prefix}2" 2182 get /zkgen-check | grep -x abc >/dev/null; then
    pass "$image: zkCli.sh get through member 2 reads it back"
  else
    fail "$image: zkCli.sh get through member 2 reads it back"
  fi
  if [[ "$(docker exec "${prefix}3" cat "$myid_path")" == 3 ]]; then
    pass "$image: member 3 has myid 3"
  else
    fail "$image: member 3 has myid 3"
  fi
  if docker exec "${prefix}1" sh -c 'command -v nc || command -v wget || command -v curl' >/dev/null; then
    fail "$image: has a network client the real image cannot be counted on for"
  else
    pass "$image: no nc, wget or curl inside"
  fi
  if docker exec "${prefix}1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/2181 && printf srvr >&3 && cat <&3' |
    grep -E '^Mode: (leader|follower)$' >/dev/null; then
    pass "$image: bash /dev/tcp answers srvr inside the container"
  else
    fail "$image: bash /dev/tcp answers srvr inside the container"
  fi
}

check_garland() {
  local image=garland/zookeeper prefix=zkgen-check-zk id
  zkcli_path=/opt/zookeeper/bin/zkCli.sh
  myid_path=/tmp/zookeeper/myid
  first_run_at=$EPOCHREALTIME
  # The tutorial's step 2.1, with the data in a temporary folder.
  for id in 1 2 3; do
    run_member "$prefix$id" -v "$data/garland/zk$id:/tmp/zookeeper" \
      -e SERVER_ID="$id" \
      -e ADDITIONAL_ZOOKEEPER_1=server.1=localhost:2888:3888 \
      -e ADDITIONAL_ZOOKEEPER_2=server.2=localhost:2889:3889 \
      -e ADDITIONAL_ZOOKEEPER_3=server.3=localhost:2890:3890 \
      -e ADDITIONAL_ZOOKEEPER_4=clientPort=218"$id" \
      "$image"
  done
  check_members "$image" "$prefix"
  if docker exec "${prefix}2" cat /opt/zookeeper/conf/zoo.cfg | grep -x 'clientPort=2182' >/dev/null; then
    pass "$image: ADDITIONAL_ZOOKEEPER_4 appended to zoo.cfg"
  else
    fail "$image: ADDITIONAL_ZOOKEEPER_4 appended to zoo.cfg"
  fi
  docker rm -f "${prefix}1" "${prefix}2" "${prefix}3" >/dev/null
}

check_official() {
  local image=zookeeper:3.9 prefix=zkgen-check-zo id
  local servers="server.1=localhost:2888:3888;2181 server.2=localhost:2889:3889;2182 server.3=localhost:2890:3890;2183"
  zkcli_path=zkCli.sh
  myid_path=/data/myid
  first_run_at=$EPOCHREALTIME
  for id in 1 2 3; do
    run_member "$prefix$id" -v "$data/official/zk$id/data:/data" -v "$data/official/zk$id/datalog:/datalog" \
      -e ZOO_MY_ID="$id" -e ZOO_SERVERS="$servers" -e ZOO_CFG_EXTRA="admin.serverPort=808$id" \
      "$image"
  done
  check_members "$image" "$prefix"
  if docker exec "${prefix}2" cat /conf/zoo.cfg | grep -x 'admin.serverPort=8082' >/dev/null; then
    pass "$image: ZOO_CFG_EXTRA written to zoo.cfg"
  else
    fail "$image: ZOO_CFG_EXTRA written to zoo.cfg"
  fi
  docker rm -f "${prefix}1" "${prefix}2" "${prefix}3" >/dev/null
}

main() {
  local image
  (($#)) || set -- garland/zookeeper zookeeper:3.9
  docker version >/dev/null 2>&1 || {
    echo "check.sh: no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})" >&2
    exit 2
  }
  for image in "$@"; do
    case "$image" in
      garland/zookeeper | garland/zookeeper:latest) check_garland ;;
      zookeeper:3.9) check_official ;;
      *)
        echo "check.sh: no checks for $image" >&2
        exit 2
        ;;
    esac
  done
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
