# Shared environment for scripts/setup.sh, scripts/serve.sh and scripts/test.sh.
# Source it; it does not install anything.

# Repository root (this file lives in scripts/).
HARVEST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Tool cache shared by every clone on this machine: trunk and wasm-bindgen-cli live in
# $HARVEST_TOOLS/bin.
HARVEST_TOOLS="${HARVEST_TOOLS:-$HOME/.cache/harvest-lab/tools}"

# Pinned versions. wasm-bindgen-cli is not pinned here: it must equal the wasm-bindgen crate in
# Cargo.lock (see harvest_wasm_bindgen_version).
TRUNK_VERSION="0.21.14"
# wasm-split-cli (crate wasm_split_cli_support): splits the views other than the explorer off the
# dashboard's wasm (scripts/tools/wasm-bindgen). Its format must match the wasm_split_helpers
# crate that leptos pulls in (0.2.x in Cargo.lock).
WASM_SPLIT_VERSION="0.2.4"
BINARYEN_VERSION="132"

# The release build of the dashboard (scripts/test.sh build-release, scripts/serve.sh) compiles
# with this pinned nightly, which rebuilds the standard library for size and makes a panic abort
# at once, without formatting a message (`-Cpanic=immediate-abort`): 166 KB -> 153 KB of
# gzipped wasm (BENCHMARKS.md), as the Leptos book suggests for small binaries. Everything else
# (tests, clippy, the CLI, `scripts/serve.sh --dev`) uses the stable toolchain of
# rust-toolchain.toml. scripts/setup.sh installs it with rust-src and the wasm32 target.
NIGHTLY_TOOLCHAIN="nightly-2026-05-20"

# Debian's Chromium and ChromeDriver (packages chromium and chromium-driver).
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
CHROMEDRIVER_BIN="${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}"

# Tools first: the repo's wrapper around wasm-bindgen (scripts/tools), the cache, then the
# repo's npm binaries (wasm-opt from binaryen 132), then the usual cargo location (rustup's
# proxies).
export HARVEST_ROOT HARVEST_TOOLS
export PATH="$HARVEST_ROOT/scripts/tools:$HARVEST_TOOLS/bin:$HARVEST_ROOT/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

harvest_log() { printf '[%s] %s\n' "${HARVEST_SCRIPT:-harvest}" "$*" >&2; }
harvest_die() { harvest_log "ERROR: $*"; exit 1; }

# The wasm-bindgen version locked in Cargo.lock (e.g. 0.2.130), empty if none.
harvest_wasm_bindgen_version() {
  awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
    /^$/ { found = 0 }
  ' "$HARVEST_ROOT/Cargo.lock" 2>/dev/null
}

# The [tools] wasm_bindgen value in Trunk.toml.
harvest_trunk_wasm_bindgen() {
  sed -n 's/^[[:space:]]*wasm_bindgen[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$HARVEST_ROOT/Trunk.toml" | head -n 1
}

# Environment for cargo (run by trunk) to build the release wasm with $NIGHTLY_TOOLCHAIN: std
# rebuilt with `optimize_for_size`, panics that abort without a message, no panic locations.
# (The RUSTFLAGS apply to the wasm only, not to build scripts or proc macros.)
harvest_release_wasm_env() {
  export RUSTUP_TOOLCHAIN="$NIGHTLY_TOOLCHAIN"
  export CARGO_UNSTABLE_BUILD_STD="std,panic_abort"
  export CARGO_UNSTABLE_BUILD_STD_FEATURES="optimize_for_size"
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
}

# Run a command as root (sudo only when not root already).
harvest_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [ -t 0 ]; then sudo "$@"; else sudo -n "$@"; fi
  else
    harvest_die "need root to run: $* (no sudo found)"
  fi
}
