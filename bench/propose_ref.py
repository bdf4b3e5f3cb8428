#!/usr/bin/env python3
"""A plain Python `harvest propose`: JSON Lines of inputs on stdin, one proposal (or error) per
line on stdout, with the kernel's rules (crates/kernel: validation, R_net cascade, profit lock,
kill score, reason codes, tranche weights, audit). Standard library only; the reference the CLI's
speed is measured against in BENCHMARKS.md ("CLI on mixed lines").

    python3 bench/propose_ref.py < inputs.jsonl > proposals.jsonl
"""
import json
import math
import sys

# The 22 tunables in wire order: (key, default, validity).
THETA = [
    ("fallback_stop_pct", 0.02, "positive"),
    ("cost_bps", 10.0, "non_negative"),
    ("T1_R", 2.0, "finite"),
    ("T2_R", 4.0, "finite"),
    ("T3_R", 6.0, "finite"),
    ("u1", 0.0, "finite"),
    ("u2", 0.0, "finite"),
    ("u3", 0.0, "finite"),
    ("softmax_temp", 1.0, "positive"),
    ("lock_R", 1.5, "finite"),
    ("be_plus_pct", 0.002, "non_negative"),
    ("trend_min", 0.3, "finite"),
    ("sigma_ref", 0.01, "positive"),
    ("sigma_spike_cap", 2.0, "non_negative"),
    ("ts_ref", 0.3, "finite"),
    ("ts_drop_cap", 0.5, "non_negative"),
    ("max_age_sec", 86400.0, "positive"),
    ("k_regime_flip", 1.0, "non_negative"),
    ("k_sigma_spike", 0.5, "non_negative"),
    ("k_ts_drop", 0.5, "non_negative"),
    ("k_age_penalty", 0.3, "non_negative"),
    ("kill_threshold", 0.6, "open_unit"),
]
DEFAULT_THETA = {k: d for k, d, _ in THETA}
DESCRIBE = {
    "finite": "a finite number",
    "non_negative": "a number ≥ 0",
    "positive": "a number > 0",
    "open_unit": "a number with 0 < value < 1",
}
MIN_RISK_UNIT = 1e-9
PROB_SUM_TOLERANCE = 1e-3


class Refused(Exception):
    pass


