//! Fuzz target of the line commands (issue 18): JSON lines as `propose`, `stops` and `verify` read
//! them: inputs, proposals and published records with numbers from the whole range of doubles
//! and special tokens, then mutated (bytes inserted, deleted, replaced; invalid UTF-8, control
//! bytes, byte order marks, quotes, long strings, truncation). Each line goes through
//! `propose_line`, `stops_line` and `review_line`, and every output is checked:
//!
//! - one output line per line that is not blank, valid JSON, in input order;
//! - an accepted proposal has finite numbers and verifies MATCH with `review_line`;
//! - an accepted stop proposal has finite numbers (no `null`);
//! - every message quotes at most 100 characters of the input and no number runs past 40 digits;
//! - nothing panics.
//!
//! `cargo bench -p harvest-cli --bench fuzz_lines` runs 10⁶ cases (`-- --cases N` for another
//! count, `--seed S` for another sequence); `cargo test` runs 3,000 as a smoke test. The counts go
//! to BENCHMARKS.md.

use std::cell::RefCell;
use std::collections::BTreeMap;

use harvest_cli::{propose_line, stops_line, ProposalWriter};
use harvest_features::reviewer::verify::review_line;
use harvest_fuzz::{check_message, Fuzz};
use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
use harvest_market::StopProposal;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A number as JSON text: a typical value of the field, any double, or a special token.
fn number(lo: f64, hi: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        60 => (lo..hi).prop_map(|v| format!("{v}")),
        2 => (-324i32..309, 1.0f64..10.0, any::<bool>())
            .prop_map(|(e, m, neg)| format!("{}{m}e{e}", if neg { "-" } else { "" })),
        1 => prop::sample::select(vec![
            "0", "-0", "1e400", "-1e400", "1e-400", "NaN", "null", "\"1\"", "true",
            "1.7976931348623157e308", "-1.7976931348623157e308", "5e-324", "1e308",
            "99999999999999999999999", "-1", "0.1e1", "1E2", "[]", "{}",
        ])
        .prop_map(str::to_string),
    ]
}

/// A string as JSON text: a symbol, a formula, Unicode, escapes or 200 to 5,000 `Z`s.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => "[A-Z]{3,8}(USDT)?".prop_map(|s| format!("\"{s}\"")),
        1 => prop::sample::select(vec![
            "\"=HYPERLINK(\\\"x\\\")\"", "\"\\t=1+2\"", "\"\"", "\"\\u0000\"", "\"€ü漢\"",
            "\"\\ud800\"", "5", "null", "\"LONG\"",
        ])
        .prop_map(str::to_string),
        1 => (200usize..5000).prop_map(|n| format!("\"{}\"", "Z".repeat(n))),
    ]
}

fn side() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => prop::sample::select(vec!["\"LONG\"", "\"SHORT\""]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["\"long\"", "\"BUY\"", "1", "null", "\"\""])
            .prop_map(str::to_string),
        1 => (200usize..3000).prop_map(|n| format!("\"{}\"", "Z".repeat(n))),
    ]
}

