#!/usr/bin/env bash
# Local STAND-INS for the ZooKeeper images that zkgen's generated files name.
#
# These are NOT the real images. No registry is reachable on the test
# machines, so this script assembles, from Debian's packages on the host,
# images that reproduce each real image's documented contract (its start
# command, environment variables, paths, volumes and entrypoint behaviour, as
# written down in the project's reference notes) and tags them with the real
# names, so that generated compose files and scripts run unchanged. The server
# inside every stand-in is Debian's ZooKeeper 3.8 on a cut-down Java 17 runtime,
# whatever version the real image carries; where that version's behaviour is
# part of the contract, the stand-in's launch scripts reproduce it.
#
# Usage:
#   DOCKER_HOST=unix:///tmp/zkd/docker.sock test/e2e/images/build.sh [--force] IMAGE...
#
#   IMAGE: garland/zookeeper[:latest]   (tutorial image, ZooKeeper 3.4.6 contract)
#          zookeeper:3.9[.N]            (official image; tagged zookeeper:3.9, :3.9.3 and
#                                        :3.9.5, zkgen's default image)
#          bitnami/zookeeper[:TAG]      (bitnami's image; one stand-in tagged :3.9, :3.8 and
#                                        :latest, accepting both releases' variables)
#          confluentinc/cp-zookeeper[:TAG]
#                                       (Confluent's image; tagged :7.9.0, :7.9 and :latest)
#
# Environment:
#   ZKGEN_REAL_IMAGES=1   docker pull the real images instead (a registry must be reachable)
#   ZKGEN_IMAGE_CACHE     folder for the pieces shared between images and between runs
#                         (default /tmp/zkgen-image-cache)
#   ZKGEN_FORCE_BUILD=1   same as --force: rebuild (or re-pull) even if the tag exists
#
# An image whose tag already exists in the engine with the same recipe is left
# alone, so a second call costs about a second. Nothing is printed on stdout.
#
# Every stand-in runs Debian's ZooKeeper 3.8 on the same cut-down Java 17, ships
# bash and coreutils (busybox) but no nc, wget or curl, and has a working
# AdminServer. None of them has ZooKeeper's Prometheus metrics provider (Debian
# does not package it): a member configured with metricsProvider.className
# stops at boot with "metrics provider class was not found".
#
# Adding a stand-in: write one standin_<name> function that fills a build
# context (see standin_garland), and map the image names to it in
# standin_for.
set -euo pipefail

readonly cache=${ZKGEN_IMAGE_CACHE:-/tmp/zkgen-image-cache}
force=${ZKGEN_FORCE_BUILD:-0}

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- what the stand-ins are made of -----------------------------------------

readonly jre_modules=java.base,java.desktop,java.logging,java.management,java.naming,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.security.auth,jdk.unsupported
# Graphics and sound libraries: ZooKeeper needs java.desktop only for
# java.beans, and these would drag X11, ALSA and font libraries into the image.
readonly jre_excluded='**/libawt_xawt.so,**/libsplashscreen.so,**/libjsound.so,**/libfontmanager.so,**/liblcms.so,**/libjavajpeg.so,**/libmlib_image.so'
# The server's jars; the rest come from their manifests' Class-Path lines.
readonly root_jars=(
  /usr/share/java/zookeeper.jar
  /usr/share/java/zookeeper-jute.jar
  # Debian builds ZooKeeper against log4j 1.2 instead of logback.
  /usr/share/java/slf4j-log4j12.jar
  /usr/share/java/log4j-1.2.jar
  # Debian's ZooKeeper lacks the servlet API, without which the AdminServer
  # ("Unable to load jetty") never opens its port.
  /usr/share/java/servlet-api.jar
  # TLS (secureClientPort, sslQuorum) runs on Netty's SslHandler, whose classes
  # need these besides the Netty jars zookeeper.jar's manifest names; the real
  # images ship them in their release's lib/.
  /usr/share/java/netty-codec.jar
  /usr/share/java/netty-resolver.jar
  /usr/share/java/netty-transport-native-unix-common.jar
)
# What a Debian or Ubuntu base image offers in a shell: coreutils and the
# everyday text and process tools. Deliberately no network client (nc, wget,
# telnet, ...): the real images' health checks cannot count on one, so neither
# may the tests; bash's /dev/tcp is the way to speak to a port.
readonly busybox_applets=(
  '[' arch awk base64 basename cat chgrp chmod chown chroot cmp cp cut date dd
  df diff dirname du echo egrep env expand expr factor false fgrep find fold
  free getopt grep groups gunzip gzip head hostid hostname id kill less link ln
  logname ls md5sum mkdir mkfifo mknod mktemp more mv nl nproc od paste pidof
  printf ps pwd readlink realpath rm rmdir sed seq sha1sum sha256sum sha512sum
  shred shuf sleep sort stat stty sync tac tail tar tee test timeout top touch
  tr true truncate tty uname unexpand uniq unlink uptime wc which whoami xargs
  yes zcat
)
readonly host_programs=(/usr/bin/bash /usr/bin/dash /usr/bin/setpriv)

# --- the base layer shared by every stand-in --------------------------------

manifest_class_path() {
  busybox unzip -p "$1" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | awk '
    /^Class-Path:/ { cp = substr($0, 13); inside = 1; next }
    inside && /^ / { cp = cp substr($0, 2); next }
    { inside = 0 }
    END { print cp }'
}

