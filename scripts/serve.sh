#!/usr/bin/env bash
# Harvest Lab: install what is missing, then serve the dashboard on http://127.0.0.1:8080/
#
#   scripts/serve.sh            optimised (release) build, the same build scripts/test.sh checks
#                               (the pinned nightly of scripts/lib.sh, std rebuilt for size)
#   scripts/serve.sh --dev      debug build with stable Rust: quicker to rebuild while editing,
#                               bigger and slower, panics print their message in the console
#   HARVEST_PORT=9000 scripts/serve.sh    another port
#
# trunk watches the sources and rebuilds on every change; reload the page to see it (trunk's
# auto-reload is an inline script the page's strict CSP would block, so it is off). Ctrl-C stops it.
# Any other arguments are passed on to `trunk serve`.
set -euo pipefail

HARVEST_SCRIPT=serve
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HARVEST_ROOT"

"$HARVEST_ROOT/scripts/setup.sh"

profile=(--release)
args=()
for arg in "$@"; do
  case "$arg" in
    --dev) profile=() ;;
    --release) profile=(--release) ;;
    *) args+=("$arg") ;;
  esac
done
port="${HARVEST_PORT:-8080}"
if [ "${#profile[@]}" -gt 0 ]; then
  harvest_release_wasm_env
fi

harvest_log "building and serving on http://127.0.0.1:$port/ (${profile[*]:-dev} build; the first build takes a few minutes)"
# Its own output dir, so a running server and scripts/test.sh (dist/) don't trip over each other.
RUST_BACKTRACE=0 exec trunk serve "${profile[@]}" --no-autoreload --address 127.0.0.1 --port "$port" --dist "$HARVEST_ROOT/target/trunk-serve" "${args[@]}"
