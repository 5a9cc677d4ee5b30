#!/bin/bash
# Entrypoint of the stand-in for the official image's ZooKeeper 3.4 tags, written from the real
# 3.4 docker-entrypoint.sh's behaviour, not its code: started as root, it hands the data, log,
# transaction-log and conf folders to the zookeeper user and starts again as that user; zoo.cfg
# (clientPort from ZOO_PORT, the fixed keys, ZOO_SERVERS' words — and nothing else: no 4lw
# whitelist, no AdminServer, no ZOO_CFG_EXTRA) and myid are written only when missing.
set -e

if [[ "$1" = 'zkServer.sh' && "$(id -u)" = '0' ]]; then
  chown -R "$ZOO_USER" "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR" "$ZOO_CONF_DIR"
  exec gosu "$ZOO_USER" "$0" "$@"
fi

if [[ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]]; then
  CONFIG="$ZOO_CONF_DIR/zoo.cfg"
  {
    echo "clientPort=$ZOO_PORT"
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
  for server in $ZOO_SERVERS; do
    echo "$server" >>"$CONFIG"
  done
fi

if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
