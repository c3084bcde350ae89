#!/bin/sh
# Lays out the whole file tree of a runtime image: the given binaries, the
# shared libraries they load (ldd's closure, which includes the dynamic
# loader), the Debian copyright files of the packages those come from,
# /etc/passwd and /etc/group naming uid and gid 10001, and nothing else: no
# shell, no package manager, no coreutils. The Dockerfiles run it in their
# build stage and copy ROOT into a `FROM scratch` stage.
#
#   runtime-rootfs.sh ROOT BIN_DIR USER BINARY...
#   runtime-rootfs.sh /rootfs /usr/local/bin bulletin /build/ingest-service/ingest-service
#
# BIN_DIR is where the binaries go inside ROOT; USER names uid 10001. The
# tree follows Debian 12's merged /usr: /lib and /lib64 are links into
# /usr, so the paths ldd prints and the loader's built-in search path
# (/lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu) find the same files.
set -eu
root=$1 bin_dir=$2 user=$3
shift 3

# The Debian copyright file of the package that holds FILE, if one does
# (by file name: dpkg records some files under /lib, some under /usr/lib).
copy_copyright() {
  package=$(dpkg -S "*/$(basename "$(readlink -f "$1")")" 2>/dev/null |
    cut -d: -f1 | grep -v -- '-dev$' | head -1)
  if [ -n "$package" ] && [ -f "/usr/share/doc/$package/copyright" ]; then
    mkdir -p "$root/usr/share/doc/$package"
    cp "/usr/share/doc/$package/copyright" "$root/usr/share/doc/$package/"
  fi
}

mkdir -p "$root$bin_dir" "$root/etc" "$root/usr/lib" "$root/usr/lib64" \
  "$root/usr/share/doc"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
for binary in "$@"; do
  # Debug sections stay in the build stage; the symbols stay for stacks.
  objcopy --strip-debug "$binary" "$root$bin_dir/$(basename "$binary")"
  copy_copyright "$binary"
done

# Every library by the path ldd resolved it to (the soname), copied as a
# file under its canonical /usr directory.
for binary in "$@"; do ldd "$binary"; done |
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
  sort -u | while read -r lib; do
    dir=$(readlink -f "$(dirname "$lib")")
    mkdir -p "$root$dir"
    cp -L "$lib" "$root$dir/$(basename "$lib")"
    copy_copyright "$lib"
  done

printf 'root:x:0:0:root:/root:/nonexistent\n%s:x:10001:10001::/nonexistent:/nonexistent\n' \
  "$user" >"$root/etc/passwd"
printf 'root:x:0:\n%s:x:10001:\n' "$user" >"$root/etc/group"
# Names from /etc/hosts first (Kubernetes' hostAliases), then DNS.
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
