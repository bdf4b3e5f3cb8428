//! Fuzz target of Redis field values (issue 18): the records the services read, each field
//! present or not and holding a number of any magnitude, Python's float spellings (`nan`,
//! `inf`, `1_000`, ` 65000.5 `), JSON, text, control bytes, CRLF, Unicode or thousands of
//! characters:
//!
//! - one symbol's cycle of P2.5 ([`evaluate`]: position hash or stream entry, market state, P1,
//!   the published hash's decision fields): a published hash has no `nan`/`inf`/`null` number and
//!   its numbers read back finite; every skip reason and note quotes at most ~100 characters;
//! - the policy store's record ([`policy::load`]): a policy or a reason, within the same bounds;
//! - a published record read back ([`published::recorded_output`]): read, or refused with a
//!   reason within the same bounds; P0.5's candle members ([`close_of`]): a close is finite > 0;
//! - nothing panics.
//!
//! `cargo bench -p harvest-publisher --bench fuzz_fields` runs 10⁶ cases (`-- --cases N`,
//! `--seed S`); `cargo test` runs 2,000. The counts go to BENCHMARKS.md.

use std::cell::RefCell;

use harvest_fuzz::{check_message, Fuzz};
use harvest_kernel::Theta;
use harvest_publisher::market::candles::close_of;
use harvest_publisher::p25::plan::{evaluate, Outcome, Rules, SymbolReads};
use harvest_publisher::runtime::positions::Found;
use harvest_records::position::Origin;
use harvest_records::published::{self, Stamp};
use harvest_records::{policy, Fields};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A field value as Redis holds it (bytes as text).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => (0.001f64..2.0).prop_map(|v| format!("{v}")),
        10 => (1.0f64..1e5).prop_map(|v| format!("{v}")),
        3 => (-324i32..309, 1.0f64..10.0, any::<bool>())
            .prop_map(|(e, m, neg)| format!("{}{m}e{e}", if neg { "-" } else { "" })),
        3 => prop::sample::select(vec![
            "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-0", "0", "", " ", "None", "null",
            "True", "1_000", " 65000.5 ", "65000.5\r\n", "0x10", "1e-400", "LONG", "SHORT", "BUY",
            "FLAT", "[]", "{}", "{\"a\": 1}", "1.7976931348623157e308", "5e-324", "€",
            "2026-01-01T00:00:00", "2026-01-01 00:00:00.123456", "PARTIAL_50", "FULL_CLOSE_PROPOSED",
        ])
        .prop_map(str::to_string),
        1 => "\\PC{0,12}",
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
        1 => (200usize..4000).prop_map(|n| "Z".repeat(n)),
    ]
}

/// Changes to a record: 0 to 3 fields (among `names`, or a new one) removed or set to any
/// [`value`].
fn mutations(
    names: impl IntoIterator<Item = &'static str>,
) -> impl Strategy<Value = Vec<(&'static str, Option<String>)>> {
    prop::collection::vec(
        (
            prop::sample::select(names.into_iter().collect::<Vec<_>>()),
            prop::option::of(value()),
        ),
        0..4,
    )
}