/// An input line `{position, market_state, p1_proposal?, theta?}` as text.
fn input() -> impl Strategy<Value = String> {
    let position = (
        string(),
        side(),
        number(1.0, 1e5),
        prop::option::of(number(1.0, 1e5)),
        prop::option::of(number(1.0, 1e5)),
        prop::option::of(number(1.0, 1e5)),
        number(0.0, 1e6),
        number(-1e4, 1e4),
        prop::option::of(number(1.0, 1e5)),
        number(0.001, 10.0),
    )
        .prop_map(|(sym, side, entry, cur, peak, trough, age, pnl, sl, qty)| {
            let opt = |k: &str, v: Option<String>| v.map_or(String::new(), |v| format!(", \"{k}\": {v}"));
            format!(
                "{{\"symbol\": {sym}, \"side\": {side}, \"entry_price\": {entry}{}{}{}, \"age_sec\": {age}, \"unrealized_pnl\": {pnl}{}, \"qty\": {qty}}}",
                opt("current_price", cur),
                opt("peak_price", peak),
                opt("trough_price", trough),
                opt("current_sl", sl),
            )
        });
    let market = (
        number(0.0, 0.1),
        number(0.0, 3.0),
        0.0f64..1.0,
        0.0f64..1.0,
        prop::option::of(number(0.0, 1.0)),
    )
        .prop_map(|(sigma, ts, a, b, override_p)| {
            let (pt, pm) = (a * 0.5, b * 0.5);
            let pc = override_p.unwrap_or_else(|| format!("{}", 1.0 - pt - pm));
            format!(
                "{{\"sigma\": {sigma}, \"ts\": {ts}, \"p_trend\": {pt}, \"p_mr\": {pm}, \"p_chop\": {pc}}}"
            )
        });
    let p1 = prop::option::of(
        (number(0.0, 0.05), prop::option::of(number(1.0, 1e5))).prop_map(|(d, sl)| {
            format!(
                "{{\"stop_dist_pct\": {d}{}}}",
                sl.map_or(String::new(), |s| format!(", \"proposed_sl\": {s}"))
            )
        }),
    );
    let theta = prop::option::of(prop::collection::vec(
        (
            prop::sample::select(vec![
                "T1_R",
                "T2_R",
                "T3_R",
                "lock_R",
                "kill_threshold",
                "u1",
                "softmax_temp",
                "sigma_ref",
                "cost_bps",
                "k_tp",
                "sl_min_pct",
                "be_plus_pct",
            ]),
            number(0.0, 5.0),
        ),
        0..4,
    ));
    (position, market, p1, theta).prop_map(|(pos, ms, p1, theta)| {
        let mut s = format!("{{\"position\": {pos}, \"market_state\": {ms}");
        if let Some(p1) = p1 {
            s += &format!(", \"p1_proposal\": {p1}");
        }
        if let Some(t) = theta {
            let kv: Vec<String> = t.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            s += &format!(", \"theta\": {{{}}}", kv.join(", "));
        }
        s + "}"
    })
}

/// What a line starts as: an input, the proposal of an input, or its published record.
fn base() -> impl Strategy<Value = String> {
    (input(), 0u8..10, any::<bool>()).prop_map(|(line, kind, with_json)| {
        let Some(p) = serde_json::from_str::<HarvestInput>(&line)
            .ok()
            .and_then(|i| propose(&i).ok())
        else {
            return line;
        };
        match kind {
            0..=4 => line,
            5..=7 => serde_json::to_string(&p).unwrap(),
            _ => {
                let f = harvest_records::published::record(&p, 1_767_225_600, with_json);
                serde_json::to_string(&f).unwrap()
            }
        }
    })
}

/// One change to a line's bytes (positions are taken modulo the length).
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, Vec<u8>),
    Truncate(usize),
    Long(usize, usize),
}

fn snippet() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            &b"\""[..], b"\\", b"{", b"}", b"[", b"]", b",", b":", b"\xff", b"\xc3", b"\x00",
            b"\t", b"\r", b"\xef\xbb\xbf", b"\"\\u0000\"", b"1e999", b"-", b"nan", b"\xed\xa0\x80",
            b"\"a\":1,", b"null", b" ",
        ])
        .prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(any::<u8>().prop_map(|b| if b == b'\n' { b' ' } else { b }), 1..6),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), snippet()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => (any::<usize>(), 1usize..20).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => (any::<usize>(), snippet()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), 200usize..5000).prop_map(|(i, n)| Mutation::Long(i, n)),
    ]
}

