#!/usr/bin/env python3
"""The running system's P0.5 and P1.5 against `harvest publish-market` / `harvest publish-risk`
on the same Redis contents: every key each writes, compared field by field (README, "Market
state and stops: the P0.5 and P1.5 services"; their cost per symbol: bench/chain_speed.py).

    pip install redis numpy scipy              # the running services' own dependencies
    cargo build --release -p harvest-cli
    python3 bench/chain_compare.py [--mirror DIR] [--harvest target/release/harvest] [--only p05|p15]

The running services are not part of this file: they are extracted at run time from the bare
git mirror of binyaminsemerci-ops/quantum_trader (`git archive HEAD …`) into a temporary
directory and run there with Python. One redis-server on a free loopback port serves both: for
each service, the case data is written, the running service runs one cycle (P0.5 has no --once:
it is stopped once its writes settle), every key is dumped; then Redis is emptied, the same
data written, ours runs `--once`, and its keys are dumped. Each case (a symbol) is then SAME
(every key and field written identically: the texts digit for digit; `ts_timestamp`, `timestamp`
and `computed_at_utc` only within a few seconds; TTLs within 2 s, the running P0.5's counted from
its last write, as it is dumped only once its writes settle) or a DIFFERENCE, which must be one of
the deliberate ones listed in the README (`expect` below). Exit status 1 if any case differs from
what is expected.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime

import side_by_side as sbs
from side_by_side import T0, layer1_member

MIRROR = sbs.MIRROR
# The running P0.5 and P1.5 with what they import.
CHAIN_FILES = ["ai_engine/__init__.py", "ai_engine/market_state.py", "ai_engine/risk_kernel_stops.py",
               "microservices/market_state_publisher", "microservices/risk_proposal_publisher"]


def zset(r, key, members):
    """members: (member text, score)."""
    p = r.pipeline()
    for m, s in members:
        p.zadd(key, {m: s})
    p.execute()


# ---- P0.5 cases: (symbol, what is written, what we expect of ours against theirs) ----
def p05_cases(closes):
    c = lambda a, n: closes[a:a + n]
    cases = []

    def add(sym, seed, expect, why=""):
        cases.append((sym, seed, expect, why))

    add("AAAUSDT", lambda r: zset(r, "candles:AAAUSDT:1m",
        [(layer1_member("AAAUSDT", T0 + 60000 * i, v), T0 + 60000 * i) for i, v in enumerate(c(0, 300))]),
        "same")
    add("BBBUSDT", lambda r: zset(r, "quantum:candles:BBBUSDT",
        [(json.dumps({"t": T0 + 60000 * i, "c": v}), T0 + 60000 * i) for i, v in enumerate(c(1000, 420))]),
        "same")
    add("CCCUSDT", lambda r: zset(r, "klines:CCCUSDT:1m",
        [(repr(v), T0 + 60000 * i) for i, v in enumerate(c(2000, 300))]),
        "same")
    add("DDDUSDT", lambda r: zset(r, "candles:DDDUSDT:1m",
        [(layer1_member("DDDUSDT", T0 + 60000 * i, v), T0 + 60000 * i) for i, v in enumerate(c(3000, 280))]),
        "same")
    add("EEEUSDT", lambda r: zset(r, "candles:EEEUSDT:1m",
        [(json.dumps({"close": str(v)}), T0 + 60000 * i) for i, v in enumerate(c(4000, 300))]),
        "same")
    # Unreadable members (both drop them): 30 of 330.
    add("FFFUSDT", lambda r: zset(r, "candles:FFFUSDT:1m",
        [(("garbage-%d" % i) if i % 11 == 0 else layer1_member("FFFUSDT", T0 + 60000 * i, v), T0 + 60000 * i)
         for i, v in enumerate(c(5000, 330))]),
        "same")
    # Both keys: the first one wins.
    def both(r):
        zset(r, "candles:GGGUSDT:1m", [(repr(v), T0 + 60000 * i) for i, v in enumerate(c(6000, 300))])
        zset(r, "klines:GGGUSDT:1m", [(repr(v), T0 + 60000 * i) for i, v in enumerate(c(7000, 300))])
    add("GGGUSDT", both, "same")
    # Short: 100 candles. Neither publishes in a first cycle.
    add("HHHUSDT", lambda r: zset(r, "candles:HHHUSDT:1m",
        [(repr(v), T0 + 60000 * i) for i, v in enumerate(c(8000, 100))]),
        "same", "short window: nothing published by either (the running service repeats the "
        "candles in its buffer in later cycles)")
    # Deliberate: a list is read by ours; the running one gets WRONGTYPE (then invents prices).
    def as_list(r):
        r.rpush("candles:IIIUSDT:1m", *[repr(v) for v in c(9000, 300)])
    add("IIIUSDT", as_list, "ours only", "a list of candles: read by ours, WRONGTYPE for the running service")
    # Deliberate: no candles at all: the running one invents 50 prices a cycle (no write yet).
    add("JJJUSDT", lambda r: None, "same", "no candles: nothing published by either in a first cycle")
    # Deliberate: candles without close (the running one reads 0.0: log(0) in its state).
    add("KKKUSDT", lambda r: zset(r, "candles:KKKUSDT:1m",
        [(json.dumps({"open": v}) if i == 150 else json.dumps({"close": v}), T0 + 60000 * i)
         for i, v in enumerate(c(10000, 300))]),
        "differs", "a candle without close/c: the running service takes 0.0 as a close, ours leaves it out")
    # A string at the key: neither publishes.
    add("LLLUSDT", lambda r: r.set("candles:LLLUSDT:1m", "65000"), "same",
        "a string at the candle key: nothing published by either")
    return cases


def dump(r, seed_keys):
    """Every key not written by the seed, as comparable data."""
    out = {}
    for k in sorted(r.keys("*")):
        if k in seed_keys:
            continue
        t = r.type(k)
        ttl = r.ttl(k)
        if t == "hash":
            out[k] = ("hash", r.hgetall(k), ttl)
        elif t == "stream":
            out[k] = ("stream", [f for _, f in r.xrange(k)], ttl)
        elif t == "string":
            out[k] = ("string", r.get(k), ttl)
        else:
            out[k] = (t, None, ttl)
    return out


def seeder(r, cases):
    """A function that empties Redis, writes every case's data and returns the keys written."""
    def seed():
        r.flushall()
        for _, s, _, _ in cases:
            s(r)
        return set(r.keys("*"))
    return seed