# Prints the jars the server needs: the roots and, transitively, what their
# manifests name. Debian's manifests use absolute /usr/share/java paths.
jar_closure() {
  local -A seen=()
  local -a queue=("${root_jars[@]}")
  local jar dep
  while ((${#queue[@]})); do
    jar=${queue[0]}
    queue=("${queue[@]:1}")
    [[ -z ${seen[$jar]:-} ]] || continue
    seen[$jar]=1
    # Optional dependencies (jline for an interactive zkCli) may be absent.
    [[ -e $jar ]] || continue
    printf '%s\n' "$jar"
    for dep in $(manifest_class_path "$jar"); do
      [[ $dep == /* ]] || dep="$(dirname "$jar")/$dep"
      queue+=("$dep")
    done
  done
}

# Copies into rootfs $1 the host libraries that the programs $2... load,
# under the same paths.
copy_with_libraries() {
  local rootfs=$1 lib
  shift
  # ldd prints "name => /path (addr)" and, for the loader, "/path (addr)";
  # the runtime's own libraries (already in rootfs) are skipped.
  while read -r lib; do
    [[ $lib != "$rootfs"/* && ! -e "$rootfs$lib" ]] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$@" 2>/dev/null | awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    NF == 2 && $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u)
}

build_base_rootfs() {
  local rootfs=$1 applet jar program
  mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{etc,opt/java,root,tmp,var/tmp,usr/share/java,usr/local/bin}
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  chmod 700 "$rootfs/root"
  # Merged /usr, as on current Debian and Ubuntu images.
  ln -s usr/bin "$rootfs/bin"
  ln -s usr/sbin "$rootfs/sbin"
  ln -s usr/lib "$rootfs/lib"
  ln -s usr/lib64 "$rootfs/lib64"

  "$jlink" --add-modules "$jre_modules" --exclude-files="$jre_excluded" \
    --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
    --output "$rootfs/opt/java/openjdk" >&2
  # This archive serves only heaps over 32 GB.
  rm -f "$rootfs/opt/java/openjdk/lib/server/classes_nocoops.jsa"
  ln -s /opt/java/openjdk/bin/java "$rootfs/usr/bin/java"

  for program in "${host_programs[@]}"; do
    cp -L "$program" "$rootfs/usr/bin/"
  done
  # /bin/sh is dash in both real images' bases, and dash has no /dev/tcp: a
  # health check that needs it must ask for bash explicitly, here as there.
  ln -s dash "$rootfs/usr/bin/sh"
  cp -L "$(command -v busybox)" "$rootfs/usr/bin/busybox"
  for applet in "${busybox_applets[@]}"; do
    [[ -e "$rootfs/usr/bin/$applet" ]] || ln -s busybox "$rootfs/usr/bin/$applet"
  done

  local -a runtime_libs
  mapfile -t runtime_libs < <(find "$rootfs/opt/java/openjdk" -name '*.so')
  copy_with_libraries "$rootfs" "${host_programs[@]}" "$rootfs/opt/java/openjdk/bin/"* "${runtime_libs[@]}"
  # glibc opens its name-service modules by name at run time, so ldd does not
  # list them; they sit beside libc.
  local libc_dir lib
  libc_dir=$(dirname "$(ldd /usr/bin/bash | awk '$1 == "libc.so.6" { print $3 }')")
  for lib in "$libc_dir"/libnss_files.so.2 "$libc_dir"/libnss_dns.so.2 "$libc_dir"/libresolv.so.2; do
    if [[ -e $lib && ! -e "$rootfs$lib" ]]; then
      cp -L "$lib" "$rootfs$lib"
    fi
  done

  while read -r jar; do
    cp -L "$jar" "$rootfs/usr/share/java/"
  done < <(jar_closure)

  printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
}

# Prints the tag of the base image, importing it into the engine if needed.
base_image() {
  local key dir tag
  # The key covers everything the base is made from: the recipe itself and
  # the host packages and JDK it copies.
  key=$(
    {
      declare -f build_base_rootfs copy_with_libraries jar_closure manifest_class_path
      declare -p jre_modules jre_excluded root_jars busybox_applets host_programs
      "$jlink" --version
      dpkg-query -W zookeeper libzookeeper-java libservlet-api-java busybox-static bash dash util-linux libc6 2>/dev/null || true
      uname -m
    } | sha256sum | cut -c1-16
  )
  dir="$cache/base-$key"
  if [[ ! -e "$dir/done" ]]; then
    say "assembling the shared base layer in $dir"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    build_base_rootfs "$dir.tmp/rootfs"
    touch "$dir.tmp/done"
    mv "$dir.tmp" "$dir"
    # Bases of earlier recipes or host packages serve nothing any more.
    find "$cache" -maxdepth 1 -name 'base-*' ! -name "base-$key" -exec rm -rf {} +
  fi
  tag="zkgen-standin-base:$key"
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    say "importing $tag"
    tar --numeric-owner --owner=0 --group=0 -C "$dir/rootfs" -c . | docker import - "$tag" >/dev/null
  fi
  printf '%s\n' "$tag"
}

# --- building one stand-in ---------------------------------------------------

# A fresh, empty build context for stand-in $1.
new_context() {
  local context="$cache/context/$1"
  rm -rf "$context"
  mkdir -p "$context"
  printf '%s\n' "$context"
}

context_hash() {
  (
    cd "$1"
    find . -printf '%p %y %m %l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -c1-16
}

# Builds context $1 as tags $2..., unless every tag already carries its hash.
build_context() {
  local context=$1 hash tag stale=0 log
  shift
  hash=$(context_hash "$context")
  for tag in "$@"; do
    [[ "$(docker image inspect -f '{{ index .Config.Labels "org.zkgen.standin" }}' "$tag" 2>/dev/null)" == "$hash" ]] || stale=1
  done
  if ((!stale && !force)); then
    say "up to date: $*"
    return 0
  fi
  local -a tag_args=()
  for tag in "$@"; do tag_args+=(-t "$tag"); done
  log="$cache/logs/$(basename "$context").log"
  mkdir -p "$cache/logs"
  say "building stand-in $*"
  # The classic builder: the docker client here has no buildx component, and
  # nothing in these builds needs BuildKit.
  if ! DOCKER_BUILDKIT=0 docker build --label "org.zkgen.standin=$hash" "${tag_args[@]}" "$context" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "docker build failed for $* (full log: $log)"
  fi
}

# Writes zkEnv.sh's shared part: the stand-in's Java and classpath, and
# small-footprint JVM defaults. Up to five members share two cores here; the
# user's JVMFLAGS / SERVER_JVMFLAGS come later on the java command line, so
# they still win (the last -Xmx counts).
write_env_common() {
  cat <<'EOF'
# zkServer.sh and zkCli.sh source this file and read what it sets.
# shellcheck disable=SC2034
JAVA="${JAVA_HOME:-/opt/java/openjdk}/bin/java"
CLASSPATH="$ZOOCFGDIR"
for jar in "$ZOOKEEPER_PREFIX"/*.jar "$ZOOKEEPER_PREFIX"/lib/*.jar; do
  if [ -e "$jar" ]; then
    CLASSPATH="$CLASSPATH:$jar"
  fi
done
export CLASSPATH
SERVER_JVMFLAGS="-Xmx${ZK_SERVER_HEAP:-64}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${SERVER_JVMFLAGS:-}"
CLIENT_JVMFLAGS="-Xmx${ZK_CLIENT_HEAP:-32}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${CLIENT_JVMFLAGS:-}"
export SERVER_JVMFLAGS CLIENT_JVMFLAGS
EOF
}

write_log4j_properties() {
  # ZooKeeper in the real images logs at INFO to the console when started in
  # the foreground, which is what `docker logs` shows.
  cat <<'EOF'
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.Target=System.out
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
EOF
}

# Lays out ZooKeeper under $1 as a release tarball does: jars in lib/, the
# launch scripts in bin/. The jars point at the base layer's copies.
install_zookeeper_tree() {
  local prefix=$1 jar
  mkdir -p "$prefix/bin" "$prefix/lib"
  while read -r jar; do
    ln -s "/usr/share/java/$(basename "$jar")" "$prefix/lib/$(basename "$jar")"
  done < <(jar_closure)
  # Debian ships ZooKeeper's own launch scripts, which read everything
  # site-specific from zkEnv.sh beside them.
  install -m 755 /usr/share/zookeeper/bin/zkServer.sh "$prefix/bin/zkServer.sh"
  install -m 755 /usr/share/zookeeper/bin/zkCli.sh "$prefix/bin/zkCli.sh"
}

# --- stand-in: garland/zookeeper ---------------------------------------------

# The tutorial's image (sekka1/mesosphere-docker zookeeper/): ZooKeeper 3.4.6,
# CMD /opt/run.sh, configuration by appending ADDITIONAL_ZOOKEEPER_1..10.
standin_garland() {
  local base=$1 context root
  shift
  context=$(new_context garland)
  root="$context/rootfs"
  install_zookeeper_tree "$root/opt/zookeeper"
  mkdir -p "$root/opt/zookeeper/conf" "$root/tmp/zookeeper"
  chmod 1777 "$root/tmp"

  cat >"$root/opt/zookeeper/conf/zoo.cfg" <<'EOF'
# ZooKeeper 3.4.6's sample configuration, which the real image starts from.
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/tmp/zookeeper
clientPort=2181
EOF
  write_log4j_properties >"$root/opt/zookeeper/conf/log4j.properties"

  {
    cat <<'EOF'
# shellcheck shell=bash
# zkEnv.sh of the garland/zookeeper stand-in: ZooKeeper 3.8 made to keep the
# promises of the real image's 3.4.6.
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="$ZOOKEEPER_PREFIX/conf"
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
ZOO_LOG_DIR="${ZOO_LOG_DIR:-.}"
if [ -f "$ZOOCFGDIR/java.env" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/java.env"
fi
EOF
    write_env_common
    cat <<'EOF'
# 3.4.6 answers every four-letter word and has no AdminServer; 3.8 answers
# only srvr and opens an AdminServer on 8080, which would collide between
# members on one host. As system properties these defaults leave zoo.cfg as
# the real image has it, and a zoo.cfg line still overrides them.
SERVER_JVMFLAGS="-Dzookeeper.4lw.commands.whitelist=* -Dzookeeper.admin.enableServer=false $SERVER_JVMFLAGS"

# 3.4.6 cannot parse 3.5's "server.N=host:peer:election;clientPort" lines: its
# election-port field then reads "3888;2181" and the server exits with
# "Invalid config". 3.8 would accept them, hiding a generator bug.
case "${0##*/} ${1:-}" in
  "zkServer.sh start" | "zkServer.sh start-foreground")
    if grep -Eq '^[[:space:]]*server\.[0-9]+[[:space:]]*=[^#]*;' "$ZOOCFG" 2>/dev/null; then
      echo "Invalid config, exiting abnormally (stand-in for ZooKeeper 3.4.6: a server line has a ';clientPort' suffix, which 3.4.6 cannot parse):" >&2
      grep -E '^[[:space:]]*server\.[0-9]+[[:space:]]*=[^#]*;' "$ZOOCFG" >&2
      exit 2
    fi
    ;;
esac
EOF
  } >"$root/opt/zookeeper/bin/zkEnv.sh"

  cat >"$root/opt/zookeeper/bin/zkCli.sh" <<'EOF'
#!/usr/bin/env bash
# zkCli.sh of the garland/zookeeper stand-in: ZooKeeper 3.8's client made to
# behave like 3.4.6's in the two ways a script can see.
ZOOBINDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
. "$ZOOBINDIR/zkEnv.sh"

# 3.4.6's "get PATH" printed the data followed by the node's stat; 3.8 prints
# the stat only for "get -s PATH".
args=("$@")
i=0
while ((i < ${#args[@]})); do
  case ${args[i]} in
    -server | -timeout) i=$((i + 2)) ;;
    -r) i=$((i + 1)) ;;
    *) break ;;
  esac
done
if [[ ${args[i]:-} == get && $((${#args[@]} - i)) -eq 2 && ${args[i + 1]} != -* ]]; then
  args=("${args[@]:0:i}" get -s "${args[@]:i+1}")
fi

# 3.4.6 printed errors such as "Node does not exist: /x" and still exited 0
# when running a command given on its command line; only an exception it
# did not catch (ConnectionLoss, for one) made it exit non-zero. 3.8 exits 1
# for all of them.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
# The flag variables are lists of words, as in ZooKeeper's own scripts.
# shellcheck disable=SC2086
"$JAVA" "-Dzookeeper.log.dir=${ZOO_LOG_DIR}" -cp "$CLASSPATH" $CLIENT_JVMFLAGS $JVMFLAGS \
  org.apache.zookeeper.ZooKeeperMain "${args[@]}" 2> >(tee "$errors" >&2)
status=$?
wait
if ((status == 1)) && grep -Eq '^(Node does not exist|Node already exists|Node not empty|Ephemerals cannot have children|Not a read-only call|Acl is not valid|Authentication is not valid|Arguments are not valid|version No is not valid|Command failed)' "$errors"; then
  status=0
fi
exit "$status"
EOF
  chmod 755 "$root/opt/zookeeper/bin/zkCli.sh"

  cat >"$root/opt/run.sh" <<'EOF'
#!/bin/sh
# The real image's start script, as documented: on every start, overwrite
# myid, append the ten ADDITIONAL_ZOOKEEPER_n slots to zoo.cfg (an unset one
# appends an empty line), start ZooKeeper in the foreground.
ZOO_CFG=/opt/zookeeper/conf/zoo.cfg
echo "server id (myid): ${SERVER_ID}"
echo "${SERVER_ID}" >/tmp/zookeeper/myid
printf '%s\n' "${ADDITIONAL_ZOOKEEPER_1}" "${ADDITIONAL_ZOOKEEPER_2}" "${ADDITIONAL_ZOOKEEPER_3}" \
  "${ADDITIONAL_ZOOKEEPER_4}" "${ADDITIONAL_ZOOKEEPER_5}" "${ADDITIONAL_ZOOKEEPER_6}" \
  "${ADDITIONAL_ZOOKEEPER_7}" "${ADDITIONAL_ZOOKEEPER_8}" "${ADDITIONAL_ZOOKEEPER_9}" \
  "${ADDITIONAL_ZOOKEEPER_10}" >>"$ZOO_CFG"
/opt/zookeeper/bin/zkServer.sh start-foreground
EOF
  chmod 755 "$root/opt/run.sh"

  cat >"$context/Dockerfile" <<EOF
# Stand-in for garland/zookeeper, NOT the real image: see test/e2e/images/build.sh.
FROM $base
COPY rootfs/ /
ENV JAVA_HOME=/opt/java/openjdk
WORKDIR /opt/zookeeper
VOLUME ["/opt/zookeeper/conf", "/tmp/zookeeper"]
EXPOSE 2181 2888 3888
CMD ["/opt/run.sh"]
EOF
  build_context "$context" "$@"
}

# --- stand-in: the official zookeeper image, 3.9 -----------------------------

readonly official_home=/apache-zookeeper-3.9.3-bin

standin_official_3_9() {
  local base=$1 context root owned
  shift
  context=$(new_context official-3.9)
  root="$context/rootfs"
  owned="$context/owned"
  install_zookeeper_tree "$root$official_home"
  # The same stand-in answers for zookeeper:3.9.5, whose release folder has
  # that version in its name.
  ln -s "${official_home#/}" "$root/apache-zookeeper-3.9.5-bin"
  mkdir -p "$owned"/{conf,data,datalog,logs}
  write_log4j_properties >"$owned/conf/log4j.properties"

  # The real image runs the server as zookeeper, uid and gid 1000.
  mkdir -p "$root/etc"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' \
    'zookeeper:x:1000:1000::/home/zookeeper:/bin/sh' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'zookeeper:x:1000:' >"$root/etc/group"

  {
    cat <<'EOF'
# shellcheck shell=bash
# zkEnv.sh of the official zookeeper image stand-in (ZooKeeper 3.8 inside).
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
if [ -f "$ZOOCFGDIR/zookeeper-env.sh" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/zookeeper-env.sh"
fi
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
if [ -f "$ZOOCFGDIR/java.env" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR="${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
EOF
    write_env_common
  } >"$root$official_home/bin/zkEnv.sh"

  mkdir -p "$root/usr/local/bin"
  cat >"$root/usr/local/bin/gosu" <<'EOF'
#!/bin/bash
# The real image drops root with gosu; util-linux's setpriv does the same.
set -euo pipefail
user=$1
shift
IFS=: read -r _ _ uid gid _ home _ < <(grep "^$user:" /etc/passwd)
HOME=$home exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$@"
EOF
  chmod 755 "$root/usr/local/bin/gosu"

  cat >"$root/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
# Entrypoint of the official image stand-in, following the documented
# behaviour of the real docker-entrypoint.sh.
set -e

# Started as root to run the server: hand the data folders to the zookeeper
# user and start again as that user (a container run with --user skips this).
if [[ "$1" = 'zkServer.sh' && "$(id -u)" = '0' ]]; then
  chown -R zookeeper "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  exec gosu zookeeper "$0" "$@"
fi

# Only a missing zoo.cfg is generated: a mounted or earlier one is kept as is,
# whatever the variables now say.
if [[ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]]; then
  CONFIG="$ZOO_CONF_DIR/zoo.cfg"
  {
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "autopurge.snapRetainCount=$ZOO_AUTOPURGE_SNAPRETAINCOUNT"
    echo "autopurge.purgeInterval=$ZOO_AUTOPURGE_PURGEINTERVAL"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "admin.enableServer=$ZOO_ADMINSERVER_ENABLED"
  } >>"$CONFIG"
  if [[ -z $ZOO_SERVERS ]]; then
    ZOO_SERVERS="server.1=localhost:2888:3888;2181"
  fi
  # Unquoted on purpose, as in the real script: one line per
  # whitespace-separated word, so a value holding spaces breaks.
  # shellcheck disable=SC2086
  for server in $ZOO_SERVERS; do
    echo "$server" >>"$CONFIG"
  done
  if [[ -n $ZOO_4LW_COMMANDS_WHITELIST ]]; then
    echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST" >>"$CONFIG"
  fi
  # shellcheck disable=SC2086
  for cfg_extra_entry in $ZOO_CFG_EXTRA; do
    echo "$cfg_extra_entry" >>"$CONFIG"
  done
fi

# Only a missing myid is written: changing ZOO_MY_ID over existing data has no
# effect.
if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
EOF
  chmod 755 "$root/docker-entrypoint.sh"

  cat >"$context/Dockerfile" <<EOF
# Stand-in for the official zookeeper:3.9 image, NOT the real image: see
# test/e2e/images/build.sh.
FROM $base
ENV ZOO_CONF_DIR=/conf \\
    ZOO_DATA_DIR=/data \\
    ZOO_DATA_LOG_DIR=/datalog \\
    ZOO_LOG_DIR=/logs \\
    ZOO_TICK_TIME=2000 \\
    ZOO_INIT_LIMIT=5 \\
    ZOO_SYNC_LIMIT=2 \\
    ZOO_AUTOPURGE_PURGEINTERVAL=0 \\
    ZOO_AUTOPURGE_SNAPRETAINCOUNT=3 \\
    ZOO_MAX_CLIENT_CNXNS=60 \\
    ZOO_STANDALONE_ENABLED=true \\
    ZOO_ADMINSERVER_ENABLED=true
COPY rootfs/ /
COPY --chown=1000:1000 owned/ /
WORKDIR $official_home
VOLUME ["/data", "/datalog", "/logs"]
EXPOSE 2181 2888 3888 8080
ENV JAVA_HOME=/opt/java/openjdk \\
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$official_home/bin \\
    ZOOCFGDIR=/conf
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["zkServer.sh", "start-foreground"]
EOF
  build_context "$context" "$@"
}

# --- stand-in: bitnami/zookeeper --------------------------------------------

readonly bitnami_home=/opt/bitnami/zookeeper

# ZooKeeper's own zoo_sample.cfg, which bitnami's scripts copy and then edit.
write_zoo_sample_cfg() {
  cat <<'EOF'
# The number of milliseconds of each tick
tickTime=2000
# The number of ticks that the initial 
# synchronization phase can take
initLimit=10
# The number of ticks that can pass between 
# sending a request and getting an acknowledgement
syncLimit=5
# the directory where the snapshot is stored.
# do not use /tmp for storage, /tmp here is just 
# example sakes.
dataDir=/tmp/zookeeper
# the port at which the clients will connect
clientPort=2181
# the maximum number of client connections.
# increase this if you need to handle more clients
#maxClientCnxns=60
#
# Be sure to read the maintenance section of the 
# administrator guide before turning on autopurge.
#
# https://zookeeper.apache.org/doc/current/zookeeperAdmin.html#sc_maintenance
#
# The number of snapshots to retain in dataDir
#autopurge.snapRetainCount=3
# Purge task interval in hours
# Set to "0" to disable auto purge feature
#autopurge.purgeInterval=1

## Metrics Providers
#
# https://prometheus.io Metrics Exporter
#metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
#metricsProvider.httpHost=0.0.0.0
#metricsProvider.httpPort=7000
#metricsProvider.exportJvmInfo=true
EOF
}

# bitnami/zookeeper (bitnami/containers, bitnami/zookeeper/3.9/debian-12 and
# 3.8): ENTRYPOINT entrypoint.sh, CMD run.sh; zoo.cfg generated from ZOO_*
# variables on the first start only; data under /bitnami/zookeeper.
standin_bitnami() {
  local base=$1 context root scripts
  shift
  context=$(new_context bitnami)
  root="$context/rootfs"
  scripts="$root/opt/bitnami/scripts"
  install_zookeeper_tree "$root$bitnami_home"
  mkdir -p "$root$bitnami_home"/{conf,conf.default,logs} "$scripts/zookeeper" "$root/bitnami/zookeeper"
  # The real image keeps its Java under /opt/bitnami/java.
  ln -s /opt/java/openjdk "$root/opt/bitnami/java"
  write_zoo_sample_cfg >"$root$bitnami_home/conf.default/zoo_sample.cfg"
  write_log4j_properties >"$root$bitnami_home/conf.default/log4j.properties"

  {
    cat <<'EOF'
# shellcheck shell=bash
# zkEnv.sh of the bitnami/zookeeper stand-in (ZooKeeper 3.8 inside). As in
# ZooKeeper's own zkEnv.sh, conf/java.env (where the entrypoint puts the heap
# and the other JVMFLAGS) is read by both zkServer.sh and zkCli.sh.
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
if [ -f "$ZOOCFGDIR/java.env" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR="${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
EOF
    write_env_common
  } >"$root$bitnami_home/bin/zkEnv.sh"

  cat >"$scripts/zookeeper-env.sh" <<'EOF'
# shellcheck shell=bash
# The bitnami/zookeeper stand-in's variables and their documented defaults.
export ZOO_BASE_DIR=/opt/bitnami/zookeeper
export ZOO_VOLUME_DIR=/bitnami/zookeeper
# Fixed, as in the real image: not taken from the environment.
export ZOO_DATA_DIR="$ZOO_VOLUME_DIR/data"
export ZOO_CONF_DIR="$ZOO_BASE_DIR/conf"
export ZOO_DEFAULT_CONF_DIR="$ZOO_BASE_DIR/conf.default"
export ZOO_CONF_FILE="$ZOO_CONF_DIR/zoo.cfg"
export ZOO_LOG_DIR="$ZOO_BASE_DIR/logs"
export ZOO_BIN_DIR="$ZOO_BASE_DIR/bin"

export ZOO_PORT_NUMBER="${ZOO_PORT_NUMBER:-2181}"
export ZOO_SERVER_ID="${ZOO_SERVER_ID:-1}"
export ZOO_SERVERS="${ZOO_SERVERS:-}"
export ZOO_ENABLE_ADMIN_SERVER="${ZOO_ENABLE_ADMIN_SERVER:-yes}"
export ZOO_ADMIN_SERVER_PORT_NUMBER="${ZOO_ADMIN_SERVER_PORT_NUMBER:-8080}"
export ZOO_PEER_TYPE="${ZOO_PEER_TYPE:-}"
export ZOO_TICK_TIME="${ZOO_TICK_TIME:-2000}"
export ZOO_INIT_LIMIT="${ZOO_INIT_LIMIT:-10}"
export ZOO_SYNC_LIMIT="${ZOO_SYNC_LIMIT:-5}"
export ZOO_MAX_CLIENT_CNXNS="${ZOO_MAX_CLIENT_CNXNS:-60}"
export ZOO_AUTOPURGE_INTERVAL="${ZOO_AUTOPURGE_INTERVAL:-0}"
export ZOO_AUTOPURGE_RETAIN_COUNT="${ZOO_AUTOPURGE_RETAIN_COUNT:-3}"
export ZOO_4LW_COMMANDS_WHITELIST="${ZOO_4LW_COMMANDS_WHITELIST:-srvr, mntr}"
export ZOO_RECONFIG_ENABLED="${ZOO_RECONFIG_ENABLED:-no}"
export ZOO_LISTEN_ALLIPS_ENABLED="${ZOO_LISTEN_ALLIPS_ENABLED:-no}"
export ZOO_ENABLE_PROMETHEUS_METRICS="${ZOO_ENABLE_PROMETHEUS_METRICS:-no}"
export ZOO_PROMETHEUS_METRICS_PORT_NUMBER="${ZOO_PROMETHEUS_METRICS_PORT_NUMBER:-7000}"
export JVMFLAGS="${JVMFLAGS:-}"
export ZOO_HEAP_SIZE="${ZOO_HEAP_SIZE:-1024}"
export ZOO_ENABLE_AUTH="${ZOO_ENABLE_AUTH:-no}"
# 3.9 reads ALLOW_EMPTY_PASSWORD, 3.8 ALLOW_ANONYMOUS_LOGIN; one stand-in
# answers for both tags, so either is accepted.
export ALLOW_EMPTY_PASSWORD="${ALLOW_EMPTY_PASSWORD:-no}"
export ALLOW_ANONYMOUS_LOGIN="${ALLOW_ANONYMOUS_LOGIN:-no}"
EOF

  cat >"$scripts/libzookeeper.sh" <<'EOF'
# shellcheck shell=bash
# Functions of the bitnami/zookeeper stand-in's scripts. Written for the
# stand-in from the real image's documented behaviour; not bitnami's code.

log() {
  printf 'zookeeper %s %-5s ==> %s\n' "$(date +%H:%M:%S)" "$1" "$2" >&2
}
info() { log INFO "$*"; }
warn() { log WARN "$*"; }
error() { log ERROR "$*"; }

# bitnami's notion of a yes: 1, yes or true, in any case.
is_yes() {
  [[ ${1,,} =~ ^(1|yes|true)$ ]]
}

# Sets KEY=VALUE in FILE: every line holding KEY= (commented out or not, as
# the sample's "#maxClientCnxns=60") is replaced, else the line is appended.
# An empty value is an error, as in the real scripts.
conf_set() {
  local file=$1 key=$2 value=${3:-} line bare found=0
  local -a lines=()
  if [[ -z $value ]]; then
    error "No value for $key"
    exit 1
  fi
  while IFS= read -r line || [[ -n $line ]]; do
    bare=${line#"${line%%[![:space:]#]*}"}
    if [[ $bare == "$key="* ]]; then
      line="$key=$value"
      found=1
    fi
    lines+=("$line")
  done <"$file"
  ((found)) || lines+=("$key=$value")
  printf '%s\n' "${lines[@]}" >"$file"
}

# Adds $1 to JVMFLAGS, kept in conf/java.env for zkServer.sh and zkCli.sh.
add_jvmflags() {
  export JVMFLAGS="${JVMFLAGS:-} $1"
  printf 'export JVMFLAGS="%s"\n' "$JVMFLAGS" >"$ZOO_CONF_DIR/java.env"
}

zookeeper_validate() {
  local status=0
  problem() {
    error "$*"
    status=1
  }
  check_port() {
    local value=${!1}
    if [[ ! $value =~ ^[0-9]+$ ]]; then
      problem "An invalid port was specified in the environment variable $1: $value is not a number"
    elif ((10#$value > 65535)); then
      problem "An invalid port was specified in the environment variable $1: $value is above 65535"
    elif ((10#$value < 1024)); then
      problem "An invalid port was specified in the environment variable $1: $value is a privileged port (below 1024)"
    fi
  }
  check_distinct() {
    local i j
    local -a names=("$@")
    for ((i = 0; i < ${#names[@]}; i++)); do
      for ((j = i + 1; j < ${#names[@]}; j++)); do
        if [[ ${!names[i]} == "${!names[j]}" ]]; then
          problem "${names[i]} and ${names[j]} are bound to the same port (${!names[i]})"
        fi
      done
    done
  }

  check_port ZOO_PORT_NUMBER
  check_port ZOO_PROMETHEUS_METRICS_PORT_NUMBER
  check_distinct ZOO_PORT_NUMBER ZOO_PROMETHEUS_METRICS_PORT_NUMBER
  if is_yes "$ZOO_ENABLE_ADMIN_SERVER"; then
    check_port ZOO_ADMIN_SERVER_PORT_NUMBER
    check_distinct ZOO_PORT_NUMBER ZOO_PROMETHEUS_METRICS_PORT_NUMBER ZOO_ADMIN_SERVER_PORT_NUMBER
  fi

  if is_yes "$ALLOW_EMPTY_PASSWORD" || is_yes "$ALLOW_ANONYMOUS_LOGIN"; then
    warn "You set ALLOW_EMPTY_PASSWORD=$ALLOW_EMPTY_PASSWORD / ALLOW_ANONYMOUS_LOGIN=$ALLOW_ANONYMOUS_LOGIN. For safety reasons, do not use this flag in a production environment."
  elif ! is_yes "$ZOO_ENABLE_AUTH"; then
    problem "ZooKeeper authentication is disabled. Set the environment variable ALLOW_EMPTY_PASSWORD=yes (ALLOW_ANONYMOUS_LOGIN=yes for 3.8) to allow starting ZooKeeper without authentication. This is only recommended for development environments."
  fi

  if [[ -n $ZOO_SERVERS ]]; then
    local server pattern syntax
    local -a servers
    read -r -a servers <<<"${ZOO_SERVERS//[;, ]/ }"
    if [[ $ZOO_SERVERS == *::* ]]; then
      pattern='^[^[:space:]]+:[0-9]+:[0-9]+(:observer|:participant)?::[0-9]+$'
      syntax='host:port:port::id. Example: zookeeper:2888:3888::1 zookeeper:2888:3888:observer::1'
    else
      pattern='^[^[:space:]]+:[0-9]+:[0-9]+(:observer|:participant)?$'
      syntax='host:port:port. Example: zookeeper:2888:3888 zookeeper:2888:3888:observer'
    fi
    for server in "${servers[@]}"; do
      [[ $server =~ $pattern ]] || problem "Zookeeper server $server should follow the next syntax: $syntax"
    done
  fi

  if [[ -n $ZOO_PEER_TYPE && $ZOO_PEER_TYPE != observer && $ZOO_PEER_TYPE != participant ]]; then
    problem "The ZOO_PEER_TYPE environment $ZOO_PEER_TYPE should be one of [observer/participant]"
  fi
  return "$status"
}

zookeeper_generate_conf() {
  local file=$ZOO_CONF_FILE server var key address id i
  local -a servers
  cp "$ZOO_CONF_DIR/zoo_sample.cfg" "$file"
  chmod 600 "$file"
  echo >>"$file"
  conf_set "$file" tickTime "$ZOO_TICK_TIME"
  conf_set "$file" initLimit "$ZOO_INIT_LIMIT"
  conf_set "$file" syncLimit "$ZOO_SYNC_LIMIT"
  conf_set "$file" dataDir "$ZOO_DATA_DIR"
  conf_set "$file" clientPort "$ZOO_PORT_NUMBER"
  conf_set "$file" maxClientCnxns "$ZOO_MAX_CLIENT_CNXNS"
  conf_set "$file" reconfigEnabled "$(is_yes "$ZOO_RECONFIG_ENABLED" && echo true || echo false)"
  conf_set "$file" quorumListenOnAllIPs "$(is_yes "$ZOO_LISTEN_ALLIPS_ENABLED" && echo true || echo false)"
  conf_set "$file" autopurge.purgeInterval "$ZOO_AUTOPURGE_INTERVAL"
  conf_set "$file" autopurge.snapRetainCount "$ZOO_AUTOPURGE_RETAIN_COUNT"
  conf_set "$file" 4lw.commands.whitelist "$ZOO_4LW_COMMANDS_WHITELIST"
  conf_set "$file" admin.serverPort "$ZOO_ADMIN_SERVER_PORT_NUMBER"
  conf_set "$file" admin.enableServer "$(is_yes "$ZOO_ENABLE_ADMIN_SERVER" && echo true || echo false)"

  # This member's client port is stamped onto every server line.
  read -r -a servers <<<"${ZOO_SERVERS//[;, ]/ }"
  if ((${#servers[@]} > 1)); then
    if [[ $ZOO_SERVERS == *::* ]]; then
      for server in "${servers[@]}"; do
        address=${server%%::*}
        id=${server##*::}
        info "Adding server: $address with id: $id"
        conf_set "$file" "server.$id" "$address;$ZOO_PORT_NUMBER"
      done
    else
      i=1
      for server in "${servers[@]}"; do
        info "Adding server: $server"
        conf_set "$file" "server.$i" "$server;$ZOO_PORT_NUMBER"
        i=$((i + 1))
      done
    fi
  else
    info "No additional servers were specified. ZooKeeper will run in standalone mode..."
  fi

  # ZOO_CFG_<KEY> sets <KEY>, each '_' read as '.', case kept; in the order
  # bash lists the variables (by name).
  for var in "${!ZOO_CFG_@}"; do
    key=${var#ZOO_CFG_}
    conf_set "$file" "${key//_/.}" "${!var}"
  done
}

# True when data folder $1 is missing or holds nothing but what a mount
# point may carry by itself.
data_dir_is_empty() {
  local entry
  [[ -d $1 ]] || return 0
  for entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [[ -e $entry || -L $entry ]] || continue
    case ${entry##*/} in
      lost+found | .snapshot) ;;
      *) return 1 ;;
    esac
  done
}

zookeeper_initialize() {
  local var
  info "Initializing ZooKeeper..."
  # SASL and TLS are part of the real image's contract that this stand-in
  # does not reproduce: refuse rather than run without them.
  for var in ZOO_ENABLE_AUTH ZOO_ENABLE_QUORUM_AUTH ZOO_TLS_CLIENT_ENABLE ZOO_TLS_QUORUM_ENABLE; do
    if is_yes "${!var:-no}"; then
      error "$var=${!var}: the bitnami/zookeeper stand-in does not reproduce SASL or TLS"
      exit 1
    fi
  done

  if [[ ! -f $ZOO_CONF_FILE ]]; then
    info "No injected configuration file found, creating default config files..."
    zookeeper_generate_conf
    if [[ $JVMFLAGS =~ -Xm[xs].*-Xm[xs] ]]; then
      info "Using the heap options given in JVMFLAGS ($JVMFLAGS)"
    else
      add_jvmflags "-Xmx${ZOO_HEAP_SIZE}m -Xms${ZOO_HEAP_SIZE}m"
    fi
    if is_yes "$ZOO_ENABLE_PROMETHEUS_METRICS"; then
      info "Enabling Prometheus metrics..."
      conf_set "$ZOO_CONF_FILE" metricsProvider.className org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
      conf_set "$ZOO_CONF_FILE" metricsProvider.httpPort "$ZOO_PROMETHEUS_METRICS_PORT_NUMBER"
      warn "Stand-in: Debian's ZooKeeper has no Prometheus metrics provider; the server will stop with 'metrics provider class was not found'."
    fi
    add_jvmflags "-Dzookeeper.electionPortBindRetry=0"
  else
    info "User injected custom configuration detected!"
  fi

  # myid only on the first start: a new ZOO_SERVER_ID over existing data is
  # ignored.
  if data_dir_is_empty "$ZOO_DATA_DIR"; then
    info "Deploying ZooKeeper from scratch..."
    mkdir -p "$ZOO_DATA_DIR"
    echo "$ZOO_SERVER_ID" >"$ZOO_DATA_DIR/myid"
  else
    info "Deploying ZooKeeper with persisted data..."
  fi

  # On every start, whether zoo.cfg was generated or not.
  if [[ -n $ZOO_PEER_TYPE ]]; then
    conf_set "$ZOO_CONF_FILE" peerType "$ZOO_PEER_TYPE"
  fi
}
EOF

  cat >"$scripts/zookeeper/setup.sh" <<'EOF'
#!/bin/bash
# Setup of the bitnami/zookeeper stand-in: validate the variables (exit 1 with
# every problem listed), create the folders, generate zoo.cfg and myid.
set -euo pipefail
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libzookeeper.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/zookeeper-env.sh

zookeeper_validate || exit 1
mkdir -p "$ZOO_DATA_DIR" "$ZOO_CONF_DIR" "$ZOO_LOG_DIR"
zookeeper_initialize
EOF

  cat >"$scripts/zookeeper/entrypoint.sh" <<'EOF'
#!/bin/bash
# Entrypoint of the bitnami/zookeeper stand-in. The setup runs only when the
# command is the image's run.sh, so "docker run IMAGE zkCli.sh ..." skips it.
set -euo pipefail
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libzookeeper.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/zookeeper-env.sh

# Defaults go into an empty (for instance freshly mounted) conf folder; a
# file already there is kept.
mkdir -p "$ZOO_CONF_DIR"
for default in "$ZOO_DEFAULT_CONF_DIR"/*; do
  if [[ ! -e "$ZOO_CONF_DIR/${default##*/}" ]]; then
    cp -r "$default" "$ZOO_CONF_DIR/"
  fi
done

if [[ "$*" == *"/opt/bitnami/scripts/zookeeper/run.sh"* || "$*" == *"/run.sh"* ]]; then
  info "** Starting ZooKeeper setup **"
  /opt/bitnami/scripts/zookeeper/setup.sh
  info "** ZooKeeper setup finished! **"
fi
echo ""
exec "$@"
EOF

  cat >"$scripts/zookeeper/run.sh" <<'EOF'
#!/bin/bash
# The bitnami/zookeeper stand-in's server: ZooKeeper in the foreground as the
# container's main process. The real image runs as uid 1001 (and, started as
# root, drops to a zookeeper user); this stand-in runs as root, so a data
# folder the real image could not write to still works here.
set -euo pipefail
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libzookeeper.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/zookeeper-env.sh
info "** Starting ZooKeeper **"
exec "$ZOO_BIN_DIR/zkServer.sh" start-foreground "$@"
EOF
  chmod 755 "$scripts/zookeeper/"*.sh
  ln -s /opt/bitnami/scripts/zookeeper/entrypoint.sh "$root/entrypoint.sh"
  ln -s /opt/bitnami/scripts/zookeeper/run.sh "$root/run.sh"

  cat >"$context/Dockerfile" <<EOF
# Stand-in for bitnami/zookeeper (3.9 and 3.8), NOT the real image: it
# reproduces the image's documented contract (variables, paths, entrypoint
# behaviour) around Debian's ZooKeeper 3.8; see test/e2e/images/build.sh.
# The real image runs as uid 1001; this one runs as root.
FROM $base
COPY rootfs/ /
ENV HOME=/ \\
    JAVA_HOME=/opt/bitnami/java \\
    PATH=/opt/bitnami/common/bin:/opt/bitnami/java/bin:$bitnami_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    BITNAMI_APP_NAME=zookeeper
VOLUME ["/bitnami/zookeeper"]
EXPOSE 2181 2888 3888 8080
ENTRYPOINT ["/opt/bitnami/scripts/zookeeper/entrypoint.sh"]
CMD ["/opt/bitnami/scripts/zookeeper/run.sh"]
EOF
  build_context "$context" "$@"
}

# --- stand-in: confluentinc/cp-zookeeper -------------------------------------

# confluentinc/cp-zookeeper (confluentinc/kafka-images, zookeeper/): CMD
# /etc/confluent/docker/run, which configures (myid and
# /etc/kafka/zookeeper.properties from ZOOKEEPER_* variables, on every start),
# checks its folders and launches QuorumPeerMain through Kafka's scripts.
standin_confluent() {
  local base=$1 context root docker jar
  shift
  context=$(new_context confluent)
  root="$context/rootfs"
  docker="$root/etc/confluent/docker"
  mkdir -p "$docker" "$root/usr/bin" "$root/usr/share/java/kafka" "$root/etc/kafka" "$root/var/log/kafka" \
    "$root/var/lib/zookeeper"/{data,log} "$root/etc/zookeeper/secrets"
  # Kafka's scripts put every jar of /usr/share/java/kafka on the classpath.
  while read -r jar; do
    ln -s "/usr/share/java/$(basename "$jar")" "$root/usr/share/java/kafka/$(basename "$jar")"
  done < <(jar_closure)

  # The real image runs as appuser (uid 1000); this stand-in runs as root, so
  # a data folder the real image could not write to still works here.
  printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' \
    'appuser:x:1000:1000::/home/appuser:/bin/bash' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'appuser:x:1000:' >"$root/etc/group"

  cat >"$docker/bash-config" <<'EOF'
# shellcheck shell=bash
# Shared by the stand-in's /etc/confluent/docker scripts.
set -o nounset -o errexit -o pipefail
if [[ -n "${TRACE-}" ]]; then
  set -o verbose -o xtrace
fi

# The checks the real scripts make with Confluent's "dub" tool. A variable
# counts as given when it is set, even to the empty string.
ensure() {
  local name
  for name in "$@"; do
    if [[ ! -v $name ]]; then
      echo "$name is required." >&2
      exit 1
    fi
  done
}
ensure_atleast_one() {
  local name
  for name in "$@"; do
    [[ ! -v $name ]] || return 0
  done
  echo "One of these environment variables must be set: $*" >&2
  exit 1
}
ensure_writable() {
  if [[ ! -d $1 || ! -w $1 ]]; then
    echo "$1 is not writable." >&2
    exit 1
  fi
}
EOF

  cat >"$docker/run" <<'EOF'
#!/usr/bin/env bash
# The cp-zookeeper stand-in's start: configure, check, launch.
# shellcheck source=/dev/null
. /etc/confluent/docker/bash-config

echo "===> User"
id
echo "===> Configuring ..."
/etc/confluent/docker/configure
echo "===> Running preflight checks ... "
/etc/confluent/docker/ensure
echo "===> Launching ... "
exec /etc/confluent/docker/launch
EOF

  cat >"$docker/configure" <<'EOF'
#!/usr/bin/env bash
# The cp-zookeeper stand-in's configure step, written from the real image's
# documented behaviour (not Confluent's code): runs on every start, so myid
# and zookeeper.properties always follow the current variables.
# shellcheck source=/dev/null
. /etc/confluent/docker/bash-config

ensure_atleast_one ZOOKEEPER_CLIENT_PORT ZOOKEEPER_SECURE_CLIENT_PORT
ensure_writable /etc/kafka/

# myid is required for clusters.
if [[ -n "${ZOOKEEPER_SERVERS-}" ]]; then
  ensure ZOOKEEPER_SERVER_ID
  export ZOOKEEPER_INIT_LIMIT=${ZOOKEEPER_INIT_LIMIT:-10}
  export ZOOKEEPER_SYNC_LIMIT=${ZOOKEEPER_SYNC_LIMIT:-5}
fi
if [[ -n "${ZOOKEEPER_SERVER_ID-}" ]]; then
  echo "$ZOOKEEPER_SERVER_ID" >"/var/lib/$COMPONENT/data/myid"
fi

# The template's table: variable and zoo.cfg key, in the template's order.
# Each variable that is set (even empty) writes one line.
table=(
  ZOOKEEPER_CLIENT_PORT=clientPort
  ZOOKEEPER_TICK_TIME=tickTime
  ZOOKEEPER_GLOBAL_OUTSTANDING_LIMIT=globalOutstandingLimit
  ZOOKEEPER_PRE_ALLOC_SIZE=preAllocSize
  ZOOKEEPER_SNAP_COUNT=snapCount
  ZOOKEEPER_TRACE_FILE=traceFile
  ZOOKEEPER_MAX_CLIENT_CNXNS=maxClientCnxns
  ZOOKEEPER_CLIENT_PORT_ADDRESS=clientPortAddress
  ZOOKEEPER_MIN_SESSION_TIMEOUT=minSessionTimeout
  ZOOKEEPER_MAX_SESSION_TIMEOUT=maxSessionTimeout
  ZOOKEEPER_FSYNC_WARNING_THRESHOLDMS=fsync.warningthresholdms
  ZOOKEEPER_AUTOPURGE_SNAP_RETAIN_COUNT=autopurge.snapRetainCount
  ZOOKEEPER_AUTOPURGE_PURGE_INTERVAL=autopurge.purgeInterval
  ZOOKEEPER_SYNC_ENABLED=syncEnabled
  ZOOKEEPER_ELECTION_ALG=electionAlg
  ZOOKEEPER_INIT_LIMIT=initLimit
  ZOOKEEPER_LEADER_SERVES=leaderServes
  ZOOKEEPER_SYNC_LIMIT=syncLimit
  ZOOKEEPER_CNX_TIMEOUT=cnxTimeout
  ZOOKEEPER_FORCE_SYNC=forceSync
  ZOOKEEPER_JUTE_MAX_BUFFER=jute.maxbuffer
  ZOOKEEPER_SKIP_ACL=skipACL
  ZOOKEEPER_QUORUM_LISTEN_ON_ALL_IPS=quorumListenOnAllIPs
  ZOOKEEPER_CLIENT_CNXN_SOCKET=clientCnxnSocket
  ZOOKEEPER_SECURE_CLIENT_PORT=secureClientPort
  ZOOKEEPER_SERVER_CNXN_SOCKET=serverCnxnSocket
  ZOOKEEPER_TCP_KEEP_ALIVE=tcpKeepAlive
  ZOOKEEPER_X509_AUTHENTICATION_PROVIDER_SUPER_USER=X509AuthenticationProvider.superUser
  ZOOKEEPER_SSL_AUTH_PROVIDER=ssl.authProvider
  ZOOKEEPER_SSL_CLIENT_AUTH=ssl.clientAuth
  ZOOKEEPER_SSL_KEYSTORE_LOCATION=ssl.keyStore.location
  ZOOKEEPER_SSL_KEYSTORE_PASSWORD=ssl.keyStore.password
  ZOOKEEPER_SSL_KEYSTORE_TYPE=ssl.keyStore.type
  ZOOKEEPER_SSL_TRUSTSTORE_LOCATION=ssl.trustStore.location
  ZOOKEEPER_SSL_TRUSTSTORE_PASSWORD=ssl.trustStore.password
  ZOOKEEPER_SSL_TRUSTSTORE_TYPE=ssl.trustStore.type
  ZOOKEEPER_SSL_ENABLED_PROTOCOLS=ssl.enabledProtocols
  ZOOKEEPER_SSL_CONTEXT_SUPPLIER_CLASS=ssl.context.supplier.class
  ZOOKEEPER_SSL_CIPHER_SUITES=ssl.ciphersuites
  ZOOKEEPER_SSL_HOSTNAME_VERIFICATION=ssl.hostnameVerification
  ZOOKEEPER_SSL_CRL=ssl.crl
  ZOOKEEPER_SSL_OCPS=ssl.ocsp
  ZOOKEEPER_SSL_HANDSHAKE_DETECTION_TIMEOUT_MILLIS=ssl.handshakeDetectionTimeoutMillis
  ZOOKEEPER_SSL_QUORUM=sslQuorum
  ZOOKEEPER_SSL_QUORUM_CLIENT_AUTH=ssl.quorum.clientAuth
  ZOOKEEPER_SSL_QUORUM_KEYSTORE_LOCATION=ssl.quorum.keyStore.location
  ZOOKEEPER_SSL_QUORUM_KEYSTORE_PASSWORD=ssl.quorum.keyStore.password
  ZOOKEEPER_SSL_QUORUM_KEYSTORE_TYPE=ssl.quorum.keyStore.type
  ZOOKEEPER_SSL_QUORUM_TRUSTSTORE_LOCATION=ssl.quorum.trustStore.location
  ZOOKEEPER_SSL_QUORUM_TRUSTSTORE_PASSWORD=ssl.quorum.trustStore.password
  ZOOKEEPER_SSL_QUORUM_TRUSTSTORE_TYPE=ssl.quorum.trustStore.type
  ZOOKEEPER_SSL_QUORUM_ENABLED_PROTOCOLS=ssl.quorum.enabledProtocols
  ZOOKEEPER_SSL_QUORUM_CIPHER_SUITES=ssl.quorum.ciphersuites
  ZOOKEEPER_SSL_QUORUM_CONTEXT_SUPPLIER_CLASS=ssl.quorum.context.supplier.class
  ZOOKEEPER_SSL_QUORUM_HOSTNAME_VERIFICATION=ssl.quorum.hostnameVerification
  ZOOKEEPER_SSL_QUORUM_CRL=ssl.quorum.crl
  ZOOKEEPER_SSL_QUORUM_OCPS=ssl.quorum.ocsp
  ZOOKEEPER_SSL_QUORUM_HANDSHAKE_DETECTION_TIMEOUT_MILLIS=ssl.quorum.handshakeDetectionTimeoutMillis
  ZOOKEEPER_SERVER_CNXN_FACTORY=serverCnxnFactory
  ZOOKEEPER_AUTH_PROVIDER_X509=authProvider.x509
  ZOOKEEPER_AUTH_PROVIDER_SASL=authProvider.sasl
  ZOOKEEPER_CLIENT_PORT_UNIFICATION=client.portUnification
  ZOOKEEPER_ADMIN_ENABLE_SERVER=admin.enableServer
  ZOOKEEPER_ADMIN_SERVER_ADDRESS=admin.serverAddress
  ZOOKEEPER_ADMIN_SERVER_PORT=admin.serverPort
  ZOOKEEPER_ADMIN_IDLE_TIMEOUT=admin.idleTimeout
  ZOOKEEPER_ADMIN_COMMAND_URL=admin.commandURL
)

# Splits $2 on ';' into the array named $1, keeping empty fields ("a;;b" has
# three, "a;" two), as the template's Python split does.
split_semicolons() {
  local -n into=$1
  local rest=$2
  into=()
  while [[ $rest == *';'* ]]; do
    into+=("${rest%%;*}")
    rest=${rest#*;}
  done
  into+=("$rest")
}

# Writes NAME.k=entry for each ';'-separated entry of variable $2, k from 1.
numbered_lines() {
  local name=$1 variable=$2 k
  local -a entries
  if [[ -n "${!variable-}" ]]; then
    split_semicolons entries "${!variable}"
    for k in "${!entries[@]}"; do
      echo "$name.$((k + 1))=${entries[k]}"
    done
  fi
}

{
  echo "dataDir=/var/lib/$COMPONENT/data"
  echo "dataLogDir=/var/lib/$COMPONENT/log"
  for entry in "${table[@]}"; do
    variable=${entry%%=*}
    if [[ -v $variable ]]; then
      echo "${entry#*=}=${!variable}"
    fi
  done
  # Servers are numbered by position: the k-th entry is server.k.
  numbered_lines server ZOOKEEPER_SERVERS
  numbered_lines group ZOOKEEPER_GROUPS
  numbered_lines weight ZOOKEEPER_WEIGHTS
} >"/etc/kafka/$COMPONENT.properties"

{
  echo "log4j.rootLogger=${ZOOKEEPER_LOG4J_ROOT_LOGLEVEL:-INFO}, stdout"
  echo "log4j.appender.stdout=org.apache.log4j.ConsoleAppender"
  echo "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout"
  echo "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n"
  if [[ -n "${ZOOKEEPER_LOG4J_LOGGERS-}" ]]; then
    IFS=, read -r -a loggers <<<"$ZOOKEEPER_LOG4J_LOGGERS"
    for logger in "${loggers[@]}"; do
      echo "log4j.logger.${logger%%=*}=${logger#*=}"
    done
  fi
} >/etc/kafka/log4j.properties

{
  echo "log4j.rootLogger=${ZOOKEEPER_TOOLS_LOG4J_LOGLEVEL:-WARN}, stderr"
  echo "log4j.appender.stderr=org.apache.log4j.ConsoleAppender"
  echo "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout"
  echo "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n"
  echo "log4j.appender.stderr.Target=System.err"
} >/etc/kafka/tools-log4j.properties
EOF

  cat >"$docker/ensure" <<'EOF'
#!/usr/bin/env bash
# The cp-zookeeper stand-in's preflight checks: its data folders must be
# writable (by appuser in the real image; by root here).
# shellcheck source=/dev/null
. /etc/confluent/docker/bash-config
ensure_writable "/var/lib/$COMPONENT/data"
ensure_writable "/var/lib/$COMPONENT/log"
EOF

  cat >"$docker/launch" <<'EOF'
#!/usr/bin/env bash
# The cp-zookeeper stand-in's launch: ZooKeeper in the foreground as the
# container's main process, logging to the console. (The real image also
# turns on JMX without a port; the stand-in does not.)
# shellcheck source=/dev/null
. /etc/confluent/docker/bash-config
export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:/etc/kafka/log4j.properties"
echo "===> Launching $COMPONENT ... "
exec "$COMPONENT-server-start" "/etc/kafka/$COMPONENT.properties"
EOF

  cat >"$root/usr/bin/zookeeper-server-start" <<'EOF'
#!/bin/bash
# Kafka's zookeeper-server-start, as the cp-zookeeper stand-in has it.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 zookeeper.properties" >&2
  exit 1
fi
if [ -z "${KAFKA_LOG4J_OPTS-}" ]; then
  export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:/etc/kafka/log4j.properties"
fi
# Kafka's documented default heap for ZooKeeper.
if [ -z "${KAFKA_HEAP_OPTS-}" ]; then
  export KAFKA_HEAP_OPTS="-Xmx512M -Xms512M"
fi
exec "$(dirname "$0")/kafka-run-class" org.apache.zookeeper.server.quorum.QuorumPeerMain "$@"
EOF

  cat >"$root/usr/bin/zookeeper-shell" <<'EOF'
#!/bin/bash
# Kafka's zookeeper-shell, as the cp-zookeeper stand-in has it:
#   zookeeper-shell HOST:PORT[/path] [command args...]
if [ $# -lt 1 ]; then
  echo "USAGE: $0 zookeeper_host:port[/path] [args...]" >&2
  exit 1
fi
exec "$(dirname "$0")/kafka-run-class" org.apache.zookeeper.ZooKeeperMain -server "$@"
EOF

  cat >"$root/usr/bin/kafka-run-class" <<'EOF'
#!/bin/bash
# Kafka's kafka-run-class, cut down for the cp-zookeeper stand-in: runs class
# $1 with Kafka's JVM option variables, in the foreground.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 classname [opts]" >&2
  exit 1
fi
CLASSPATH=
for jar in /usr/share/java/kafka/*.jar; do
  CLASSPATH="$CLASSPATH${CLASSPATH:+:}$jar"
done
if [ -z "${JAVA_HOME-}" ]; then
  JAVA=java
else
  JAVA="$JAVA_HOME/bin/java"
fi
if [ -z "${KAFKA_HEAP_OPTS-}" ]; then
  KAFKA_HEAP_OPTS="-Xmx256M"
fi
# Kafka's default is G1 with a compiling JIT; up to five members share two
# cores on the test machines, so the stand-in's default is the small one.
# Setting the variable still wins.
if [ -z "${KAFKA_JVM_PERFORMANCE_OPTS-}" ]; then
  KAFKA_JVM_PERFORMANCE_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"
fi
if [ -z "${KAFKA_LOG4J_OPTS-}" ]; then
  KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:/etc/kafka/tools-log4j.properties"
fi
# The option variables are lists of words, as in Kafka's own script.
# shellcheck disable=SC2086
exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ${KAFKA_JMX_OPTS-} $KAFKA_LOG4J_OPTS \
  -cp "$CLASSPATH" ${KAFKA_OPTS-} "$@"
EOF
  chmod 755 "$docker"/{run,configure,ensure,launch} "$root/usr/bin"/{zookeeper-server-start,zookeeper-shell,kafka-run-class}

  cat >"$context/Dockerfile" <<EOF
# Stand-in for confluentinc/cp-zookeeper 7.9, NOT the real image: it
# reproduces the image's documented contract (variables, paths, start
# scripts) around Debian's ZooKeeper 3.8; see test/e2e/images/build.sh.
# The real image runs as appuser (uid 1000); this one runs as root.
FROM $base
COPY rootfs/ /
ENV COMPONENT=zookeeper
VOLUME ["/var/lib/zookeeper/data", "/var/lib/zookeeper/log", "/etc/zookeeper/secrets"]
EXPOSE 2181 2888 3888
CMD ["/etc/confluent/docker/run"]
EOF
  build_context "$context" "$@"
}

# --- which stand-in answers which name ---------------------------------------

# Prints the builder for image $1 and the tags it gets.
standin_for() {
  case "$1" in
    garland/zookeeper | garland/zookeeper:latest)
      echo standin_garland garland/zookeeper:latest
      ;;
    zookeeper:3.9 | zookeeper:3.9.3 | zookeeper:3.9.5)
      echo standin_official_3_9 zookeeper:3.9 zookeeper:3.9.3 zookeeper:3.9.5
      ;;
    zookeeper:3.9.*)
      echo standin_official_3_9 zookeeper:3.9 zookeeper:3.9.3 zookeeper:3.9.5 "$1"
      ;;
    bitnami/zookeeper | bitnami/zookeeper:latest | bitnami/zookeeper:3.9 | bitnami/zookeeper:3.8)
      echo standin_bitnami bitnami/zookeeper:3.9 bitnami/zookeeper:3.8 bitnami/zookeeper:latest
      ;;
    bitnami/zookeeper:3.9.* | bitnami/zookeeper:3.8.*)
      echo standin_bitnami bitnami/zookeeper:3.9 bitnami/zookeeper:3.8 bitnami/zookeeper:latest "$1"
      ;;
    confluentinc/cp-zookeeper | confluentinc/cp-zookeeper:latest | confluentinc/cp-zookeeper:7.9 | confluentinc/cp-zookeeper:7.9.0)
      echo standin_confluent confluentinc/cp-zookeeper:7.9.0 confluentinc/cp-zookeeper:7.9 confluentinc/cp-zookeeper:latest
      ;;
    confluentinc/cp-zookeeper:7.9.*)
      echo standin_confluent confluentinc/cp-zookeeper:7.9.0 confluentinc/cp-zookeeper:7.9 confluentinc/cp-zookeeper:latest "$1"
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
    plan=$(standin_for "$image") || die "no stand-in for $image (known: garland/zookeeper, zookeeper:3.9, bitnami/zookeeper, confluentinc/cp-zookeeper)"
    plans+=("$plan")
  done

  jlink=${ZKGEN_JLINK:-$(command -v jlink || true)}
  [[ -x $jlink ]] || die "jlink not found: a JDK 17 or newer is needed to assemble the stand-ins"
  local tool
  for tool in busybox dockerd /usr/share/zookeeper/bin/zkServer.sh /usr/share/java/servlet-api.jar; do
    [[ -e $tool ]] || command -v "$tool" >/dev/null ||
      die "$tool is missing: run test/e2e/runtime/install-deps.sh"
  done

  mkdir -p "$cache"
  # Two test runs may share the cache; one builds while the other waits.
  exec 9>"$cache/.lock"
  flock 9

  local base
  base=$(base_image)
  local -A done_plans=()
  local -a words
  for plan in "${plans[@]}"; do
    [[ -z ${done_plans[$plan]:-} ]] || continue
    done_plans[$plan]=1
    read -ra words <<<"$plan"
    "${words[0]}" "$base" "${words[@]:1}"
  done
}

main "$@"
