#!/usr/bin/env python3
"""Cost per symbol of the running P0.5 and P1.5 beside ours, in one run on one redis-server
(BENCHMARKS.md, "P0.5 and P1.5 beside the running services").

    pip install redis numpy scipy
    cargo build --release -p harvest-cli
    python3 bench/chain_speed.py [--symbols N] [--runs R] [--mirror DIR] [--harvest PATH]

N symbols (default 200) each get 300 candles of the shipped sample as the running system's 1m
cache stores them (layer1 JSON members), a market state and a position. Then, R times (default 3)
alternately:

- P0.5: the running service (extracted from the mirror at run time, as bench/chain_compare.py
  does) from its "Starting … loop" log line until all N states are written: one cycle, which it
  repeats every interval at the same cost (it re-reads 300 candles and recomputes P0 fresh for
  every symbol every cycle); ours: the cycle line of `publish-market --once` (its first cycle:
  every window read whole), and of a running `publish-market`'s second cycle after one new candle
  per symbol (a steady cycle);
- P1.5: the running service's `--once`, wall time minus its start-up with one symbol; ours: the
  cycle line of `publish-risk --once`.

Prints the medians per symbol. Wall times on a shared machine: compare within one run.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chain_compare as cc  # noqa: E402
import side_by_side as sbs  # noqa: E402
from side_by_side import T0, layer1_member, timed  # noqa: E402


def seed(r, n, closes, extra=0):
    r.flushall()
    p = r.pipeline()
    for i in range(n):
        sym = f"S{i:04d}USDT"
        start = (13 * i) % (len(closes) - 400)
        members = {layer1_member(sym, T0 + 60000 * k, closes[start + k]): T0 + 60000 * k
                   for k in range(300 + extra)}
        p.zadd(f"candles:{sym}:1m", members)
        cc.market_hash(p, sym, 0.012, 0.41, 0.52, 0.21, 0.27)
        p.hset(f"quantum:state:positions:{sym}", mapping={
            "symbol": sym, "side": "LONG", "position_amt": "0.5", "quantity": "0.5",
            "entry_price": repr(closes[start]), "current_price": repr(closes[start + 299]),
            "mark_price": repr(closes[start + 299]), "unrealized_pnl": "1.5", "leverage": "10",
            "ts_epoch": "1767225600", "source": "position_state_brain"})
        if i % 50 == 49:
            p.execute()
            p = r.pipeline()
    p.execute()


def running_p05(qt, port, n, symbols):
    env = dict(os.environ, MARKETSTATE_SYMBOLS=symbols, MARKETSTATE_PUBLISH_INTERVAL="3600",
               MARKETSTATE_REDIS_HOST="127.0.0.1", MARKETSTATE_REDIS_PORT=str(port))
    r = redis.Redis(port=port)
    log_path = os.path.join(qt, "speed.log")
    with open(log_path, "w") as f:
        proc = subprocess.Popen([sys.executable, "microservices/market_state_publisher/main.py"],
                                cwd=qt, env=env, stdout=f, stderr=subprocess.STDOUT)
        cc.wait_for_line(log_path, "Starting MarketState publisher loop", proc)
        t = time.time()
        while r.xlen("quantum:stream:marketstate") < n and time.time() - t < 600:
            time.sleep(0.01)
        took = time.time() - t
        proc.kill()
        proc.wait()
    return took


def took_of(log):
    """The seconds of `harvest`'s own cycle line (`… took 12.3 ms …`)."""
    return float(re.search(r"cycle: .*took ([0-9.]+) ms", log).group(1)) / 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mirror", default=sbs.MIRROR)
    ap.add_argument("--harvest", default=os.path.join(sbs.ROOT, "target/release/harvest"))
    a = ap.parse_args()
    n = a.symbols
    with sbs.redis_server() as (port, r), sbs.running_code(a.mirror, cc.CHAIN_FILES) as (qt, _):
        closes = sbs.sample_closes()
        symbols = ",".join(f"S{i:04d}USDT" for i in range(n))
        url = f"redis://127.0.0.1:{port}"
        ours_env = dict(os.environ, MARKETSTATE_REDIS_URL=url, MARKETSTATE_SYMBOLS=symbols)
        p15_env = dict(os.environ, REDIS_URL=url, SYMBOLS=symbols, PYTHONPATH=qt)
        none_env = dict(os.environ, REDIS_URL=url, SYMBOLS="NONEUSDT", PYTHONPATH=qt)
        res = {k: [] for k in ("p05_theirs", "p05_ours", "p05_steady", "p15_theirs", "p15_ours")}
        for run in range(a.runs):
            seed(r, n, closes)
            res["p05_theirs"].append(running_p05(qt, port, n, symbols))
            seed(r, n, closes)
            t, out = timed([a.harvest, "publish-market", "--once"], env=ours_env)
            assert out.returncode == 0, out.stderr
            res["p05_ours"].append(took_of(out.stderr))
            # A steady cycle: the service's own cycle line after one new candle per symbol.
            seed(r, n, closes)
            svc = subprocess.Popen([a.harvest, "publish-market"], stderr=subprocess.PIPE, text=True,
                                   env=dict(ours_env, MARKETSTATE_PUBLISH_INTERVAL="2"))
            lines = []
            for line in svc.stderr:
                lines.append(line)
                if "cycle:" in line:
                    p = r.pipeline()
                    for i in range(n):
                        sym = f"S{i:04d}USDT"
                        start = (13 * i) % (len(closes) - 400)
                        p.zadd(f"candles:{sym}:1m", {layer1_member(sym, T0 + 60000 * 300, closes[start + 300]): T0 + 60000 * 300})
                        p.zremrangebyrank(f"candles:{sym}:1m", 0, 0)
                    p.execute()
                    if sum("cycle:" in l for l in lines) == 2:
                        break
            svc.kill()
            svc.wait()
            took = float(re.search(r"took ([0-9.]+) ms", [l for l in lines if "cycle:" in l][1]).group(1))
            res["p05_steady"].append(took / 1000)
            seed(r, n, closes)
            base, _ = timed([sys.executable, os.path.join(qt, "microservices/risk_proposal_publisher/main.py"),
                             "--once"], env=none_env)
            t, out = timed([sys.executable, os.path.join(qt, "microservices/risk_proposal_publisher/main.py"),
                            "--once"], env=p15_env)
            res["p15_theirs"].append(max(t - base, 0.0))
            seed(r, n, closes)
            t, out = timed([a.harvest, "publish-risk", "--once"], env=p15_env)
            assert out.returncode == 0, out.stderr
            res["p15_ours"].append(took_of(out.stderr))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in res.items()), flush=True)
        med = {k: statistics.median(v) for k, v in res.items()}
        la = os.getloadavg()[0]
        print(f"\n{n} symbols × 300 candles, {a.runs} runs, load average {la:.1f}; medians per symbol:")
        print(f"  P0.5 running service, a cycle (every cycle): {med['p05_theirs'] / n * 1e3:.2f} ms")
        print(f"  P0.5 ours, first cycle (every window read whole): {med['p05_ours'] / n * 1e3:.3f} ms "
              f"({med['p05_theirs'] / med['p05_ours']:.0f}× less)")
        print(f"  P0.5 ours, steady cycle (one new candle each): {med['p05_steady'] / n * 1e3:.4f} ms "
              f"({med['p05_theirs'] / med['p05_steady']:.0f}× less)")
        print(f"  P1.5 running service, a cycle: {med['p15_theirs'] / n * 1e3:.3f} ms")
        print(f"  P1.5 ours, a cycle: {med['p15_ours'] / n * 1e3:.4f} ms "
              f"({med['p15_theirs'] / max(med['p15_ours'], 1e-9):.0f}× less)")


if __name__ == "__main__":
    main()
