"""The same walk-forward research done the usual way: a plain-pandas grid over the same trades.

The trades are simulated in Python with the same rules (bench/p0_ref.py's P1 in numpy,
bench/propose_ref.py's P2 kernel, the replay's stop/partial/close rules), one grid cell after
another, the per-trade R kept in a pandas DataFrame and the walk-forward figures taken with
groupby over the segments. The P0 market states are handed over ready (from `harvest
market-state`), so the Python side is timed on the grid alone: a conservative ratio.

    python3 bench/research_pandas.py REPORT.json STATES.jsonl PRICES.csv [CELLS]

REPORT.json is `harvest research … --out DIR`'s report (its settings, segments and every cell's
in- and out-of-sample objective); CELLS (default 3) grid cells are simulated here on every trade,
their objective per fold compared with the report's (to 1e-9), and the time of the whole grid
extrapolated from the measured time per trade. Needs numpy, scipy and pandas.
"""
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p0_ref  # noqa: E402
import propose_ref  # noqa: E402

report = json.loads(Path(sys.argv[1]).read_text())
states = [json.loads(line) for line in Path(sys.argv[2]).read_text().splitlines()]
n_cells = int(sys.argv[4]) if len(sys.argv) > 4 else 3
s = report["settings"]

# Bars: the price file through pandas (CryptoDataDownload: banner line, newest first).
raw = pd.read_csv(sys.argv[3], skiprows=1)
raw["time"] = pd.to_datetime(raw["date"], format="%Y-%m-%d %I-%p", utc=True).dt.as_unit("s").astype("int64")
bars = raw.sort_values("time").drop_duplicates("time").reset_index(drop=True)
T, O, H, L, C = (bars[c].to_numpy() for c in ("time", "open", "high", "low", "close"))
first = p0_ref.MIN_CLOSES - 1
state_at = {first + k: st for k, st in enumerate(states)}
assert len(states) == len(bars) - first, "market-state lines and bars disagree"

bounds = [seg["start"] for seg in report["segments"]] + [report["segments"][-1]["end"]]
segments = len(bounds) - 1


def segment_of(t):
    for g in range(segments):
        if bounds[g] <= t < bounds[g + 1]:
            return g
    return None


# The entries: every `every` bars from bar 256, LONG then SHORT, in their segment, with a bar
# after them inside it.
entries = []
for g in range(segments):
    last_bar = int(np.searchsorted(T, bounds[g + 1], side="left")) - 1
    for i in range(first, len(bars) - 1, s["every"]):
        if segment_of(T[i]) == g and i < last_bar:
            for side in (["LONG", "SHORT"] if s["sides"] == "both" else [s["sides"].upper()]):
                entries.append((g, i, side, last_bar))


def p1(side, i, close, peak, trough, sl):
    return p0_ref.propose_stops(dict(side=side, current_price=close, peak_price=peak,
                                     trough_price=trough, current_sl=sl), state_at[i])


def tightens(side, a, b):
    return b > a if side == "LONG" else b < a


def simulate(i0, side, theta, last):
    sign = 1.0 if side == "LONG" else -1.0
    entry = C[i0]
    sl = p1(side, i0, entry, entry, entry, None)["proposed_sl"]
    risk = max(abs(entry - sl), sys.float_info.min)
    fee = s["cost_bps"] / 10000.0
    pnls, costs = [0.0], [entry * fee]
    closed = 0.0
    peak = trough = entry

    def fill(price, qty, partial):
        nonlocal closed
        qty = max(min(qty, 1.0 - closed), 0.0)
        closed = min(closed + qty, 1.0) if partial else 1.0
        pnls.append(sign * (price - entry) * qty)
        costs.append(price * qty * fee)

    for i in range(i0 + 1, last + 1):
        rest = 1.0 - closed
        o, h, lo_, c = O[i], H[i], L[i], C[i]
        hit = (o if o <= sl else sl if lo_ <= sl else None) if side == "LONG" else \
              (o if o >= sl else sl if h >= sl else None)
        if hit is not None:
            fill(hit, rest, False)
            break
        peak, trough = max(peak, h), min(trough, lo_)
        prop = p1(side, i, c, peak, trough, sl)
        st = state_at[i]
        out = propose_ref.propose({
            "position": dict(side=side, entry_price=entry, current_price=c, peak_price=peak,
                             trough_price=trough, age_sec=float(T[i] - T[i0]),
                             unrealized_pnl=sign * (c - entry) * rest, current_sl=sl,
                             current_tp=prop["proposed_tp"], qty=rest),
            "market_state": {k: st[k] for k in ("sigma", "ts", "p_trend", "p_mr", "p_chop")},
            "p1_proposal": dict(stop_dist_pct=prop["stop_dist_pct"], proposed_sl=prop["proposed_sl"],
                                proposed_tp=prop["proposed_tp"]),
            "theta": theta,
        })
        nxt, mover = sl, None
        if s["trail"] and math.isfinite(prop["proposed_sl"]) and tightens(side, nxt, prop["proposed_sl"]):
            nxt, mover = prop["proposed_sl"], "p1"
        be = out["new_sl_proposed"]
        if be is not None and (tightens(side, nxt, be) or (mover == "p1" and be == nxt)):
            nxt = be
        action = out["harvest_action"]
        done = False
        if action == "FULL_CLOSE_PROPOSED":
            fill(c, rest, False)
            done = True
        elif action.startswith("PARTIAL_"):
            target = int(action[-2:]) / 100.0
            if closed < target - 1e-12:
                fill(c, target - closed, True)
        sl = nxt
        if done:
            break
    else:
        fill(C[last], 1.0 - closed, False)
    return (sum(pnls) - sum(costs)) / risk


