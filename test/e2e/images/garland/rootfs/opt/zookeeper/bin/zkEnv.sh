# shellcheck shell=bash
# zkEnv.sh of the garland/zookeeper stand-in: ZooKeeper 3.8 made to keep the promises of the real
# image's 3.4.6.
ZOOKEEPER_PREFIX="$ZOOBINDIR/.."
ZOOCFGDIR="$ZOOKEEPER_PREFIX/conf"
ZOOCFG="$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}"
ZOO_LOG_DIR="${ZOO_LOG_DIR:-.}"
if [ -f "$ZOOCFGDIR/java.env" ]; then
  # shellcheck source=/dev/null
  . "$ZOOCFGDIR/java.env"
fi
# shellcheck source=/dev/null
. "$ZOOBINDIR/zkEnv-common.sh"

# shellcheck source=/dev/null
. "$ZOOBINDIR/zk34.sh"
