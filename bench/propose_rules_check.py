#!/usr/bin/env python3
"""Checks that bench/propose_ref.py follows the kernel's rules where the benchmark corpus does
not go: errors, warnings and not-computable intermediates. Standard library only.

    cargo build --release -p harvest-cli
    python3 bench/propose_rules_check.py [path/to/harvest]

Runs `harvest propose` and the Python reference on lines that each break one rule, and compares
the outputs line by line as parsed JSON (proposals with their warnings, or the error text).
Exit status 1 if any line differs.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HARVEST = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(HERE), "target", "release", "harvest")
BASE = {
    "market_state": {"p_chop": 0.59, "p_mr": 0.31, "p_trend": 0.1, "sigma": 0.0096, "ts": 0.27},
    "p1_proposal": {"stop_dist_pct": 0.0167},
    "position": {"age_sec": 35196.0, "current_price": 52606.99440881612, "current_sl": 62710.53601813,
                 "current_tp": None, "entry_price": 60374.0599, "peak_price": 52606.99440881612,
                 "qty": 0.794, "side": "SHORT", "symbol": "BTCUSDT", "trough_price": 60374.0599,
                 "unrealized_pnl": 6167.05},
}


def line(**changes):
    """BASE with `object__key=value` changes (a value of None writes null)."""
    rec = json.loads(json.dumps(BASE))
    for path, value in changes.items():
        obj, key = path.split("__")
        rec.setdefault(obj, {})[key] = value
    return json.dumps(rec)


LINES = [
    line(),
    line(p1_proposal__stop_dist_pct=-0.01),
    line(p1_proposal__stop_dist_pct=0),
    line(theta__T2_R=1.0),
    line(theta__T3_R=3.0, theta__T2_R=5.0),
    line(theta__sigma_ref=0),
    line(theta__max_age_sec=0),
    line(theta__softmax_temp=0),
    line(theta__u1=800),
    line(theta__u1=700, theta__u2=700, theta__u3=709.5),
    line(theta__u1=-30, theta__u2=-30, theta__u3=-40),
    line(theta__u1=1.5, theta__softmax_temp=0.5),
    line(theta__u1=-0.0),
    line(theta__k_ts_drop=-0.5, theta__kill_threshold=1.5, theta__cost_bps=-1, theta__fallback_stop_pct=0),
    line(theta__k_regime_flip=-1e300, theta__k_sigma_spike=-1e300, market_state__sigma=1),
    line(theta__k_regime_flip=-800),
    line(theta__k_regime_flip=1e308, theta__k_age_penalty=1e308, position__age_sec=1e9),
    line(theta__lock_R=0.1, position__unrealized_pnl=1e6),
    line(theta__lock_R=0.1, position__unrealized_pnl=1e6, position__side="LONG", position__current_sl=None),
    line(position__entry_price=-1),
    line(position__entry_price=1e308, position__qty=1e308),
    line(position__entry_price=1e300, theta__cost_bps=1e300),
    line(position__unrealized_pnl=-1.7e308, theta__cost_bps=1e300, position__entry_price=1e10),
    line(position__entry_price=1e308, theta__be_plus_pct=10, position__unrealized_pnl=1e308,
         p1_proposal__stop_dist_pct=1e-300, position__current_sl=None),
    line(position__age_sec=-5),
    line(position__qty=0),
    line(market_state__p_trend=2),
    line(market_state__p_trend=0.5),
    line(market_state__sigma=-0.1),
]


def outputs(cmd):
    text = "\n".join(LINES) + "\n"
    done = subprocess.run(cmd, input=text.encode(), capture_output=True)
    return [json.loads(x) for x in done.stdout.decode().splitlines()]


def main():
    rust = outputs([HARVEST, "propose"])
    python = outputs([sys.executable, os.path.join(HERE, "propose_ref.py")])
    bad = [i for i, (a, b) in enumerate(zip(rust, python)) if a != b]
    errors = sum("error" in a for a in rust)
    warned = sum("warnings" in a for a in rust)
    print(f"{len(LINES) - len(bad)} of {len(LINES)} lines the same ({errors} errors, {warned} with warnings)")
    for i in bad:
        print(f"line {i + 1}:\n  harvest {json.dumps(rust[i])[:400]}\n  python  {json.dumps(python[i])[:400]}")
    sys.exit(1 if bad or len(rust) != len(LINES) or len(python) != len(LINES) else 0)


if __name__ == "__main__":
    main()
