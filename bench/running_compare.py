#!/usr/bin/env python3
"""The running P2.5 publisher and `harvest publish --once`, side by side on the same Redis contents.

For each case (the rows of ../shared/spec/running-system.md's P2.5 table, the policy cases and a
50-symbol bulk case with records shaped as the running system's services write them), this
script seeds a fresh redis-server, runs the running publisher's one cycle (`main.py --once`, from
the public repository binyaminsemerci-ops/quantum_trader, extracted from a local mirror at run
time: no code of it is in this file), dumps every key it wrote, seeds the same contents again,
runs `harvest publish --once`, dumps again, and compares every key and field: which symbols got a
proposal, and every field's value as a Python float (and as text). Harvest Lab's own additions
(`proposal_json`, `kernel_version`) and the clock fields (`computed_at_utc`, `last_update_epoch`:
their format is compared, not their value) are left out of the value comparison.

Each case says what is expected: `same`, or the deliberate difference of the spec row. The script
exits 1 if any case differs from what is expected.

    python3 bench/running_compare.py [--mirror PATH] [--harvest target/release/harvest]

Needs: redis-server, python3 with `redis` (pip install redis), a built `harvest`.
The running publisher reads its policy with `PolicyStore()`, which always connects to
localhost:6379; this script points that default at the test's Redis (a patch of redis-py's
constructor defaults in the process that runs it), so both publishers see the same policy.
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time

import side_by_side as sbs

MIRROR = sbs.MIRROR
FILES = [
    "microservices/harvest_proposal_publisher",
    "ai_engine/risk_kernel_harvest.py",
    "lib/policy_store.py",
]
OURS_ONLY = {"proposal_json", "kernel_version"}
CLOCK = {"computed_at_utc", "last_update_epoch"}

# Records as the running system's services write them (see crates/publisher/tests/running_rows.rs
# for where each comes from).
APPLY_LAYER = {
    "symbol": "{sym}", "side": "LONG", "quantity": "0.004", "entry_price": "97250.1",
    "leverage": "10", "stop_loss": "95305.098", "take_profit": "101140.104",
    "plan_id": "5f1c2d9e", "created_at": "1767225600", "atr_value": "812.5",
    "volatility_factor": "1.2", "entry_risk_usdt": "3.9", "risk_price": "975.0",
    "risk_missing": "0", "unrealized_pnl": "0.0",
}
EXCHANGE_SYNC = {
    "symbol": "{sym}", "side": "SHORT", "position_amt": "-1.5", "quantity": "1.5",
    "entry_price": "3410.25", "unrealized_pnl": "61.5", "leverage": "20",
    "ts_epoch": "1767222000", "source": "sync_from_exchange",
}
P33 = {
    "symbol": "{sym}", "position_amt": "12.0", "side": "LONG", "quantity": "12.0",
    "entry_price": "187.42", "mark_price": "191.07", "current_price": "191.07",
    "unrealized_pnl": "43.80000000", "leverage": "10", "ts_epoch": "1767225000",
    "source": "position_state_brain",
}
MARKET = {
    "sigma": "0.01200000", "mu": "0.00010000", "ts": "0.350000", "p_trend": "0.550000",
    "p_mr": "0.250000", "p_chop": "0.200000", "dp": "0.001000", "vr": "1.100000",
    "spike_proxy": "0.400000", "ts_timestamp": "1767225600", "buffer_size": "300",
}
P1 = {
    "proposed_sl": "95305.098", "proposed_tp": "101140.104", "stop_dist_pct": "0.02",
    "tp_dist_pct": "0.04", "trail_gap_pct": "0.01", "reason_codes": "regime_trend",
    "ts": "0.35", "sigma": "0.012", "p_trend": "0.0", "p_mr": "0.25", "p_chop": "0.2",
    "computed_at_utc": "2026-01-01T00:00:00.125000", "position_side": "LONG",
    "position_age_sec": "0.0", "position_current_price": "0.0",
    "position_entry_price": "97250.1",
}
POLICY = {
    "universe_symbols": '["BTCUSDT", "ETHUSDT", "SOLUSDT"]',
    "leverage_by_symbol": '{"BTCUSDT": 5.0, "ETHUSDT": 3.0, "SOLUSDT": 3.0}',
    "harvest_params": '{"T1_R": 1.25, "T2_R": 2.5, "lock_R": 0.8, "kill_threshold": 0.55, '
                      '"k_age_penalty": 0.45, "cost_bps": 12.0}',
    "kill_params": '{"k_regime_flip": 1.0}',
    "policy_version": "1.0.0-ai-v1",
    "generator": "ai_universe_v1",
}


def rec(template, sym, **changes):
    r = {k: v.replace("{sym}", sym) for k, v in template.items()}
    for k, v in changes.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


def seed_symbol(r, sym, position=None, market=None, p1=True, stream=None):
    r.hset(f"quantum:marketstate:{sym}", mapping=market or MARKET)
    if p1:
        r.hset(f"quantum:risk:proposal:{sym}", mapping=P1 if p1 is True else p1)
    if position is not None:
        r.hset(f"quantum:state:positions:{sym}", mapping=position)
    for entry in stream or []:
        r.xadd("quantum:stream:execution", entry)


def case_list():
    """(name, spec row, seed(r), env, expected) — expected: 'same' or why it differs."""
    now = time.time()
    cases = []

    def add(name, row, seed, expected="same", **env):
        cases.append((name, row, seed, env, expected))

    add("apply layer hash (no age_sec, no current_price)", "apply layer",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT", unrealized_pnl="7900.5")),
        SYMBOLS="BTCUSDT")
    add("exchange sync hash", "exchange sync",
        lambda r: seed_symbol(r, "ETHUSDT", rec(EXCHANGE_SYNC, "ETHUSDT")), SYMBOLS="ETHUSDT")
    add("P3.3 snapshot hash", "exchange sync",
        lambda r: seed_symbol(r, "SOLUSDT", rec(P33, "SOLUSDT")), SYMBOLS="SOLUSDT")
    add("no current/peak/trough price in a hash", "missing prices (hash)",
        lambda r: seed_symbol(r, "BTCUSDT", {"side": "LONG", "entry_price": "100.0",
                                             "age_sec": "3600", "unrealized_pnl": "5.0"}),
        SYMBOLS="BTCUSDT")
    add("no current price in a stream entry", "missing prices (stream)",
        lambda r: seed_symbol(r, "BTCUSDT", None, stream=[
            {"symbol": "BTCUSDT", "side": "SHORT", "entry_price": "250.5", "size_usd": "1000.0",
             "unrealized_pnl": "-2.5", "realized_pnl": "0.0", "timestamp": "2026-01-01T00:00:00"}]),
        SYMBOLS="BTCUSDT")
    for label, stop in [("no stop_dist_pct", None), ("empty stop_dist_pct", ""),
                        ("stop_dist_pct not a number", "abc")]:
        p1 = dict(P1)
        if stop is None:
            del p1["stop_dist_pct"]
        else:
            p1["stop_dist_pct"] = stop
        add(f"P1 {label}", "P1 without a usable stop",
            lambda r, p1=p1: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT",
                                                           unrealized_pnl="7900.5"), p1=p1),
            SYMBOLS="BTCUSDT", FALLBACK_STOP_PCT="0.03")
    add("position hash's symbol names another symbol", "symbol field",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "ETHUSDT", unrealized_pnl="900")),
        SYMBOLS="BTCUSDT")
    add("quantity 0.004 in the position", "qty / quantity",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT", unrealized_pnl="900")),
        SYMBOLS="BTCUSDT")
    add("auto: one symbol has a hash, another a stream entry", "position source auto",
        lambda r: (seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT")),
                   seed_symbol(r, "ETHUSDT", None, stream=[
                       {"symbol": "ETHUSDT", "side": "LONG", "entry_price": "100",
                        "unrealized_pnl": "1"}])),
        SYMBOLS="BTCUSDT,ETHUSDT")
    add("auto: no hash, stream entries beyond the newest 100", "position source auto",
        lambda r: (seed_symbol(r, "AUSDT", None, stream=[
            {"symbol": "AUSDT", "side": "LONG", "entry_price": "100", "unrealized_pnl": "5.1"}]),
                   seed_symbol(r, "BUSDT", None, stream=[
                       {"symbol": "BUSDT", "side": "LONG", "entry_price": "100",
                        "unrealized_pnl": "1"}] * 100)),
        SYMBOLS="AUSDT,BUSDT")
    add("auto: no position anywhere", "position source auto (synthetic)",
        lambda r: seed_symbol(r, "BTCUSDT", None),
        "deliberate: the running publisher invents a position (synthetic); Harvest Lab publishes "
        "nothing", SYMBOLS="BTCUSDT")
    for side in ["BUY", "long", "SELL"]:
        add(f"side {side}", "side BUY / long",
            lambda r, side=side: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT", side=side,
                                                               unrealized_pnl="7900.5")),
            "same" if side == "SELL" else
            "deliberate: computed as LONG (the running publisher: SHORT), so new_sl_proposed differs",
            SYMBOLS="BTCUSDT")
    for side in ["FLAT", "NONE", "CLOSED", ""]:
        add(f"side {side or '(empty)'}", "side FLAT",
            lambda r, side=side: seed_symbol(r, "BTCUSDT", rec(P33, "BTCUSDT", side=side,
                                                               position_amt="0.0")),
            "deliberate: no position, no proposal (the running publisher computes it as SHORT)",
            SYMBOLS="BTCUSDT")
    add("newest stream entry FLAT", "side FLAT",
        lambda r: seed_symbol(r, "BTCUSDT", None, stream=[
            {"symbol": "BTCUSDT", "side": "LONG", "entry_price": "100", "unrealized_pnl": "1"},
            {"symbol": "BTCUSDT", "side": "FLAT", "entry_price": "100", "unrealized_pnl": "0"}]),
        "deliberate: no position, no proposal", SYMBOLS="BTCUSDT")
    add("current_sl / current_tp None", "current_sl None",
        lambda r: seed_symbol(r, "BTCUSDT", {"side": "LONG", "entry_price": "100.0",
                                             "current_price": "104.0", "age_sec": "3600",
                                             "unrealized_pnl": "5.0", "current_sl": "None",
                                             "current_tp": "None"}),
        "deliberate: None is absent and the proposal published (the running publisher drops the "
        "symbol)", SYMBOLS="BTCUSDT")
    add("market state field empty", "market state empty/missing",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT"),
                              market=dict(MARKET, ts="")),
        "deliberate: skipped, named (the running publisher reads 0.0)", SYMBOLS="BTCUSDT")
    add("market state field missing", "market state empty/missing",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT"),
                              market={k: v for k, v in MARKET.items() if k != "p_chop"}),
        "deliberate: skipped, named (the running publisher reads 0.0)", SYMBOLS="BTCUSDT")
    add("P1 stop_dist_pct 0, no policy, FALLBACK_STOP_PCT 0.03", "P1 stop 0",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT", unrealized_pnl="7900.5"),
                              p1=dict(P1, stop_dist_pct="0.0")),
        "deliberate: the configured fallback stop (the running publisher: the built-in 0.02)",
        SYMBOLS="BTCUSDT", FALLBACK_STOP_PCT="0.03")
    add("a proposal left from a position that is gone", "position gone (extra)",
        lambda r: (seed_symbol(r, "BTCUSDT", None),
                   r.hset("quantum:harvest:proposal:BTCUSDT",
                          mapping={"harvest_action": "PARTIAL_25", "R_net": "2.5"})),
        "deliberate: the stale proposal is deleted (the running publisher leaves it)",
        SYMBOLS="BTCUSDT", POSITION_SOURCE="redis_hash")
    add("entry_price missing", "kernel refuses (extra)",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT", entry_price=None)),
        "deliberate: skipped, named (the running publisher computes with entry 0)",
        SYMBOLS="BTCUSDT")
    add("stream source on", "proposal stream",
        lambda r: seed_symbol(r, "BTCUSDT", rec(APPLY_LAYER, "BTCUSDT", unrealized_pnl="7900.5")),
        SYMBOLS="BTCUSDT", ENABLE_STREAM="true")
    # The policy store.
    for label, changes, expected in [
        ("valid policy", {}, "same"),
        ("expired policy", {"valid_until_epoch": str(now - 60)}, "same"),
        ("policy with broken JSON", {"harvest_params": '{"T1_R": 1.25'}, "same"),
        ("policy missing a field", {"kill_params": None}, "same"),
    ]:
        pol = dict(POLICY, valid_until_epoch=str(now + 3600))
        for k, v in changes.items():
            if v is None:
                pol.pop(k)
            else:
                pol[k] = v

        def seed(r, pol=pol):
            for sym, pnl in [("BTCUSDT", "1600.5"), ("ETHUSDT", "61.5")]:
                tmpl = APPLY_LAYER if sym == "BTCUSDT" else EXCHANGE_SYNC
                seed_symbol(r, sym, rec(tmpl, sym, unrealized_pnl=pnl))
            r.hset("quantum:policy:current", mapping=pol)
        add(label, "policy store", seed, expected, SYMBOLS="BTCUSDT,ETHUSDT")

    # 50 symbols, positions from the apply layer and the exchange sync, varied numbers.
    def bulk(r):
        rng = random.Random(17)
        for i in range(50):
            sym = f"S{i:02d}USDT"
            entry = round(rng.uniform(0.5, 50000), rng.choice([2, 4, 6]))
            pnl = round(rng.uniform(-0.05, 0.25) * entry * rng.choice([1, 0.01]), 6)
            market = {
                "sigma": f"{rng.uniform(0.002, 0.04):.8f}", "mu": "0.00000000",
                "ts": f"{rng.uniform(0.0, 0.8):.6f}",
            }
            pt = rng.random()
            pm = rng.random() * (1 - pt)
            market.update(p_trend=f"{pt:.6f}", p_mr=f"{pm:.6f}", p_chop=f"{1 - pt - pm:.6f}")
            if i % 2:
                pos = rec(APPLY_LAYER, sym, entry_price=repr(entry), unrealized_pnl=repr(pnl),
                          side=rng.choice(["LONG", "SHORT"]))
            else:
                pos = rec(EXCHANGE_SYNC, sym, entry_price=repr(entry), unrealized_pnl=repr(pnl),
                          side=rng.choice(["LONG", "SHORT"]))
            p1 = dict(P1, stop_dist_pct=repr(round(rng.uniform(0.004, 0.05), 5)))
            seed_symbol(r, sym, pos, market=market, p1=p1 if i % 5 else False)
    add("50 symbols, apply layer and exchange sync", "bulk", bulk,
        SYMBOLS=",".join(f"S{i:02d}USDT" for i in range(50)))
    return cases


RUNNER = r"""
import runpy, sys, redis
port = int(sys.argv[1])
orig = redis.Redis.__init__
def init(self, *a, **kw):
    if kw.get("host") == "localhost" and kw.get("port") == 6379:
        kw["host"], kw["port"] = "127.0.0.1", port
    orig(self, *a, **kw)
