//! Every row of `../shared/spec/running-system.md`'s P2.5 table, each against a real
//! redis-server, with records shaped as the running system's services write them:
//!
//! - the apply layer's position hash (microservices/apply_layer/main.py, on entry:
//!   `position_mapping`, then `unrealized_pnl` "0.0");
//! - the exchange sync's (scripts/sync_positions_from_exchange.py, `position_data`) and P3.3's
//!   exchange snapshot (microservices/position_state_brain/main.py, `canonical_data`);
//! - an execution-stream entry with the fields the running publisher reads from one
//!   (`PositionUpdate` of ai_engine/services/eventbus_bridge.py; no service of that repository
//!   writes `quantum:stream:execution`);
//! - P0.5's market state (`f"{v:.8f}"` / `:.6f` texts) and P1.5's risk proposal (`str(float)`).
//!
//! `bench/running_compare.py` runs the running publisher itself on the same cases and shows
//! the rows marked "same" publish the same fields and numbers.

use harvest_kernel::{propose, HarvestInput, MarketState, P1Proposal, Position, Proposal, Side};
use harvest_publisher::p25::plan::Rules;
use harvest_publisher::p25::service::{CycleReport, Publisher, Settings};
use harvest_publisher::runtime::settings::PositionSource;
use harvest_records::keys::EXECUTION_STREAM;
use harvest_records::published::RUNNING_FIELDS;
use harvest_records::samples::{
    execution_entry, with, APPLY_LAYER, EXCHANGE_SYNC, MARKET_STATE as MARKET, P33_SNAPSHOT,
};
use harvest_redis::local::{exists, hgetall, hset, run, xadd, LocalRedis};
use harvest_redis::{Fields, Store};

fn market_state() -> MarketState {
    MarketState {
        sigma: 0.012,
        ts: 0.35,
        p_trend: 0.55,
        p_mr: 0.25,
        p_chop: 0.2,
    }
}

/// P1.5's risk proposal hash (`str(float)`).
fn p1_fields(stop: &str) -> Vec<(&'static str, String)> {
    vec![
        ("proposed_sl", "95305.098".into()),
        ("proposed_tp", "101140.104".into()),
        ("stop_dist_pct", stop.to_string()),
        ("tp_dist_pct", "0.04".into()),
        ("trail_gap_pct", "0.01".into()),
        ("reason_codes", "regime_trend".into()),
        ("ts", "0.35".into()),
        ("sigma", "0.012".into()),
        ("p_trend", "0.0".into()),
        ("p_mr", "0.25".into()),
        ("p_chop", "0.2".into()),
        ("computed_at_utc", "2026-01-01T00:00:00.125000".into()),
        ("position_side", "LONG".into()),
        ("position_age_sec", "0.0".into()),
        ("position_current_price", "0.0".into()),
        ("position_entry_price", "97250.1".into()),
    ]
}

