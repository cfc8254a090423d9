#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/package/check.sh: the Debian package on this machine. Builds it
# (scripts/package), installs it (dpkg -i), enables the module
# (a2enmod), checks that Debian's apache2 loads it and accepts a protected
# location (apache2ctl -t says "Syntax OK"), runs lintian (no errors),
# then purges the package and checks that /etc/apache2, /var/lib/apache2
# and the module directory are exactly as before, so no other test can
# depend on it. Runs as root (dpkg; through sudo otherwise). Run by scripts/test; every step has a
# time limit; any failure exits non-zero with the reason.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKG=libapache2-mod-auth-introspect
CONF=mai-package-check
STATE_DIRS="/etc/apache2 /var/lib/apache2 /usr/lib/apache2/modules"

fail() {
    echo "package check: $*" >&2
    exit 1
}

# dpkg needs root; like scripts/setup.sh, ask sudo for it
if [ "$(id -u)" != 0 ]; then
    exec sudo "$0" "$@"
fi

# What the machine looks like: every file with its checksum, every link
# with its target (directory timestamps left out: they change on any
# install and purge).
snapshot() {
    find $STATE_DIRS -type f -exec md5sum {} + | sort
    find $STATE_DIRS -type l -printf '%p -> %l\n' | sort
    find $STATE_DIRS -type d | sort
}

# An installed copy (the package, or `make install`) would be replaced and
# then purged, so the machine would not be left as it was: refuse.
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
    fail "$PKG is installed already; remove it (dpkg --purge $PKG) first"
fi
for f in /usr/lib/apache2/modules/mod_auth_introspect.so \
         /etc/apache2/mods-available/auth_introspect.load \
         /etc/apache2/mods-available/auth_introspect.conf \
         /etc/apache2/conf-available/$CONF.conf; do
    [ ! -e "$f" ] || fail "$f exists (make install?); remove it first"
done

work=$(mktemp -d /tmp/mai-package-check.XXXXXX)
before="$work/before"
snapshot >"$before"
find $STATE_DIRS -type d | sort >"$work/dirs-before"
shmcb_was_enabled=no
a2query -q -m socache_shmcb && shmcb_was_enabled=yes

installed=no
cleanup() {
    rc=$?
    if [ "$installed" = yes ]; then
        # -p: also drop the admin's enable/disable records in
        # /var/lib/apache2 (a2enconf and a2dismod write them)
        a2disconf -q -p "$CONF" >/dev/null 2>&1 || true
        rm -f "/etc/apache2/conf-available/$CONF.conf"
        timeout 120 dpkg --purge "$PKG" >"$work/purge.log" 2>&1 || {
            cat "$work/purge.log" >&2
            echo "package check: dpkg --purge $PKG failed" >&2
            rc=1
        }
        # a2enmod enabled it as a dependency of auth_introspect
        if [ "$shmcb_was_enabled" = no ]; then
            a2dismod -q -p socache_shmcb >/dev/null 2>&1 || true
        fi
        # and the record directories those commands made (empty now)
        find $STATE_DIRS -type d | sort >"$work/dirs"
        comm -13 "$work/dirs-before" "$work/dirs" | sort -r \
            | while read -r d; do rmdir "$d" 2>/dev/null || true; done
        snapshot >"$work/after"
        if ! diff -u "$before" "$work/after" >&2; then
            echo "package check: the machine is not as it was before" \
                 "(diff above)" >&2
            rc=1
        fi
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "package: building (scripts/package)"
deb=$(timeout 600 "$ROOT/scripts/package") \
    || fail "scripts/package failed"
[ -f "$deb" ] || fail "no .deb built"
echo "package: built $deb"

# The files the package must ship, where Debian's apache2 looks for them
list=$(dpkg-deb -c "$deb")
for f in ./usr/lib/apache2/modules/mod_auth_introspect.so \
         ./etc/apache2/mods-available/auth_introspect.load \
         ./etc/apache2/mods-available/auth_introspect.conf \
         ./usr/share/doc/$PKG/copyright \
         ./usr/share/doc/$PKG/README.md.gz \
         ./usr/share/doc/$PKG/docs/directives.md.gz; do
    echo "$list" | grep -q " $f\$" || fail "$deb lacks $f"
done

echo "package: lintian"
timeout 300 lintian --fail-on error "$deb" >"$work/lintian.log" 2>&1 || {
    cat "$work/lintian.log" >&2
    fail "lintian reports errors"
}
grep -v "running with root privileges" "$work/lintian.log" || true

echo "package: dpkg -i"
installed=yes
timeout 120 dpkg -i "$deb" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2
    fail "dpkg -i failed"
}
timeout 60 a2enmod auth_introspect >"$work/a2enmod.log" 2>&1 || {
    cat "$work/a2enmod.log" >&2
    fail "a2enmod auth_introspect failed"
}
[ -L /etc/apache2/mods-enabled/auth_introspect.load ] \
    || fail "a2enmod did not enable auth_introspect"

# A location the module protects, so -t parses its directives and runs
# its configuration checks (check_config) too, not only its LoadModule
cat >"/etc/apache2/conf-available/$CONF.conf" <<'CONF'
# written by tests/package/check.sh, removed again by it
<Location "/mai-package-check">
    AuthType Bearer
    AuthName "package check"
    AuthIntrospectEndpoint https://as.example.com/oauth2/introspect
    AuthIntrospectClientID resource-server
    AuthIntrospectTokenTypes Bearer
    Require oauth-scope read
</Location>
CONF
a2enconf -q "$CONF" >/dev/null

echo "package: apache2ctl -t"
timeout 60 apache2ctl -t >"$work/t.log" 2>&1 || {
    cat "$work/t.log" >&2
    fail "apache2ctl -t failed with the module enabled"
}
cat "$work/t.log"
grep -qx "Syntax OK" "$work/t.log" || fail "apache2ctl -t did not say Syntax OK"
timeout 60 apache2ctl -M 2>/dev/null | grep -q "auth_introspect_module (shared)" \
    || fail "apache2ctl -M does not list auth_introspect_module"
echo "package: installed, enabled, Syntax OK; purging"
