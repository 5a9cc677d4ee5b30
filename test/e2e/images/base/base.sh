# shellcheck shell=bash
# The base layer every stand-in is built on, sourced by build.sh: a cut-down Java 17 runtime
# (jlink), Debian's ZooKeeper 3.8 jars and what their manifests name, bash, dash as /bin/sh,
# util-linux's setpriv (to drop root, as gosu does) and busybox for the everyday tools — no nc,
# wget or curl: a health check may count on none of them, only on bash's /dev/tcp. Imported
# into the engine as zkgen-standin-base:<hash of all of this>.
# jlink and cache are set by build.sh, which sources this file.
# shellcheck disable=SC2154

readonly jre_modules=java.base,java.desktop,java.logging,java.management,java.naming,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.security.auth,jdk.unsupported
# Graphics and sound libraries: ZooKeeper needs java.desktop only for
# java.beans, and these would drag X11, ALSA and font libraries into the image.
readonly jre_excluded='**/libawt_xawt.so,**/libsplashscreen.so,**/libjsound.so,**/libfontmanager.so,**/liblcms.so,**/libjavajpeg.so,**/libmlib_image.so'
# The server's jars; the rest come from their manifests' Class-Path lines.
readonly root_jars=(
  /usr/share/java/zookeeper.jar
  /usr/share/java/zookeeper-jute.jar
  # Debian builds ZooKeeper against log4j 1.2 instead of logback.
  /usr/share/java/slf4j-log4j12.jar
  /usr/share/java/log4j-1.2.jar
  # Debian's ZooKeeper lacks the servlet API, without which the AdminServer
  # ("Unable to load jetty") never opens its port.
  /usr/share/java/servlet-api.jar
  # TLS (secureClientPort, sslQuorum) runs on Netty's SslHandler, whose classes
  # need these besides the Netty jars zookeeper.jar's manifest names; the real
  # images ship them in their release's lib/.
  /usr/share/java/netty-codec.jar
  /usr/share/java/netty-resolver.jar
  /usr/share/java/netty-transport-native-unix-common.jar
)
# What a Debian or Ubuntu base image offers in a shell: coreutils and the
# everyday text and process tools. Deliberately no network client (nc, wget,
# telnet, ...): the real images' health checks cannot count on one, so neither
# may the tests; bash's /dev/tcp is the way to speak to a port.
readonly busybox_applets=(
  '[' arch awk base64 basename cat chgrp chmod chown chroot cmp cp cut date dd
  df diff dirname du echo egrep env expand expr factor false fgrep find fold
  free getopt grep groups gunzip gzip head hostid hostname id kill less link ln
  logname ls md5sum mkdir mkfifo mknod mktemp more mv nl nproc od paste pidof
  printf ps pwd readlink realpath rm rmdir sed seq sha1sum sha256sum sha512sum
  shred shuf sleep sort stat stty sync tac tail tar tee test timeout top touch
  tr true truncate tty uname unexpand uniq unlink uptime wc which whoami xargs
  yes zcat
)
readonly host_programs=(/usr/bin/bash /usr/bin/dash /usr/bin/setpriv)

manifest_class_path() {
  busybox unzip -p "$1" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | awk '
    /^Class-Path:/ { cp = substr($0, 13); inside = 1; next }
    inside && /^ / { cp = cp substr($0, 2); next }
    { inside = 0 }
    END { print cp }'
}