fn hset_owned(s: &mut Store, key: &str, fields: &[(&'static str, String)]) {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    hset(s, key, &pairs);
}

fn proposal(s: &mut Store, sym: &str) -> Fields {
    hgetall(s, &format!("quantum:harvest:proposal:{sym}"))
}

/// Market state, P1 and `position` for `sym` (the position's `symbol` field, if any, made `sym`).
fn seed_symbol(s: &mut Store, sym: &str, position: &[(&str, &str)]) {
    hset(s, &format!("quantum:marketstate:{sym}"), MARKET);
    hset_owned(
        s,
        &format!("quantum:risk:proposal:{sym}"),
        &p1_fields("0.02"),
    );
    let position: Vec<(&str, &str)> = position
        .iter()
        .map(|(k, v)| if *k == "symbol" { (*k, sym) } else { (*k, *v) })
        .collect();
    hset(s, &format!("quantum:state:positions:{sym}"), &position);
}

struct Run {
    redis: LocalRedis,
    store: Store,
}

impl Run {
    fn new() -> Run {
        let redis = LocalRedis::started();
        let store = redis.store().unwrap();
        Run { redis, store }
    }

    fn publisher(&self, symbols: &[&str], f: impl FnOnce(&mut Settings)) -> Publisher {
        let mut settings = Settings {
            redis_url: self.redis.url(),
            symbols: symbols.iter().map(|s| s.to_string()).collect(),
            ..Settings::default()
        };
        f(&mut settings);
        Publisher::new(settings).unwrap()
    }

    /// One cycle over `sym` alone, which publishes it: the publisher and the published hash.
    fn publish_one(&mut self, sym: &str) -> (Publisher, Fields) {
        let (p, r) = self.once(&[sym]);
        assert_eq!(counts(&r), (1, 0, 0, 0), "{r}");
        (p, proposal(&mut self.store, sym))
    }

    fn once(&self, symbols: &[&str]) -> (Publisher, CycleReport) {
        let mut p = self.publisher(symbols, |_| {});
        let r = p.cycle().unwrap();
        (p, r)
    }
}

fn counts(r: &CycleReport) -> (usize, usize, usize, usize) {
    (r.published, r.unchanged, r.no_position, r.skipped)
}

/// The proposal the running publisher computes for an apply-layer position: age 0, current price
/// 0.0, no current SL, qty not read; P1's stop.
fn running_proposal(side: Side, entry: f64, pnl: f64, stop: f64, current: f64) -> Proposal {
    propose(&HarvestInput {
        position: Position {
            symbol: String::new(),
            side,
            entry_price: entry,
            current_price: Some(current),
            peak_price: None,
            trough_price: None,
            age_sec: 0.0,
            unrealized_pnl: pnl,
            current_sl: None,
            current_tp: None,
            qty: 1.0,
        },
        market_state: market_state(),
        p1_proposal: Some(P1Proposal {
            stop_dist_pct: stop,
            ..P1Proposal::default()
        }),
        theta: None,
    })
    .unwrap()
}

fn num(f: &Fields, k: &str) -> f64 {
    f[k].parse().unwrap_or_else(|_| panic!("{k} = {}", f[k]))
}

#[test]
fn row_apply_layer_hash_publishes_with_age_0_price_0_and_no_current_sl() {
    let mut rig = Run::new();
    // As written on entry, then with a PnL another service wrote since.
    seed_symbol(
        &mut rig.store,
        "BTCUSDT",
        &with(APPLY_LAYER, &[("unrealized_pnl", "7900.5")]),
    );
    let (_, h) = rig.publish_one("BTCUSDT");
    assert_eq!(h["position_age_sec"], "0.0");
    assert_eq!(h["position_current_price"], "0.0");
    assert_eq!(h["k_age_penalty"], "0.0");
    assert_eq!(h["position_side"], "LONG");
    // stop_loss is not the current SL: the break-even-plus stop is proposed as if none were set.
    let want = running_proposal(Side::Long, 97250.1, 7900.5, 0.02, 0.0);
    assert_eq!(num(&h, "R_net"), want.r_net);
    assert_eq!(num(&h, "new_sl_proposed"), want.new_sl_proposed.unwrap());
    assert_eq!(h["harvest_action"], want.harvest_action.as_str());
    // qty 0.004 is not read: the risk unit is entry × stop, not × quantity.
    assert_eq!(num(&h, "risk_unit"), 97250.1 * 0.02);
}

#[test]
fn row_exchange_sync_and_p33_hashes_publish_with_the_same_defaults() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "ETHUSDT", EXCHANGE_SYNC);
    seed_symbol(&mut rig.store, "SOLUSDT", P33_SNAPSHOT);
    let (p, r) = rig.once(&["ETHUSDT", "SOLUSDT"]);
    assert_eq!(counts(&r), (2, 0, 0, 0), "{r}");
    let eth = proposal(&mut rig.store, "ETHUSDT");
    assert_eq!(
        (
            eth["position_age_sec"].as_str(),
            eth["position_current_price"].as_str()
        ),
        ("0.0", "0.0")
    );
    assert_eq!(eth["position_side"], "SHORT");
    let want = running_proposal(Side::Short, 3410.25, 61.5, 0.02, 0.0);
    assert_eq!(num(&eth, "R_net"), want.r_net);
    assert_eq!(eth.get("new_sl_proposed").map(String::as_str), Some("None"));
    let sol = proposal(&mut rig.store, "SOLUSDT");
    assert_eq!(sol["position_current_price"], "191.07");
    assert_eq!(sol["position_unrealized_pnl"], "43.8");
    // The exchange sync's `symbol` is ETHUSDT under its own key: no note.
    assert_eq!(p.note_of("ETHUSDT"), None);
}

