#!/usr/bin/env bash
# Installs, from Debian's archive, what the real-container end-to-end tests need:
# a Docker engine and docker-compose 1.x, the ZooKeeper jars the local stand-in
# images are assembled from, the servlet API its AdminServer needs, busybox for
# the images' coreutils, netcat for probing from the host, shellcheck for the
# generated scripts and yamllint for the generated compose files (the unit
# tests lint both), Netty's jars for the stand-ins' TLS, openssl for tls.sh and
# the TLS handshakes, iproute2 for the suites' network namespaces, and
# prometheus for promtool (the unit tests check and test the generated
# monitoring/ files) and the server the monitoring e2e suite starts.
#
# Usage: test/e2e/runtime/install-deps.sh
#
# Idempotent: when every package is already installed it does not touch apt at
# all, so a warm machine pays almost nothing.
set -euo pipefail

packages=(
  zookeeper
  docker.io
  docker-compose
  busybox-static
  netcat-openbsd
  libservlet-api-java
  shellcheck
  yamllint
  libnetty-java
  openssl
  iproute2
  prometheus
)

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID != 0)); then
  echo "install-deps.sh: must run as root to install: ${missing[*]}" >&2
  exit 2
fi

# docker.io's maintainer script would start a system dockerd with default flags,
# which creates docker0 and NAT rules on the host (and prometheus' its own
# server, scraping the machine). The tests run their own engine
# (engine.sh) without touching the network, so forbid service starts for the
# duration of the install when the machine does not already do so.
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps.sh: installing ${missing[*]}" >&2
apt-get update -qq >&2
# Recommends of docker.io/docker-compose would pull in apparmor, git,
# needrestart and more that the tests never use, prometheus' a node exporter
# service; the others keep theirs.
plain=() lean=()
for package in "${missing[@]}"; do
  case "$package" in
    docker.io | docker-compose | prometheus) lean+=("$package") ;;
    *) plain+=("$package") ;;
  esac
done
if ((${#plain[@]})); then
  apt-get install -y -qq "${plain[@]}" >&2
fi
if ((${#lean[@]})); then
  apt-get install -y -qq --no-install-recommends "${lean[@]}" >&2
fi
