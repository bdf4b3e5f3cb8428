//! The `harvest` binary end to end: replay, propose, verify on the sample file.
#![cfg(not(target_arch = "wasm32"))]

use harvest_features::sample::{sample_file, ALTERED, BROKEN, SAMPLE_PROPOSALS};
use harvest_kernel::{propose, scenarios, Proposal};

mod common;
use common::{harvest, text};

#[test]
fn replay_table_lists_every_step_and_matches_spec() {
    let out = harvest(&["replay"], b"");
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("Perfect storm"));
    assert!(s.contains("kill_score_triggered, regime_flip, sigma_spike, age_penalty"));
    assert!(s.contains("0.917"));
    assert!(s.contains("16 steps in 8 scenarios; 0 differ"), "{s}");
}

#[test]
fn replay_json_round_trips() {
    let out = harvest(&["replay", "--json"], b"");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 8);
    for (s, want) in arr.iter().zip(scenarios()) {
        assert_eq!(s["id"], want.id);
        for st in s["steps"].as_array().unwrap() {
            assert_eq!(st["matches_spec"], true, "{}", st["label"]);
            let _: Proposal = serde_json::from_value(st["proposal"].clone()).unwrap();
        }
    }
}

#[test]
fn propose_writes_one_line_per_input_and_reports_bad_lines() {
    let good = serde_json::to_string(&scenarios()[0].steps[1].input).unwrap();
    let input = format!(
        "{good}\n\n{{\"position\": 1}}\n{}\r\n{{not json\n{good}",
        good.replace("\"sigma\":0.01", "\"sigma\":-1.0")
    );
    let out = harvest(&["propose"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1), "a failed line → exit 1");
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 5, "blank line skipped: {lines:?}");
    let p: Proposal = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(p, propose(&scenarios()[0].steps[1].input).unwrap());
    let err = |i: usize| serde_json::from_str::<serde_json::Value>(lines[i]).unwrap();
    assert_eq!(err(1)["line"], 3);
    assert!(err(1)["error"]
        .as_str()
        .unwrap()
        .starts_with("position: invalid type"));
    assert_eq!(err(2)["line"], 4);
    assert_eq!(
        err(2)["error"],
        "market_state.sigma = -1 is out of range: expected σ ≥ 0"
    );
    assert_eq!(err(3)["line"], 5);
    assert_eq!(lines[4], lines[0], "last line without newline is processed");
    assert!(text(&out.stderr).contains("3 of 5 lines failed"));
}

#[test]
fn propose_is_order_preserving_across_threads() {
    let inputs: Vec<String> = (0..5000)
        .map(|i| serde_json::to_string(&harvest_features::sample::sample_input(i)).unwrap())
        .collect();
    let out = harvest(
        &["propose", "--threads", "2"],
        (inputs.join("\n") + "\n").as_bytes(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(got.len(), 5000);
    for i in [0usize, 1, 2499, 2500, 4999] {
        let want = propose(&harvest_features::sample::sample_input(i)).unwrap();
        assert_eq!(
            serde_json::from_str::<Proposal>(got[i]).unwrap(),
            want,
            "line {i}"
        );
    }
}

#[test]
fn sample_asset_is_in_sync_with_generator() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/sample-proposals.jsonl"
    ))
    .unwrap();
    assert!(
        committed == sample_file(),
        "assets/sample-proposals.jsonl is stale: run `cargo run --example make_sample`"
    );
}

#[test]
fn verify_sample_file_counts_and_diffs() {
    let out = harvest(&["verify"], sample_file().as_bytes());
    assert_eq!(out.status.code(), Some(1), "mismatches → exit 1");
    let rows: Vec<serde_json::Value> = std::str::from_utf8(&out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), SAMPLE_PROPOSALS + BROKEN.len());
    let verdict = |v: &str| rows.iter().filter(|r| r["verdict"] == v).count();
    assert_eq!(verdict("MATCH"), SAMPLE_PROPOSALS - ALTERED.len());
    assert_eq!(verdict("MISMATCH"), ALTERED.len());
    assert_eq!(verdict("INVALID"), BROKEN.len());
    for (line, field) in ALTERED {
        let r = &rows[line - 1];
        assert_eq!(r["line"], line);
        assert_eq!(r["verdict"], "MISMATCH", "line {line}");
        let fields: Vec<&str> = r["diffs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "line {line}: {fields:?}");
    }
    for line in BROKEN {
        assert_eq!(rows[line - 1]["verdict"], "INVALID");
        assert!(rows[line - 1]["error"].as_str().unwrap().len() > 10);
    }
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("302 records: 292 MATCH, 8 MISMATCH, 2 INVALID, 0 COMPUTED"),
        "{stderr}"
    );
    assert!(stderr.contains("sha256 "));
}

#[test]
fn verify_all_matching_exits_zero_and_writes_receipt_and_csv() {
    let good: String = (0..50)
        .map(|i| {
            serde_json::to_string(&propose(&harvest_features::sample::sample_input(i)).unwrap())
                .unwrap()
                + "\n"
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("harvest-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let receipt = dir.join("receipt.json");
    let out = harvest(
        &[
            "verify",
            "--format",
            "csv",
            "--receipt",
            receipt.to_str().unwrap(),
        ],
        good.as_bytes(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        harvest_features::reviewer::verify::CSV_HEADER
    );
    assert_eq!(lines.count(), 50);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    assert_eq!(r["counts"]["records"], 50);
    assert_eq!(r["counts"]["verdicts"]["MATCH"], 50);
    assert_eq!(r["input_bytes"], good.len());
    assert_eq!(r["input_sha256"].as_str().unwrap().len(), 64);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn verify_rejects_bad_tolerance() {
    let out = harvest(&["verify", "--abs-tol=-1"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--abs-tol"));
}
