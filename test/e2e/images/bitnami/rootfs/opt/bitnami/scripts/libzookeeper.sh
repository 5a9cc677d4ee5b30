# shellcheck shell=bash
# Functions of the bitnami/zookeeper stand-in's scripts, written from what the real image's
# scripts do (3.8 and 3.9), not from their code.

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

# Sets KEY=VALUE in FILE: the first line holding KEY= (commented out or not, as the sample's
# "#maxClientCnxns=60") is replaced, else the line is appended. An empty value is an error.
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

# conf_set, only when the value is not empty; a store type (key ending in .type) only on 3.9.
conf_set_given() {
  [[ -n ${3:-} ]] || return 0
  [[ $2 != *.type || $ZOO_LINE != 3.8 ]] || return 0
  conf_set "$@"
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

  # Each line reads its own variable only.
  local allow=ALLOW_EMPTY_PASSWORD
  [[ $ZOO_LINE != 3.8 ]] || allow=ALLOW_ANONYMOUS_LOGIN
  if is_yes "${!allow}"; then
    warn "You set the environment variable $allow=${!allow}. For safety reasons, do not use this flag in a production environment."
  elif ! is_yes "$ZOO_ENABLE_AUTH"; then
    problem "ZooKeeper authentication is disabled. Set the environment variable $allow=yes to allow starting ZooKeeper without authentication. This is only recommended for development environments."
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

  local auth
  for auth in ZOO_TLS_CLIENT_AUTH ZOO_TLS_QUORUM_CLIENT_AUTH; do
    [[ " none want need " == *" ${!auth} "* ]] || problem "The allowed values for $auth are: none want need"
  done

  if [[ -n $ZOO_PEER_TYPE && $ZOO_PEER_TYPE != observer && $ZOO_PEER_TYPE != participant ]]; then
    problem "The ZOO_PEER_TYPE environment $ZOO_PEER_TYPE should be one of [observer/participant]"
  fi
  return "$status"
}