def num(v):
    """A JSON number as f64 (ints too); anything else refused like serde would."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Refused("invalid type: expected f64")
    return float(v)


def opt_num(obj, key):
    v = obj.get(key)
    return None if v is None else num(v)


def allows(validity, v):
    if not math.isfinite(v):
        return False
    if validity == "non_negative":
        return v >= 0.0
    if validity == "positive":
        return v > 0.0
    if validity == "open_unit":
        return 0.0 < v < 1.0
    return True


def finite(field, v):
    if not math.isfinite(v):
        raise Refused(f"{field} must be a finite number, got {v}")


def check(field, v, ok, expected):
    finite(field, v)
    if not ok:
        raise Refused(f"{field} = {v} is out of range: expected {expected}")


def validate_theta(t):
    for key, _, validity in THETA:
        v = t[key]
        if not math.isfinite(v):
            raise Refused(f"theta.{key} must be a finite number, got {v}")
        if not allows(validity, v):
            raise Refused(f"theta.{key} = {v} is out of range: expected {DESCRIBE[validity]}")
        if key == "T2_R" and v <= t["T1_R"]:
            raise Refused(f"theta.T2_R = {v} is out of range: expected a number > T1_R")
        if key == "T3_R" and v <= t["T2_R"]:
            raise Refused(f"theta.T3_R = {v} is out of range: expected a number > T2_R")


def propose(rec):
    p = rec["position"]
    m = rec["market_state"]
    side = p["side"]
    if side not in ("LONG", "SHORT"):
        raise Refused("position.side: unknown variant")
    pos = {
        "symbol": p.get("symbol", ""),
        "side": side,
        "entry_price": num(p["entry_price"]),
        "current_price": opt_num(p, "current_price"),
        "peak_price": opt_num(p, "peak_price"),
        "trough_price": opt_num(p, "trough_price"),
        "age_sec": num(p["age_sec"]),
        "unrealized_pnl": num(p["unrealized_pnl"]),
        "current_sl": opt_num(p, "current_sl"),
        "current_tp": opt_num(p, "current_tp"),
        "qty": num(p.get("qty", 1.0)),
    }
    ms = {k: num(m[k]) for k in ("sigma", "ts", "p_trend", "p_mr", "p_chop")}
    p1_in = rec.get("p1_proposal")
    p1 = None
    if p1_in is not None:
        p1 = {
            "stop_dist_pct": num(p1_in["stop_dist_pct"]),
            "proposed_sl": opt_num(p1_in, "proposed_sl"),
            "proposed_tp": opt_num(p1_in, "proposed_tp"),
        }
    theta = dict(DEFAULT_THETA)
    t_in = rec.get("theta")
    if t_in is not None:
        for k, v in t_in.items():
            if k in theta:
                theta[k] = num(v)

    # Validation, in the kernel's order.
    check("position.entry_price", pos["entry_price"], pos["entry_price"] > 0.0, "a price > 0")
    for k in ("current_price", "peak_price", "trough_price"):
        if pos[k] is not None:
            finite("position." + k, pos[k])
    check("position.age_sec", pos["age_sec"], pos["age_sec"] >= 0.0, "seconds ≥ 0")
    finite("position.unrealized_pnl", pos["unrealized_pnl"])
    for k in ("current_sl", "current_tp"):
        if pos[k] is not None:
            finite("position." + k, pos[k])
    check("position.qty", pos["qty"], pos["qty"] > 0.0, "a quantity > 0")
    check("market_state.sigma", ms["sigma"], ms["sigma"] >= 0.0, "σ ≥ 0")
    finite("market_state.ts", ms["ts"])
    for k in ("p_trend", "p_mr", "p_chop"):
        check("market_state." + k, ms[k], 0.0 <= ms[k] <= 1.0, "a probability in [0, 1]")
    warnings = []
    total = ms["p_trend"] + ms["p_mr"] + ms["p_chop"]
    if abs(total - 1.0) > PROB_SUM_TOLERANCE:
        warnings.append({
            "code": "probabilities_not_normalized",
            "field": "market_state",
            "message": f"p_trend + p_mr + p_chop = {total!r}, expected 1 within 0.001; used as given",
        })
    if p1 is not None:
        for k in ("proposed_sl", "proposed_tp"):
            if p1[k] is not None:
                finite("p1_proposal." + k, p1[k])
        if not (math.isfinite(p1["stop_dist_pct"]) and p1["stop_dist_pct"] > 0.0):
            warnings.append({
                "code": "p1_stop_unusable",
                "field": "p1_proposal.stop_dist_pct",
                "message": f"P1 stop_dist_pct = {p1['stop_dist_pct']!r} is not a finite number > 0; "
                f"fallback_stop_pct = {theta['fallback_stop_pct']!r} used",
            })
    validate_theta(theta)

    # Evaluation.
    if p1 is not None and math.isfinite(p1["stop_dist_pct"]) and p1["stop_dist_pct"] > 0.0:
        stop = p1["stop_dist_pct"]
    else:
        stop = theta["fallback_stop_pct"]
    entry, qty = pos["entry_price"], pos["qty"]
    risk_unit = max(entry * stop * qty, MIN_RISK_UNIT)
    cost_est = theta["cost_bps"] / 10000.0 * entry * qty
    r_net = (pos["unrealized_pnl"] - cost_est) / risk_unit
    if r_net >= theta["T3_R"]:
        harvest = "PARTIAL_75"
    elif r_net >= theta["T2_R"]:
        harvest = "PARTIAL_50"
    elif r_net >= theta["T1_R"]:
        harvest = "PARTIAL_25"
    else:
        harvest = "NONE"
    new_sl = None
    if r_net >= theta["lock_R"]:
        if side == "LONG":
            level = entry * (1.0 + theta["be_plus_pct"])
            tightens = pos["current_sl"] is None or level > pos["current_sl"]
        else:
            level = entry * (1.0 - theta["be_plus_pct"])
            tightens = pos["current_sl"] is None or level < pos["current_sl"]
        if tightens:
            new_sl = level
    regime_flip = 1.0 if ms["p_trend"] < theta["trend_min"] and ms["p_chop"] + ms["p_mr"] > 0.5 else 0.0
    sigma_spike = max(min(ms["sigma"] / theta["sigma_ref"] - 1.0, theta["sigma_spike_cap"]), 0.0)
    ts_drop = max(min(theta["ts_ref"] - ms["ts"], theta["ts_drop_cap"]), 0.0)
    age_penalty = max(min(pos["age_sec"] / theta["max_age_sec"], 1.0), 0.0)
    z = (theta["k_regime_flip"] * regime_flip + theta["k_sigma_spike"] * sigma_spike
         + theta["k_ts_drop"] * ts_drop + theta["k_age_penalty"] * age_penalty)
    kill_score = 1.0 / (1.0 + math.exp(-z))
    killed = kill_score >= theta["kill_threshold"]
    codes = []
    if harvest != "NONE":
        codes.append("harvest_partial_" + harvest[-2:])
    if new_sl is not None:
        codes.append("profit_lock")
    if killed:
        codes.append("kill_score_triggered")
        if regime_flip > 0.0:
            codes.append("regime_flip")
        if sigma_spike > 0.5:
            codes.append("sigma_spike")
        if ts_drop > 0.2:
            codes.append("ts_drop")
        if age_penalty > 0.5:
            codes.append("age_penalty")
    t = theta["softmax_temp"]
    x = [theta["u1"] / t, theta["u2"] / t, theta["u3"] / t]
    mx = max(x)
    if math.isfinite(mx):
        e = [math.exp(v - mx) for v in x]
        s = e[0] + e[1] + e[2]
        weights = [e[0] / s, e[1] / s, e[2] / s]
    else:
        weights = [1.0 / 3.0] * 3
    out = {
        "harvest_action": "FULL_CLOSE_PROPOSED" if killed else harvest,
        "new_sl_proposed": new_sl,
        "R_net": r_net,
        "risk_unit": risk_unit,
        "cost_est": cost_est,
        "kill_score": kill_score,
        "reason_codes": codes,
        "audit": {
            "position": pos,
            "market_state": ms,
            "p1_proposal": p1,
            "theta": theta,
            "tranche_weights": weights,
            "k_components": {
                "regime_flip": regime_flip,
                "sigma_spike": sigma_spike,
                "ts_drop": ts_drop,
                "age_penalty": age_penalty,
            },
            "z": z,
        },
    }
    if warnings:
        out["warnings"] = warnings
    return out


def main():
    write = sys.stdout.write
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            write(dumps(propose(json.loads(line))))
        except (Refused, KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
            write(dumps({"line": n, "error": str(e)}))
        write("\n")


if __name__ == "__main__":
    main()
