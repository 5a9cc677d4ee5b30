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
#          zookeeper:3.9[.N]            (official image; tagged zookeeper:3.9 and :3.9.3)
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

# --- which stand-in answers which name ---------------------------------------

# Prints the builder for image $1 and the tags it gets.
standin_for() {
  case "$1" in
    garland/zookeeper | garland/zookeeper:latest)
      echo standin_garland garland/zookeeper:latest
      ;;
    zookeeper:3.9 | zookeeper:3.9.3)
      echo standin_official_3_9 zookeeper:3.9 zookeeper:3.9.3
      ;;
    zookeeper:3.9.*)
      echo standin_official_3_9 zookeeper:3.9 zookeeper:3.9.3 "$1"
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
    plan=$(standin_for "$image") || die "no stand-in for $image (known: garland/zookeeper, zookeeper:3.9)"
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