# Prints the jars the server needs: the roots and, transitively, what their
# manifests name. Debian's manifests use absolute /usr/share/java paths.
jar_closure() {
  local -A seen=()
  local -a queue=("${root_jars[@]}")
  local jar dep
  while ((${#queue[@]})); do
    jar=${queue[0]}
    queue=("${queue[@]:1}")
    [[ -z ${seen[$jar]:-} ]] || continue
    seen[$jar]=1
    # Optional dependencies (jline for an interactive zkCli) may be absent.
    [[ -e $jar ]] || continue
    printf '%s\n' "$jar"
    for dep in $(manifest_class_path "$jar"); do
      [[ $dep == /* ]] || dep="$(dirname "$jar")/$dep"
      queue+=("$dep")
    done
  done
}

# Copies into rootfs $1 the host libraries that the programs $2... load,
# under the same paths.
copy_with_libraries() {
  local rootfs=$1 lib
  shift
  # ldd prints "name => /path (addr)" and, for the loader, "/path (addr)";
  # the runtime's own libraries (already in rootfs) are skipped.
  while read -r lib; do
    [[ $lib != "$rootfs"/* && ! -e "$rootfs$lib" ]] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$@" 2>/dev/null | awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    NF == 2 && $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u)
}

build_base_rootfs() {
  local rootfs=$1 applet jar program
  mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{etc,opt/java,root,tmp,var/tmp,usr/share/java,usr/local/bin}
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  chmod 700 "$rootfs/root"
  # Merged /usr, as on current Debian and Ubuntu images.
  ln -s usr/bin "$rootfs/bin"
  ln -s usr/sbin "$rootfs/sbin"
  ln -s usr/lib "$rootfs/lib"
  ln -s usr/lib64 "$rootfs/lib64"

  "$jlink" --add-modules "$jre_modules" --exclude-files="$jre_excluded" \
    --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
    --output "$rootfs/opt/java/openjdk" >&2
  # This archive serves only heaps over 32 GB.
  rm -f "$rootfs/opt/java/openjdk/lib/server/classes_nocoops.jsa"
  ln -s /opt/java/openjdk/bin/java "$rootfs/usr/bin/java"

  for program in "${host_programs[@]}"; do
    cp -L "$program" "$rootfs/usr/bin/"
  done
  # /bin/sh is dash in both real images' bases, and dash has no /dev/tcp: a
  # health check that needs it must ask for bash explicitly, here as there.
  ln -s dash "$rootfs/usr/bin/sh"
  cp -L "$(command -v busybox)" "$rootfs/usr/bin/busybox"
  for applet in "${busybox_applets[@]}"; do
    [[ -e "$rootfs/usr/bin/$applet" ]] || ln -s busybox "$rootfs/usr/bin/$applet"
  done

  local -a runtime_libs
  mapfile -t runtime_libs < <(find "$rootfs/opt/java/openjdk" -name '*.so')
  copy_with_libraries "$rootfs" "${host_programs[@]}" "$rootfs/opt/java/openjdk/bin/"* "${runtime_libs[@]}"
  # glibc opens its name-service modules by name at run time, so ldd does not
  # list them; they sit beside libc.
  local libc_dir lib
  libc_dir=$(dirname "$(ldd /usr/bin/bash | awk '$1 == "libc.so.6" { print $3 }')")
  for lib in "$libc_dir"/libnss_files.so.2 "$libc_dir"/libnss_dns.so.2 "$libc_dir"/libresolv.so.2; do
    if [[ -e $lib && ! -e "$rootfs$lib" ]]; then
      cp -L "$lib" "$rootfs$lib"
    fi
  done

  while read -r jar; do
    cp -L "$jar" "$rootfs/usr/share/java/"
  done < <(jar_closure)

  printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
}

# Prints the tag of the base image, importing it into the engine if needed.
base_image() {
  local key dir tag
  # The key covers everything the base is made from: the recipe itself and
  # the host packages and JDK it copies.
  key=$(
    {
      declare -f build_base_rootfs copy_with_libraries jar_closure manifest_class_path
      declare -p jre_modules jre_excluded root_jars busybox_applets host_programs
      "$jlink" --version
      dpkg-query -W zookeeper libzookeeper-java libservlet-api-java busybox-static bash dash util-linux libc6 2>/dev/null || true
      uname -m
    } | sha256sum | cut -c1-16
  )
  dir="$cache/base-$key"
  if [[ ! -e "$dir/done" ]]; then
    say "assembling the shared base layer in $dir"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    build_base_rootfs "$dir.tmp/rootfs"
    touch "$dir.tmp/done"
    mv "$dir.tmp" "$dir"
    # Bases of earlier recipes or host packages serve nothing any more.
    find "$cache" -maxdepth 1 -name 'base-*' ! -name "base-$key" -exec rm -rf {} +
  fi
  tag="zkgen-standin-base:$key"
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    say "importing $tag"
    tar --numeric-owner --owner=0 --group=0 -C "$dir/rootfs" -c . | docker import - "$tag" >/dev/null
  fi
  printf '%s\n' "$tag"
}

