#!/usr/bin/env bash
# The Debian package end to end: cpack builds it; its file list and control data are right; the
# unit passes `systemd-analyze verify` cleanly; dpkg installs, upgrades, removes and purges it in a
# throwaway root (dpkg --root runs the maintainer scripts chrooted there, so the root holds just
# the tools they call); the installed binary finds its plugins and passes check-config.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR. Needs root (chroot); exits 77 (skipped) otherwise.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
build=$1
src=$2
if [[ $(id -u) -ne 0 ]]; then
    echo "package_test: needs root for dpkg --root (chroot); skipped"
    exit 77
fi
for tool in cpack dpkg dpkg-deb systemd-analyze ldd; do
    command -v "$tool" >/dev/null || { echo "package_test: $tool missing (scripts/deps test installs it)"; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { local what=$1; shift; "$@" || fail "$what"; echo "ok: $what"; }

# --- build -------------------------------------------------------------------------------------
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
arch=$(dpkg --print-architecture)
(cd "$work" && cpack -G DEB -B "$work/out" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb="$work/out/cpamd_${version}_${arch}.deb"
check "cpack made cpamd_${version}_${arch}.deb" test -f "$deb"

# --- contents ----------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/cpamd /usr/lib/cpamd/plugins/collector-http.so /usr/lib/cpamd/plugins/collector-resp.so \
    /usr/lib/cpamd/plugins/collector-subscribe.so /usr/lib/systemd/system/cpamd.service /etc/cpamd/config.json \
    /usr/share/doc/cpamd/README.md /usr/share/doc/cpamd/docs/operations.md \
    /usr/share/doc/cpamd/examples/cpamd.json /usr/share/doc/cpamd/examples/cpamd-rules.yml; do
    check "package holds $f" grep -qx "$f" "$work/files"
done
check "no other programs or libraries" test "$(grep -E '^/usr/bin/.|\.so$' "$work/files" | wc -l)" = 4
dpkg-deb -f "$deb" Depends >"$work/depends"
for dep in libc6 libsqlite3-0 libssl3 libboost-json1.81.0 libmimalloc2.0 passwd; do
    check "Depends names $dep" grep -q "$dep" "$work/depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$work" ./conffiles ./postinst ./prerm ./postrm
check "config.json is a conffile" grep -qx /etc/cpamd/config.json "$work/conffiles"

# --- a throwaway root with what the maintainer scripts run --------------------------------------
root="$work/root"
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,var/lib/dpkg/info,var/lib/dpkg/updates,run}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
copy_tool() {
    local path
    path=$(command -v "$1")
    cp -L "$path" "$root/usr/${path#/usr/}" 2>/dev/null || cp -L "$path" "$root/usr/bin/"
    for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
        mkdir -p "$root/usr$(dirname "${lib#/usr}")"
        cp -Ln "$lib" "$root/usr${lib#/usr}" 2>/dev/null || true
    done
}
for t in sh dash getent useradd nologin chown chmod mkdir rm rmdir ldconfig; do copy_tool "$t"; done
mkdir -p "$root/dev" && mknod -m 666 "$root/dev/null" c 1 3
cp /etc/login.defs "$root/etc/"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$root/etc/shadow"
echo 'root:*::' >"$root/etc/gshadow"
dpkg_root() { dpkg --root="$root" --force-depends "$@" </dev/null; }
# dpkg looks for these in PATH inside the root.
cp /usr/bin/true "$root/usr/sbin/start-stop-daemon"

# --- install -----------------------------------------------------------------------------------
dpkg_root -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
echo "ok: dpkg -i into a fresh root"
check "binary installed" test -x "$root/usr/bin/cpamd"
check "user cpamd created" grep -q '^cpamd:' "$root/etc/passwd"
uid=$(awk -F: '$1=="cpamd"{print $3}' "$root/etc/passwd")
check "data dir owned by cpamd, mode 700" test "$(stat -c '%u %a' "$root/var/lib/cpamd")" = "$uid 700"
check "config readable by the service only" test "$(stat -c '%a' "$root/etc/cpamd/config.json")" = 640

# The unit, in a root with the host's units (systemd-analyze needs sysinit.target and friends).
mkdir -p "$root/lib/systemd/system"
cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
systemd-analyze verify --root="$root" cpamd.service >"$work/verify.log" 2>&1 ||
    { cat "$work/verify.log"; fail "systemd-analyze verify"; }
check "systemd-analyze verify is clean" test ! -s "$work/verify.log"

# The installed binary: valid config, and it finds its three plugins in /usr/lib/cpamd/plugins.
"$root/usr/bin/cpamd" --config "$root/etc/cpamd/config.json" check-config >"$work/check.log" 2>&1 ||
    { cat "$work/check.log"; fail "check-config"; }
check "check-config passes" grep -q "configuration is valid" "$work/check.log"
env -u CPA_MANAGER_CONFIG HTTP_ADDR=127.0.0.1:0 USAGE_DATA_DIR="$work/data" "$root/usr/bin/cpamd" serve \
    >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid" || fail "installed cpamd did not stop cleanly"
check "installed cpamd loads three plugins" test "$(grep -c 'collector plugin loaded' "$work/serve.log")" = 3

# --- upgrade: same package as version+1, with a user-edited conffile and data in place ----------
echo '{"httpAddr": "127.0.0.1:19999", "dataDir": "/var/lib/cpamd"}' >"$root/etc/cpamd/config.json"
echo data >"$root/var/lib/cpamd/usage.sqlite"
dpkg-deb -R "$deb" "$work/next"
sed -i "s/^Version: .*/Version: ${version}+next1/" "$work/next/DEBIAN/control"
dpkg-deb -b "$work/next" "$work/next.deb" >/dev/null
dpkg_root -i "$work/next.deb" >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "upgrade"; }
check "upgraded" test "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' cpamd)" = "${version}+next1"
check "edited config kept" grep -q 19999 "$root/etc/cpamd/config.json"
check "data kept" grep -q data "$root/var/lib/cpamd/usage.sqlite"
check "user created once" test "$(grep -c '^cpamd:' "$root/etc/passwd")" = 1

# --- remove, then purge (data stays unless asked) -------------------------------------------------
dpkg_root -r cpamd >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "remove"; }
check "remove deletes the binary" test ! -e "$root/usr/bin/cpamd"
check "remove keeps the config" test -f "$root/etc/cpamd/config.json"
check "remove keeps the data" test -f "$root/var/lib/cpamd/usage.sqlite"
dpkg_root -P cpamd >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
check "purge deletes the config" test ! -e "$root/etc/cpamd/config.json"
check "purge keeps the data unless asked" test -f "$root/var/lib/cpamd/usage.sqlite"
check "purge says where the data is" grep -q "kept /var/lib/cpamd" "$work/purge.log"

dpkg_root -i "$deb" >/dev/null 2>&1 || fail "reinstall"
CPAMD_PURGE_DATA=yes dpkg_root -P cpamd >"$work/purge2.log" 2>&1 || { cat "$work/purge2.log"; fail "purge with data"; }
check "CPAMD_PURGE_DATA=yes purge deletes the data" test ! -e "$root/var/lib/cpamd"
echo "package_test: all checks passed"
