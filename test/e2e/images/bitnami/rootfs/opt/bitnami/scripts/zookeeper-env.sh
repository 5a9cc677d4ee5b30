# shellcheck shell=bash
# The bitnami/zookeeper stand-in's variables and their defaults, as the real image's
# zookeeper-env.sh has them (3.8 and 3.9; APP_VERSION, set at build time, says which).

# <VAR>_FILE: for each variable of the image's list, a readable file named by <VAR>_FILE gives
# <VAR> its content (and <VAR>_FILE is unset); an unreadable one is skipped with a warning. Done
# before the defaults, so it wins over a value given directly. (Only the TLS variables here: the
# stand-in's list is the part of the image's that it reproduces.)
for variable in ZOO_TLS_CLIENT_ENABLE ZOO_TLS_PORT_NUMBER ZOO_TLS_CLIENT_KEYSTORE_FILE \
  ZOO_TLS_CLIENT_KEYSTORE_TYPE ZOO_TLS_CLIENT_KEYSTORE_PASSWORD ZOO_TLS_CLIENT_TRUSTSTORE_FILE \
  ZOO_TLS_CLIENT_TRUSTSTORE_TYPE ZOO_TLS_CLIENT_TRUSTSTORE_PASSWORD ZOO_TLS_CLIENT_AUTH \
  ZOO_TLS_QUORUM_ENABLE ZOO_TLS_QUORUM_KEYSTORE_FILE ZOO_TLS_QUORUM_KEYSTORE_TYPE \
  ZOO_TLS_QUORUM_KEYSTORE_PASSWORD ZOO_TLS_QUORUM_TRUSTSTORE_FILE ZOO_TLS_QUORUM_TRUSTSTORE_TYPE \
  ZOO_TLS_QUORUM_TRUSTSTORE_PASSWORD ZOO_TLS_QUORUM_CLIENT_AUTH; do
  from="${variable}_FILE"
  [[ -n ${!from:-} ]] || continue
  if [[ -r ${!from} ]]; then
    export "$variable=$(<"${!from}")"
    unset "$from"
  else
    printf 'zookeeper WARN  ==> Skipping export of %s: %s is not readable.\n' "$variable" "${!from}" >&2
  fi
done
unset variable from
export ZOO_BASE_DIR=/opt/bitnami/zookeeper
export ZOO_VOLUME_DIR=/bitnami/zookeeper
# Fixed, as in the real image: not taken from the environment.
export ZOO_DATA_DIR="$ZOO_VOLUME_DIR/data"
export ZOO_DATA_LOG_DIR="${ZOO_DATA_LOG_DIR:-}"
export ZOO_CONF_DIR="$ZOO_BASE_DIR/conf"
export ZOO_DEFAULT_CONF_DIR="$ZOO_BASE_DIR/conf.default"
export ZOO_CONF_FILE="$ZOO_CONF_DIR/zoo.cfg"
export ZOO_LOG_DIR="$ZOO_BASE_DIR/logs"
export ZOO_BIN_DIR="$ZOO_BASE_DIR/bin"

# The release line: 3.8 and 3.9 differ in what they read and write.
ZOO_LINE="${APP_VERSION%.*}"
export ZOO_LINE

export ZOO_PORT_NUMBER="${ZOO_PORT_NUMBER:-2181}"
export ZOO_SERVER_ID="${ZOO_SERVER_ID:-1}"
export ZOO_SERVERS="${ZOO_SERVERS:-}"
export ZOO_ENABLE_ADMIN_SERVER="${ZOO_ENABLE_ADMIN_SERVER:-no}"
export ZOO_ADMIN_SERVER_ADDRESS="${ZOO_ADMIN_SERVER_ADDRESS:-127.0.0.1}"
export ZOO_ADMIN_SERVER_PORT_NUMBER="${ZOO_ADMIN_SERVER_PORT_NUMBER:-8080}"
export ZOO_PEER_TYPE="${ZOO_PEER_TYPE:-}"
export ZOO_TICK_TIME="${ZOO_TICK_TIME:-2000}"
export ZOO_INIT_LIMIT="${ZOO_INIT_LIMIT:-10}"
export ZOO_SYNC_LIMIT="${ZOO_SYNC_LIMIT:-5}"
export ZOO_MAX_CNXNS="${ZOO_MAX_CNXNS:-0}"
export ZOO_MAX_CLIENT_CNXNS="${ZOO_MAX_CLIENT_CNXNS:-60}"
export ZOO_AUTOPURGE_INTERVAL="${ZOO_AUTOPURGE_INTERVAL:-0}"
export ZOO_AUTOPURGE_RETAIN_COUNT="${ZOO_AUTOPURGE_RETAIN_COUNT:-3}"
export ZOO_4LW_COMMANDS_WHITELIST="${ZOO_4LW_COMMANDS_WHITELIST:-srvr, mntr}"
export ZOO_RECONFIG_ENABLED="${ZOO_RECONFIG_ENABLED:-no}"
export ZOO_LISTEN_ALLIPS_ENABLED="${ZOO_LISTEN_ALLIPS_ENABLED:-no}"
export ZOO_ENABLE_PROMETHEUS_METRICS="${ZOO_ENABLE_PROMETHEUS_METRICS:-no}"
export ZOO_PROMETHEUS_METRICS_PORT_NUMBER="${ZOO_PROMETHEUS_METRICS_PORT_NUMBER:-7000}"
# Fixed at 40000 unless given: not ZooKeeper's own 20 x tickTime.
export ZOO_MAX_SESSION_TIMEOUT="${ZOO_MAX_SESSION_TIMEOUT:-40000}"
export ZOO_PRE_ALLOC_SIZE="${ZOO_PRE_ALLOC_SIZE:-65536}"
export ZOO_SNAPCOUNT="${ZOO_SNAPCOUNT:-100000}"
export ZOO_FIPS_MODE="${ZOO_FIPS_MODE:-yes}"

