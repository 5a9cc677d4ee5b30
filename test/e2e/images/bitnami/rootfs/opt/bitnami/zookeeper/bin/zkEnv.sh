# shellcheck shell=bash
# zkEnv.sh of the bitnami/zookeeper stand-in (Debian's ZooKeeper 3.8 inside). As in ZooKeeper's
# own zkEnv.sh, conf/java.env (where the entrypoint puts the heap and the other JVMFLAGS) is read
# by both zkServer.sh and zkCli.sh.
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
if [ -f "$ZOOCFGDIR/java.env" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR="${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
# shellcheck source=/dev/null
. "$ZOOBINDIR/zkEnv-common.sh"