#[test]
fn row_missing_prices_in_a_hash_are_0_peak_and_trough_the_current_price() {
    let mut rig = Run::new();
    let pos: &[(&str, &str)] = &[
        ("side", "LONG"),
        ("entry_price", "100.0"),
        ("age_sec", "3600"),
        ("unrealized_pnl", "5.0"),
    ];
    seed_symbol(&mut rig.store, "XUSDT", pos);
    let (_, h) = rig.publish_one("XUSDT");
    assert_eq!(h["position_current_price"], "0.0");
    let audit: Proposal = serde_json::from_str(&h["proposal_json"]).unwrap();
    let p = &audit.audit.position;
    assert_eq!(
        (p.current_price, p.peak_price, p.trough_price),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    // With a current price, peak and trough default to it.
    hset(
        &mut rig.store,
        "quantum:state:positions:XUSDT",
        &[("current_price", "105.5")],
    );
    rig.publisher(&["XUSDT"], |s| {
        s.own.rules.thresholds.max_publish_age_sec = 0.0
    })
    .cycle()
    .unwrap();
    let h = proposal(&mut rig.store, "XUSDT");
    let audit: Proposal = serde_json::from_str(&h["proposal_json"]).unwrap();
    let p = &audit.audit.position;
    assert_eq!(
        (p.current_price, p.peak_price, p.trough_price),
        (Some(105.5), Some(105.5), Some(105.5))
    );
    assert_eq!(h["position_current_price"], "105.5");
}

#[test]
fn row_missing_prices_in_a_stream_entry_take_the_entry_price() {
    let mut rig = Run::new();
    hset(&mut rig.store, "quantum:marketstate:XUSDT", MARKET);
    xadd(
        &mut rig.store,
        EXECUTION_STREAM,
        &with(
            &execution_entry("XUSDT", "SHORT", "-2.5", &[]),
            &[
                ("entry_price", "250.5"),
                ("size_usd", "1000.0"),
                ("realized_pnl", "0.0"),
                ("timestamp", "2026-01-01T00:00:00"),
            ],
        ),
    );
    let (_, h) = rig.publish_one("XUSDT");
    assert_eq!(h["position_current_price"], "250.5");
    assert_eq!(h["position_side"], "SHORT");
}

#[test]
fn row_p1_without_a_usable_stop_is_no_p1_the_fallback_stop() {
    let mut rig = Run::new();
    let cases: &[(&str, Option<&str>)] = &[
        ("AUSDT", None),
        ("BUSDT", Some("")),
        ("CUSDT", Some("abc")),
        ("DUSDT", Some("None")),
    ];
    let mut syms = Vec::new();
    for (sym, stop) in cases {
        seed_symbol(&mut rig.store, sym, APPLY_LAYER);
        let key = format!("quantum:risk:proposal:{sym}");
        match stop {
            None => {
                run(&mut rig.store, &["HDEL", &key, "stop_dist_pct"]);
            }
            Some(v) => hset(&mut rig.store, &key, &[("stop_dist_pct", v)]),
        }
        syms.push(*sym);
    }
    let mut p = rig.publisher(&syms, |s| s.own.rules.fallback_stop_pct = 0.03);
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (4, 0, 0, 0), "{r}");
    for (sym, _) in cases {
        let h = proposal(&mut rig.store, sym);
        assert_eq!(num(&h, "risk_unit"), 97250.1 * 0.03, "{sym}");
    }
}

#[test]
fn row_the_keys_symbol_wins_over_the_records_with_one_log_line() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "BTCUSDT", APPLY_LAYER);
    hset(
        &mut rig.store,
        "quantum:state:positions:BTCUSDT",
        &[("symbol", "ETHUSDT")],
    );
    let (p, h) = rig.publish_one("BTCUSDT");
    let audit: Proposal = serde_json::from_str(&h["proposal_json"]).unwrap();
    assert_eq!(audit.audit.position.symbol, "BTCUSDT");
    assert_eq!(
        p.note_of("BTCUSDT"),
        Some("published; quantum:state:positions:BTCUSDT: field `symbol` = \"ETHUSDT\" names another symbol: the key's BTCUSDT is used")
    );
}

