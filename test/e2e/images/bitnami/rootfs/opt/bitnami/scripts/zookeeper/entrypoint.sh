#!/bin/bash
# Entrypoint of the bitnami/zookeeper stand-in. The setup runs only when the command is the
# image's run.sh, so "docker run IMAGE zkCli.sh ..." skips it.
set -euo pipefail
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libzookeeper.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/zookeeper-env.sh

# Defaults go into an empty (for instance freshly mounted) conf folder; a file already there is
# kept.
mkdir -p "$ZOO_CONF_DIR"
for default in "$ZOO_DEFAULT_CONF_DIR"/*; do
  if [[ ! -e "$ZOO_CONF_DIR/${default##*/}" ]]; then
    cp -r "$default" "$ZOO_CONF_DIR/"
  fi
done

if [[ "$*" == *"/opt/bitnami/scripts/zookeeper/run.sh"* || "$*" == *"/run.sh"* ]]; then
  info "** Starting ZooKeeper setup **"
  /opt/bitnami/scripts/zookeeper/setup.sh
  info "** ZooKeeper setup finished! **"
fi
echo ""
exec "$@"
