#!/bin/bash
# The bitnami/zookeeper stand-in's server: ZooKeeper in the foreground as the container's main
# process, as uid 1001. (Started as root, the real image runs the server as a zookeeper user of
# its own; the stand-in does not reproduce that and refuses.)
set -euo pipefail
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libzookeeper.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/zookeeper-env.sh
if [[ $(id -u) == 0 ]]; then
  error "The bitnami/zookeeper stand-in runs as uid 1001 only, as the image does by default"
  exit 1
fi
info "** Starting ZooKeeper **"
exec "$ZOO_BIN_DIR/zkServer.sh" start-foreground "$@"
