//! Reviewer library: comparison, tolerances, malformed input, streaming, receipts.
#![cfg(not(target_arch = "wasm32"))]

use harvest_features::reviewer::verify::*;
use harvest_kernel::*;

fn proposal_line(i: usize) -> String {
    serde_json::to_string(&propose(&harvest_features::sample::sample_input(i)).unwrap()).unwrap()
}

fn review(line: &str) -> ReviewRow {
    review_line(1, line.as_bytes(), &Tolerance::default()).expect("not blank")
}

#[test]
fn tolerance_table() {
    let t = Tolerance {
        abs: 1e-9,
        rel: 1e-6,
    };
    let cases = [
        (0.0, 0.0, true),
        (0.0, 1e-9, true),
        (0.0, 2e-9, false),
        (1e6, 1e6 + 0.9, true),
        (1e6, 1e6 + 1.1, false),
        (f64::NAN, f64::NAN, false),
        (1.0, f64::INFINITY, false),
    ];
    for (a, b, want) in cases {
        assert_eq!(t.close(a, b), want, "{a} vs {b}");
        assert_eq!(t.close(b, a), want, "symmetric {a} vs {b}");
    }
}

#[test]
fn own_output_matches_exactly() {
    for i in 0..200 {
        let row = review(&proposal_line(i));
        assert_eq!(row.verdict, Verdict::Match, "{:?}", row.diffs);
        assert_eq!(row.kind, RecordKind::Proposal);
        assert!(row.input.is_some() && row.recorded.is_some());
    }
}

#[test]
fn mismatch_lists_each_differing_field_with_diffs() {
    let mut v: serde_json::Value = serde_json::from_str(&proposal_line(3)).unwrap();
    v["kill_score"] = serde_json::json!(v["kill_score"].as_f64().unwrap() + 0.001);
    v["harvest_action"] = serde_json::json!("PARTIAL_99");
    v["audit"]["k_components"]["ts_drop"] = serde_json::json!(0.4);
    let row = review(&v.to_string());
    assert_eq!(row.verdict, Verdict::Mismatch);
    let fields: Vec<&str> = row.diffs.iter().map(|d| d.field.as_str()).collect();
    assert!(fields.contains(&"harvest_action"));
    assert!(fields.contains(&"kill_score"));
    let k = row.diffs.iter().find(|d| d.field == "kill_score").unwrap();
    assert!((k.abs_diff.unwrap() - 0.001).abs() < 1e-12);
    assert!(k.rel_diff.unwrap() > 0.0);
    assert!(k.why.contains("exp"));
    let a = row
        .diffs
        .iter()
        .find(|d| d.field == "harvest_action")
        .unwrap();
    assert_eq!(a.recorded, "\"PARTIAL_99\"");
    assert!(a.why.contains("kill_threshold"));
}

#[test]
fn tolerance_decides_small_differences() {
    let mut v: serde_json::Value = serde_json::from_str(&proposal_line(5)).unwrap();
    let r = v["R_net"].as_f64().unwrap();
    v["R_net"] = serde_json::json!(r + 1e-7);
    let line = v.to_string();
    let strict = review_line(1, line.as_bytes(), &Tolerance::default()).unwrap();
    assert_eq!(strict.verdict, Verdict::Mismatch);
    let loose = Tolerance {
        abs: 1e-6,
        rel: 0.0,
    };
    assert_eq!(
        review_line(1, line.as_bytes(), &loose).unwrap().verdict,
        Verdict::Match
    );
}

#[test]
fn reason_code_order_matters() {
    let line = proposal_line(7);
    let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let codes = v["reason_codes"].as_array().unwrap().clone();
    if codes.len() >= 2 {
        let mut rev = codes.clone();
        rev.reverse();
        v["reason_codes"] = serde_json::Value::Array(rev);
        assert_eq!(review(&v.to_string()).verdict, Verdict::Mismatch);
    }
}

#[test]
fn input_records_are_computed() {
    let line = serde_json::to_string(&harvest_features::sample::sample_input(1)).unwrap();
    let row = review(&line);
    assert_eq!(
        (row.verdict, row.kind),
        (Verdict::Computed, RecordKind::Input)
    );
    assert!(row.action.is_some());
}

#[test]
fn malformed_lines_get_clear_messages() {
    let good = proposal_line(2);
    let cases: Vec<(String, &str)> = vec![
        (good[..good.len() / 2].to_string(), "EOF while parsing"),
        (
            good.replace("\"side\":\"LONG\"", "\"side\":7")
                .replace("\"side\":\"SHORT\"", "\"side\":7"),
            "audit.position.side: ",
        ),
        (
            good.replace("\"R_net\":", "\"R_nett\":"),
            "missing field `R_net`",
        ),
        (
            good.replacen("\"sigma\":", "\"sigma\":\"Infinity\",\"x\":", 1),
            "audit.market_state.sigma: invalid type: string \"Infinity\"",
        ),
        ("[1, 2, 3]".to_string(), "neither a proposal"),
        ("\u{0}\u{1}PNG".to_string(), "binary data"),
        ("{\"position\": {}}".to_string(), "position: missing field"),
        (good.clone() + " trailing", "trailing"),
    ];
    for (line, want) in cases {
        let row = review(&line);
        assert_eq!(row.verdict, Verdict::Invalid, "{want}");
        let err = row.error.unwrap();
        assert!(err.contains(want), "want {want:?} in {err:?}");
    }
    let invalid_utf8 = review_line(4, &[b'{', 0xff, 0xfe, b'}'], &Tolerance::default()).unwrap();
    assert!(invalid_utf8.error.unwrap().contains("UTF-8"));
    assert_eq!(review_line(9, b"   \r", &Tolerance::default()), None);
}

