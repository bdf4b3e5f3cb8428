#!/usr/bin/env bash
# `harvest research` beside the same walk-forward grid done the usual way (bench/research_pandas.py:
# plain Python/pandas over the same trades), alternating, in one run; and the 20×20 sweep.
#
#   cargo build --release --bin harvest && bench/research_side_by_side.sh [ROUNDS]
#
# Needs numpy, scipy and pandas (pip). Prints wall and CPU seconds of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
H=${HARVEST:-target/release/harvest}
S=assets/prices/Coinbase_BTCUSD_1h.csv
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ROUNDS=${1:-2}
"$H" market-state "$S" > "$T/states.jsonl" 2>/dev/null
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  /usr/bin/time -f "round $r harvest research (5 folds, 10×10, every 24 bars, both sides): wall %e s, CPU %U+%S s" \
    "$H" research "$S" --grid kill_threshold=0.4:0.9:10 --grid T1_R=1:4:10 --folds 5 --every 24 \
    --side both --out "$T/r" 2>&1 | grep -E "round|done in"
  /usr/bin/time -f "round $r python/pandas grid (the same 100 cells, P0 states given): wall %e s, CPU %U+%S s" \
    python3 bench/research_pandas.py "$T/r/report.json" "$T/states.jsonl" "$S" 100 2>&1 | grep -E "round|python"
  /usr/bin/time -f "round $r harvest backtest --sweep 20×20 (every 24 bars, both sides): wall %e s, CPU %U+%S s" \
    "$H" backtest "$S" --every 24 --side both --sweep kill_threshold=0.4:0.9:20 --sweep T1_R=1:4:20 \
    2>&1 >/dev/null | grep -E "round"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
