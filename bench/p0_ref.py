#!/usr/bin/env python3
"""Reference implementation of P0 (market state) and P1 (stops) in numpy/scipy, written from the
formulas of issue 12 as literally as possible. It is what harvest-market is checked against.

    python3 bench/p0_ref.py fixtures            # writes crates/market/tests/fixtures/p0_p1_ref.json
    python3 bench/p0_ref.py states FILE [N]     # market state of the last N bars of a price file
                                                # (default all), JSON Lines on stdout, timing on stderr

Needs numpy and scipy (`pip install numpy scipy`).
"""

import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import special, stats

EPS = 1e-12

P0 = dict(
    eps=EPS,
    vol_window=256,
    clip_q_lo=0.01,
    clip_q_hi=0.99,
    ewma_init=10,
    ewma_lambda=0.94,
    mad_scale=1.4826,
    spike_cap=5.0,
    spike_center=1.2,
    spike_width=0.3,
    spike_logit_clip=50.0,
    sigma_floor=1e-6,
    mu_windows=(64, 128, 256),
    mu_weights=(0.5, 0.3, 0.2),
    regime_window=256,
    vr_k=5,
    temperature=1.0,
)

P1 = dict(
    sl_min_pct=0.005,
    tp_min_pct=0.01,
    k_sl=dict(trend=1.5, mr=0.8, chop=1.0),
    k_tp=dict(trend=2.5, mr=1.2, chop=1.5),
    k_trail=dict(trend=1.2, mr=1.5, chop=1.3),
    tp_extend_gain=0.5,
    tp_extend_max=0.3,
    monotonic_sl=True,
    eps=1e-8,
)

MIN_CLOSES = 257


def market_state(closes, p=P0):
    """P0 of the last close of `closes` (oldest first, at least 257)."""
    closes = np.asarray(closes, dtype=float)
    eps = p["eps"]
    lp = np.log(closes + eps)
    r = np.diff(lp)

    # sigma
    w = r[-min(p["vol_window"], len(r)):]
    lo, hi = np.quantile(w, [p["clip_q_lo"], p["clip_q_hi"]])
    r_w = np.clip(w, lo, hi)
    v = np.var(r_w[: min(p["ewma_init"], len(r_w))])
    lam = p["ewma_lambda"]
    for x in r_w:
        v = lam * v + (1 - lam) * x * x
    sigma_ewma = math.sqrt(v)
    sigma_mad = p["mad_scale"] * np.median(np.abs(r_w - np.median(r_w)))
    spike_proxy = float(np.clip(sigma_mad / (sigma_ewma + eps), 0.0, p["spike_cap"]))
    z = np.clip((spike_proxy - p["spike_center"]) / p["spike_width"],
                -p["spike_logit_clip"], p["spike_logit_clip"])
    wt = 1.0 / (1.0 + math.exp(-z))
    sigma = max(p["sigma_floor"], (1 - wt) * sigma_ewma + wt * sigma_mad)

    # mu: Theil-Sen slopes of the last 64 / 128 / 256 log prices
    weights = np.asarray(p["mu_weights"], dtype=float)
    weights = weights / weights.sum()
    slopes = []
    for win in p["mu_windows"]:
        y = lp[-win:]
        x = np.arange(win, dtype=float)
        slopes.append(stats.theilslopes(y, x).slope)
    mu = float(np.sum(weights * np.asarray(slopes)))
    ts = abs(mu) / (sigma + eps)

    # dp and vr over the last 256 returns
    rr = r[-min(p["regime_window"], len(r)):]
    if len(rr) < 2:
        dp = 0.5
    else:
        s = np.sign(rr)
        dp = float(np.mean(s[1:] == s[:-1]))
    k = p["vr_k"]
    if len(rr) < k + 1:
        vr = 1.0
    else:
        sums = np.array([rr[i:i + k].sum() for i in range(len(rr) - k + 1)])
        vr = float(np.var(sums) / (k * np.var(rr) + eps))

    a = abs(vr - 1.0)
    s_trend = ts + dp - a
    s_mr = a - ts - abs(dp)
    s_chop = (1 - abs(dp)) + (1 - min(ts, 1.0)) - a
    probs = special.softmax(np.array([s_trend, s_mr, s_chop]) / p["temperature"])
    return dict(sigma=float(sigma), mu=mu, ts=float(ts), p_trend=float(probs[0]),
                p_mr=float(probs[1]), p_chop=float(probs[2]), dp=dp, vr=vr,
                spike_proxy=spike_proxy)


