#!/usr/bin/env bash
# Harvest Lab: the whole P2.5 chain on this machine, on loopback only.
#
#   scripts/demo.sh           Redis, a few symbols' market state, P1 proposal and position,
#                             `harvest publish` (every 2 s, with the stream) and `harvest serve`;
#                             prints the address of the dashboard's Live view. A small ticker
#                             moves the positions every few seconds, so proposals change while
#                             you watch. Ctrl-C stops everything it started.
#   scripts/demo.sh --check   the same chain once, checked end to end (publish --once, verify
#                             --redis, the event stream's first event), then exits: 0 if all good.
#   HARVEST_PORT=9000 scripts/demo.sh    another port for the dashboard (default 8080)
#   HARVEST_BIN=target/debug/harvest scripts/demo.sh    use that binary instead of building one
#
# Needs redis-server (scripts/setup.sh installs it) and builds what is missing: the `harvest`
# binary (cargo build --release) and the dashboard (scripts/test.sh build-release → dist/).
set -euo pipefail

HARVEST_SCRIPT=demo
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HARVEST_ROOT"

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) harvest_die "unknown argument $1 (use --check, or nothing)" ;;
esac

command -v redis-server >/dev/null || harvest_die "redis-server is missing: run scripts/setup.sh"
command -v redis-cli >/dev/null || harvest_die "redis-cli is missing: run scripts/setup.sh"

if [ -n "${HARVEST_BIN:-}" ]; then
  HARVEST="$HARVEST_BIN"
else
  harvest_log "building the harvest binary (cargo build --release -p harvest-cli)"
  cargo build --release -q -p harvest-cli
  HARVEST="$HARVEST_ROOT/target/release/harvest"
fi
"$HARVEST" publish --help >/dev/null 2>&1 || harvest_die "this build has no \`harvest publish\`"
if [ ! -f dist/index.html ] && ! $check; then
  harvest_log "building the dashboard (scripts/test.sh build-release; a few minutes the first time)"
  scripts/test.sh build-release
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT="${HARVEST_REDIS_PORT:-$(free_port)}"
WEB_PORT="${HARVEST_PORT:-8080}"
$check && WEB_PORT="$(free_port)"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

harvest_log "starting redis-server on 127.0.0.1:$REDIS_PORT (in memory, nothing saved)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
pids+=($!)
rc() { redis-cli -p "$REDIS_PORT" "$@" >/dev/null; }
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$REDIS_PORT" PING >/dev/null || harvest_die "redis-server did not start ($work/redis.log)"

# Fixed inputs: symbol, side, entry, PnL, age (s), current SL; σ, TS, p_trend, p_mr, p_chop; P1 stop.
# BTC: a winner past T1 (partial + profit lock). ETH: flat. SOL: a short in a collapsing trend
# (the kill score closes it). XRP: no P1 proposal (the 2 % fallback stop).
SYMBOLS=(BTCUSDT ETHUSDT SOLUSDT XRPUSDT)
declare -A POS=(
  [BTCUSDT]="LONG 60000 2600 7200 58800"
  [ETHUSDT]="LONG 3000 4 1800 2940"
  [SOLUSDT]="SHORT 150 1.2 70000 153"
  [XRPUSDT]="LONG 0.6 0.002 600 0.588"
)
declare -A MARKET=(
  [BTCUSDT]="0.01 0.4 0.6 0.2 0.2"
  [ETHUSDT]="0.012 0.35 0.5 0.25 0.25"
  [SOLUSDT]="0.03 0.1 0.1 0.45 0.45"
  [XRPUSDT]="0.011 0.42 0.62 0.19 0.19"
)
declare -A STOP=([BTCUSDT]=0.02 [ETHUSDT]=0.02 [SOLUSDT]=0.02)

write_inputs() { # $1 = step: moves each position's PnL a little, deterministically
  local step=$1 sym side entry pnl age sl sigma ts pt pmr pch cur
  for sym in "${SYMBOLS[@]}"; do
    read -r side entry pnl age sl <<<"${POS[$sym]}"
    read -r sigma ts pt pmr pch <<<"${MARKET[$sym]}"
    # PnL swings by up to ±40 % over an 8-step cycle; age grows with the steps.
    pnl=$(awk -v p="$pnl" -v s="$step" 'BEGIN { split("0 0.15 0.3 0.4 0.3 0.15 0 -0.1", w, " "); printf "%.6g", p * (1 + w[s % 8 + 1]) }')
    age=$((age + step * 10))
    cur=$(awk -v e="$entry" -v p="$pnl" -v sd="$side" 'BEGIN { printf "%.8g", sd == "LONG" ? e + p : e - p }')
    rc HSET "quantum:marketstate:$sym" sigma "$sigma" ts "$ts" p_trend "$pt" p_mr "$pmr" p_chop "$pch"
    if [ -n "${STOP[$sym]:-}" ]; then
      rc HSET "quantum:risk:proposal:$sym" stop_dist_pct "${STOP[$sym]}" proposed_sl "$sl"
    fi
    rc HSET "quantum:state:positions:$sym" symbol "$sym" side "$side" entry_price "$entry" \
      current_price "$cur" peak_price "$cur" trough_price "$entry" age_sec "$age" \
      unrealized_pnl "$pnl" current_sl "$sl" current_tp None
  done
}
write_inputs 0
harvest_log "wrote market state, P1 proposals and positions for ${SYMBOLS[*]}"

symbols_csv=$(IFS=,; echo "${SYMBOLS[*]}")
if $check; then
  "$HARVEST" publish --once --redis-url "$REDIS_URL" --symbols "$symbols_csv" --enable-stream
  "$HARVEST" verify --redis "$REDIS_URL" >"$work/verdicts.jsonl"
  harvest_log "verify --redis: $(grep -c '"verdict":"MATCH"' "$work/verdicts.jsonl") of ${#SYMBOLS[@]} MATCH"
  "$HARVEST" verify --redis "$REDIS_URL" --format csv 2>/dev/null | cut -d, -f2,4,7 | column -t -s, >&2
  mkdir -p "$work/dist" && echo '<html><head></head><body></body></html>' >"$work/dist/index.html"
  "$HARVEST" serve --redis "$REDIS_URL" --port "$WEB_PORT" --dist "$work/dist" 2>"$work/serve.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q http "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
  first=$(curl -sN --max-time 3 "http://127.0.0.1:$WEB_PORT/api/live" | grep -m1 '^event:' || true)
  [ "$first" = "event: snapshot" ] || harvest_die "the event stream did not start with a snapshot ($first)"
  harvest_log "the event stream at /api/live starts with its snapshot: the chain works"
  exit 0
fi

"$HARVEST" publish --redis-url "$REDIS_URL" --symbols "$symbols_csv" --enable-stream --interval 2 \
  2>"$work/publish.log" &
pids+=($!)
"$HARVEST" serve --redis "$REDIS_URL" --port "$WEB_PORT" --dist dist --base /harvest-lab/ \
  2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 100); do grep -q http "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
grep -q http "$work/serve.log" || { cat "$work/serve.log" >&2; harvest_die "harvest serve did not start"; }

echo
echo "  Harvest Lab demo: open  http://127.0.0.1:$WEB_PORT/harvest-lab/?view=live"
echo
echo "  Redis $REDIS_URL · harvest publish every 2 s (logs: $work/publish.log)"
echo "  Verify what was published:  target/release/harvest verify --redis $REDIS_URL"
echo "  Ctrl-C stops Redis, the publisher and the server."
echo

step=0
while true; do
  sleep 4
  step=$((step + 1))
  write_inputs "$step"
done
