//! `harvest market-state` and `harvest stops` end to end.
#![cfg(not(target_arch = "wasm32"))]

use harvest_kernel::Side;
use harvest_market::{
    closes, format_iso, import_prices, market_states, propose_stops, MarketState, P0Params,
    P1Params, StopInput, StopProposal,
};
use serde_json::Value;

mod common;
use common::{harvest, text};
use harvest_records::market::NUMBER_FIELDS;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/prices/Coinbase_BTCUSD_1h.csv"
);

#[test]
fn market_state_of_the_shipped_sample() {
    let out = harvest(&["market-state", SAMPLE], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 20_111 - 256);
    let keys: Vec<&str> = lines[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // The close and P0.5's numbers.
    let mut want: Vec<&str> = ["time", "close"].into_iter().chain(NUMBER_FIELDS).collect();
    want.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, want);
    // The 257th bar (oldest first) is the first with a state.
    assert_eq!(lines[0]["time"], "2017-07-12T03:00:00Z");
    assert_eq!(lines.last().unwrap()["time"], "2019-10-17T09:00:00Z");
    assert_eq!(lines.last().unwrap()["close"], 8035.88);
    // Every line is the library's state, to the bit.
    let bars = import_prices(&std::fs::read_to_string(SAMPLE).unwrap())
        .unwrap()
        .bars;
    let states = market_states(&closes(&bars), &P0Params::default()).unwrap();
    for (line, (bar, s)) in lines.iter().zip(bars.iter().zip(&states).skip(256)) {
        let s = s.unwrap();
        assert_eq!(line["time"], format_iso(bar.time));
        for (k, v) in [
            ("sigma", s.sigma),
            ("mu", s.mu),
            ("ts", s.ts),
            ("p_trend", s.p_trend),
            ("p_mr", s.p_mr),
            ("p_chop", s.p_chop),
            ("dp", s.dp),
            ("vr", s.vr),
            ("spike_proxy", s.spike_proxy),
        ] {
            assert_eq!(line[k].as_f64(), Some(v), "{} {k}", line["time"]);
        }
    }
    assert!(text(&out.stderr)
        .contains("20111 bars (CryptoDataDownload), 19855 states, 0 problem lines"));
}

fn price_file(n: usize) -> String {
    let mut s = String::from("timestamp,open,high,low,close\n");
    for i in 0..n {
        let c = 100.0 + (i as f64 * 0.37).sin() * 2.0 + i as f64 * 0.01;
        s += &format!(
            "{},{c},{},{},{c}\n",
            1_700_000_000 + 3600 * i,
            c + 1.0,
            c - 1.0
        );
    }
    s
}

#[test]
fn market_state_from_stdin_reports_problem_lines() {
    let mut file = price_file(300);
    file += "1800000000,1,2,3,4\n"; // high below low: line 302
    file += "garbage\n"; // line 303
    let out = harvest(&["market-state"], file.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 300 - 256);
    let err = text(&out.stderr);
    assert!(
        err.contains("stdin: line 302: high 2 is below low 3"),
        "{err}"
    );
    assert!(err.contains("stdin: line 303: "), "{err}");
    assert!(
        err.contains("300 bars (CSV with header), 44 states, 2 problem lines"),
        "{err}"
    );
}

#[test]
fn market_state_needs_257_bars_and_a_price_file() {
    let out = harvest(&["market-state"], price_file(256).as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("needs 257 closes, the file has 256"));
    let out = harvest(&["market-state"], b"name,price\nbtc,1\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no price columns found"));
    let out = harvest(&["market-state", "/nonexistent/prices.csv"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/prices.csv"));
}

/// Issue 18's file: an unclosed quote on line 302 is that line's problem, the other 999 bars
/// load; a byte that is not UTF-8 is its line's problem; a header alone says so.
#[test]
fn market_state_reads_past_broken_lines() {
    let mut file = String::from("date,open,high,low,close,volume\n");
    for i in 0..1000 {
        let q = if i == 300 { "\"" } else { "" };
        file += &format!("{},100,101,99,100,{q}1\n", 1_500_000_000 + 3600 * i);
    }
    let mut bytes = file.into_bytes();
    bytes.extend_from_slice(b"1503600000,100,\xff101,99,100,1\n");
    let out = harvest(&["market-state"], &bytes);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 999 - 256);
    let err = text(&out.stderr);
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        [
            "harvest market-state: stdin: line 302: unclosed quote: the cell opened at column 27 does not end on its line",
            "harvest market-state: stdin: line 1002: not UTF-8 text: byte 0xff at column 16",
            "harvest market-state: stdin: 999 bars (CSV with header), 743 states, 2 problem lines",
        ]
    );
    let out = harvest(&["market-state"], b"date,open,high,low,close\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "harvest market-state: stdin: line 1 is the header and no line of prices follows it"
    );
}

