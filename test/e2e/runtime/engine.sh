#!/usr/bin/env bash
# A private Docker engine for the real-container end-to-end tests.
#
# Usage:
#   test/e2e/runtime/engine.sh start DIR   # prints unix://DIR/docker.sock on stdout
#   test/e2e/runtime/engine.sh stop DIR
#
#   export DOCKER_HOST="$(test/e2e/runtime/engine.sh start /tmp/zkd)"
#   ...
#   test/e2e/runtime/engine.sh stop /tmp/zkd && rm -rf /tmp/zkd
#
# Every piece of state (images, containers, sockets, the containerd dockerd
# spawns) lives under DIR, so a test run neither sees nor disturbs a system
# engine, and DIR can be deleted afterwards. The engine never touches the
# host's network: no docker0 bridge, no iptables rules, no forwarding. That is
# all the tests need, because every generated ensemble uses host networking.
#
# stdout carries only the DOCKER_HOST value; everything else goes to stderr.
set -euo pipefail

readonly start_timeout_s=30
# dockerd gives running containers its default 15 s shutdown timeout before it
# exits, so waiting less would cut that short.
readonly stop_timeout_s=40

say() { printf 'engine.sh: %s\n' "$*" >&2; }

usage() {
  echo "usage: engine.sh start|stop DIR" >&2
  exit 2
}

# A process that has exited but is not yet reaped still answers kill -0; only
# its state in /proc tells it is gone.
alive() {
  local pid=$1 stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # The command name in field 2 may hold spaces; the state follows its ')'.
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

read_pid() {
  local file=$1 pid
  [[ -s "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$pid"
}

# Waits up to $2 seconds for pid $1 to exit.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while alive "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# True when pid $1 runs with a path under DIR $2 in its arguments: a pid file
# can outlive its process, and the number may since belong to another program.
runs_from() {
  local pid=$1 dir=$2 arg
  local -a args
  mapfile -d '' args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  for arg in "${args[@]}"; do
    [[ $arg != *"$dir/"* ]] || return 0
  done
  return 1
}

terminate() {
  local pid=$1 what=$2 timeout=$3
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$timeout"; then
    say "$what (pid $pid) ignored SIGTERM for ${timeout}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || say "$what (pid $pid) still present after SIGKILL"
  fi
}

# Processes whose command line names a path under DIR/exec: the containerd
# that dockerd spawned and the per-container shims, which are meant to outlive
# containerd. Matching on DIR (never on a program name) keeps other engines on
# the machine out of reach. Read in bash alone, so no helper process of this
# scan can match itself.
pids_using_dir() {
  local dir=$1 cmdline_file pid arg
  local -a args
  for cmdline_file in /proc/[0-9]*/cmdline; do
    pid=${cmdline_file#/proc/}
    pid=${pid%/cmdline}
    mapfile -d '' args 2>/dev/null <"$cmdline_file" || continue
    for arg in "${args[@]}"; do
      if [[ $arg == *"$dir/exec/"* ]]; then
        printf '%s\n' "$pid"
        break
      fi
    done
  done
}

unmount_under() {
  local dir=$1 mount_point
  # Deepest first, so overlay mounts go before the folders that hold them.
  while read -r mount_point; do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point" ||
      say "could not unmount $mount_point"
  done < <(awk -v dir="$dir" '$5 == dir || index($5, dir "/") == 1 { print $5 }' \
    /proc/self/mountinfo | sort -r)
}

log_tail() {
  local log=$1
  if [[ -s "$log" ]]; then
    say "last lines of $log:"
    tail -n 30 "$log" >&2
  fi
}

start() {
  local dir=$1 sock pid
  sock="$dir/docker.sock"
  # sun_path holds 108 bytes; dockerd and containerd put longer socket paths
  # than docker.sock under DIR, so keep a margin.
  if ((${#sock} > 90)); then
    say "DIR is too long for a unix socket path: $dir"
    exit 2
  fi
  command -v dockerd >/dev/null || {
    say "dockerd not found: run test/e2e/runtime/install-deps.sh"
    exit 1
  }

  if pid=$(read_pid "$dir/dockerd.pid") && alive "$pid" && runs_from "$pid" "$dir"; then
    if docker -H "unix://$sock" version >/dev/null 2>&1; then
      say "an engine is already running for $dir (pid $pid)"
      printf 'unix://%s\n' "$sock"
      return 0
    fi
    say "dockerd (pid $pid) of $dir is running but does not answer"
    exit 1
  fi

  mkdir -p "$dir"
  # setsid: the engine must survive this script and must not receive the
  # signals meant for the caller's process group.
  setsid dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$sock" --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  pid=$!

  local deadline=$((SECONDS + start_timeout_s))
  until docker -H "unix://$sock" version >/dev/null 2>&1; do
    if ! alive "$pid"; then
      say "dockerd exited during start-up"
      log_tail "$dir/dockerd.log"
      unmount_under "$dir"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      say "dockerd did not answer on unix://$sock within ${start_timeout_s}s"
      log_tail "$dir/dockerd.log"
      stop "$dir"
      exit 1
    fi
    sleep 0.2
  done
  printf 'unix://%s\n' "$sock"
}

stop() {
  local dir=$1 pid containerd_pid=
  [[ -d "$dir" ]] || return 0
  # Read before dockerd goes: it may remove the file on its way out.
  containerd_pid=$(read_pid "$dir/exec/containerd/containerd.pid") || containerd_pid=
  if pid=$(read_pid "$dir/dockerd.pid") && runs_from "$pid" "$dir"; then
    terminate "$pid" dockerd "$stop_timeout_s"
  fi
  rm -f "$dir/dockerd.pid"
  # dockerd normally stops its containerd on the way out; after a SIGKILL it
  # cannot, so clear whatever still runs from DIR.
  if [[ -n $containerd_pid ]] && runs_from "$containerd_pid" "$dir"; then
    terminate "$containerd_pid" containerd 10
  fi
  local leftovers
  mapfile -t leftovers < <(pids_using_dir "$dir")
  for pid in "${leftovers[@]}"; do
    terminate "$pid" "process of $dir" 10
  done
  unmount_under "$dir"
}

(($# == 2)) || usage
# Absolute, without a trailing slash, so the paths dockerd records and the
# ones matched in /proc are the same strings.
dir=$(realpath -m -- "$2")
case "$1" in
  start) start "$dir" ;;
  stop) stop "$dir" ;;
  *) usage ;;
esac
