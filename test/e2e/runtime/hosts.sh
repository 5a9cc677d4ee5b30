#!/usr/bin/env bash
# Three "hosts" on this machine for the several-host end-to-end test: network namespaces zkh1..3
# on a private bridge zkbr0 (10.77.0.1/24), host i at 10.77.0.1i behind veth zkvi, each with its
# own Docker engine (test/e2e/runtime/engine.sh, run inside the namespace's network only).
#
# The hosts share this machine's file system, except one folder: each engine runs in a mount
# namespace of its own where DIR/machine is host i's DIR/hi/machine, so a path under DIR/machine
# names a different folder on each host, as on separate machines (keys copied to one host are not
# on the others). To run a command on host i as if logged in there, enter its engine's namespaces:
#   nsenter --target "$(cat DIR/hi/dockerd.pid)" --mount --net -- COMMAND
#
# Usage:
#   test/e2e/runtime/hosts.sh start DIR   # prints one DOCKER_HOST per line, host 1 first
#   test/e2e/runtime/hosts.sh stop DIR    # stops the engines by pid, removes namespaces and bridge
#   test/e2e/runtime/hosts.sh start-engine DIR I
#                                         # starts host I's engine again (after engine.sh stop
#                                         # DIR/hI, a host whose whole engine failed), in its
#                                         # namespace and with its own folder; prints its DOCKER_HOST
#
# Engine i keeps all its state in DIR/hi. The names (zkbr0, zkh1..3, zkv1..3) and the range
# 10.77.0.0/24 are this script's own: stop removes them whatever run created them, so a run that
# crashed is cleaned up by the next one. Nothing else on the machine is touched: the engines make
# no docker0 bridge and no iptables rules, and the addresses exist only on the bridge and inside
# the namespaces. stdout carries only the DOCKER_HOST values; everything else goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
readonly here
readonly hosts=(1 2 3)
readonly bridge=zkbr0

say() { printf 'hosts.sh: %s\n' "$*" >&2; }

usage() {
  echo "usage: hosts.sh start|stop DIR, or hosts.sh start-engine DIR I" >&2
  exit 2
}

stop() {
  local dir=$1 i
  for i in "${hosts[@]}"; do
    if [[ -d "$dir/h$i" ]]; then
      bash "$here/engine.sh" stop "$dir/h$i" || say "engine.sh stop $dir/h$i failed"
    fi
  done
  for i in "${hosts[@]}"; do
    if ip netns list | grep -qx "zkh$i\( .*\)\?"; then
      ip netns del "zkh$i" || say "could not remove namespace zkh$i"
    fi
    # Removing the namespace removes its end of the pair, and with it this one.
    if ip link show "zkv$i" >/dev/null 2>&1; then ip link del "zkv$i" || true; fi
  done
  if ip link show "$bridge" >/dev/null 2>&1; then ip link del "$bridge" || say "could not remove $bridge"; fi
}

# start_engine DIR I: host I's engine, in its network namespace. nsenter --net, not `ip netns
# exec`: the latter remounts /sys, which hides the cgroups, and dockerd then fails with "Devices
# cgroup isn't mounted". unshare --mount copies every mount as it is (made private, so nothing the
# engine mounts leaks out) and binds the host's own folder over DIR/machine; the namespace lives as
# long as the engine and its containers do, so an engine started again gets a new one, alike.
start_engine() {
  local dir=$1 i=$2
  mkdir -p "$dir/machine" "$dir/h$i/machine"
  # shellcheck disable=SC2016 # $1..$4 are expanded by the inner bash
  nsenter --net="/var/run/netns/zkh$i" unshare --mount --propagation private \
    bash -c 'mount --bind "$1" "$2" && exec bash "$3" start "$4"' machine "$dir/h$i/machine" "$dir/machine" "$here/engine.sh" "$dir/h$i"
}

start() {
  local dir=$1 i
  # A namespace or bridge of these names left by a run that crashed would make this one fail.
  stop "$dir"
  mkdir -p "$dir"
  ip link add "$bridge" type bridge
  ip addr add 10.77.0.1/24 dev "$bridge"
  ip link set "$bridge" up
  for i in "${hosts[@]}"; do
    ip netns add "zkh$i"
    ip link add "zkv$i" type veth peer name eth0 netns "zkh$i"
    ip link set "zkv$i" master "$bridge" up
    ip netns exec "zkh$i" ip addr add "10.77.0.1$i/24" dev eth0
    ip netns exec "zkh$i" ip link set eth0 up
    ip netns exec "zkh$i" ip link set lo up
  done
  # The engines start side by side.
  local -a pids=()
  for i in "${hosts[@]}"; do
    start_engine "$dir" "$i" >"$dir/h$i.host" &
    pids+=($!)
  done
  local failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  if ((failed)); then
    say "an engine did not start"
    stop "$dir"
    exit 1
  fi
  for i in "${hosts[@]}"; do cat "$dir/h$i.host"; done
}

(($# >= 2)) || usage
dir=$(realpath -m -- "$2")
case "$1:$#" in
  start:2) start "$dir" ;;
  stop:2) stop "$dir" ;;
  start-engine:3)
    [[ $3 =~ ^[123]$ && -d "$dir/h$3" ]] || usage
    ip netns list | grep -qx "zkh$3\( .*\)\?" || {
      say "namespace zkh$3 is missing: run hosts.sh start first"
      exit 1
    }
    start_engine "$dir" "$3"
    ;;
  *) usage ;;
esac
