#!/bin/bash
# Entrypoint of the official zookeeper image stand-in (3.8 and 3.9 share it), written from the
# real docker-entrypoint.sh's behaviour, not its code: started as root, it creates and hands the
# data, log and transaction-log folders to uid 1000 and starts again as that user; zoo.cfg and
# myid are written only when missing.
set -e

mkdir -p "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"

# Started as root to run the server: drop to the zookeeper user (a container run with --user
# skips this, and then cannot change the folders' owner).
if [[ "$1" = 'zkServer.sh' && "$(id -u)" = '0' ]]; then
  chown -R zookeeper "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_LOG_DIR"
  exec gosu zookeeper "$0" "$@"
fi

# Only a missing zoo.cfg is generated: a mounted or earlier one is kept as is, whatever the
# variables now say.
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
  # Unquoted on purpose, as the real script splits them: one line per whitespace-separated word,
  # so a value holding spaces breaks.
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

# Only a missing myid is written: changing ZOO_MY_ID over existing data has no effect.
if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