fn mutate(mut f: Fields, muts: Vec<(&'static str, Option<String>)>) -> Fields {
    for (k, v) in muts {
        match v {
            Some(v) => f.insert(k.to_string(), v),
            None => f.remove(k),
        };
    }
    f
}

fn num(v: f64) -> String {
    harvest_records::num::py_float(v)
}

const MARKET: &[&str] = &["sigma", "ts", "p_trend", "p_mr", "p_chop", "mu", "dp", "vr"];
const P1: &[&str] = &[
    "stop_dist_pct",
    "proposed_sl",
    "proposed_tp",
    "trail_gap_pct",
];
const POSITION: &[&str] = &[
    "symbol",
    "side",
    "entry_price",
    "current_price",
    "age_sec",
    "unrealized_pnl",
    "current_sl",
    "quantity",
    "qty",
    "created_at",
    "stop_loss",
    "take_profit",
    "peak_price",
    "trough_price",
];

/// P0.5's market state as it writes it, then mutated.
fn market() -> impl Strategy<Value = Fields> {
    (
        0.0f64..0.08,
        0.0f64..3.0,
        0.0f64..1.0,
        0.0f64..1.0,
        mutations(MARKET.iter().copied()),
    )
        .prop_map(|(sigma, ts, a, b, muts)| {
            let (pt, pm) = (a * 0.6, b * 0.4);
            let f = [
                ("sigma", num(sigma)),
                ("ts", num(ts)),
                ("p_trend", num(pt)),
                ("p_mr", num(pm)),
                ("p_chop", num(1.0 - pt - pm)),
            ];
            mutate(
                f.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                muts,
            )
        })
}

/// P1.5's proposal, then mutated (sometimes absent).
fn p1() -> impl Strategy<Value = Fields> {
    (
        0.001f64..0.05,
        50.0f64..150.0,
        prop::bool::weighted(0.8),
        mutations(P1.iter().copied()),
    )
        .prop_map(|(d, sl, present, muts)| {
            let f: Fields = if present {
                [("stop_dist_pct", num(d)), ("proposed_sl", num(sl))]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect()
            } else {
                Fields::new()
            };
            mutate(f, muts)
        })
}

/// A position as the apply layer (hash) or the execution stream writes it, then mutated.
fn position() -> impl Strategy<Value = Option<Found>> {
    prop::option::weighted(
        0.9,
        (
            any::<bool>(),
            any::<bool>(),
            50.0f64..150.0,
            50.0f64..150.0,
            0.0f64..1e5,
            0.001f64..10.0,
            mutations(POSITION.iter().copied()),
        )
            .prop_map(|(hash, long, entry, cur, age, qty, muts)| {
                let side = if long { "LONG" } else { "SHORT" };
                let pnl = (cur - entry) * qty * if long { 1.0 } else { -1.0 };
                let f: Fields = [
                    ("symbol", "BTCUSDT".to_string()),
                    ("side", side.to_string()),
                    ("entry_price", num(entry)),
                    ("current_price", num(cur)),
                    ("age_sec", num(age)),
                    ("unrealized_pnl", num(pnl)),
                    ("quantity", num(qty)),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
                Found {
                    key: if hash {
                        "quantum:state:positions:BTCUSDT".into()
                    } else {
                        "quantum:stream:execution entry 1700000000000-0".into()
                    },
                    origin: if hash { Origin::Hash } else { Origin::Stream },
                    fields: mutate(f, muts),
                }
            }),
    )
}

/// A policy record as the policy store holds it: `harvest_params` with tunables of any value,
/// valid for a while, then mutated.
fn policy_record() -> impl Strategy<Value = Fields> {
    (
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "T1_R",
                    "T2_R",
                    "lock_R",
                    "kill_threshold",
                    "u1",
                    "ZZZ",
                ]),
                value(),
            ),
            0..4,
        ),
        -1000.0f64..1e6,
        mutations(policy::REQUIRED_FIELDS),
    )
        .prop_map(|(params, valid_for, muts)| {
            let kv: Vec<String> = params
                .iter()
                .map(|(k, v)| match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && !v.contains('_') => format!("\"{k}\": {v}"),
                    _ => format!("\"{k}\": {}", serde_json::to_string(v).unwrap()),
                })
                .collect();
            let f: Fields = [
                ("universe_symbols", "[\"BTCUSDT\"]".to_string()),
                ("leverage_by_symbol", "{\"BTCUSDT\": 5}".to_string()),
                ("harvest_params", format!("{{{}}}", kv.join(", "))),
                ("kill_params", "{}".to_string()),
                // Seconds after 1.9e9 (the cases' clocks run from 1.7e9 to 2.1e9).
                ("valid_until_epoch", num(1.9e9 + valid_for)),
                ("policy_version", "1.0.3".to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            mutate(f, muts)
        })
}

/// The published record's fields, and `symbol` (the stream entry's; a hash may carry one too).
fn published_fields() -> impl Iterator<Item = &'static str> {
    published::FIELDS.into_iter().chain(["symbol"])
}

/// A published record as P2.5 writes it (with or without `proposal_json`), then mutated.
fn published_record() -> impl Strategy<Value = Fields> {
    (-5.0f64..10.0, any::<bool>(), mutations(published_fields())).prop_map(
        |(pnl, with_json, muts)| {
            let mut input = harvest_kernel::HarvestInput::default();
            input.position.unrealized_pnl = pnl;
            let p = harvest_kernel::propose(&input).expect("the default input with a PnL");
            mutate(published::record(&p, 1_767_225_600, with_json), muts)
        },
    )
}

