# shellcheck shell=bash
# zkEnv.sh of the official zookeeper image stand-in (Debian's ZooKeeper 3.8 inside).
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
if [ -f "$ZOOCFGDIR/zookeeper-env.sh" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/zookeeper-env.sh"
fi
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
if [ -f "$ZOOCFGDIR/java.env" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR="${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
# shellcheck source=/dev/null
. "$ZOOBINDIR/zkEnv-common.sh"