fn apply(line: &mut Vec<u8>, m: &Mutation) {
    let at = |i: usize, line: &Vec<u8>| {
        if line.is_empty() {
            0
        } else {
            i % (line.len() + 1)
        }
    };
    match m {
        Mutation::Insert(i, b) => {
            let i = at(*i, line);
            line.splice(i..i, b.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(*i, line);
            let end = (i + n).min(line.len());
            line.drain(i..end);
        }
        Mutation::Replace(i, b) => {
            let i = at(*i, line);
            let end = (i + b.len()).min(line.len());
            line.splice(i..end, b.iter().copied());
        }
        Mutation::Truncate(i) => {
            let i = at(*i, line);
            line.truncate(i);
        }
        Mutation::Long(i, n) => {
            let i = at(*i, line);
            line.splice(i..i, std::iter::repeat_n(b'Z', *n));
        }
    }
}

fn line() -> impl Strategy<Value = Vec<u8>> {
    (
        base(),
        prop_oneof![2 => Just(vec![]), 3 => prop::collection::vec(mutation(), 1..4)],
        0u8..20,
    )
        .prop_map(|(base, muts, end)| {
            let mut line = base.into_bytes();
            for m in &muts {
                apply(&mut line, m);
            }
            match end {
                0 => line.push(b'\r'),
                1 => line.splice(0..0, *b"\xef\xbb\xbf").for_each(drop),
                _ => {}
            }
            line
        })
}

#[derive(Default, Debug)]
struct Counts {
    lines: u64,
    blank: u64,
    propose_ok: u64,
    propose_err: u64,
    proposals_match: u64,
    stops_ok: u64,
    stops_err: u64,
    verdicts: BTreeMap<&'static str, u64>,
}

fn one(n: usize, line: &[u8], c: &RefCell<Counts>) -> Result<(), TestCaseError> {
    let tol = Tolerance::default();
    c.borrow_mut().lines += 1;
    // propose
    let mut out = Vec::new();
    let mut w = ProposalWriter::default();
    let Some(ok) = propose_line(n, line, &mut out, &mut w) else {
        prop_assert!(out.is_empty());
        c.borrow_mut().blank += 1;
        return Ok(());
    };
    prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    prop_assert_eq!(out.last(), Some(&b'\n'));
    let v: serde_json::Value = serde_json::from_slice(&out)
        .map_err(|e| TestCaseError::fail(format!("propose wrote no JSON: {e}")))?;
    if ok {
        for k in ["R_net", "risk_unit", "cost_est", "kill_score"] {
            prop_assert!(v[k].as_f64().is_some_and(f64::is_finite), "{}: {}", k, v);
        }
        let row = review_line(n, &out[..out.len() - 1], &tol).expect("a proposal is no blank line");
        prop_assert_eq!(row.verdict, Verdict::Match, "{:?}", row);
        let mut c = c.borrow_mut();
        c.propose_ok += 1;
        c.proposals_match += 1;
    } else {
        prop_assert_eq!(v["line"].as_u64(), Some(n as u64));
        check_message("propose", v["error"].as_str().unwrap_or_default(), 1000)?;
        c.borrow_mut().propose_err += 1;
    }
    // stops
    let mut out = Vec::new();
    let ok = stops_line(n, line, &mut out).expect("not blank for propose, not blank for stops");
    prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    if ok {
        let p: StopProposal = serde_json::from_slice(&out)
            .map_err(|e| TestCaseError::fail(format!("stops wrote a bad proposal: {e}")))?;
        for v in [
            p.proposed_sl,
            p.proposed_tp,
            p.stop_dist_pct,
            p.tp_dist_pct,
            p.trail_gap_pct,
        ] {
            prop_assert!(v.is_finite());
        }
        c.borrow_mut().stops_ok += 1;
    } else {
        let v: serde_json::Value = serde_json::from_slice(&out)
            .map_err(|e| TestCaseError::fail(format!("stops wrote no JSON: {e}")))?;
        check_message("stops", v["error"].as_str().unwrap_or_default(), 1000)?;
        c.borrow_mut().stops_err += 1;
    }
    // verify
    let row = review_line(n, line, &tol).expect("not blank for propose, not blank for verify");
    prop_assert_eq!(row.line, n);
    if let Some(e) = &row.error {
        check_message("verify", e, 1000)?;
    }
    for d in &row.diffs {
        check_message("verify diff", &d.why, 1000)?;
    }
    for v in [row.r_net, row.kill_score].into_iter().flatten() {
        prop_assert!(v.is_finite());
    }
    serde_json::to_string(&row).map_err(|e| TestCaseError::fail(e.to_string()))?;
    *c.borrow_mut()
        .verdicts
        .entry(match row.verdict {
            Verdict::Match => "MATCH",
            Verdict::Mismatch => "MISMATCH",
            Verdict::Invalid => "INVALID",
            Verdict::Computed => "COMPUTED",
        })
        .or_default() += 1;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let n = RefCell::new(0usize);
    let check = |line: Vec<u8>, counts: &RefCell<Counts>| {
        *n.borrow_mut() += 1;
        let k = *n.borrow();
        one(k, &line, counts)
    };
    Fuzz::from_env("fuzz_lines", "cases", 3000).run(line(), check, |c: &Counts| {
        format!(
            "{} lines ({} blank); propose {} accepted (all {} MATCH when verified), {} refused; stops {} accepted, {} refused; verify {:?}",
            c.lines, c.blank, c.propose_ok, c.proposals_match, c.propose_err, c.stops_ok, c.stops_err, c.verdicts
        )
    })
}