#[derive(Debug)]
struct Case {
    reads: SymbolReads,
    policy: Fields,
    published: Fields,
    candle: Vec<u8>,
    now: f64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        market(),
        p1(),
        position(),
        (
            prop::collection::vec(prop::option::of(value()), 4),
            // The names the hash has: all of them, or some lost.
            prop_oneof![
                3 => Just(published::FIELDS.to_vec()),
                1 => prop::sample::subsequence(published::FIELDS.to_vec(), 0..=published::FIELDS.len()),
            ],
        ),
        policy_record(),
        published_record(),
        prop_oneof![
            value().prop_map(String::into_bytes),
            value().prop_map(|v| format!("{{\"close\": {v}}}").into_bytes()),
            value().prop_map(
                |v| format!("{{\"c\": {}}}", serde_json::to_string(&v).unwrap()).into_bytes()
            ),
            prop::collection::vec(any::<u8>(), 0..20),
        ],
        1.7e9f64..2.1e9,
    )
        .prop_map(
            |(market, p1, position, (published, names), policy, record, candle, now)| {
                let mut reads = SymbolReads {
                    market,
                    p1,
                    position,
                    published_fields: names.into_iter().map(String::from).collect(),
                    ..SymbolReads::default()
                };
                for (slot, v) in reads.published.iter_mut().zip(published) {
                    *slot = v;
                }
                Case {
                    reads,
                    policy,
                    published: record,
                    candle,
                    now,
                }
            },
        )
}

#[derive(Default, Debug)]
struct Counts {
    cases: u64,
    publish: u64,
    refresh: u64,
    no_position: u64,
    skipped: u64,
    notes: u64,
    policies: u64,
    no_policy: u64,
    records_read: u64,
    records_refused: u64,
    closes: u64,
    candles_skipped: u64,
}

fn one(c: &Case, k: &RefCell<Counts>) -> Result<(), TestCaseError> {
    let mut n = k.borrow_mut();
    n.cases += 1;
    let stamp = Stamp::at_micros((c.now * 1e6) as i64);
    let ev = evaluate(
        "BTCUSDT",
        &c.reads,
        &Rules::default(),
        &Theta::default(),
        c.now,
        &stamp,
    );
    for note in &ev.notes {
        check_message("note", note, 1000)?;
        n.notes += 1;
    }
    match &ev.outcome {
        Outcome::Publish { fields, .. } => {
            n.publish += 1;
            for (name, v) in fields {
                let number =
                    published::FIELDS.contains(name) && !published::TEXT_FIELDS.contains(name);
                if number && !(*name == "new_sl_proposed" && v == "None") {
                    let x = harvest_records::num::parse_py_float(v);
                    prop_assert!(x.is_some_and(f64::is_finite), "{} = {:?}", name, v);
                }
                if *name == "proposal_json" {
                    prop_assert!(!v.contains("NaN") && !v.contains("Infinity"), "{}", v);
                    serde_json::from_str::<serde_json::Value>(v)
                        .map_err(|e| TestCaseError::fail(format!("proposal_json: {e}")))?;
                }
            }
        }
        Outcome::Refresh => n.refresh += 1,
        Outcome::NoPosition { why, .. } => {
            n.no_position += 1;
            if let Some(w) = why {
                check_message("no position", w, 1000)?;
            }
        }
        Outcome::Skipped(e) => {
            n.skipped += 1;
            check_message("skipped", &e.to_string(), 1000)?;
        }
    }
    match policy::load(&c.policy, c.now) {
        Ok(p) => {
            n.policies += 1;
            check_message("policy", &p.summary(), 1000)?;
        }
        Err(e) => {
            n.no_policy += 1;
            check_message("policy", &e.to_string(), 1000)?;
        }
    }
    match published::recorded_output(&c.published) {
        // A record may hold `nan` as the running system wrote it: read as it is (the reviewer
        // then names the field as a MISMATCH), never refused silently nor made up.
        Ok(_) => n.records_read += 1,
        Err(e) => {
            n.records_refused += 1;
            check_message("published", &e.to_string(), 1000)?;
        }
    }
    match close_of(&c.candle) {
        Ok(v) => {
            n.closes += 1;
            prop_assert!(v.is_finite() && v > 0.0);
        }
        Err(_) => n.candles_skipped += 1,
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    Fuzz::from_env("fuzz_fields", "cases", 2000).run(case(), |c, n| one(&c, n), |c: &Counts| {
        format!(
            "P2.5 {} published, {} refreshed, {} no position, {} skipped, {} notes; policy {} read, {} refused; published records {} read, {} refused; candles {} closes, {} skipped",
            c.publish, c.refresh, c.no_position, c.skipped, c.notes, c.policies, c.no_policy,
            c.records_read, c.records_refused, c.closes, c.candles_skipped
        )
    })
}
