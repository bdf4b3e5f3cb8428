#!/usr/bin/env bash
# Harvest Lab: the whole chain on real prices, on this machine, on loopback only.
#
#   scripts/demo.sh           redis-server; `harvest feed` plays the shipped BTC/USD sample as the
#                             running system's candle cache holds it (an hour of bars a second)
#                             with PAPER positions (a simulation) opened at a backtest's entries;
#                             `harvest publish-market` (P0.5), `publish-risk` (P1.5) and `publish`
#                             (P2.5) every second; `harvest serve`. Prints the Live view's address.
#                             No market state, stop or position is written by hand. Ctrl-C stops
#                             everything it started.
#   scripts/demo.sh --check   the same chain on a stretch of bars at 10 bars a second, checked
#                             for CI: every stage published, `harvest verify --redis` all MATCH, no
#                             cycle overran its interval, the event stream starts; exit 0 if all good.
#   HARVEST_PORT=9000 scripts/demo.sh    another port for the dashboard (default 8080)
#   HARVEST_BIN=target/debug/harvest scripts/demo.sh    use that binary instead of building one
#   HARVEST_SPEED=7200 scripts/demo.sh   another pace (seconds of bars a second; default 3600)
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
for cmd in feed publish-market publish-risk publish serve verify backtest; do
  "$HARVEST" "$cmd" --help >/dev/null 2>&1 || harvest_die "this build has no \`harvest $cmd\`"
done
if [ ! -f dist/index.html ] && ! $check; then
  harvest_log "building the dashboard (scripts/test.sh build-release; a few minutes the first time)"
  scripts/test.sh build-release
fi

