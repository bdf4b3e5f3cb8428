#!/usr/bin/env bash
# Harvest Lab: install everything the project needs, and nothing twice.
#
# Idempotent and quick when all is there already (a few seconds). On a fresh Debian machine
# with rustup it installs:
#   - Debian packages chromium + chromium-driver (only if /usr/bin/chromium or
#     /usr/bin/chromedriver is missing), nodejs + npm if node is missing, and redis-server
#     (the publisher's integration tests) if it is missing;
#   - the Rust toolchain of rust-toolchain.toml with the wasm32-unknown-unknown target,
#     rustfmt and clippy (only what is missing), and the pinned nightly of the release wasm
#     build with rust-src and the wasm32 target (NIGHTLY_TOOLCHAIN in scripts/lib.sh);
#   - trunk 0.21.14, wasm-bindgen-cli (the version locked in Cargo.lock) and wasm-split-cli
#     (crate wasm_split_cli_support 0.2.4) into the tool cache
#     ${HARVEST_TOOLS:-$HOME/.cache/harvest-lab/tools}, shared by every clone;
#   - the npm packages of e2e/package-lock.json (binaryen 132 = wasm-opt, playwright-core),
#     with `npm ci`, only when e2e/node_modules is missing or out of date;
#   - the crates of Cargo.lock (`cargo fetch`), so builds can run offline.
# Never reads stdin; safe with CI=true.
set -euo pipefail

HARVEST_SCRIPT=setup
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HARVEST_ROOT"

started=$(date +%s.%N)
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------------------------------------
# Debian packages: Chromium + ChromeDriver for the browser tests, Node.js + npm.
apt_missing=()
[ -x "$CHROMIUM_BIN" ] || apt_missing+=(chromium)
[ -x "$CHROMEDRIVER_BIN" ] || apt_missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || apt_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_missing+=(npm)
# redis-server: the real Redis the publisher's integration tests start on a loopback port.
command -v redis-server >/dev/null 2>&1 || apt_missing+=(redis-server)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  harvest_log "installing Debian packages: ${apt_missing[*]}"
  harvest_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  harvest_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${apt_missing[@]}"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || harvest_die "Node.js >= 18 needed (found $(node --version))"

# ---------------------------------------------------------------------------------------------
# Rust: the toolchain named in rust-toolchain.toml, its wasm32 target, rustfmt and clippy.
command -v rustup >/dev/null 2>&1 || harvest_die "rustup not found: install Rust with rustup first"
channel=$(sed -n 's/^[[:space:]]*channel[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' rust-toolchain.toml)
[ -n "$channel" ] || harvest_die "no channel in rust-toolchain.toml"
# Outside the repo, rustc is the machine's default toolchain.
default_rustc=$(cd / && rustc -vV)
host=$(sed -n 's/^host: //p' <<<"$default_rustc")
toolchain="$channel-$host"
if ! rustup toolchain list | grep -q "^$toolchain\b"; then
  if [ "$(sed -n 's/^release: //p' <<<"$default_rustc")" = "$channel" ]; then
    # The default toolchain already is this release: register it under the pinned name instead
    # of downloading the same compiler a second time.
    sysroot=$(cd / && rustc --print sysroot)
    harvest_log "rustup: naming the default toolchain ($sysroot) $toolchain"
    ln -sfn "$sysroot" "${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$toolchain"
  else
    harvest_log "rustup: installing toolchain $channel"
    rustup toolchain install "$channel" --no-self-update --profile minimal \
      --component rustfmt --component clippy --target wasm32-unknown-unknown
  fi
fi
if ! rustup target list --installed --toolchain "$toolchain" | grep -qx wasm32-unknown-unknown; then
  harvest_log "rustup: adding target wasm32-unknown-unknown"
  rustup target add --toolchain "$toolchain" wasm32-unknown-unknown
fi
components=$(rustup component list --installed --toolchain "$toolchain")
for component in rustfmt clippy; do
  if ! grep -q "^$component\b" <<<"$components"; then
    harvest_log "rustup: adding component $component"
    rustup component add --toolchain "$toolchain" "$component"
  fi
done

# The pinned nightly of the release wasm build (NIGHTLY_TOOLCHAIN in scripts/lib.sh), with
# rust-src (it rebuilds the standard library) and the wasm32 target.
nightly="$NIGHTLY_TOOLCHAIN-$host"
if ! rustup toolchain list | grep -q "^$nightly\b"; then
  rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
  manifest="$rustup_home/toolchains/nightly-$host/lib/rustlib/multirust-channel-manifest.toml"
  if [ -f "$manifest" ] && grep -qx "date = \"${NIGHTLY_TOOLCHAIN#nightly-}\"" "$manifest"; then
    # The machine's `nightly` is this very nightly: name it instead of downloading it again.
    harvest_log "rustup: naming the machine's nightly $nightly"
    ln -sfn "$rustup_home/toolchains/nightly-$host" "$rustup_home/toolchains/$nightly"
  else
    harvest_log "rustup: installing toolchain $NIGHTLY_TOOLCHAIN (for the release wasm)"
    rustup toolchain install "$NIGHTLY_TOOLCHAIN" --no-self-update --profile minimal \
      --component rust-src --target wasm32-unknown-unknown
  fi
