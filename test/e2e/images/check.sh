#!/usr/bin/env bash
# Checks that the images (the local stand-ins from build.sh, or the real ones)
# keep the contract the generated files rely on: three members with host
# networking on one machine form a quorum, a znode written through one member
# reads back through another with the image's own CLI, the AdminServer and a
# bash-only health probe answer, and each image's configuration mechanism ends
# up in zoo.cfg and myid as documented. Also reports, per image, the seconds
# from the first docker run to a serving quorum and each member's memory.
#
# bitnami: one client port for all members, each bound to its own address
# (ZOO_CFG_clientPortAddress), is refused by ZooKeeper 3.5+ because the image
# stamps ";<port>" (any address) onto every server line; the check expects
# that refusal, then runs the members with each server line given whole
# through ZOO_CFG_server_<id> ("host:peer:election;host:port"), which works.
#
# Usage:
#   test/e2e/images/check.sh [IMAGE...]
#   IMAGE: garland/zookeeper, zookeeper:3.9.5 (or :3.9, :3.9.3),
#          bitnami/zookeeper[:3.9|:3.8|:latest],
#          confluentinc/cp-zookeeper[:7.9.0|:7.9|:latest]   (default: all four)
#
# Engine: when DOCKER_HOST is set, that engine is used; otherwise a private one
# is started with test/e2e/runtime/engine.sh in a temporary folder and stopped,
# by its pid, on exit. The images are first built by build.sh (or pulled, with
# ZKGEN_REAL_IMAGES=1; see build.sh).
#
# Ports, all on loopback: garland and official use client ports 2181-2183 on
# 127.0.0.1, quorum ports 2888-2890 and 3888-3890, admin ports 8081-8083;
# bitnami uses 2181 on 127.0.0.1, 127.0.0.2 and 127.0.0.3 with the same quorum
# and admin ports; confluent uses 22181-22184, 22888-22891, 23888-23891 and
# 28081-28084. Nothing else may hold them. Containers are named zkgen-check-*,
# data lives in a temporary folder, and both are removed on exit. Prints one
# line per check ("ok" or "FAILED"), "info" lines with measurements, and
# "N passed, N failed" at the end; exits 1 when a check failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly quorum_timeout_s=60
passed=0
failed=0
data=$(mktemp -d "${TMPDIR:-/tmp}/zkgen-check.XXXXXX")
containers=()
engine_dir=

