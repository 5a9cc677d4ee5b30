# shellcheck shell=bash
# Sourced by the zkEnv.sh of the stand-ins for ZooKeeper 3.4 images (garland's 3.4.6, the
# official 3.4.14): Debian's ZooKeeper 3.8 made to keep 3.4's promises.

# 3.4 answers every four-letter word and has no AdminServer; 3.8 answers only srvr and opens an
# AdminServer on 8080, which would collide between members on one host. As system properties
# these defaults leave zoo.cfg as the real image has it, and a zoo.cfg line still overrides them.
SERVER_JVMFLAGS="-Dzookeeper.4lw.commands.whitelist=* -Dzookeeper.admin.enableServer=false $SERVER_JVMFLAGS"

# 3.4 cannot parse 3.5's "server.N=host:peer:election;clientPort" lines: its election-port field
# then reads "3888;2181" and the server exits with "Invalid config". 3.8 would accept them, hiding
# a generator bug.
case "${0##*/} ${1:-}" in
  "zkServer.sh start" | "zkServer.sh start-foreground")
    if grep -Eq '^[[:space:]]*server\.[0-9]+[[:space:]]*=[^#]*;' "$ZOOCFG" 2>/dev/null; then
      echo "Invalid config, exiting abnormally (stand-in for ZooKeeper 3.4: a server line has a ';clientPort' suffix, which 3.4 cannot parse):" >&2
      grep -E '^[[:space:]]*server\.[0-9]+[[:space:]]*=[^#]*;' "$ZOOCFG" >&2
      exit 2
    fi
    ;;
esac