# TLS: off unless switched on; the secure client port 3181 by default; stores' files, types (read
# by 3.9 only) and passwords empty unless given; clients (and quorum peers) must show a
# certificate.
export ZOO_TLS_CLIENT_ENABLE="${ZOO_TLS_CLIENT_ENABLE:-false}"
export ZOO_TLS_PORT_NUMBER="${ZOO_TLS_PORT_NUMBER:-3181}"
export ZOO_TLS_CLIENT_KEYSTORE_FILE="${ZOO_TLS_CLIENT_KEYSTORE_FILE:-}"
export ZOO_TLS_CLIENT_KEYSTORE_TYPE="${ZOO_TLS_CLIENT_KEYSTORE_TYPE:-}"
export ZOO_TLS_CLIENT_KEYSTORE_PASSWORD="${ZOO_TLS_CLIENT_KEYSTORE_PASSWORD:-}"
export ZOO_TLS_CLIENT_TRUSTSTORE_FILE="${ZOO_TLS_CLIENT_TRUSTSTORE_FILE:-}"
export ZOO_TLS_CLIENT_TRUSTSTORE_TYPE="${ZOO_TLS_CLIENT_TRUSTSTORE_TYPE:-}"
export ZOO_TLS_CLIENT_TRUSTSTORE_PASSWORD="${ZOO_TLS_CLIENT_TRUSTSTORE_PASSWORD:-}"
export ZOO_TLS_CLIENT_AUTH="${ZOO_TLS_CLIENT_AUTH:-need}"
export ZOO_TLS_QUORUM_ENABLE="${ZOO_TLS_QUORUM_ENABLE:-false}"
export ZOO_TLS_QUORUM_KEYSTORE_FILE="${ZOO_TLS_QUORUM_KEYSTORE_FILE:-}"
export ZOO_TLS_QUORUM_KEYSTORE_TYPE="${ZOO_TLS_QUORUM_KEYSTORE_TYPE:-}"
export ZOO_TLS_QUORUM_KEYSTORE_PASSWORD="${ZOO_TLS_QUORUM_KEYSTORE_PASSWORD:-}"
export ZOO_TLS_QUORUM_TRUSTSTORE_FILE="${ZOO_TLS_QUORUM_TRUSTSTORE_FILE:-}"
export ZOO_TLS_QUORUM_TRUSTSTORE_TYPE="${ZOO_TLS_QUORUM_TRUSTSTORE_TYPE:-}"
export ZOO_TLS_QUORUM_TRUSTSTORE_PASSWORD="${ZOO_TLS_QUORUM_TRUSTSTORE_PASSWORD:-}"
export ZOO_TLS_QUORUM_CLIENT_AUTH="${ZOO_TLS_QUORUM_CLIENT_AUTH:-need}"

export JVMFLAGS="${JVMFLAGS:-}"
export ZOO_HEAP_SIZE="${ZOO_HEAP_SIZE:-1024}"
export ZOO_ENABLE_AUTH="${ZOO_ENABLE_AUTH:-no}"
# 3.9 reads ALLOW_EMPTY_PASSWORD and ignores ALLOW_ANONYMOUS_LOGIN; 3.8 reads the latter only.
if [[ $ZOO_LINE == 3.8 ]]; then
  export ALLOW_ANONYMOUS_LOGIN="${ALLOW_ANONYMOUS_LOGIN:-no}"
  unset ALLOW_EMPTY_PASSWORD
else
  export ALLOW_EMPTY_PASSWORD="${ALLOW_EMPTY_PASSWORD:-no}"
  unset ALLOW_ANONYMOUS_LOGIN
fi