def ours_once(r, seed, harvest, command, env):
    """Redis seeded afresh (`seed()` returns the keys it wrote), then `harvest <command> --once`:
    (its run, its wall seconds, every key it wrote)."""
    keys = seed()
    t, run = sbs.timed([harvest, command, "--once"], env=env)
    return run, t, dump(r, keys)


def wait_for_line(path, text, proc, seconds=120):
    """Waits until the process has written `text` to its log file (or exits)."""
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        with open(path) as f:
            if text in f.read():
                return
        time.sleep(0.1)


def settle(r, proc, seconds=60, quiet=2.0):
    """Waits until the keyspace stops changing for `quiet` seconds (or the process exits);
    returns when it last saw it change (so the caller knows how far its TTLs have run down)."""
    last, since, deadline = None, time.time(), time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return since
        snap = (r.dbsize(), sum(r.xlen(k) for k in r.keys("quantum:stream:*") if r.type(k) == "stream"))
        if snap != last:
            last, since = snap, time.time()
        elif time.time() - since >= quiet:
            return since
        time.sleep(0.2)
    return since


TIMES = {"ts_timestamp", "timestamp", "computed_at_utc"}


NAIVE_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$")


def close_in_time(a, b):
    """Two clock texts a few seconds apart, in the same layout (epoch seconds, or Python's naive
    `datetime.isoformat()`)."""
    try:
        return abs(float(a) - float(b)) <= 5
    except ValueError:
        if not (NAIVE_ISO.match(a) and NAIVE_ISO.match(b)):
            return False
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) <= 5


def compare_fields(a, b):
    """Names of the fields that differ between two field dicts."""
    diff = []
    for f in sorted(set(a) | set(b)):
        if f not in a or f not in b:
            diff.append(f)
        elif f in TIMES:
            if not close_in_time(a[f], b[f]):
                diff.append(f)
        elif a[f] != b[f]:
            diff.append(f)
    return diff


def per_symbol(d, sym):
    """The keys of `sym` and its stream entries."""
    keys = {k: v for k, v in d.items() if k.endswith(":" + sym)}
    entries = {}
    for k, (t, v, _) in d.items():
        if t == "stream":
            entries[k] = [e for e in v if e.get("symbol") == sym]
    return keys, entries


