# shellcheck shell=bash
# The part of every stand-in's zkEnv.sh that is the stand-in's, not the image's: its Java, the
# classpath of the jars under $ZOOKEEPER_PREFIX, and small-footprint JVM defaults (up to five
# members share two cores on the test machines). The user's JVMFLAGS / SERVER_JVMFLAGS come later
# on the java command line, so they still win (the last -Xmx counts). zkServer.sh and zkCli.sh
# read what it sets.
# shellcheck disable=SC2034
JAVA="${JAVA_HOME:-/opt/java/openjdk}/bin/java"
CLASSPATH="$ZOOCFGDIR"
for jar in "$ZOOKEEPER_PREFIX"/*.jar "$ZOOKEEPER_PREFIX"/lib/*.jar; do
  if [ -e "$jar" ]; then
    CLASSPATH="$CLASSPATH:$jar"
  fi
done
export CLASSPATH
SERVER_JVMFLAGS="-Xmx${ZK_SERVER_HEAP:-64}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${SERVER_JVMFLAGS:-}"
CLIENT_JVMFLAGS="-Xmx${ZK_CLIENT_HEAP:-32}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${CLIENT_JVMFLAGS:-}"
export SERVER_JVMFLAGS CLIENT_JVMFLAGS