#[test]
fn row_quantity_is_ignored_by_default() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "ETHUSDT", EXCHANGE_SYNC);
    rig.once(&["ETHUSDT"]);
    let h = proposal(&mut rig.store, "ETHUSDT");
    assert_eq!(num(&h, "risk_unit"), 3410.25 * 0.02);
    assert_eq!(num(&h, "cost_est"), 10.0 / 10000.0 * 3410.25);
}

#[test]
fn row_auto_hashes_if_any_else_the_newest_100_stream_entries_never_synthetic() {
    let mut rig = Run::new();
    for sym in ["AUSDT", "BUSDT"] {
        hset(
            &mut rig.store,
            &format!("quantum:marketstate:{sym}"),
            MARKET,
        );
    }
    // Nothing anywhere: no proposal (the running publisher would invent positions).
    let (_, r) = rig.once(&["AUSDT", "BUSDT"]);
    assert_eq!(counts(&r), (0, 0, 2, 0), "{r}");
    assert!(!exists(&mut rig.store, "quantum:harvest:proposal:AUSDT"));
    // The stream: AUSDT's entry then 100 newer ones of BUSDT: AUSDT is beyond the newest 100.
    let entry = |s: &mut Store, sym: &str| {
        xadd(s, EXECUTION_STREAM, &execution_entry(sym, "LONG", "1", &[]));
    };
    entry(&mut rig.store, "AUSDT");
    for _ in 0..100 {
        entry(&mut rig.store, "BUSDT");
    }
    let (_, r) = rig.once(&["AUSDT", "BUSDT"]);
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
    // One more AUSDT entry: found again.
    entry(&mut rig.store, "AUSDT");
    let (_, r) = rig.once(&["AUSDT", "BUSDT"]);
    assert_eq!(counts(&r), (1, 1, 0, 0), "{r}");
    // A hash for BUSDT: every symbol's position is its hash, AUSDT has none.
    hset(
        &mut rig.store,
        "quantum:state:positions:BUSDT",
        EXCHANGE_SYNC,
    );
    run(
        &mut rig.store,
        &["HSET", "quantum:state:positions:BUSDT", "symbol", "BUSDT"],
    );
    let (_, r) = rig.once(&["AUSDT", "BUSDT"]);
    assert_eq!(counts(&r), (0, 1, 1, 0), "{r}");
    assert!(proposal(&mut rig.store, "AUSDT").is_empty());
}

#[test]
fn row_buy_and_long_are_computed_as_long_the_side_text_written_as_given() {
    let mut rig = Run::new();
    let mut syms = Vec::new();
    for (sym, side) in [
        ("AUSDT", "BUY"),
        ("BUSDT", "long"),
        ("CUSDT", "SELL"),
        ("DUSDT", "LONG"),
    ] {
        let mut pos: Vec<(&str, &str)> = APPLY_LAYER.to_vec();
        pos.retain(|(k, _)| *k != "symbol");
        pos[0] = ("side", side);
        seed_symbol(&mut rig.store, sym, &pos);
        hset(
            &mut rig.store,
            &format!("quantum:state:positions:{sym}"),
            &[("unrealized_pnl", "7900.5")],
        );
        syms.push(sym);
    }
    rig.once(&syms);
    let long = running_proposal(Side::Long, 97250.1, 7900.5, 0.02, 0.0);
    let short = running_proposal(Side::Short, 97250.1, 7900.5, 0.02, 0.0);
    for (sym, side, want) in [
        ("AUSDT", "BUY", &long),
        ("BUSDT", "long", &long),
        ("CUSDT", "SELL", &short),
        ("DUSDT", "LONG", &long),
    ] {
        let h = proposal(&mut rig.store, sym);
        assert_eq!(h["position_side"], side);
        assert_eq!(
            num(&h, "new_sl_proposed"),
            want.new_sl_proposed.unwrap(),
            "{sym}"
        );
    }
    // (The running publisher computes BUY and long as SHORT: a stop below entry·(1 − 0.002).)
    assert!(short.new_sl_proposed.unwrap() < 97250.1);
}