redis.Redis.__init__ = init
sys.argv = [sys.argv[2], "--once"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def dump(r):
    out = {}
    for key in sorted(r.scan_iter("quantum:harvest:proposal:*")):
        out[key] = r.hgetall(key)
    if r.exists("quantum:stream:harvest.proposal"):
        out["stream"] = [f for _, f in r.xrange("quantum:stream:harvest.proposal")]
    return out


def as_float(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def compare(theirs, ours):
    """Differences: keys written by one only, fields that differ."""
    diffs = []
    for key in sorted(set(theirs) | set(ours)):
        if key == "stream":
            t, o = theirs.get(key, []), ours.get(key, [])
            if len(t) != len(o):
                diffs.append(f"stream: {len(t)} entries vs {len(o)}")
            continue
        if key not in ours:
            diffs.append(f"{key}: written by the running publisher only")
            continue
        if key not in theirs:
            diffs.append(f"{key}: written by harvest only")
            continue
        t, o = theirs[key], ours[key]
        for f in sorted((set(t) | set(o)) - OURS_ONLY):
            a, b = t.get(f), o.get(f)
            if f in CLOCK:
                ok = a is not None and b is not None and (
                    f == "last_update_epoch" or
                    ("T" in a and "T" in b and "+" not in b and not b.endswith("Z")))
                if not ok:
                    diffs.append(f"{key} {f}: format {a!r} vs {b!r}")
                continue
            fa, fb = as_float(a), as_float(b)
            if a == b or (fa is not None and fb is not None and fa == fb):
                continue
            diffs.append(f"{key} {f}: {a!r} vs {b!r}")
    return diffs


def count_fields(theirs, ours):
    n = 0
    for key in set(theirs) & set(ours):
        if key != "stream":
            n += len((set(theirs[key]) & set(ours[key])) - OURS_ONLY - CLOCK)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default=MIRROR)
    ap.add_argument("--harvest", default=None)
    ap.add_argument("--json", help="also write the results as JSON to this file")
    ap.add_argument("--fixtures", help="also write every record the running publisher wrote, "
                    "per case, to this JSON file (the tests' fixtures of its records)")
    args = ap.parse_args()
    harvest = args.harvest or next(
        (p for p in (os.path.join(sbs.ROOT, "target/release/harvest"),
                     os.path.join(sbs.ROOT, "target/debug/harvest")) if os.path.exists(p)), None)
    if not harvest:
        sys.exit("build harvest first: cargo build --release --bin harvest")
    with sbs.running_code(args.mirror, FILES) as (work, commit), \
            sbs.redis_server(decode_responses=True) as (port, r):
        commit = commit[:9]  # as `git rev-parse --short` spells it (the fixture names it so)
        main_py = os.path.join(work, "microservices/harvest_proposal_publisher/main.py")
        url = f"redis://127.0.0.1:{port}/0"
        results, bad, fields, fixtures = [], 0, 0, []
        for name, row, seed, env, expected in case_list():
            base = dict(os.environ, REDIS_URL=url, POSITION_SOURCE="auto",
                        ENABLE_STREAM="false", FALLBACK_STOP_PCT="0.02")
            base.update(env)
            r.flushall()
            seed(r)
            subprocess.run([sys.executable, "-c", RUNNER, str(port), main_py],
                           env=base, capture_output=True, check=False)
            theirs = dump(r)
            fixtures.append({"case": name, "env": env, "records": [
                dict(v, key=k, symbol=k.rsplit(":", 1)[1])
                for k, v in theirs.items() if k != "stream"]})
            r.flushall()
            seed(r)
            ours_run = subprocess.run([harvest, "publish", "--once"], env=base,
                                      capture_output=True, text=True)
            ours = dump(r)
            diffs = compare(theirs, ours)
            fields += count_fields(theirs, ours)
            got = "same" if not diffs else "differs"
            ok = (got == "same") == (expected == "same")
            bad += not ok
            results.append({"case": name, "row": row, "expected": expected, "got": got,
                            "differences": diffs, "harvest_exit": ours_run.returncode,
                            "ok": ok})
            mark = "ok " if ok else "UNEXPECTED"
            print(f"{mark} {name}: {got}" + (f" ({expected})" if expected != "same" else ""))
            for d in diffs[:6]:
                print(f"      {d}")
        print(f"\n{len(results)} cases against the running publisher at {commit}; "
              f"{fields} fields compared where both published; "
              f"{sum(1 for x in results if x['got'] == 'same')} the same, "
              f"{sum(1 for x in results if x['got'] != 'same')} deliberately different, "
              f"{bad} unexpected")
        if args.fixtures:
            with open(args.fixtures, "w") as f:
                json.dump({"source": "records written by the running P2.5 publisher "
                           "(binyaminsemerci-ops/quantum_trader microservices/"
                           "harvest_proposal_publisher/main.py) at " + commit +
                           ", one --once cycle per case of bench/running_compare.py",
                           "mirror_commit": commit, "cases": fixtures}, f, indent=1)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"mirror_commit": commit, "when": datetime.datetime.utcnow()
                           .isoformat(), "results": results}, f, indent=1)
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