def verdict(theirs, ours, sym, aged=0):
    """What differs for `sym`; `aged`: seconds their keys' TTLs ran down before the dump more
    than ours did (ours are dumped right after `--once`)."""
    tk, te = per_symbol(theirs, sym)
    ok, ek = per_symbol(ours, sym)
    notes = []
    for k in sorted(set(tk) | set(ok)):
        if k not in tk:
            notes.append(f"{k}: only ours")
            continue
        if k not in ok:
            notes.append(f"{k}: only theirs")
            continue
        (t1, v1, ttl1), (t2, v2, ttl2) = tk[k], ok[k]
        if t1 != t2:
            notes.append(f"{k}: {t1} vs {t2}")
        elif t1 == "hash":
            d = compare_fields(v1, v2)
            if d:
                notes.append(f"{k}: " + ", ".join(f"{f} {v1.get(f)!r} vs {v2.get(f)!r}" for f in d))
        if (ttl1 < 0) != (ttl2 < 0) or (ttl1 >= 0 and abs(ttl1 + aged - ttl2) > 2):
            notes.append(f"{k}: TTL {ttl1} vs {ttl2}")
    for k in sorted(set(te) | set(ek)):
        a, b = te.get(k, []), ek.get(k, [])
        if not a and b:
            notes.append(f"{k}: only ours ({len(b)} entries)")
        elif a and not b:
            notes.append(f"{k}: only theirs ({len(a)} entries)")
        elif len(a) != len(b):
            notes.append(f"{k}: {len(a)} entries vs {len(b)}")
        for x, y in zip(a, b):
            d = compare_fields(x, y)
            if d:
                notes.append(f"{k} entry: " + ", ".join(d))
    return notes


