#!/bin/bash
# Setup of the bitnami/zookeeper stand-in: validate the variables (exit 1 with every problem
# listed), create the folders, generate zoo.cfg and myid. Runs as the image's user (uid 1001): a
# data folder it cannot write to (a root-owned bind mount) stops it here, as it stops the real one.
set -euo pipefail
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libzookeeper.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/zookeeper-env.sh

zookeeper_validate || exit 1
for dir in "$ZOO_DATA_DIR" "$ZOO_CONF_DIR" "$ZOO_LOG_DIR"; do
  if ! mkdir -p "$dir" 2>/dev/null || [[ ! -w $dir ]]; then
    error "Cannot write to $dir (uid $(id -u)): give the folder to this user first"
    exit 1
  fi
done
zookeeper_initialize