fi
if ! rustup target list --installed --toolchain "$nightly" | grep -qx wasm32-unknown-unknown; then
  harvest_log "rustup: adding target wasm32-unknown-unknown to $nightly"
  rustup target add --toolchain "$nightly" wasm32-unknown-unknown
fi
if ! rustup component list --installed --toolchain "$nightly" | grep -q "^rust-src\b"; then
  harvest_log "rustup: adding component rust-src to $nightly"
  rustup component add --toolchain "$nightly" rust-src
fi

# Every crate of Cargo.lock in the local registry cache (trunk builds with --offline), and the
# standard library's own crates for the release wasm build.
cargo fetch --quiet
(
  harvest_release_wasm_env
  cargo fetch --quiet --target wasm32-unknown-unknown
)

# ---------------------------------------------------------------------------------------------
# Tool cache: trunk and wasm-bindgen-cli.
mkdir -p "$HARVEST_TOOLS/bin"
with_install_lock() {
  # One installer at a time per tool cache (several clones may share it).
  (
    flock 9
    "$@"
  ) 9>"$HARVEST_TOOLS/.install.lock"
}

# Each check runs again inside the lock: another setup may have installed the tool meanwhile.
trunk_ok() { [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; }
install_trunk() {
  trunk_ok && return 0
  harvest_log "installing trunk $TRUNK_VERSION into $HARVEST_TOOLS (takes several minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --root "$HARVEST_TOOLS"
}
trunk_ok || with_install_lock install_trunk

wbg_version=$(harvest_wasm_bindgen_version)
[ -n "$wbg_version" ] || harvest_die "no wasm-bindgen in Cargo.lock"
trunk_wbg=$(harvest_trunk_wasm_bindgen)
if [ "$trunk_wbg" != "$wbg_version" ]; then
  harvest_die "Trunk.toml [tools] wasm_bindgen = \"$trunk_wbg\" but Cargo.lock has wasm-bindgen $wbg_version: set them equal"
fi
wbg_ok() {
  [ "$("$HARVEST_TOOLS/bin/wasm-bindgen" --version 2>/dev/null || true)" = "wasm-bindgen $wbg_version" ] &&
    [ -x "$HARVEST_TOOLS/bin/wasm-bindgen-test-runner" ]
}
install_wbg() {
  wbg_ok && return 0
  harvest_log "installing wasm-bindgen-cli $wbg_version into $HARVEST_TOOLS (takes a few minutes)"
  # Not --locked: wasm-bindgen-cli's own lockfile pins crates that no longer build everywhere.
  cargo install wasm-bindgen-cli --version "=$wbg_version" --force --root "$HARVEST_TOOLS"
}
wbg_ok || with_install_lock install_wbg

split_ok() {
  cargo install --list --root "$HARVEST_TOOLS" 2>/dev/null |
    grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:" &&
    [ -x "$HARVEST_TOOLS/bin/wasm-split-cli" ]
}
install_split() {
  split_ok && return 0
  harvest_log "installing wasm-split-cli $WASM_SPLIT_VERSION into $HARVEST_TOOLS (takes a minute or two)"
  cargo install wasm_split_cli_support --version "=$WASM_SPLIT_VERSION" \
    --features build-binary --locked --force --root "$HARVEST_TOOLS"
}
split_ok || with_install_lock install_split

# ---------------------------------------------------------------------------------------------
# npm: binaryen (wasm-opt for trunk) and playwright-core, exactly as locked.
stamp_file=e2e/node_modules/.harvest-lab-stamp
want_stamp="$(cat e2e/package.json e2e/package-lock.json | sha256sum | cut -d' ' -f1) node-$(node --version)"
if [ "$(cat "$stamp_file" 2>/dev/null || true)" != "$want_stamp" ]; then
  harvest_log "npm ci in e2e/"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$want_stamp" >"$stamp_file"
fi

# ---------------------------------------------------------------------------------------------
# Check what trunk and the tests will find on PATH.
wasm_opt_path=$(command -v wasm-opt || true)
[ "$wasm_opt_path" = "$HARVEST_ROOT/e2e/node_modules/.bin/wasm-opt" ] ||
  harvest_die "wasm-opt on PATH is '$wasm_opt_path', expected e2e/node_modules/.bin/wasm-opt"
wasm_opt_version=$(wasm-opt --version)
case "$wasm_opt_version" in
  "wasm-opt version $BINARYEN_VERSION "*) ;;
  *) harvest_die "wasm-opt reports '$wasm_opt_version', expected version $BINARYEN_VERSION" ;;
esac

elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
harvest_log "ready in ${elapsed}s: rustc $channel (+wasm32), $NIGHTLY_TOOLCHAIN (+rust-src, wasm32; release wasm), $(trunk --version), wasm-bindgen $wbg_version, wasm-split-cli $WASM_SPLIT_VERSION, wasm-opt $BINARYEN_VERSION, $("$CHROMIUM_BIN" --version 2>/dev/null | head -n 1), node $(node --version)"
