//! Records as the running system's writers shape them, for tests (the `test-support` feature, not
//! public API): the position hashes of the apply layer, the exchange sync and P3.3, market
//! states, and a published record's texts. The records' own tests, the publisher's, the
//! features' and the CLI's use the same ones.

/// The apply layer's position hash on entry (microservices/apply_layer/main.py,
/// `position_mapping`, then `unrealized_pnl` "0.0"; values as its `str()` writes them).
pub const APPLY_LAYER: &[(&str, &str)] = &[
    ("symbol", "BTCUSDT"),
    ("side", "LONG"),
    ("quantity", "0.004"),
    ("entry_price", "97250.1"),
    ("leverage", "10"),
    ("stop_loss", "95305.098"),
    ("take_profit", "101140.104"),
    ("plan_id", "5f1c2d9e-8c1b-4a55-9a7e-3c0d8f1e2b77"),
    ("created_at", "1767225600"),
    ("atr_value", "812.5"),
    ("volatility_factor", "1.2"),
    ("entry_risk_usdt", "3.9"),
    ("risk_price", "975.0"),
    ("risk_missing", "0"),
    ("unrealized_pnl", "0.0"),
];

/// The exchange sync's create (scripts/sync_positions_from_exchange.py, `position_data`:
/// `str(float)` of Binance's numbers).
pub const EXCHANGE_SYNC: &[(&str, &str)] = &[
    ("symbol", "ETHUSDT"),
    ("side", "SHORT"),
    ("position_amt", "-1.5"),
    ("quantity", "1.5"),
    ("entry_price", "3410.25"),
    ("unrealized_pnl", "61.5"),
    ("leverage", "20"),
    ("ts_epoch", "1767222000"),
    ("source", "sync_from_exchange"),
];

/// P3.3's exchange snapshot (microservices/position_state_brain/main.py, `canonical_data`:
/// Binance's text as is).
pub const P33_SNAPSHOT: &[(&str, &str)] = &[
    ("symbol", "SOLUSDT"),
    ("position_amt", "12.0"),
    ("side", "LONG"),
    ("quantity", "12.0"),
    ("entry_price", "187.42"),
    ("mark_price", "191.07"),
    ("current_price", "191.07"),
    ("unrealized_pnl", "43.80000000"),
    ("leverage", "10"),
    ("ts_epoch", "1767225000"),
    ("source", "position_state_brain"),
];

/// P0.5's market state hash as it writes it (fixed decimals: σ 0.012, μ 0.0001, trend strength
/// 0.35, regime 0.55 / 0.25 / 0.2).
pub const MARKET_STATE: &[(&str, &str)] = &[
    ("sigma", "0.01200000"),
    ("mu", "0.00010000"),
    ("ts", "0.350000"),
    ("p_trend", "0.550000"),
    ("p_mr", "0.250000"),
    ("p_chop", "0.200000"),
    ("dp", "0.001000"),
    ("vr", "1.100000"),
    ("spike_proxy", "0.400000"),
    ("ts_timestamp", "1767225600"),
    ("buffer_size", "300"),
];

/// A market state with only the five fields P2.5 reads, as plain texts (σ 0.01, trend strength
/// 0.4, regime 0.6 / 0.2 / 0.2).
pub const MARKET_READ: &[(&str, &str)] = &[
    ("sigma", "0.01"),
    ("ts", "0.4"),
    ("p_trend", "0.6"),
    ("p_mr", "0.2"),
    ("p_chop", "0.2"),
];

/// An entry of `quantum:stream:execution` with the fields the running publisher reads from one
/// (`PositionUpdate` of ai_engine/services/eventbus_bridge.py; no service of that repository
/// writes the stream): `symbol`, `side`, `entry_price` 100 and `unrealized_pnl`, then `extra`.
///
/// ```
/// use harvest_records::samples::execution_entry;
/// let e = execution_entry("AUSDT", "LONG", "1", &[("age_sec", "60")]);
/// assert_eq!(e[2], ("entry_price", "100"));
/// ```
pub fn execution_entry<'a>(
    symbol: &'a str,
    side: &'a str,
    pnl: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut e = vec![
        ("symbol", symbol),
        ("side", side),
        ("entry_price", "100"),
        ("unrealized_pnl", pnl),
    ];
    e.extend_from_slice(extra);
    e
}

/// `record` with `changes`: each field named there takes its value, or is added at the end.
///
/// ```
/// use harvest_records::samples::{with, APPLY_LAYER};
/// let r = with(APPLY_LAYER, &[("symbol", "AUSDT"), ("age_sec", "60")]);
/// assert_eq!((r[0], r[r.len() - 1]), (("symbol", "AUSDT"), ("age_sec", "60")));
/// ```
pub fn with<'a>(
    record: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut out = record.to_vec();
    for &(k, v) in changes {
        match out.iter_mut().find(|(f, _)| *f == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// A published record as the two texts a reviewer is given: a JSON object, and a flat JSON list
/// `[field, value, …]` (as `redis-cli -2 --json HGETALL` prints a hash).
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::samples::record_texts;
/// let [object, flat] = record_texts(&fields(&[("kill_score", "0.5")]));
/// assert_eq!(object, r#"{"kill_score":"0.5"}"#);
/// assert_eq!(flat, r#"["kill_score","0.5"]"#);
/// ```
pub fn record_texts(f: &crate::Fields) -> [String; 2] {
    let object = serde_json::to_string(f).expect("text fields");
    let flat: Vec<&str> = f
        .iter()
        .flat_map(|(k, v)| [k.as_str(), v.as_str()])
        .collect();
    [object, serde_json::to_string(&flat).expect("texts")]
}
