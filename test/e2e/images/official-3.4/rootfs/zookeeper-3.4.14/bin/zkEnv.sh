# shellcheck shell=bash
# zkEnv.sh of the stand-in for the official image's ZooKeeper 3.4 tags (Debian's ZooKeeper 3.8
# inside, made to keep 3.4's promises).
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
# shellcheck source=/dev/null
. "$ZOOBINDIR/zk34.sh"