SAMPLE=assets/prices/Coinbase_BTCUSD_1h.csv
SYMBOL=BTCUSD
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
  $check || summary
  rm -rf "$work"
}
# On the way out: did every stage keep up with the pace?
summary() {
  local log
  [ -f "$work/feed.log" ] || return 0
  for log in market risk publish; do
    [ -f "$work/$log.log" ] || continue
    harvest_log "$log: $(grep -c 'cycle:' "$work/$log.log") cycles, the slowest $(slowest "$work/$log.log") ms (interval ${INTERVAL} s)"
  done
  harvest_log "feed: $(grep -o 'stopped after .*' "$work/feed.log" | tail -1)"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

harvest_log "starting redis-server on 127.0.0.1:$REDIS_PORT (in memory, nothing saved)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$REDIS_PORT" PING >/dev/null || harvest_die "redis-server did not start ($work/redis.log)"

# Paper positions: a backtest's entries on the same prices (a long every 24 bars), each held 16
# bars by the feed. A simulation: nothing is traded, and no other positions are made up.
"$HARVEST" backtest "$SAMPLE" --every 24 --side long >"$work/trades.jsonl" 2>"$work/backtest.log"
entries=$(grep -c entry_time "$work/trades.jsonl" || true)
[ "$entries" -gt 30 ] || harvest_die "the backtest gave $entries entries ($work/backtest.log)"
HOLD=16

# The services, each as its own systemd unit would run it (env as in deploy/*.env).
INTERVAL=1
$check && INTERVAL=0.5
start_services() {
  env -i PATH="$PATH" MARKETSTATE_REDIS_URL="$REDIS_URL" MARKETSTATE_SYMBOLS="$SYMBOL" \
    MARKETSTATE_PUBLISH_INTERVAL="$INTERVAL" "$HARVEST" publish-market 2>"$work/market.log" &
  pids+=($!)
  env -i PATH="$PATH" REDIS_URL="$REDIS_URL" SYMBOLS="$SYMBOL" PUBLISH_INTERVAL_SEC="$INTERVAL" \
    ENABLE_STREAM=true "$HARVEST" publish-risk 2>"$work/risk.log" &
  pids+=($!)
  env -i PATH="$PATH" REDIS_URL="$REDIS_URL" SYMBOLS="$SYMBOL" PUBLISH_INTERVAL_SEC="$INTERVAL" \
    ENABLE_STREAM=true "$HARVEST" publish 2>"$work/publish.log" &
  pids+=($!)
}

# The largest "took X ms" of a service's cycle lines.
slowest() { grep -o 'took [0-9.]* ms' "$1" | awk '{ if ($2 > m) m = $2 } END { printf "%.1f", m + 0 }'; }

if $check; then
  # A stretch around the 20th entry: 20 bars before it, 8 into its paper position.
  entry=$(grep -o '"entry_time":[0-9]*' "$work/trades.jsonl" | sed -n 20p | cut -d: -f2)
  from=$((entry - 20 * 3600))
  until=$((entry + 8 * 3600))
  start_services
  harvest_log "feeding 29 bars of $SAMPLE as $SYMBOL at 10 bars a second (paper positions from the backtest)"
  "$HARVEST" feed "$SYMBOL=$SAMPLE" --redis-url "$REDIS_URL" --speed 36000 --from "$from" \
    --until "$until" --positions "$work/trades.jsonl" --hold "$HOLD" 2>"$work/feed.log" \
    || { cat "$work/feed.log" >&2; harvest_die "harvest feed failed"; }
  sleep 2 # a few more cycles of each service after the last bar
  for log in market risk publish; do
    grep -q 'cycle:' "$work/$log.log" || { cat "$work/$log.log" >&2; harvest_die "$log: no cycle ran"; }
  done
  fail=false
  for stream in marketstate risk.proposal harvest.proposal; do
    n=$(redis-cli -p "$REDIS_PORT" XLEN "quantum:stream:$stream")
    harvest_log "quantum:stream:$stream: $n entries"
    [ "$n" -gt 0 ] || fail=true
  done
  for key in "quantum:marketstate:$SYMBOL" "quantum:state:positions:$SYMBOL" \
    "quantum:risk:proposal:$SYMBOL" "quantum:harvest:proposal:$SYMBOL"; do
    [ "$(redis-cli -p "$REDIS_PORT" EXISTS "$key")" = 1 ] || { harvest_log "missing: $key"; fail=true; }
  done
  grep -q 'PAPER position paper-' "$work/feed.log" || { harvest_log "no paper position was opened"; fail=true; }
  $fail && { tail -n 5 "$work"/*.log >&2; harvest_die "a stage did not publish"; }
  "$HARVEST" verify --redis "$REDIS_URL" >"$work/verdicts.jsonl" 2>"$work/verify.log" || true
  total=$(wc -l <"$work/verdicts.jsonl")
  match=$(grep -c '"verdict":"MATCH"' "$work/verdicts.jsonl" || true)
  harvest_log "verify --redis: $match of $total MATCH"
  [ "$total" -gt 0 ] && [ "$match" = "$total" ] || { cat "$work/verdicts.jsonl" "$work/verify.log" >&2; harvest_die "verify --redis is not all MATCH"; }
  over=false
  for log in market risk publish; do
    ms=$(slowest "$work/$log.log")
    harvest_log "$log: $(grep -c 'cycle:' "$work/$log.log") cycles, the slowest $ms ms (interval ${INTERVAL} s)"
    awk -v m="$ms" -v i="$INTERVAL" 'BEGIN { exit !(m < i * 1000) }' || over=true
  done
  $over && harvest_die "a cycle overran its interval"
  mkdir -p "$work/dist" && echo '<html><head></head><body></body></html>' >"$work/dist/index.html"
  "$HARVEST" serve --redis "$REDIS_URL" --port "$WEB_PORT" --dist "$work/dist" 2>"$work/serve.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q http "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
  first=$(curl -sN --max-time 3 "http://127.0.0.1:$WEB_PORT/api/live" | grep -m1 '^event:' || true)
  [ "$first" = "event: snapshot" ] || harvest_die "the event stream did not start with a snapshot ($first)"
  harvest_log "feed → P0.5 → P1.5 → P2.5 → serve: every stage published on real prices, all MATCH: the chain works"
  exit 0
fi

SPEED="${HARVEST_SPEED:-3600}"
FROM="${HARVEST_FROM:-2017-11-01}"
start_services
"$HARVEST" feed "$SYMBOL=$SAMPLE" --redis-url "$REDIS_URL" --speed "$SPEED" --from "$FROM" --loop \
  --positions "$work/trades.jsonl" --hold "$HOLD" 2>"$work/feed.log" &
pids+=($!)
"$HARVEST" serve --redis "$REDIS_URL" --port "$WEB_PORT" --dist dist --base /harvest-lab/ \
  2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 100); do grep -q http "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
grep -q http "$work/serve.log" || { cat "$work/serve.log" >&2; harvest_die "harvest serve did not start"; }

echo
echo "  Harvest Lab demo: open  http://127.0.0.1:$WEB_PORT/harvest-lab/?view=live"
echo
echo "  $SYMBOL from $SAMPLE, from $FROM at ${SPEED}× (looping), PAPER positions (a simulation)"
echo "  at a backtest's entries, each held $HOLD bars. Redis $REDIS_URL"
echo "  Logs: $work/{feed,market,risk,publish,serve}.log"
echo "  Verify what was published:  $HARVEST verify --redis $REDIS_URL"
echo "  Ctrl-C stops Redis, the feed, the three services and the server."
echo
wait
