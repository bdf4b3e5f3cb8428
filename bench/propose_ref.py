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

# The 22 tunables in wire order: (key, default, sensible range, divisor). A non-finite value is
# an error, so is 0 for a divisor; a value outside its sensible range is a warning.
THETA = [
    ("fallback_stop_pct", 0.02, "positive", False),
    ("cost_bps", 10.0, "non_negative", False),
    ("T1_R", 2.0, "finite", False),
    ("T2_R", 4.0, "finite", False),
    ("T3_R", 6.0, "finite", False),
    ("u1", 0.0, "finite", False),
    ("u2", 0.0, "finite", False),
    ("u3", 0.0, "finite", False),
    ("softmax_temp", 1.0, "positive", True),
    ("lock_R", 1.5, "finite", False),
    ("be_plus_pct", 0.002, "non_negative", False),
    ("trend_min", 0.3, "finite", False),
    ("sigma_ref", 0.01, "positive", True),
    ("sigma_spike_cap", 2.0, "non_negative", False),
    ("ts_ref", 0.3, "finite", False),
    ("ts_drop_cap", 0.5, "non_negative", False),
    ("max_age_sec", 86400.0, "positive", True),
    ("k_regime_flip", 1.0, "non_negative", False),
    ("k_sigma_spike", 0.5, "non_negative", False),
    ("k_ts_drop", 0.5, "non_negative", False),
    ("k_age_penalty", 0.3, "non_negative", False),
    ("kill_threshold", 0.6, "open_unit", False),
]
DEFAULT_THETA = {k: d for k, d, _, _ in THETA}
DESCRIBE = {
    "finite": "a finite number",
    "non_negative": "a number ≥ 0",
    "positive": "a number > 0",
    "open_unit": "a number with 0 < value < 1",
}
MIN_RISK_UNIT = 1e-9
PROB_SUM_TOLERANCE = 1e-3
UNIFORM_BELOW = 1e-9
MAX_EXP_ARG = 709.782712893384


class Refused(Exception):
    pass


def refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def num(v):
    """A JSON number as f64 (ints too); anything else refused like serde would."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Refused("invalid type: expected f64")
    return float(v)


def opt_num(obj, key):
    v = obj.get(key)
    return None if v is None else num(v)


def text(v):
    """A number in a message as the kernel writes it: the shortest digits that read back to v,
    never in exponent form (0.0000001, 100, -0, NaN, inf)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    mantissa, _, exp = repr(abs(v)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)
    while digits.startswith("0"):
        digits = digits[1:]
        point -= 1
    digits = digits.rstrip("0")
    sign = "-" if math.copysign(1.0, v) < 0 else ""
    if not digits:
        return sign + "0"
    if point <= 0:
        return sign + "0." + "0" * -point + digits
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return sign + digits[:point] + "." + digits[point:]