axes = s["grid"]


def value(ax, k):
    return ax["lo"] + (ax["hi"] - ax["lo"]) * k / (ax["n"] - 1) if ax["n"] >= 2 else ax["lo"]


def cell_theta(k):
    theta = dict(s["base"])
    rest = k
    for ax in axes:
        theta[ax["field"]] = value(ax, rest % ax["n"])
        rest //= ax["n"]
    return theta


cells_all = int(np.prod([a["n"] for a in axes]))
pick = sorted(set(np.linspace(0, cells_all - 1, n_cells).round().astype(int).tolist()))
rows = []
t0, c0 = time.perf_counter(), time.process_time()
for k in pick:
    theta = cell_theta(k)
    for (g, i, side, last) in entries:
        horizon = min(i + s["max_bars"], last)
        rows.append((k, g, i, side, simulate(i, side, theta, horizon)))
sim_s, sim_cpu = time.perf_counter() - t0, time.process_time() - c0
df = pd.DataFrame(rows, columns=["cell", "segment", "entry", "side", "r"])
# Pooled timeline order inside a segment: entry time, then LONG before SHORT (one symbol).
df["side_order"] = (df["side"] == "SHORT").astype(int)
df = df.sort_values(["cell", "segment", "entry", "side_order"])
t1 = time.perf_counter()
per_seg = df.groupby(["cell", "segment"])["r"].agg(["sum", "count"])
agg_s = time.perf_counter() - t1

worst = 0.0
for f in report["folds"]:
    a, b = f["is_segments"]
    for k in pick:
        seg = per_seg.loc[k]
        is_mean = seg.loc[a:b - 1, "sum"].sum() / seg.loc[a:b - 1, "count"].sum()
        oos_mean = seg.loc[f["oos_segment"], "sum"] / seg.loc[f["oos_segment"], "count"]
        for mine, theirs in ((is_mean, f["is_values"][k]), (oos_mean, f["oos_values"][k])):
            worst = max(worst, abs(mine - theirs))
trades = len(entries)
per_trade, per_trade_cpu = sim_s / (len(pick) * trades), sim_cpu / (len(pick) * trades)
columns = cells_all + 1
shown = pick if len(pick) <= 6 else f"{len(pick)} cells"
print(f"python/pandas: {len(pick)} cells × {trades} trades simulated in {sim_s:.1f} s wall, "
      f"{sim_cpu:.1f} s CPU ({per_trade_cpu * 1e3:.3f} ms CPU a trade), groupby {agg_s * 1e3:.1f} ms; "
      f"per-fold expectancy of cells {shown} against the report's: max |Δ| {worst:.1e}")
print(f"python/pandas: the whole grid ({columns} columns × {trades} trades) ≈ "
      f"{per_trade_cpu * columns * trades:.0f} s CPU{'' if len(pick) == cells_all else ' (extrapolated)'}, "
      f"numpy {np.__version__}, pandas {pd.__version__}")
if len(pick) == cells_all:
    # The walk-forward choices, made here from the pandas matrix: the same as the report's.
    for f in report["folds"]:
        a, b = f["is_segments"]
        means = {k: per_seg.loc[k].loc[a:b - 1, "sum"].sum() / per_seg.loc[k].loc[a:b - 1, "count"].sum()
                 for k in pick}
        best = max(pick, key=lambda k: (means[k], -k))
        assert best == f["cell"], (f["index"], best, f["cell"])
    print(f"python/pandas: every fold chose the report's cell ({[f['cell'] for f in report['folds']]})")
assert worst < 1e-9, "the Python trades differ from harvest's"
