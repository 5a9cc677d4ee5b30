#!/bin/sh
# The real image's start script, as documented: on every start, overwrite
# myid, append the ten ADDITIONAL_ZOOKEEPER_n slots to zoo.cfg (an unset one
# appends an empty line), start ZooKeeper in the foreground.
ZOO_CFG=/opt/zookeeper/conf/zoo.cfg
echo "server id (myid): ${SERVER_ID}"
echo "${SERVER_ID}" >/tmp/zookeeper/myid
printf '%s\n' "${ADDITIONAL_ZOOKEEPER_1}" "${ADDITIONAL_ZOOKEEPER_2}" "${ADDITIONAL_ZOOKEEPER_3}" \
  "${ADDITIONAL_ZOOKEEPER_4}" "${ADDITIONAL_ZOOKEEPER_5}" "${ADDITIONAL_ZOOKEEPER_6}" \
  "${ADDITIONAL_ZOOKEEPER_7}" "${ADDITIONAL_ZOOKEEPER_8}" "${ADDITIONAL_ZOOKEEPER_9}" \
  "${ADDITIONAL_ZOOKEEPER_10}" >>"$ZOO_CFG"
/opt/zookeeper/bin/zkServer.sh start-foreground
