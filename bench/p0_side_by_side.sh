#!/usr/bin/env bash
# P0 per bar, side by side in one run over the shipped sample: `harvest market-state` (Rust,
# release build, every bar, import and JSON output included) against bench/p0_ref.py
# (numpy/scipy, the last N bars), in CPU seconds; then checks that both agree on those N bars.
#
#   bench/p0_side_by_side.sh [N]        (N = 1000 by default; PYTHON=… picks the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
PY=${PYTHON:-python3}
FILE=assets/prices/Coinbase_BTCUSD_1h.csv
cargo build -q --release -p harvest-cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -f "%U %S %e" -o "$tmp/rs.time" target/release/harvest market-state "$FILE" \
  > "$tmp/rs.jsonl" 2> "$tmp/rs.err"
"$PY" bench/p0_ref.py states "$FILE" "$N" > "$tmp/py.jsonl" 2> "$tmp/py.err"
"$PY" - "$tmp" <<'PY'
import json, re, sys
tmp = sys.argv[1]
user, sys_, wall = map(float, open(f"{tmp}/rs.time").read().split()[-3:])
rs = [json.loads(l) for l in open(f"{tmp}/rs.jsonl")]
py = [json.loads(l) for l in open(f"{tmp}/py.jsonl")]
err = open(f"{tmp}/py.err").read()
py_cpu = float(re.search(r"([0-9.]+) s CPU", err).group(1))
rs_bar = (user + sys_) / len(rs) * 1e6
py_bar = py_cpu / len(py) * 1e6
worst = max(abs(a[k] - b[k]) / max(abs(a[k]), 1e-6)
            for a, b in zip(py, rs[-len(py):]) for k in a)
print(f"harvest market-state: {len(rs)} bars, {user + sys_:.3f} s CPU ({wall:.3f} s wall) "
      f"= {rs_bar:.1f} µs CPU per bar")
print(f"p0_ref.py (numpy/scipy): {len(py)} bars, {py_cpu:.3f} s CPU = {py_bar:.1f} µs CPU per bar")
print(f"ratio: {py_bar / rs_bar:.0f}x; largest relative difference over the {len(py)} bars: {worst:.1e}")
PY