#[test]
fn row_flat_none_closed_or_empty_side_is_no_position_and_the_old_proposal_goes() {
    let mut rig = Run::new();
    let syms = ["AUSDT", "BUSDT", "CUSDT", "DUSDT"];
    for sym in syms {
        let mut pos: Vec<(&str, &str)> = P33_SNAPSHOT.to_vec();
        pos.retain(|(k, _)| *k != "symbol");
        seed_symbol(&mut rig.store, sym, &pos);
    }
    let (_, r) = rig.once(&syms);
    assert_eq!(counts(&r), (4, 0, 0, 0), "{r}");
    for (sym, side) in syms.iter().zip(["FLAT", "NONE", "CLOSED", ""]) {
        // P3.3 writes FLAT with amount 0 when the exchange has no position.
        hset(
            &mut rig.store,
            &format!("quantum:state:positions:{sym}"),
            &[("side", side), ("position_amt", "0.0"), ("quantity", "0.0")],
        );
    }
    let (p, r) = rig.once(&syms);
    assert_eq!(counts(&r), (0, 0, 4, 0), "{r}");
    assert_eq!(r.removed, 4);
    for sym in syms {
        assert!(proposal(&mut rig.store, sym).is_empty(), "{sym}");
    }
    assert_eq!(
        p.note_of("AUSDT"),
        Some("no position (quantum:state:positions:AUSDT: side \"FLAT\" is no position): no proposal; removed the stale quantum:harvest:proposal:AUSDT")
    );
    // The newest stream entry FLAT: the same.
    run(
        &mut rig.store,
        &[
            "DEL",
            "quantum:state:positions:AUSDT",
            "quantum:state:positions:BUSDT",
            "quantum:state:positions:CUSDT",
            "quantum:state:positions:DUSDT",
        ],
    );
    for side in ["LONG", "FLAT"] {
        let e = execution_entry("AUSDT", side, "1", &[]);
        xadd(&mut rig.store, EXECUTION_STREAM, &e);
    }
    let (_, r) = rig.once(&["AUSDT"]);
    assert_eq!(counts(&r), (0, 0, 1, 0), "{r}");
}

#[test]
fn row_none_text_in_current_sl_or_tp_is_absent_and_the_proposal_published() {
    let mut rig = Run::new();
    let pos: &[(&str, &str)] = &[
        ("side", "LONG"),
        ("entry_price", "100.0"),
        ("current_price", "104.0"),
        ("age_sec", "3600"),
        ("unrealized_pnl", "5.0"),
        ("current_sl", "None"),
        ("current_tp", "None"),
    ];
    seed_symbol(&mut rig.store, "XUSDT", pos);
    let (_, h) = rig.publish_one("XUSDT");
    // No current stop: break-even plus is proposed.
    assert_eq!(num(&h, "new_sl_proposed"), 100.0 * 1.002);
}

#[test]
fn row_empty_or_missing_market_state_field_skips_naming_key_and_field() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "AUSDT", APPLY_LAYER);
    seed_symbol(&mut rig.store, "BUSDT", APPLY_LAYER);
    rig.once(&["AUSDT", "BUSDT"]);
    let before = proposal(&mut rig.store, "AUSDT");
    hset(&mut rig.store, "quantum:marketstate:AUSDT", &[("ts", "")]);
    run(
        &mut rig.store,
        &["HDEL", "quantum:marketstate:BUSDT", "p_chop"],
    );
    let (p, r) = rig.once(&["AUSDT", "BUSDT"]);
    assert_eq!(counts(&r), (0, 0, 0, 2), "{r}");
    assert_eq!(
        p.note_of("AUSDT"),
        Some("skipped: quantum:marketstate:AUSDT: field `ts` is empty")
    );
    assert_eq!(
        p.note_of("BUSDT"),
        Some("skipped: quantum:marketstate:BUSDT: field `p_chop` is missing")
    );
    assert_eq!(
        proposal(&mut rig.store, "AUSDT"),
        before,
        "the last proposal stays"
    );
}

