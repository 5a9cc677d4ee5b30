#!/usr/bin/env bash
# zkCli.sh of the stand-ins for ZooKeeper 3.4 images (garland, official 3.4): 3.8's client made to
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