def exp(x):
    """math.exp, with an overflow giving inf as it does in the kernel."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


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
        raise Refused(f"{field} must be a finite number, got {text(v)}")


def check(field, v, ok, expected):
    finite(field, v)
    if not ok:
        raise Refused(f"{field} = {text(v)} is out of range: expected {expected}")


def not_computable(field, v, cause):
    raise Refused(f"{field} is not computable ({text(v)}): {cause}")


def validate_theta(t):
    """Errors: a non-finite value, 0 for a divisor (the kernel divides by it)."""
    for key, _, _, divisor in THETA:
        v = t[key]
        finite("theta." + key, v)
        if divisor and v == 0.0:
            raise Refused(f"theta.{key} = {text(v)} is out of range: "
                          f"expected a finite number ≠ 0 (the kernel divides by it)")


def theta_warnings(t, warnings):
    """Values outside their sensible range and unordered thresholds: computed as given."""
    for key, _, validity, _ in THETA:
        v = t[key]
        if not allows(validity, v):
            warnings.append({
                "code": "theta_out_of_range",
                "field": "theta." + key,
                "message": f"{key} = {text(v)} makes no sense: expected {DESCRIBE[validity]}; "
                           f"used as given, as the P2 system does",
            })
        lower = {"T2_R": "T1_R", "T3_R": "T2_R"}.get(key)
        if lower is not None and math.isfinite(t[lower]) and v <= t[lower]:
            warnings.append({
                "code": "thresholds_unordered",
                "field": "theta." + key,
                "message": f"{key} = {text(v)} ≤ {lower} = {text(t[lower])}: expected "
                           f"T1_R < T2_R < T3_R; the cascade checks T3_R, then T2_R, then T1_R, "
                           f"as written",
            })


def tranche_weights(theta):
    """exp(u_i / softmax_temp) over their sum, as written (no max-shift); 1/3 each when the sum
    is below 1e-9."""
    t = theta["softmax_temp"]
    e = []
    for key in ("u1", "u2", "u3"):
        x = exp(theta[key] / t)
        if not math.isfinite(x):
            raise Refused(f"theta.{key} = {text(theta[key])} is out of range: expected {key} / "
                          f"softmax_temp ≤ {text(MAX_EXP_ARG)} (exp overflows above; "
                          f"softmax_temp = {text(t)})")
        e.append(x)
    s = e[0] + e[1] + e[2]
    if not math.isfinite(s):
        not_computable("audit.tranche_weights", s,
                       f"exp(u1/T) + exp(u2/T) + exp(u3/T) overflows (theta.u1 = "
                       f"{text(theta['u1'])}, theta.u2 = {text(theta['u2'])}, theta.u3 = "
                       f"{text(theta['u3'])}, theta.softmax_temp = {text(t)})")
    if s < UNIFORM_BELOW:
        return [1.0 / 3.0] * 3
    return [e[0] / s, e[1] / s, e[2] / s]


def propose(rec):
    p = rec["position"]
    m = rec["market_state"]
    side = p["side"]
    if side not in ("LONG", "SHORT"):
        raise Refused("position.side: unknown variant")
    symbol = p.get("symbol", "")
    if not isinstance(symbol, str):
        raise Refused("position.symbol: invalid type: expected a string")
    pos = {
        "symbol": symbol,
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

    # Validation, in the kernel's order: errors first, then the warnings.
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
    if p1 is not None:
        finite("p1_proposal.stop_dist_pct", p1["stop_dist_pct"])
        for k in ("proposed_sl", "proposed_tp"):
            if p1[k] is not None:
                finite("p1_proposal." + k, p1[k])
    validate_theta(theta)
    warnings = []
    total = ms["p_trend"] + ms["p_mr"] + ms["p_chop"]
    if abs(total - 1.0) > PROB_SUM_TOLERANCE:
        warnings.append({
            "code": "probabilities_not_normalized",
            "field": "market_state",
            "message": f"p_trend + p_mr + p_chop = {text(total)}, expected 1 within "
                       f"{text(PROB_SUM_TOLERANCE)}; used as given",
        })
    if p1 is not None and p1["stop_dist_pct"] < 0.0:
        warnings.append({
            "code": "p1_stop_negative",
            "field": "p1_proposal.stop_dist_pct",
            "message": f"P1 stop_dist_pct = {text(p1['stop_dist_pct'])} is negative; used as "
                       f"given, as the P2 system does (the risk unit is floored at "
                       f"{text(MIN_RISK_UNIT)})",
        })
    theta_warnings(theta, warnings)
    weights = tranche_weights(theta)

    # Evaluation: P1's stop when P1 is there and its stop is not zero (a negative one too).
    if p1 is not None and p1["stop_dist_pct"] != 0.0:
        stop, stop_from = p1["stop_dist_pct"], "p1_proposal.stop_dist_pct"
    else:
        stop, stop_from = theta["fallback_stop_pct"], "theta.fallback_stop_pct"
    entry, qty, pnl = pos["entry_price"], pos["qty"], pos["unrealized_pnl"]
    risk_unit = max(entry * stop * qty, MIN_RISK_UNIT)
    cost_est = theta["cost_bps"] / 10000.0 * entry * qty
    r_net = (pnl - cost_est) / risk_unit
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
    kill_score = 1.0 / (1.0 + exp(-z))

    # Every intermediate a number the running P2 system would produce too.
    if not math.isfinite(risk_unit):
        not_computable("risk_unit", risk_unit,
                       f"position.entry_price {text(entry)} · {stop_from} {text(stop)} · "
                       f"position.qty {text(qty)} overflows")
    if not math.isfinite(cost_est):
        not_computable("cost_est", cost_est,
                       f"theta.cost_bps {text(theta['cost_bps'])} / 10000 · position.entry_price "
                       f"{text(entry)} · position.qty {text(qty)} overflows")
    if not math.isfinite(r_net):
        not_computable("R_net", r_net,
                       f"(position.unrealized_pnl {text(pnl)} − cost_est {text(cost_est)}) / "
                       f"risk_unit {text(risk_unit)} overflows")
    if new_sl is not None and not math.isfinite(new_sl):
        not_computable("new_sl_proposed", new_sl,
                       f"position.entry_price {text(entry)} · (1 ± theta.be_plus_pct "
                       f"{text(theta['be_plus_pct'])}) overflows")
    if not math.isfinite(z):
        not_computable("audit.z", z,
                       f"z = theta.k_regime_flip {text(theta['k_regime_flip'])} · "
                       f"{text(regime_flip)} + theta.k_sigma_spike {text(theta['k_sigma_spike'])} "
                       f"· {text(sigma_spike)} + theta.k_ts_drop {text(theta['k_ts_drop'])} · "
                       f"{text(ts_drop)} + theta.k_age_penalty {text(theta['k_age_penalty'])} · "
                       f"{text(age_penalty)} overflows")
    if kill_score == 0.0:
        not_computable("kill_score", z,
                       f"K = 1/(1+exp(−z)) with z = {text(z)}: exp(−z) overflows (z below "
                       f"−{text(MAX_EXP_ARG)}); the kill weights theta.k_* are too negative")

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
    # serde refuses NaN and Infinity (not JSON); one decoder, as json.loads keeps one.
    loads = json.JSONDecoder(parse_constant=refuse_constant).decode
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            write(dumps(propose(loads(line))))
        except (Refused, KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
            write(dumps({"line": n, "error": str(e)}))
        write("\n")


if __name__ == "__main__":
    main()