def propose_stops(pos, st, p=P1):
    """P1 for one position: {side, current_price, peak_price, trough_price, current_sl?}."""
    pt, pm, pc = st["p_trend"], st["p_mr"], st["p_chop"]
    k = {name: p[name]["trend"] * pt + p[name]["mr"] * pm + p[name]["chop"] * pc
         for name in ("k_sl", "k_tp", "k_trail")}
    sigma, ts = st["sigma"], st["ts"]
    stop = max(p["sl_min_pct"], k["k_sl"] * sigma)
    trail = max(p["sl_min_pct"], k["k_trail"] * sigma)
    if pt > 0.3 and ts > 0.1:
        f = 1 + min(p["tp_extend_gain"] * min(max(ts, 0.0), 1.0) * pt, p["tp_extend_max"])
    else:
        f = 1.0
    tp = max(p["tp_min_pct"], k["k_tp"] * sigma * f)
    cur, eps = pos["current_price"], p["eps"]
    codes = []
    if pos["side"] == "LONG":
        raw = cur * (1 - stop)
        trail_sl = pos["peak_price"] * (1 - trail)
        sl = max(raw, trail_sl)
        if trail_sl > raw + eps:
            codes.append("trail_active")
        tp_price = cur * (1 + tp)
        looser = lambda a, b: a < b - eps  # noqa: E731  a is looser than b
        tighter = lambda a, b: a > b + eps  # noqa: E731
    else:
        raw = cur * (1 + stop)
        trail_sl = pos["trough_price"] * (1 + trail)
        sl = min(raw, trail_sl)
        if trail_sl < raw - eps:
            codes.append("trail_active")
        tp_price = cur * (1 - tp)
        looser = lambda a, b: a > b + eps  # noqa: E731
        tighter = lambda a, b: a < b - eps  # noqa: E731
    cur_sl = pos.get("current_sl")
    if p["monotonic_sl"] and cur_sl is not None:
        if looser(sl, cur_sl):
            sl = cur_sl
            codes.append("sl_tightened_monotonic")
        elif tighter(sl, cur_sl):
            codes.append("sl_tightening")
    probs = [pt, pm, pc]
    codes.append("regime_" + ["trend", "mr", "chop"][int(np.argmax(probs))])
    if f > 1 + eps:
        codes.append("tp_extended")
    return dict(proposed_sl=sl, proposed_tp=tp_price, stop_dist_pct=stop, tp_dist_pct=tp,
                trail_gap_pct=trail, reason_codes=codes)