#[test]
fn row_p1_stop_0_without_a_policy_uses_the_configured_fallback_stop() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "BTCUSDT", APPLY_LAYER);
    hset(
        &mut rig.store,
        "quantum:risk:proposal:BTCUSDT",
        &[("stop_dist_pct", "0.0")],
    );
    let mut p = rig.publisher(&["BTCUSDT"], |s| {
        s.own.rules = Rules::new(0.035, 0.001, 60.0).unwrap()
    });
    p.cycle().unwrap();
    let h = proposal(&mut rig.store, "BTCUSDT");
    assert_eq!(num(&h, "risk_unit"), 97250.1 * 0.035);
}

#[test]
fn row_computed_at_utc_is_naive_iso_8601_and_every_field_is_the_running_publishers() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "BTCUSDT", APPLY_LAYER);
    rig.once(&["BTCUSDT"]);
    let h = proposal(&mut rig.store, "BTCUSDT");
    let at = &h["computed_at_utc"];
    // 2026-01-01T00:00:00.123456 (or no fraction on a whole second), no offset.
    let (date, time) = at.split_once('T').unwrap();
    assert_eq!(date.len(), 10, "{at}");
    assert!(time.len() == 8 || time.len() == 15, "{at}");
    assert!(!at.ends_with('Z') && !at.contains('+'), "{at}");
    let epoch: i64 = h["last_update_epoch"].parse().unwrap();
    let back = harvest_records::time::parse_iso(at).unwrap();
    assert!((back - epoch as f64).abs() < 1.0);
    // Every field the running publisher writes is there, plus ours.
    for k in &harvest_records::published::FIELDS[..RUNNING_FIELDS] {
        assert!(h.contains_key(*k), "{k}");
    }
    assert_eq!(h.len(), harvest_records::published::HASH_FIELDS);
}

#[test]
fn stream_source_setting_reads_only_the_stream() {
    let mut rig = Run::new();
    seed_symbol(&mut rig.store, "BTCUSDT", APPLY_LAYER);
    let mut p = rig.publisher(&["BTCUSDT"], |s| s.own.source = PositionSource::RedisStream);
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (0, 0, 1, 0), "{r}");
}

/// The opt-in fix `full-facts`: the open time, the stop in force and the quantity of the
/// position record are used; an exchange-sync hash with quantity 0 is a closed position.
#[test]
fn fix_full_facts_publishes_with_the_age_the_stop_and_the_quantity() {
    let mut rig = Run::new();
    let opened = chrono_now() - 26.0 * 3600.0;
    let opened_text = format!("{}", opened as i64);
    let pos = with(
        APPLY_LAYER,
        &[("created_at", &opened_text), ("unrealized_pnl", "790.05")],
    );
    seed_symbol(&mut rig.store, "BTCUSDT", &pos);
    let closed = with(EXCHANGE_SYNC, &[("quantity", "0")]);
    seed_symbol(&mut rig.store, "ETHUSDT", &closed);
    let mut p = rig.publisher(&["BTCUSDT", "ETHUSDT"], |s| s.own.rules.full_facts = true);
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
    assert_eq!(
        p.note_of("ETHUSDT"),
        Some("no position (quantum:state:positions:ETHUSDT: quantity 0 is a closed position (full-facts)): no proposal")
    );
    let h = proposal(&mut rig.store, "BTCUSDT");
    let age = num(&h, "position_age_sec");
    assert!((age - 26.0 * 3600.0).abs() < 5.0, "{age}");
    // Risk and cost scaled by the quantity 0.004; R_net = (790.05 − cost) / risk.
    let risk = 97250.1 * 0.02 * 0.004;
    let cost = 10.0 / 10000.0 * 97250.1 * 0.004;
    assert_eq!(num(&h, "risk_unit"), risk);
    assert_eq!(num(&h, "cost_est"), cost);
    assert_eq!(num(&h, "R_net"), (790.05 - cost) / risk);
    // 26 h is past max_age: K = σ(0.3 · 1) ≈ 0.574 (< 0.6 alone); the stop in force 95305.098 is
    // below break-even plus, so BE+ tightens it: proposed.
    assert_eq!(num(&h, "k_age_penalty"), 1.0);
    let audit: Proposal = serde_json::from_str(&h["proposal_json"]).unwrap();
    assert_eq!(audit.audit.position.current_sl, Some(95305.098));
    assert_eq!(audit.audit.position.qty, 0.004);
    assert_eq!(num(&h, "new_sl_proposed"), 97250.1 * 1.002);
}

fn chrono_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}