zookeeper_generate_conf() {
  local file=$ZOO_CONF_FILE server var key address id i line
  local -a servers
  cp "$ZOO_CONF_DIR/zoo_sample.cfg" "$file"
  chmod 600 "$file"
  echo >>"$file"
  conf_set "$file" tickTime "$ZOO_TICK_TIME"
  conf_set "$file" initLimit "$ZOO_INIT_LIMIT"
  conf_set "$file" syncLimit "$ZOO_SYNC_LIMIT"
  conf_set "$file" preAllocSize "$ZOO_PRE_ALLOC_SIZE"
  conf_set "$file" snapCount "$ZOO_SNAPCOUNT"
  conf_set "$file" dataDir "$ZOO_DATA_DIR"
  if [[ -n $ZOO_DATA_LOG_DIR ]]; then
    conf_set "$file" dataLogDir "$ZOO_DATA_LOG_DIR"
  fi
  conf_set "$file" clientPort "$ZOO_PORT_NUMBER"
  conf_set "$file" maxCnxns "$ZOO_MAX_CNXNS"
  conf_set "$file" maxClientCnxns "$ZOO_MAX_CLIENT_CNXNS"
  conf_set "$file" reconfigEnabled "$(is_yes "$ZOO_RECONFIG_ENABLED" && echo true || echo false)"
  conf_set "$file" quorumListenOnAllIPs "$(is_yes "$ZOO_LISTEN_ALLIPS_ENABLED" && echo true || echo false)"
  conf_set "$file" autopurge.purgeInterval "$ZOO_AUTOPURGE_INTERVAL"
  conf_set "$file" autopurge.snapRetainCount "$ZOO_AUTOPURGE_RETAIN_COUNT"
  conf_set "$file" 4lw.commands.whitelist "$ZOO_4LW_COMMANDS_WHITELIST"
  conf_set "$file" maxSessionTimeout "$ZOO_MAX_SESSION_TIMEOUT"
  if [[ $ZOO_LINE != 3.8 ]]; then
    add_jvmflags "-Dzookeeper.fips-mode=$(is_yes "$ZOO_FIPS_MODE" && echo true || echo false)"
    # The AdminServer on loopback only, unless told otherwise.
    conf_set "$file" admin.serverAddress "$ZOO_ADMIN_SERVER_ADDRESS"
  fi
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

  # TLS for clients: the secure port and the client stores' settings come; a password or a type
  # is written only when given. 3.9 also drops the plaintext clientPort line; 3.8 keeps it, and
  # has no store type variables.
  if is_yes "$ZOO_TLS_CLIENT_ENABLE"; then
    if [[ $ZOO_LINE != 3.8 ]]; then
      local -a kept=()
      while IFS= read -r line || [[ -n $line ]]; do
        [[ $line == clientPort=* ]] || kept+=("$line")
      done <"$file"
      printf '%s\n' "${kept[@]}" >"$file"
    fi
    conf_set "$file" client.secure true
    conf_set "$file" ssl.clientAuth "$ZOO_TLS_CLIENT_AUTH"
    conf_set "$file" secureClientPort "$ZOO_TLS_PORT_NUMBER"
    conf_set "$file" serverCnxnFactory org.apache.zookeeper.server.NettyServerCnxnFactory
    conf_set_given "$file" ssl.keyStore.password "$ZOO_TLS_CLIENT_KEYSTORE_PASSWORD"
    conf_set "$file" ssl.keyStore.location "$ZOO_TLS_CLIENT_KEYSTORE_FILE"
    conf_set_given "$file" ssl.keyStore.type "$ZOO_TLS_CLIENT_KEYSTORE_TYPE"
    conf_set_given "$file" ssl.trustStore.password "$ZOO_TLS_CLIENT_TRUSTSTORE_PASSWORD"
    conf_set "$file" ssl.trustStore.location "$ZOO_TLS_CLIENT_TRUSTSTORE_FILE"
    conf_set_given "$file" ssl.trustStore.type "$ZOO_TLS_CLIENT_TRUSTSTORE_TYPE"
  fi
  # TLS between servers (no store types in 3.8 either).
  if is_yes "$ZOO_TLS_QUORUM_ENABLE"; then
    conf_set "$file" sslQuorum true
    conf_set "$file" ssl.quorum.clientAuth "$ZOO_TLS_QUORUM_CLIENT_AUTH"
    conf_set "$file" serverCnxnFactory org.apache.zookeeper.server.NettyServerCnxnFactory
    conf_set "$file" ssl.quorum.keyStore.location "$ZOO_TLS_QUORUM_KEYSTORE_FILE"
    conf_set_given "$file" ssl.quorum.keyStore.type "$ZOO_TLS_QUORUM_KEYSTORE_TYPE"
    conf_set_given "$file" ssl.quorum.keyStore.password "$ZOO_TLS_QUORUM_KEYSTORE_PASSWORD"
    conf_set "$file" ssl.quorum.trustStore.location "$ZOO_TLS_QUORUM_TRUSTSTORE_FILE"
    conf_set_given "$file" ssl.quorum.trustStore.type "$ZOO_TLS_QUORUM_TRUSTSTORE_TYPE"
    conf_set_given "$file" ssl.quorum.trustStore.password "$ZOO_TLS_QUORUM_TRUSTSTORE_PASSWORD"
  fi

  # ZOO_CFG_<KEY> sets <KEY>, each '_' read as '.', case kept; in the order bash lists the
  # variables (by name).
  for var in "${!ZOO_CFG_@}"; do
    key=${var#ZOO_CFG_}
    conf_set "$file" "${key//_/.}" "${!var}"
  done
}

# True when data folder $1 is missing or holds nothing but what a mount point may carry by itself.
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
  # SASL is part of the real image's contract that this stand-in does not reproduce: refuse
  # rather than run without it.
  for var in ZOO_ENABLE_AUTH ZOO_ENABLE_QUORUM_AUTH; do
    if is_yes "${!var:-no}"; then
      error "$var=${!var}: the bitnami/zookeeper stand-in does not reproduce SASL"
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
      conf_set "$ZOO_CONF_FILE" metricsProvider.exportJvmInfo true
      warn "Stand-in: Debian's ZooKeeper has no Prometheus metrics provider; the server will stop with 'metrics provider class was not found'."
    fi
    add_jvmflags "-Dzookeeper.electionPortBindRetry=0"
  else
    info "User injected custom configuration detected!"
  fi

  # myid only on the first start: a new ZOO_SERVER_ID over existing data is ignored.
  if data_dir_is_empty "$ZOO_DATA_DIR"; then
    info "Deploying ZooKeeper from scratch..."
    echo "$ZOO_SERVER_ID" >"$ZOO_DATA_DIR/myid"
  else
    info "Deploying ZooKeeper with persisted data..."
  fi

  # On every start, whether zoo.cfg was generated or not.
  if [[ -n $ZOO_PEER_TYPE ]]; then
    conf_set "$ZOO_CONF_FILE" peerType "$ZOO_PEER_TYPE"
  fi
}
