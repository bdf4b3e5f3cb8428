#!/usr/bin/env bash
# Local demo of the P2.5 chain: a throwaway redis-server on loopback, a few symbols' market state,
# P1 proposal and position (fixed values), `harvest publish` writing their proposals, and (when
# this build has it) `harvest serve` showing them live. Ctrl-C stops everything.
#
#   deploy/demo.sh            the service, every 2 s, until Ctrl-C
#   deploy/demo.sh --once     one cycle, print the published hashes, clean up (used by the tests)
#
# HARVEST_BIN: the harvest binary (default target/release/harvest, built if missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

once=false
[ "${1:-}" = "--once" ] && once=true
bin=${HARVEST_BIN:-target/release/harvest}
if [ ! -x "$bin" ]; then
  echo "demo: building $bin (cargo build --release --bin harvest)" >&2
  cargo build --release --bin harvest >&2
fi
command -v redis-server >/dev/null || { echo "demo: redis-server missing: run scripts/setup.sh" >&2; exit 2; }

# A free loopback port for Redis.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 6390)
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --loglevel warning >"$dir/redis.log" 2>&1 &
redis_pid=$!
pids=("$redis_pid")
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
cli() { redis-cli -p "$port" "$@"; }
for _ in $(seq 100); do cli ping >/dev/null 2>&1 && break; sleep 0.05; done
url="redis://127.0.0.1:$port"

# symbol side entry pnl sigma ts p_trend p_mr p_chop stop_dist_pct
while read -r sym side entry pnl sigma ts pt pmr pch stop; do
  cli HSET "quantum:marketstate:$sym" sigma "$sigma" ts "$ts" p_trend "$pt" p_mr "$pmr" p_chop "$pch" >/dev/null
  cli HSET "quantum:risk:proposal:$sym" stop_dist_pct "$stop" proposed_sl None >/dev/null
  [ "$side" = "-" ] && continue
  cli HSET "quantum:state:positions:$sym" symbol "$sym" side "$side" entry_price "$entry" \
    current_price "$entry" age_sec 7200 unrealized_pnl "$pnl" current_sl None current_tp None >/dev/null
done <<'DATA'
BTCUSDT LONG 100 3.5 0.010 0.40 0.60 0.20 0.20 0.01
ETHUSDT SHORT 50 2.4 0.012 0.35 0.55 0.25 0.20 0.01
SOLUSDT LONG 20 -0.1 0.030 0.10 0.10 0.30 0.60 0.02
XRPUSDT - 0 0 0.010 0.40 0.60 0.20 0.20 0.01
DATA
symbols=BTCUSDT,ETHUSDT,SOLUSDT,XRPUSDT

if $once; then
  "$bin" publish --once --redis-url "$url" --symbols "$symbols" --enable-stream
  for sym in BTCUSDT ETHUSDT SOLUSDT; do
    echo "== quantum:harvest:proposal:$sym"
    cli HGETALL "quantum:harvest:proposal:$sym" | paste - - | grep -v proposal_json
  done
  exit 0
fi

"$bin" publish --redis-url "$url" --symbols "$symbols" --interval 2 --enable-stream &
pids+=($!)
echo "demo: Redis at $url; proposals in quantum:harvest:proposal:<SYM> every 2 s"
echo "demo: try  redis-cli -p $port HGETALL quantum:harvest:proposal:BTCUSDT"
if "$bin" serve --help >/dev/null 2>&1; then
  "$bin" serve --redis "$url" --port 8088 &
  pids+=($!)
  echo "demo: dashboard (Live view) at http://127.0.0.1:8088/"
fi
wait