def run_p05(r, port, qt, harvest, closes):
    cases = p05_cases(closes)
    symbols = ",".join(c[0] for c in cases)
    env = dict(os.environ, MARKETSTATE_SYMBOLS=symbols, MARKETSTATE_PUBLISH_INTERVAL="3600",
               MARKETSTATE_REDIS_HOST="127.0.0.1", MARKETSTATE_REDIS_PORT=str(port),
               MARKETSTATE_WINDOW_SIZE="300", MARKETSTATE_SOURCE="candles",
               MARKETSTATE_LOG_LEVEL="INFO")

    seed = seeder(r, cases)
    keys = seed()
    t = time.time()
    log_path = os.path.join(qt, "p05.log")
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([sys.executable, "microservices/market_state_publisher/main.py"],
                                cwd=qt, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        wait_for_line(log_path, "Starting MarketState publisher loop", proc)
        last_write = settle(r, proc)
        proc.kill()
        proc.wait()
    with open(log_path) as f:
        log = f.read()
    t_theirs = time.time() - t
    theirs = dump(r, keys)
    aged = int(time.time() - last_write)
    ours_run, t_ours, ours = ours_once(r, seed, harvest, "publish-market", env)
    print(f"P0.5: running service {t_theirs:.1f} s until settled (includes its start-up), "
          f"ours --once {t_ours:.2f} s (exit {ours_run.returncode})")
    if "Traceback" in log:
        print(log[-3000:])
    return judge("P0.5", cases, theirs, ours, ours_run.stderr, aged)


def judge(name, cases, theirs, ours, our_log, aged=0):
    bad = 0
    for sym, _, expect, why in cases:
        notes = verdict(theirs, ours, sym, aged)
        if not notes:
            got = "same"
        elif all("only ours" in n for n in notes):
            got = "ours only"
        elif all("only theirs" in n for n in notes):
            got = "theirs only"
        else:
            got = "differs"
        mark = "ok " if got == expect else "BAD"
        bad += got != expect
        print(f"  {mark} {sym}: {got.upper()}{' — ' + why if why else ''}")
        for n in notes:
            print(f"        {n}")
    if bad:
        print(f"{name}: {bad} case(s) not as expected; ours said:\n{our_log}")
    return bad


# ---- P1.5: market states as P0.5 writes them, positions as the running system's writers do ----
def market_hash(r, sym, sigma, ts, p_trend, p_mr, p_chop, fields=None):
    """quantum:marketstate:<SYM> in P0.5's text (fixed decimals)."""
    m = {"sigma": f"{sigma:.8f}", "mu": f"{0.0004:.8f}", "ts": f"{ts:.6f}", "p_trend": f"{p_trend:.6f}",
         "p_mr": f"{p_mr:.6f}", "p_chop": f"{p_chop:.6f}", "dp": f"{0.52:.6f}", "vr": f"{0.97:.6f}",
         "spike_proxy": f"{0.81:.6f}", "ts_timestamp": "1796585017", "buffer_size": "300"}
    if fields is not None:
        m = {k: v for k, v in m.items() if k in fields}
    r.hset(f"quantum:marketstate:{sym}", mapping=m)


def p15_cases(closes):
    cases = []

    def add(sym, seed, expect, why=""):
        cases.append((sym, seed, expect, why))

    px = closes[5000]

    def exchange_sync(r, sym, side, amt, mark, pnl, extra=None):
        # position_state_brain (P3.3): its canonical superset.
        m = {"symbol": sym, "position_amt": repr(amt), "side": side, "quantity": repr(abs(amt)),
             "entry_price": repr(px), "mark_price": repr(mark), "current_price": repr(mark),
             "unrealized_pnl": repr(pnl), "leverage": "10", "ts_epoch": "1767225600",
             "source": "position_state_brain"}
        m.update(extra or {})
        r.hset(f"quantum:state:positions:{sym}", mapping=m)

    def apply_layer(r, sym, side):
        # apply_layer's entry write, then unrealized_pnl "0.0".
        r.hset(f"quantum:state:positions:{sym}", mapping={
            "symbol": sym, "side": side, "quantity": "0.004", "entry_price": repr(px), "leverage": "10.0",
            "stop_loss": repr(px * 0.98), "take_profit": repr(px * 1.04), "plan_id": "5f1c2d9e",
            "created_at": "1767225600", "atr_value": "812.5", "volatility_factor": "1.2",
            "entry_risk_usdt": "3.9", "risk_price": "975.0", "risk_missing": "0"})
        r.hset(f"quantum:state:positions:{sym}", "unrealized_pnl", "0.0")

    def both(sym, pos, market=(0.0123, 0.41, 0.52, 0.21, 0.27), fields=None):
        def seed(r):
            market_hash(r, sym, *market, fields=fields)
            pos(r)
        return seed

    add("PAAUSDT", both("PAAUSDT", lambda r: exchange_sync(r, "PAAUSDT", "LONG", 0.5, px * 1.03, px * 0.015)), "same")
    add("PABUSDT", both("PABUSDT", lambda r: exchange_sync(r, "PABUSDT", "SHORT", -2.0, px * 0.97, px * 0.06),
                        market=(0.031, 0.12, 0.2, 0.45, 0.35)), "same")
    add("PACUSDT", both("PACUSDT", lambda r: apply_layer(r, "PACUSDT", "LONG")), "same",
        "apply-layer record (no current_price): both compute on 0.0")
    add("PADUSDT", both("PADUSDT", lambda r: r.hset("quantum:state:positions:PADUSDT", mapping={
        "symbol": "PADUSDT", "side": "LONG", "entry_price": repr(px), "current_price": repr(px * 1.05),
        "peak_price": repr(px * 1.08), "trough_price": repr(px * 0.99), "age_sec": "7200.0",
        "unrealized_pnl": repr(px * 0.05), "current_sl": repr(px * 1.01), "current_tp": repr(px * 1.2)})),
        "same", "a full hash with peak, trough and the SL in force (monotonic)")
    add("PAEUSDT", both("PAEUSDT", lambda r: exchange_sync(r, "PAEUSDT", "LONG", 1.0, px * 1.01, px * 0.01),
                        fields={"sigma", "ts", "p_trend", "p_mr", "p_chop"}),
        "same", "market state without mu, dp, vr, spike_proxy: both read 0.0")
    add("PAFUSDT", lambda r: exchange_sync(r, "PAFUSDT", "LONG", 1.0, px, 0.0), "same",
        "no market state: both skip")
    add("PAGUSDT", lambda r: market_hash(r, "PAGUSDT", 0.01, 0.3, 0.3, 0.3, 0.4), "same",
        "no position: nothing from either")
    add("PAHUSDT", both("PAHUSDT", lambda r: exchange_sync(r, "PAHUSDT", "FLAT", 0.0, px, 0.0)), "same",
        "side FLAT: the running P1.5 raises (Invalid side), ours has no position")
    add("PAIUSDT", both("PAIUSDT", lambda r: exchange_sync(r, "PAIUSDT", "BUY", 1.0, px * 1.02, px * 0.02)),
        "ours only", "side BUY: the running P1.5 raises (Invalid side); ours computes it as LONG")
    add("PAJUSDT", both("PAJUSDT", lambda r: exchange_sync(r, "PAJUSDT", "long", 1.0, px * 1.02, px * 0.02)),
        "ours only", "side `long`: the running P1.5 raises; ours computes it as LONG")
    add("PAKUSDT", both("PAKUSDT", lambda r: exchange_sync(r, "PAKUSDT", "LONG", 1.0, px * 1.02, px * 0.02,
                                                           {"current_sl": "None"})),
        "ours only", "current_sl \"None\": the running P1.5 drops the position; ours reads it as absent")
    add("PALUSDT", both("PALUSDT", lambda r: exchange_sync(r, "PALUSDT", "SHORT", -1.0, px * 0.99, px * 0.01,
                                                           {"symbol": "ETHUSDT"})),
        "ours only", "a record naming another symbol: the running P1.5 raises (Symbol mismatch); ours uses the key's")
    add("PAMUSDT", both("PAMUSDT", lambda r: exchange_sync(r, "PAMUSDT", "LONG", 1.0, px, 0.0),
                        market=(float("nan"), 0.4, 0.5, 0.2, 0.3)),
        "theirs only", "sigma \"nan\": the running P1.5 publishes nan stops; ours skips the symbol")
    return cases


def p15_stream_cases(closes):
    px = closes[7000]
    cases = []

    def add(sym, seed, expect, why=""):
        cases.append((sym, seed, expect, why))

    def event(r, sym, event_type, side, cur=None):
        f = {"event_type": event_type, "symbol": sym, "side": side, "entry_price": repr(px),
             "age_sec": "600.0", "unrealized_pnl": "3.5"}
        if cur is not None:
            f["current_price"] = repr(cur)
        r.xadd("quantum:stream:execution.result", f)

    def seed_a(r):
        market_hash(r, "SAAUSDT", 0.012, 0.4, 0.5, 0.2, 0.3)
        event(r, "SAAUSDT", "POSITION_OPENED", "LONG", px * 1.02)
    add("SAAUSDT", seed_a, "same", "a POSITION_OPENED event")

    def seed_b(r):
        market_hash(r, "SABUSDT", 0.02, 0.2, 0.3, 0.3, 0.4)
        event(r, "SABUSDT", "POSITION_OPENED", "SHORT")
        event(r, "SABUSDT", "POSITION_CLOSED", "SHORT", px)
    add("SABUSDT", seed_b, "same", "the newest POSITION_OPENED (a later CLOSED is not read by either)")

    def seed_c(r):
        market_hash(r, "SACUSDT", 0.02, 0.2, 0.3, 0.3, 0.4)
        event(r, "SACUSDT", "execution.result", "BUY", px)
    add("SACUSDT", seed_c, "same", "an execution.result envelope: no position for either")
    return cases


def run_p15(r, port, qt, harvest, closes):
    bad = 0
    for name, cases in (("P1.5 (hashes)", p15_cases(closes)), ("P1.5 (stream)", p15_stream_cases(closes))):
        symbols = ",".join(c[0] for c in cases)
        env = dict(os.environ, REDIS_URL=f"redis://127.0.0.1:{port}", SYMBOLS=symbols,
                   PUBLISH_INTERVAL_SEC="10", POSITION_SOURCE="auto", ENABLE_STREAM="true",
                   PYTHONPATH=qt)

        seed = seeder(r, cases)
        keys = seed()
        t_theirs, theirs_run = sbs.timed(
            [sys.executable, "microservices/risk_proposal_publisher/main.py", "--once"], cwd=qt, env=env)
        theirs = dump(r, keys)
        ours_run, t_ours, ours = ours_once(r, seed, harvest, "publish-risk", env)
        print(f"{name}: running service --once {t_theirs:.2f} s (exit {theirs_run.returncode}), "
              f"ours --once {t_ours:.2f} s (exit {ours_run.returncode})")
        if "Traceback" in theirs_run.stderr and theirs_run.returncode != 0:
            print(theirs_run.stderr[-3000:])
        bad += judge(name, cases, theirs, ours, ours_run.stderr)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default=MIRROR)
    ap.add_argument("--harvest", default=os.path.join(sbs.ROOT, "target/release/harvest"))
    ap.add_argument("--only", choices=["p05", "p15"])
    a = ap.parse_args()
    with sbs.redis_server(decode_responses=True) as (port, r), \
            sbs.running_code(a.mirror, CHAIN_FILES) as (qt, commit):
        print(f"running services from {a.mirror} at {commit[:12]}; Redis on 127.0.0.1:{port}")
        closes = sbs.sample_closes()
        bad = 0
        if a.only in (None, "p05"):
            bad += run_p05(r, port, qt, a.harvest, closes)
        if a.only in (None, "p15"):
            bad += run_p15(r, port, qt, a.harvest, closes)
        print("all cases as expected" if not bad else f"{bad} case(s) NOT as expected")
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