#[test]
fn kernel_rejection_is_invalid_with_field() {
    let line = proposal_line(2).replace("\"p_trend\":", "\"p_trend\":1.7,\"_\":");
    let row = review(&line);
    assert_eq!(row.verdict, Verdict::Invalid);
    assert!(row.error.unwrap().starts_with("market_state.p_trend = 1.7"));
    assert!(
        row.input.is_some(),
        "inputs kept so the explorer can open them"
    );
}

#[test]
fn huge_line_is_reported_not_parsed() {
    let huge = format!("{{\"audit\": \"{}\"}}", "x".repeat(MAX_LINE_BYTES + 10));
    let row = review(&huge);
    assert_eq!(row.verdict, Verdict::Invalid);
    assert!(row.error.unwrap().contains("longer than"));
}

#[test]
fn splitter_handles_lines_across_chunks_and_hashes_everything() {
    let text: String = (0..20).map(|i| proposal_line(i) + "\n").collect::<String>() + "tail";
    let (rows_once, receipt) = review_text(&text, &Tolerance::default());
    for chunk in [1usize, 7, 100, 4096] {
        let mut s = LineSplitter::new();
        let mut seen = Vec::new();
        for c in text.as_bytes().chunks(chunk) {
            s.feed(c, |n, b| seen.push((n, b.to_vec())));
        }
        let (sha, bytes) = s.finish(|n, b| seen.push((n, b.to_vec())));
        assert_eq!(seen.len(), 21, "chunk {chunk}");
        assert_eq!(seen[20], (21, b"tail".to_vec()));
        assert_eq!(sha, receipt.input_sha256);
        assert_eq!(bytes, text.len() as u64);
    }
    assert_eq!(rows_once.len(), 21);
    assert_eq!(receipt.lines, 21);
}

#[test]
fn splitter_truncates_oversized_lines_in_memory() {
    let mut s = LineSplitter::new();
    let mut lens = Vec::new();
    let big = vec![b'a'; 300_000];
    for _ in 0..5 {
        s.feed(&big, |_, b| lens.push(b.len()));
    }
    s.feed(b"\nok\n", |_, b| lens.push(b.len()));
    assert_eq!(lens, vec![MAX_LINE_BYTES + 1, 2]);
}

#[test]
fn whole_json_documents_are_accepted() {
    let p = propose(&harvest_features::sample::sample_input(0)).unwrap();
    let pretty = serde_json::to_string_pretty(&p).unwrap();
    let (rows, _) = review_text(&pretty, &Tolerance::default());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].verdict, Verdict::Match);
    let arr = format!("[{}, {}]", proposal_line(1), proposal_line(2));
    let (rows, r) = review_text(&arr, &Tolerance::default());
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(r.counts.verdict(Verdict::Match), 2);
}

#[test]
fn csv_escapes_and_has_every_column() {
    let mut v: serde_json::Value = serde_json::from_str(&proposal_line(3)).unwrap();
    v["audit"]["position"]["symbol"] = serde_json::json!("A,\"B\"");
    v["kill_score"] = serde_json::json!(0.1);
    let row = review(&v.to_string());
    let csv = csv_row(&row);
    assert!(csv.contains("\"A,\"\"B\"\"\""), "{csv}");
    assert!(csv.contains("MISMATCH"));
    assert!(csv.contains("kill_score: 0.1 →"));
    let cols = CSV_HEADER.split(',').count();
    assert_eq!(cols, 14);
    assert!(CSV_HEADER.ends_with(",second_opinion"));
}

#[test]
fn receipt_counts_and_summary() {
    let text = harvest_features::sample::sample_file();
    let (rows, r) = review_text(&text, &Tolerance::default());
    assert_eq!(rows.len(), 302);
    assert_eq!(r.counts.verdict(Verdict::Match), 292);
    assert_eq!(r.counts.verdict(Verdict::Mismatch), 8);
    assert_eq!(r.counts.verdict(Verdict::Invalid), 2);
    assert_eq!(r.counts.actions.values().sum::<usize>(), 300);
    assert!(!r.counts.all_good());
    assert_eq!(r.kernel_version, KERNEL_VERSION);
    assert!(r
        .summary_line()
        .starts_with("302 records: 292 MATCH, 8 MISMATCH, 2 INVALID"));
}