cleanup() {
  if ((${#containers[@]})); then
    docker rm -f "${containers[@]}" >/dev/null 2>&1 || true
  fi
  if [[ -n $engine_dir ]]; then
    "$here/../runtime/engine.sh" stop "$engine_dir" || true
    rm -rf "$engine_dir"
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
info() {
  printf 'info   %s\n' "$*"
}
# check DESCRIPTION COMMAND...: one line, passed or failed by the command.
check() {
  local description=$1
  shift
  if "$@" >/dev/null; then
    pass "$description"
  else
    fail "$description"
  fi
}

# Sends four-letter word $3 to $1:$2 with bash alone, as a health check inside
# an image without netcat must.
four_letter_word() {
  (
    # A member not yet listening refuses the connection: no reply, no noise.
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$1/$2" || exit 0
    printf '%s' "$3" >&3
    timeout 2 cat <&3
  ) || true
}

serving() {
  four_letter_word "$1" "$2" srvr | grep -E '^Mode: (leader|follower|observer)$' >/dev/null
}

# GET /commands/$2 from the AdminServer on 127.0.0.1:$1, with bash alone.
admin_command() {
  (
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET /commands/%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    timeout 2 cat <&3
  ) || true
}

admin_answers_ruok() {
  local reply
  reply=$(admin_command "$1" ruok | tr -d '\r')
  grep -E '^HTTP/1\.[01] 200' <<<"$reply" >/dev/null && grep -E '"error" *: *null' <<<"$reply" >/dev/null
}

# Waits until members ADDR:PORT... all serve; prints the seconds since
# $first_run_at (the first docker run).
wait_for_quorum() {
  local start=$EPOCHSECONDS member ready
  while :; do
    ready=1
    for member in "$@"; do
      serving "${member%:*}" "${member##*:}" || ready=0
    done
    ((ready)) && break
    if ((EPOCHSECONDS - start >= quorum_timeout_s)); then
      return 1
    fi
    sleep 0.1
  done
  awk -v a="$first_run_at" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

# True when nothing accepts a connection on any ADDR:PORT given. A member
# that cannot bind its port exits, and a leftover listener would answer in its
# place: each scenario first makes sure its ports are free.
ports_free() {
  local endpoint busy=()
  for endpoint in "$@"; do
    if (exec 3<>"/dev/tcp/${endpoint%:*}/${endpoint##*:}") 2>/dev/null; then
      busy+=("$endpoint")
    fi
  done
  if ((${#busy[@]})); then
    echo "check.sh: already in use: ${busy[*]}" >&2
    return 1
  fi
}

# ports_free, as a failed check of image $1 that skips its scenario.
require_free_ports() {
  local image=$1
  shift
  if ! ports_free "$@"; then
    fail "$image: its ports are free before the members start"
    return 1
  fi
}

run_member() {
  local name=$1
  shift
  containers+=("$name")
  docker run -d --name "$name" --net=host "$@" >/dev/null
}

remove_members() {
  docker rm -f "$@" >/dev/null
}

# Runs a one-off container that never serves (a setup step, a validation):
# no network at all. Prints its output (both streams) and returns its status.
run_once() {
  docker run --rm --net=none "$@" 2>&1
}

# The image's CLI through docker exec: $1 container, $2 address, $3 client
# port, then the command. Callers read all of its output: a grep -q that stops
# early would make docker exec die of SIGPIPE and, under pipefail, fail the
# check.
zkcli() {
  local container=$1 address=$2 port=$3
  shift 3
  if [[ $cli_style == shell ]]; then
    docker exec "$container" "$cli_path" "$address:$port" "$@" 2>&1
  else
    docker exec "$container" "$cli_path" -server "$address:$port" "$@" 2>&1
  fi
}

# Memory of each member: what the engine accounts to the container (cgroup,
# as docker stats shows it) and the resident size of its JVM (which also
# counts the shared, file-backed pages of the runtime).
report_memory() {
  local image=$1 name rss
  # shellcheck disable=SC2016 # an awk program, expanded by awk
  local jvm_rss='$1 == "Name:" { name = $2 } $1 == "VmRSS:" && name == "java" { printf "%.1fMiB", $2 / 1024 }'
  shift
  local -a usage rss_list=()
  mapfile -t usage < <(docker stats --no-stream --format '{{.MemUsage}}' "$@" 2>/dev/null | awk -F' / ' '{ print $1 }')
  for name in "$@"; do
    # The JVM is not process 1 everywhere (garland's run.sh does not exec it).
    rss=$(docker exec "$name" sh -c "awk '$jvm_rss' /proc/[0-9]*/status 2>/dev/null; true" 2>/dev/null) || rss=
    rss_list+=("${rss:-?}")
  done
  info "$image: memory per member (container): ${usage[*]}; JVM resident: ${rss_list[*]}"
}

# The checks every image gets. Globals: cli_style, cli_path, myid_path;
# members (container names), addresses, client_ports and admin_ports (empty
# when the image has no AdminServer), index-aligned; first_run_at.
check_members() {
  local image=$1 seconds i
  local -a endpoints=()
  for i in "${!members[@]}"; do
    endpoints+=("${addresses[i]}:${client_ports[i]}")
  done
  if seconds=$(wait_for_quorum "${endpoints[@]}"); then
    pass "$image: ${#members[@]} members serve (quorum ${seconds}s after the first docker run)"
    info "$image: time to quorum: ${seconds}s"
  else
    fail "$image: no quorum within ${quorum_timeout_s}s"
    for i in "${!members[@]}"; do
      echo "--- docker logs ${members[i]} (last lines)" >&2
      docker logs "${members[i]}" 2>&1 | tail -n 15 >&2
    done
    return
  fi
  if zkcli "${members[0]}" "${addresses[0]}" "${client_ports[0]}" create /zkgen-check abc | grep '^Created /zkgen-check' >/dev/null; then
    pass "$image: $cli_path create through member 1"
  else
    fail "$image: $cli_path create through member 1"
  fi
  if zkcli "${members[1]}" "${addresses[1]}" "${client_ports[1]}" get /zkgen-check | grep -x abc >/dev/null; then
    pass "$image: $cli_path get through member 2 reads it back"
  else
    fail "$image: $cli_path get through member 2 reads it back"
  fi
  if [[ "$(docker exec "${members[2]}" cat "$myid_path")" == 3 ]]; then
    pass "$image: member 3 has myid 3 in $myid_path"
  else
    fail "$image: member 3 has myid 3 in $myid_path"
  fi
  local tools
  if tools=$(docker exec "${members[0]}" sh -c 'command -v nc netcat wget curl telnet; true') && [[ -z $tools ]]; then
    pass "$image: no nc, wget, curl or telnet inside"
  else
    fail "$image: no nc, wget, curl or telnet inside (found: ${tools:-?})"
  fi
  # The health probe a generated file may use: bash, /dev/tcp and timeout.
  local probe ok=1
  for i in "${!members[@]}"; do
    probe="exec 3<>/dev/tcp/${addresses[i]}/${client_ports[i]} && printf srvr >&3 && timeout 2 cat <&3"
    docker exec "${members[i]}" bash -c "$probe" | grep -E '^Mode: (leader|follower|observer)$' >/dev/null || ok=0
  done
  if ((ok)); then
    pass "$image: bash /dev/tcp probe answers srvr inside every member"
  else
    fail "$image: bash /dev/tcp probe answers srvr inside every member"
  fi
  if ((${#admin_ports[@]})); then
    ok=1
    for i in "${!admin_ports[@]}"; do
      admin_answers_ruok "${admin_ports[i]}" || ok=0
    done
    if ((ok)); then
      pass "$image: AdminServer answers /commands/ruok on ${admin_ports[*]}"
    else
      fail "$image: AdminServer answers /commands/ruok on ${admin_ports[*]}"
    fi
  fi
  report_memory "$image" "${members[@]}"
}

# --- garland/zookeeper ---------------------------------------------------------

check_garland() {
  local image=garland/zookeeper prefix=zkgen-check-zk id
  cli_style=server cli_path=/opt/zookeeper/bin/zkCli.sh myid_path=/tmp/zookeeper/myid
  members=("${prefix}1" "${prefix}2" "${prefix}3")
  addresses=(127.0.0.1 127.0.0.1 127.0.0.1)
  client_ports=(2181 2182 2183)
  admin_ports=()
  require_free_ports "$image" 127.0.0.1:{2181,2182,2183,2888,2889,2890,3888,3889,3890} || return 0
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
  check_members "$image"
  if docker exec "${prefix}2" cat /opt/zookeeper/conf/zoo.cfg | grep -x 'clientPort=2182' >/dev/null; then
    pass "$image: ADDITIONAL_ZOOKEEPER_4 appended to zoo.cfg"
  else
    fail "$image: ADDITIONAL_ZOOKEEPER_4 appended to zoo.cfg"
  fi
  remove_members "${members[@]}"
}

# --- the official zookeeper image -------------------------------------------------

check_official() {
  local image=$1 prefix=zkgen-check-zo id
  local servers="server.1=localhost:2888:3888;2181 server.2=localhost:2889:3889;2182 server.3=localhost:2890:3890;2183"
  cli_style=server cli_path=zkCli.sh myid_path=/data/myid
  members=("${prefix}1" "${prefix}2" "${prefix}3")
  addresses=(127.0.0.1 127.0.0.1 127.0.0.1)
  client_ports=(2181 2182 2183)
  admin_ports=(8081 8082 8083)
  require_free_ports "$image" 127.0.0.1:{2181,2182,2183,2888,2889,2890,3888,3889,3890,8081,8082,8083} || return 0
  first_run_at=$EPOCHREALTIME
  for id in 1 2 3; do
    run_member "$prefix$id" -v "$data/official/zk$id/data:/data" -v "$data/official/zk$id/datalog:/datalog" \
      -e ZOO_MY_ID="$id" -e ZOO_SERVERS="$servers" -e ZOO_CFG_EXTRA="admin.serverPort=808$id" \
      "$image"
  done
  check_members "$image"
  if docker exec "${prefix}2" cat /conf/zoo.cfg | grep -x 'admin.serverPort=8082' >/dev/null; then
    pass "$image: ZOO_CFG_EXTRA written to zoo.cfg"
  else
    fail "$image: ZOO_CFG_EXTRA written to zoo.cfg"
  fi
  remove_members "${members[@]}"
}

# --- bitnami/zookeeper -------------------------------------------------------------

# Output of bitnami's setup alone (validation, zoo.cfg, java.env, myid) for
# the variables given as docker run arguments, then zoo.cfg, java.env and
# myid; returns the setup's status.
bitnami_setup() {
  local image=$1
  shift
  run_once --entrypoint bash "$@" "$image" -c '
    /opt/bitnami/scripts/zookeeper/entrypoint.sh /opt/bitnami/scripts/zookeeper/setup.sh || exit
    echo "--- zoo.cfg"; cat /opt/bitnami/zookeeper/conf/zoo.cfg
    echo "--- java.env"; cat /opt/bitnami/zookeeper/conf/java.env
    echo "--- myid"; cat /bitnami/zookeeper/data/myid'
}

# Status $1 expected; output $2 must match the extended regex $3.
exits_with() {
  local want=$1 pattern=$2 out status=0
  shift 2
  out=$("$@") || status=$?
  [[ $status == "$want" ]] && grep -E -- "$pattern" <<<"$out" >/dev/null
}

has_line() {
  grep -Fx -- "$1" <<<"$2" >/dev/null
}

# True when file $2 in container $1 holds every line $3...
file_has_lines() {
  local content line
  content=$(docker exec "$1" cat "$2") || return 1
  shift 2
  for line in "$@"; do
    has_line "$line" "$content" || return 1
  done
}

# True when the command line of container $1's main process matches the
# extended regex $2.
main_process_matches() {
  docker exec "$1" cat /proc/1/cmdline | tr '\0' ' ' | grep -E -- "$2" >/dev/null
}

check_bitnami_setup() {
  local image=$1 out
  local -a open=(-e ALLOW_EMPTY_PASSWORD=yes)
  check "$image: refuses to start without ALLOW_EMPTY_PASSWORD/ALLOW_ANONYMOUS_LOGIN/ZOO_ENABLE_AUTH" \
    exits_with 1 'ZooKeeper authentication is disabled' bitnami_setup "$image"
  check "$image: accepts ALLOW_ANONYMOUS_LOGIN=yes (3.8's spelling)" \
    exits_with 0 '^--- zoo.cfg' bitnami_setup "$image" -e ALLOW_ANONYMOUS_LOGIN=yes
  check "$image: refuses a privileged client port (ZOO_PORT_NUMBER=1023)" \
    exits_with 1 'ZOO_PORT_NUMBER' bitnami_setup "$image" "${open[@]}" -e ZOO_PORT_NUMBER=1023
  check "$image: refuses a port above 65535 (ZOO_ADMIN_SERVER_PORT_NUMBER=65536)" \
    exits_with 1 'ZOO_ADMIN_SERVER_PORT_NUMBER' bitnami_setup "$image" "${open[@]}" -e ZOO_ADMIN_SERVER_PORT_NUMBER=65536
  check "$image: refuses an admin port equal to the client port" \
    exits_with 1 'bound to the same port' bitnami_setup "$image" "${open[@]}" -e ZOO_ADMIN_SERVER_PORT_NUMBER=2181
  check "$image: allows that clash with the AdminServer off" \
    exits_with 0 '^admin.enableServer=false$' bitnami_setup "$image" "${open[@]}" -e ZOO_ADMIN_SERVER_PORT_NUMBER=2181 -e ZOO_ENABLE_ADMIN_SERVER=no
  check "$image: refuses a ZOO_SERVERS entry without an id when others have one" \
    exits_with 1 'should follow the next syntax' bitnami_setup "$image" "${open[@]}" -e ZOO_SERVERS='a:2888:3888::1,b:2889:3889'

  out=$(bitnami_setup "$image" "${open[@]}" -e ZOO_SERVERS='a:2888:3888 b:2889:3889;c:2890:3890:observer' \
    -e ZOO_PORT_NUMBER=2182 -e ZOO_CFG_group_1=1:2:3 -e ZOO_CFG_clientPortAddress=127.0.0.2 -e ZOO_PEER_TYPE=observer) || true
  local ok=1 line
  for line in 'server.1=a:2888:3888;2182' 'server.2=b:2889:3889;2182' 'server.3=c:2890:3890:observer;2182' \
    clientPort=2182 group.1=1:2:3 clientPortAddress=127.0.0.2 peerType=observer dataDir=/bitnami/zookeeper/data \
    initLimit=10 syncLimit=5 tickTime=2000 maxClientCnxns=60 reconfigEnabled=false quorumListenOnAllIPs=false \
    autopurge.purgeInterval=0 autopurge.snapRetainCount=3 '4lw.commands.whitelist=srvr, mntr' \
    admin.serverPort=8080 admin.enableServer=true; do
    has_line "$line" "$out" || {
      ok=0
      echo "missing from zoo.cfg: $line" >&2
    }
  done
  check "$image: zoo.cfg from the sample, ZOO_* keys, positional server lines with ;ZOO_PORT_NUMBER, ZOO_CFG_* and peerType" test "$ok" = 1
  check "$image: default heap -Xmx1024m -Xms1024m and electionPortBindRetry=0 in JVMFLAGS (java.env)" \
    grep -E '^export JVMFLAGS=".*-Xmx1024m -Xms1024m -Dzookeeper.electionPortBindRetry=0"$' <<<"$out"
  check "$image: myid defaults to 1" test "$(sed -n '/^--- myid$/{n;p;}' <<<"$out")" = 1
  out=$(bitnami_setup "$image" "${open[@]}" -e ZOO_HEAP_SIZE=64 -e JVMFLAGS=-Dx=1) || true
  check "$image: ZOO_HEAP_SIZE=64 adds -Xmx64m -Xms64m after the given JVMFLAGS" \
    grep -Fx 'export JVMFLAGS="-Dx=1 -Xmx64m -Xms64m -Dzookeeper.electionPortBindRetry=0"' <<<"$out"

  # myid is written only into an empty data folder.
  mkdir -p "$data/bitnami-myid"
  bitnami_setup "$image" "${open[@]}" -v "$data/bitnami-myid:/bitnami/zookeeper" -e ZOO_SERVER_ID=5 >/dev/null || true
  bitnami_setup "$image" "${open[@]}" -v "$data/bitnami-myid:/bitnami/zookeeper" -e ZOO_SERVER_ID=7 >/dev/null || true
  check "$image: myid written on the first start only (5, then ZOO_SERVER_ID=7 ignored)" \
    test "$(cat "$data/bitnami-myid/data/myid" 2>/dev/null)" = 5
}

# The bitnami members' variables: ids, addresses and ports as the task sets
# them (the client port shared, each member bound to its own address).
bitnami_member_args() {
  local id=$1
  printf '%s\n' -v "$data/bitnami/zk$id:/bitnami/zookeeper" \
    -e ZOO_SERVER_ID="$id" \
    -e ZOO_SERVERS="127.0.0.1:2888:3888::1,127.0.0.2:2889:3889::2,127.0.0.3:2890:3890::3" \
    -e ZOO_CFG_clientPortAddress="127.0.0.$id" \
    -e ZOO_ADMIN_SERVER_PORT_NUMBER="808$id" \
    -e ALLOW_EMPTY_PASSWORD=yes -e ZOO_4LW_COMMANDS_WHITELIST=srvr -e ZOO_HEAP_SIZE=64
}

# Waits up to 30 s for containers $@ to stop.
all_exited() {
  local deadline=$((SECONDS + 30)) name running
  while ((SECONDS < deadline)); do
    running=0
    for name in "$@"; do
      [[ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]] || running=1
    done
    ((running)) || return 0
    sleep 0.2
  done
  return 1
}

check_bitnami() {
  local image=$1 prefix=zkgen-check-zb id
  local -a args
  check_bitnami_setup "$image"
  cli_style=server cli_path=/opt/bitnami/zookeeper/bin/zkCli.sh myid_path=/bitnami/zookeeper/data/myid
  members=("${prefix}1" "${prefix}2" "${prefix}3")
  addresses=(127.0.0.1 127.0.0.2 127.0.0.3)
  client_ports=(2181 2181 2181)
  admin_ports=(8081 8082 8083)
  require_free_ports "$image" 127.0.0.{1,2,3}:2181 127.0.0.1:2888 127.0.0.2:2889 127.0.0.3:2890 \
    127.0.0.1:3888 127.0.0.2:3889 127.0.0.3:3890 127.0.0.1:{8081,8082,8083} || return 0

  # As documented, and as zkgen's bitnami dialect relies on: one client port
  # for all, each member bound to its own address. The image stamps ";2181"
  # (any address) onto every server line, and ZooKeeper 3.5+ refuses a
  # clientPortAddress that differs from the client address of the member's
  # own server line: every member exits at start.
  for id in 1 2 3; do
    mapfile -t args < <(bitnami_member_args "$id")
    run_member "$prefix$id" "${args[@]}" "$image"
  done
  local refused=1
  all_exited "${members[@]}" || refused=0
  for id in 1 2 3; do
    docker logs "$prefix$id" 2>&1 | grep 'is different from client address found in dynamic file' >/dev/null || refused=0
  done
  check "$image: shared client port + ZOO_CFG_clientPortAddress alone is refused by ZooKeeper (';2181' on every server line)" \
    test "$refused" = 1
  remove_members "${members[@]}"
  rm -rf "$data/bitnami"

  # The same members with each server line given whole through ZOO_CFG_server_<id>,
  # which the image applies after its own server lines: own address on every line.
  first_run_at=$EPOCHREALTIME
  for id in 1 2 3; do
    mapfile -t args < <(bitnami_member_args "$id")
    run_member "$prefix$id" "${args[@]}" \
      -e 'ZOO_CFG_server_1=127.0.0.1:2888:3888;127.0.0.1:2181' \
      -e 'ZOO_CFG_server_2=127.0.0.2:2889:3889;127.0.0.2:2181' \
      -e 'ZOO_CFG_server_3=127.0.0.3:2890:3890;127.0.0.3:2181' \
      "$image"
  done
  check_members "$image"
  check "$image: member 2's zoo.cfg has clientPortAddress=127.0.0.2 and its own server line" \
    file_has_lines "${prefix}2" /opt/bitnami/zookeeper/conf/zoo.cfg clientPortAddress=127.0.0.2 'server.2=127.0.0.2:2889:3889;127.0.0.2:2181'
  check "$image: the server runs as the container's main process with -Xmx64m -Xms64m" \
    main_process_matches "${prefix}1" 'java .*-Xmx64m -Xms64m .*QuorumPeerMain'
  remove_members "${members[@]}"
}

# --- confluentinc/cp-zookeeper -------------------------------------------------------

# Runs the confluent configure step alone for the variables given as docker
# run arguments; prints its output, then zookeeper.properties and myid.
confluent_configure() {
  local image=$1
  shift
  run_once "$@" "$image" bash -c '
    /etc/confluent/docker/configure || exit
    echo "--- zookeeper.properties"; cat /etc/kafka/zookeeper.properties
    echo "--- myid"; cat /var/lib/zookeeper/data/myid 2>/dev/null || true'
}

check_confluent_configure() {
  local image=$1 out expected
  check "$image: refuses to start without ZOOKEEPER_CLIENT_PORT" \
    exits_with 1 'ZOOKEEPER_CLIENT_PORT' run_once "$image"
  check "$image: refuses ZOOKEEPER_SERVERS without ZOOKEEPER_SERVER_ID" \
    exits_with 1 'ZOOKEEPER_SERVER_ID is required' confluent_configure "$image" -e ZOOKEEPER_CLIENT_PORT=2181 -e ZOOKEEPER_SERVERS='a:1:2;b:3:4'
  out=$(confluent_configure "$image" -e ZOOKEEPER_CLIENT_PORT=22182 -e ZOOKEEPER_SERVER_ID=2 \
    -e ZOOKEEPER_SERVERS='localhost:22888:23888;localhost:22889:23889;localhost:22890:23890:observer' \
    -e ZOOKEEPER_GROUPS='1:2;3' -e ZOOKEEPER_WEIGHTS='1;1;0' -e ZOOKEEPER_ADMIN_SERVER_PORT=28082 \
    -e ZOOKEEPER_TICK_TIME=2000 -e ZOOKEEPER_ADMIN_ENABLE_SERVER=true) || true
  expected='--- zookeeper.properties
dataDir=/var/lib/zookeeper/data
dataLogDir=/var/lib/zookeeper/log
clientPort=22182
tickTime=2000
initLimit=10
syncLimit=5
admin.enableServer=true
admin.serverPort=28082
server.1=localhost:22888:23888
server.2=localhost:22889:23889
server.3=localhost:22890:23890:observer
group.1=1:2
group.2=3
weight.1=1
weight.2=1
weight.3=0
--- myid
2'
  if [[ "$(sed -n '/^--- zookeeper.properties$/,$p' <<<"$out")" == "$expected" ]]; then
    pass "$image: zookeeper.properties in the template's order, servers/groups/weights by position, initLimit/syncLimit defaults"
  else
    fail "$image: zookeeper.properties in the template's order, servers/groups/weights by position, initLimit/syncLimit defaults"
    diff <(echo "$expected") <(sed -n '/^--- zookeeper.properties$/,$p' <<<"$out") >&2 || true
  fi
  mkdir -p "$data/confluent-myid"
  confluent_configure "$image" -v "$data/confluent-myid:/var/lib/zookeeper/data" -e ZOOKEEPER_CLIENT_PORT=2181 -e ZOOKEEPER_SERVER_ID=5 >/dev/null || true
  confluent_configure "$image" -v "$data/confluent-myid:/var/lib/zookeeper/data" -e ZOOKEEPER_CLIENT_PORT=2181 -e ZOOKEEPER_SERVER_ID=7 >/dev/null || true
  check "$image: myid rewritten on every start (5, then 7)" test "$(cat "$data/confluent-myid/myid" 2>/dev/null)" = 7
}

confluent_member() {
  local image=$1 prefix=$2 id=$3 servers=$4
  run_member "$prefix$id" -v "$data/confluent/zk$id/data:/var/lib/zookeeper/data" -v "$data/confluent/zk$id/log:/var/lib/zookeeper/log" \
    -e ZOOKEEPER_SERVER_ID="$id" -e ZOOKEEPER_CLIENT_PORT="2218$id" -e ZOOKEEPER_SERVERS="$servers" \
    -e ZOOKEEPER_ADMIN_SERVER_PORT="2808$id" \
    -e KAFKA_OPTS=-Dzookeeper.4lw.commands.whitelist=srvr -e KAFKA_HEAP_OPTS="-Xmx64m -Xms64m" \
    "$image"
}

check_confluent() {
  local image=$1 prefix=zkgen-check-zc id
  local servers="localhost:22888:23888;localhost:22889:23889;localhost:22890:23890"
  check_confluent_configure "$image"
  cli_style=shell cli_path=zookeeper-shell myid_path=/var/lib/zookeeper/data/myid
  members=("${prefix}1" "${prefix}2" "${prefix}3")
  addresses=(127.0.0.1 127.0.0.1 127.0.0.1)
  client_ports=(22181 22182 22183)
  admin_ports=(28081 28082 28083)
  require_free_ports "$image" 127.0.0.1:{22181,22182,22183,22184,22888,22889,22890,22891,23888,23889,23890,23891} \
    127.0.0.1:{28081,28082,28083,28084} || return 0
  first_run_at=$EPOCHREALTIME
  for id in 1 2 3; do
    confluent_member "$image" "$prefix" "$id" "$servers"
  done
  check_members "$image"
  check "$image: the server runs as the container's main process with KAFKA_HEAP_OPTS and KAFKA_OPTS" \
    main_process_matches "${prefix}1" \
    'java -Xmx64m -Xms64m .*-Dzookeeper.4lw.commands.whitelist=srvr org.apache.zookeeper.server.quorum.QuorumPeerMain /etc/kafka/zookeeper.properties'
  remove_members "${members[@]}"
  rm -rf "$data/confluent"

  # An observer as the image can express it: ":observer" on its entry in every
  # member's ZOOKEEPER_SERVERS and no peerType (the image has no variable for
  # it); ZooKeeper 3.5+ takes the role from the server list.
  servers="$servers;localhost:22891:23891:observer"
  members=("${prefix}1" "${prefix}2" "${prefix}3" "${prefix}4")
  addresses=(127.0.0.1 127.0.0.1 127.0.0.1 127.0.0.1)
  client_ports=(22181 22182 22183 22184)
  first_run_at=$EPOCHREALTIME
  for id in 1 2 3 4; do
    confluent_member "$image" "$prefix" "$id" "$servers"
  done
  local seconds
  if seconds=$(wait_for_quorum 127.0.0.1:22181 127.0.0.1:22182 127.0.0.1:22183 127.0.0.1:22184) &&
    four_letter_word 127.0.0.1 22184 srvr | grep -x 'Mode: observer' >/dev/null; then
    pass "$image: a 'host:peer:election:observer' entry makes member 4 an observer (serving ${seconds}s after the first docker run)"
  else
    fail "$image: a 'host:peer:election:observer' entry makes member 4 an observer"
    docker logs "${prefix}4" 2>&1 | tail -n 15 >&2
  fi
  remove_members "${members[@]}"
}

# True when every tag given exists and names the same image.
same_image() {
  local tag id first=
  for tag in "$@"; do
    id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null) || return 1
    first=${first:-$id}
    [[ $id == "$first" ]] || return 1
  done
}

# --- main ------------------------------------------------------------------------

main() {
  local image
  (($#)) || set -- garland/zookeeper zookeeper:3.9.5 bitnami/zookeeper:3.9 confluentinc/cp-zookeeper:7.9.0
  for image in "$@"; do
    case "$image" in
      garland/zookeeper | garland/zookeeper:latest | zookeeper:3.9 | zookeeper:3.9.3 | zookeeper:3.9.5) ;;
      bitnami/zookeeper | bitnami/zookeeper:3.9 | bitnami/zookeeper:3.8 | bitnami/zookeeper:latest) ;;
      confluentinc/cp-zookeeper | confluentinc/cp-zookeeper:7.9.0 | confluentinc/cp-zookeeper:7.9 | confluentinc/cp-zookeeper:latest) ;;
      *)
        echo "check.sh: no checks for $image" >&2
        exit 2
        ;;
    esac
  done

  if [[ -n ${DOCKER_HOST:-} ]]; then
    docker version >/dev/null 2>&1 || {
      echo "check.sh: no Docker engine answers (DOCKER_HOST=$DOCKER_HOST)" >&2
      exit 2
    }
  else
    # A short path: the engine's sockets live under it.
    engine_dir=$(mktemp -d /tmp/zkc.XXXXXX)
    DOCKER_HOST=$("$here/../runtime/engine.sh" start "$engine_dir")
    export DOCKER_HOST
    info "started a private engine in $engine_dir (pid $(cat "$engine_dir/dockerd.pid"))"
  fi
  local started=$EPOCHREALTIME
  "$here/build.sh" "$@"
  info "images ready in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"

  # The stand-ins answer under every tag zkgen may name.
  if [[ ${ZKGEN_REAL_IMAGES:-0} != 1 ]]; then
    for image in "$@"; do
      case "$image" in
        zookeeper:*) check "stand-in tags zookeeper:3.9, :3.9.3 and :3.9.5 name one image" same_image zookeeper:3.9 zookeeper:3.9.3 zookeeper:3.9.5 ;;
        bitnami/zookeeper*) check "stand-in tags bitnami/zookeeper:3.9, :3.8 and :latest name one image" same_image bitnami/zookeeper:{3.9,3.8,latest} ;;
        confluentinc/cp-zookeeper*) check "stand-in tags confluentinc/cp-zookeeper:7.9.0, :7.9 and :latest name one image" same_image confluentinc/cp-zookeeper:{7.9.0,7.9,latest} ;;
      esac
    done
  fi

  for image in "$@"; do
    case "$image" in
      garland/zookeeper*) check_garland ;;
      zookeeper:*) check_official "$image" ;;
      bitnami/zookeeper*) check_bitnami "$image" ;;
      confluentinc/cp-zookeeper*) check_confluent "$image" ;;
    esac
  done
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