def read_closes(path):
    """Closes of a CryptoDataDownload export (banner, header, newest first), oldest first."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header = [c.strip().lower() for c in rows[1]]
    ci = header.index("close")
    return [float(r[ci]) for r in reversed(rows[2:])]


def fixtures(root):
    rng = np.random.default_rng(12)
    series = {}
    series["flat"] = [100.0] * 300
    walk = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    walk[280:] *= 1.2  # a 20 % gap up at bar 280
    series["gap"] = walk.tolist()
    series["exactly_257"] = (50 * np.exp(np.cumsum(rng.normal(0, 0.02, 257)))).tolist()
    # Plateaus: many zero returns (sign(0) = 0), with ticks of 0.5.
    steps = rng.choice([-0.5, 0.0, 0.0, 0.0, 0.5], 320)
    series["sign_zero"] = (100 + np.cumsum(steps)).tolist()
    series["trend"] = (100 * np.exp(0.002 * np.arange(400) + np.cumsum(rng.normal(0, 0.004, 400)))).tolist()
    # Up then down: the Theil–Sen medians drift (rolling tracker rebuilds).
    updown = np.concatenate([np.linspace(0, 0.5, 350), np.linspace(0.5, 0.1, 250)])
    series["up_down"] = (1000 * np.exp(updown + np.cumsum(rng.normal(0, 0.003, 600)))).tolist()

    out = {"generated_by": "bench/p0_ref.py fixtures", "numpy": np.__version__,
           "scipy": __import__("scipy").__version__, "series": [], "sample": {}, "stops": []}
    for name, closes in series.items():
        ends = sorted({len(closes) - 1, MIN_CLOSES - 1, (MIN_CLOSES - 1 + len(closes) - 1) // 2})
        out["series"].append({
            "name": name,
            "closes": closes,
            "states": [{"bar": e, "state": market_state(closes[: e + 1])} for e in ends],
        })

    sample = read_closes(root / "assets/prices/Coinbase_BTCUSD_1h.csv")
    bars = list(range(256, 276)) + list(range(1000, len(sample), 1500)) + [len(sample) - 1]
    out["sample"] = {"file": "assets/prices/Coinbase_BTCUSD_1h.csv",
                     "states": [{"bar": b, "state": market_state(sample[: b + 1])} for b in bars]}

    # P1 cases: both sides, with and without a current stop, trailing on and off, extended TP.
    states = [s["state"] for s in out["sample"]["states"][:3]] + [
        dict(sigma=0.01, mu=0.001, ts=0.8, p_trend=0.7, p_mr=0.1, p_chop=0.2),
        dict(sigma=0.002, mu=0.0, ts=0.05, p_trend=0.2, p_mr=0.5, p_chop=0.3),
        dict(sigma=1e-6, mu=0.0, ts=0.0, p_trend=1 / 3, p_mr=1 / 3, p_chop=1 / 3),
        dict(sigma=0.03, mu=-0.01, ts=2.0, p_trend=0.31, p_mr=0.29, p_chop=0.4),
    ]
    positions = [
        dict(side="LONG", current_price=100.0, peak_price=100.0, trough_price=100.0),
        dict(side="LONG", current_price=100.0, peak_price=104.0, trough_price=98.0),
        dict(side="LONG", current_price=100.0, peak_price=101.0, trough_price=97.0, current_sl=99.5),
        dict(side="LONG", current_price=100.0, peak_price=100.0, trough_price=90.0, current_sl=95.0),
        dict(side="SHORT", current_price=100.0, peak_price=100.0, trough_price=100.0),
        dict(side="SHORT", current_price=100.0, peak_price=103.0, trough_price=96.0),
        dict(side="SHORT", current_price=100.0, peak_price=101.0, trough_price=99.0, current_sl=100.4),
        dict(side="SHORT", current_price=100.0, peak_price=110.0, trough_price=100.0, current_sl=105.0),
    ]
    for st in states:
        for pos in positions:
            out["stops"].append({"position": pos, "market_state": st,
                                 "expected": propose_stops(pos, st)})

    path = root / "crates/market/tests/fixtures/p0_p1_ref.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}", file=sys.stderr)


def states(path, n=None):
    closes = read_closes(path)
    first = MIN_CLOSES - 1 if n is None else max(MIN_CLOSES - 1, len(closes) - n)
    t0, c0 = time.perf_counter(), time.process_time()
    out = []
    for i in range(first, len(closes)):
        out.append(market_state(closes[: i + 1]))
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    count = len(closes) - first
    w = sys.stdout.write
    for s in out:
        w(json.dumps(s) + "\n")
    print(f"p0_ref: {count} states in {dt:.3f} s wall, {cpu:.3f} s CPU = "
          f"{cpu / count * 1e6:.1f} µs CPU per bar (numpy {np.__version__}, scipy {__import__('scipy').__version__})", file=sys.stderr)


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if sys.argv[1:2] == ["fixtures"]:
        fixtures(root)
    elif sys.argv[1:2] == ["states"] and len(sys.argv) >= 3:
        states(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
