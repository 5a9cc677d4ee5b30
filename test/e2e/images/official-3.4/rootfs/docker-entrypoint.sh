#!/bin/bash
# Entrypoint of the stand-in for the official image's ZooKeeper 3.4 tags, written from the
# behaviour of the last revision of the real 3.4.14/docker-entrypoint.sh, not its code. Started as
# root to run zkServer.sh, it hands the data, transaction-log and log folders (not the conf folder,
# which the image built as the zookeeper user's) to the zookeeper user and starts again as that
# user. zoo.cfg is written only when missing: clientPort=2181 whatever the environment says (the
# image has no client port variable), the fixed keys from ZOO_* variables, then each
# whitespace-separated word of ZOO_SERVERS and then of ZOO_CFG_EXTRA as a line of its own; no 4lw
# whitelist, no AdminServer. myid is written from ZOO_MY_ID (default 1) only when missing.
set -e

if [[ "$1" = 'zkServer.sh' && "$(id -u)" = '0' ]]; then
  chown -R zookeeper "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  exec gosu zookeeper "$0" "$@"
fi

if [[ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]]; then
  CONFIG="$ZOO_CONF_DIR/zoo.cfg"
  {
    echo "clientPort=2181"
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "autopurge.snapRetainCount=$ZOO_AUTOPURGE_SNAPRETAINCOUNT"
    echo "autopurge.purgeInterval=$ZOO_AUTOPURGE_PURGEINTERVAL"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
  } >>"$CONFIG"
  # One line per whitespace-separated word, as the real script splits them.
  # shellcheck disable=SC2086
  for word in $ZOO_SERVERS $ZOO_CFG_EXTRA; do
    echo "$word" >>"$CONFIG"
  done
fi

if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