#[test]
fn stops_one_proposal_per_line_and_errors_per_line() {
    let state = MarketState {
        sigma: 0.01,
        mu: 0.001,
        ts: 0.8,
        p_trend: 0.7,
        p_mr: 0.1,
        p_chop: 0.2,
        ..MarketState::default()
    };
    let pos = StopInput {
        side: Side::Long,
        current_price: 100.0,
        peak_price: 104.0,
        trough_price: 98.0,
        current_sl: Some(99.0),
    };
    let good = serde_json::json!({"position": pos, "market_state": {
        "sigma": 0.01, "mu": 0.001, "ts": 0.8, "p_trend": 0.7, "p_mr": 0.1, "p_chop": 0.2}});
    let wide = serde_json::json!({"position": pos, "market_state": state,
        "theta": {"sl_min_pct": 0.05}});
    // A kernel-style position: extra fields ignored, peak and trough default to the price.
    let kernel_style = r#"{"position": {"symbol": "BTCUSDT", "side": "SHORT", "entry_price": 101, "current_price": 100, "age_sec": 60, "unrealized_pnl": 1}, "market_state": {"sigma": 0.01, "ts": 0.1, "p_trend": 0.2, "p_mr": 0.3, "p_chop": 0.5}}"#;
    let input = format!(
        "{good}\n\n{{not json\n{}\r\n{wide}\n{kernel_style}\n{{\"market_state\": {{}}}}\n",
        good.to_string().replace("0.01", "-0.01")
    );
    let out = harvest(&["stops"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1), "a failed line → exit 1");
    assert!(text(&out.stderr).contains("harvest stops: 3 of 6 lines failed"));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 6, "blank line skipped: {lines:?}");
    let p: StopProposal = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(
        p,
        propose_stops(&pos, &state, &P1Params::default()).unwrap()
    );
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(
        v["reason_codes"],
        serde_json::json!([
            "trail_active",
            "sl_tightening",
            "regime_trend",
            "tp_extended"
        ])
    );
    let err = |i: usize| serde_json::from_str::<Value>(lines[i]).unwrap();
    assert_eq!(err(1)["line"], 3);
    assert!(err(1)["error"]
        .as_str()
        .unwrap()
        .contains("key must be a string"));
    assert_eq!(err(2)["line"], 4);
    assert_eq!(
        err(2)["error"],
        "market_state.sigma = -0.01 is out of range: expected a number in [0, ∞)"
    );
    let w: StopProposal = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(w.stop_dist_pct, 0.05, "theta overrides P1's tunables");
    assert_eq!(w.audit.params.sl_min_pct, 0.05);
    let k: StopProposal = serde_json::from_str(lines[4]).unwrap();
    assert_eq!(k.audit.position.trough_price, 100.0);
    assert!(k.proposed_sl > 100.0 && k.proposed_tp < 100.0);
    assert_eq!(err(5)["line"], 7);
    assert!(
        err(5)["error"]
            .as_str()
            .unwrap()
            .contains("market_state: missing field `sigma`"),
        "{}",
        lines[5]
    );
}

/// Issue 18: inputs that overflow together gave proposals with `null` numbers and exit 0; now
/// an error naming the fields, and the exit status says a line failed.
#[test]
fn stops_never_write_null() {
    let state = r#"{"sigma": 0.01, "ts": 0.5, "p_trend": 0.6, "p_mr": 0.2, "p_chop": 0.2}"#;
    let lines = [
        format!(r#"{{"position": {{"side": "SHORT", "current_price": 1.7976931348623157e308}}, "market_state": {state}}}"#),
        format!(r#"{{"position": {{"side": "LONG", "current_price": 100}}, "market_state": {}}}"#, state.replace("0.01", "1e308")),
        format!(r#"{{"position": {{"side": "LONG", "current_price": 100}}, "market_state": {state}, "theta": {{"k_tp": {{"trend": 1e308, "mr": 1e308, "chop": 1e308}}}}}}"#).replace("0.01", "2"),
        format!(r#"{{"position": {{"side": "LONG", "current_price": 100}}, "market_state": {state}}}"#),
    ];
    let out = harvest(&["stops"], (lines.join("\n") + "\n").as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let got = text(&out.stdout);
    let rows: Vec<Value> = got
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0]["error"],
        "not computable: proposed_sl = inf, audit.raw_sl = inf, audit.trail_sl = inf, \
         audit.candidate_sl = inf (the inputs are too large together)"
    );
    assert!(rows[1]["error"]
        .as_str()
        .unwrap()
        .contains("proposed_tp = inf"));
    assert!(rows[2]["error"]
        .as_str()
        .unwrap()
        .contains("tp_dist_pct = inf"));
    for k in [
        "proposed_sl",
        "proposed_tp",
        "stop_dist_pct",
        "tp_dist_pct",
        "trail_gap_pct",
    ] {
        assert!(rows[3][k].as_f64().is_some(), "{k}: {}", rows[3]);
    }
    assert!(text(&out.stderr).contains("3 of 4 lines failed"));
}
