//! The `harvest` binary's tuning commands end to end: sweep, diff-theta, theta export/import.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use harvest_features::charts::ActionMapSpec;
use harvest_features::theta::theta_to_lines;
use harvest_features::tuning::sweep;
use harvest_kernel::{scenarios, Axis, HarvestInput, Theta, ThetaField};

mod common;
use common::{harvest, text};

/// A file in this test binary's scratch directory.
fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_tuning");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn sweep_writes_the_library_table_as_csv() {
    let out = harvest(
        &[
            "sweep", "--x", "sigma", "--y", "age_sec", "--nx", "4", "--ny", "3",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let input = HarvestInput::default();
    let want = sweep(
        &input,
        ActionMapSpec::around(&input, Axis::Sigma, Axis::AgeSec, 4, 3),
    );
    assert_eq!(csv, want.to_csv());
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[0], "sigma,age_sec,action,R_net,kill_score,new_sl");
    assert!(csv.contains(",FULL_CLOSE_PROPOSED,") && csv.contains(",NONE,"));
    assert!(text(&out.stderr).contains("12 cells"));
}

#[test]
fn sweep_ranges_and_input_file_are_used() {
    let storm = &scenarios()[5].steps[0].input; // theta kill_threshold 0.5
    let path = scratch("storm.json", &serde_json::to_string(storm).unwrap());
    let out = harvest(
        &[
            "sweep",
            "--x",
            "pnl",
            "--y",
            "kill_threshold",
            "--x-range",
            "-10:10",
            "--y-range=0.9:0.99",
            "--nx",
            "5",
            "--ny",
            "2",
            "--input",
            path.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 10);
    let num = |s: &str| s.parse::<f64>().unwrap();
    assert_eq!(num(rows[0][0]), -8.0); // centre of the first of 5 columns over -10..10
    assert!((num(rows[0][1]) - 0.9225).abs() < 1e-12);
    // K 0.917 is below both thresholds swept (0.9225, 0.9675): the storm survives; at PnL 8
    // (R_net 3.95) the cascade proposes PARTIAL_25 and the profit lock a stop at 100.2.
    assert!(rows.iter().all(|r| r[2] != "FULL_CLOSE_PROPOSED"));
    let last = rows.last().unwrap();
    assert_eq!(num(last[0]), 8.0);
    assert_eq!(last[2], "PARTIAL_25");
    assert!((num(last[3]) - 3.95).abs() < 1e-12);
    assert_eq!(num(last[5]), 100.0 * 1.002);
    let input = storm.clone();
    let mut spec = ActionMapSpec::around(
        &input,
        Axis::Pnl,
        Axis::Theta(ThetaField::KillThreshold),
        5,
        2,
    );
    spec.x_range = (-10.0, 10.0);
    spec.y_range = (0.9, 0.99);
    assert_eq!(csv, sweep(&input, spec).to_csv());
}

#[test]
fn sweep_refuses_bad_axes_ranges_sizes_and_inputs_with_status_2() {
    let bad = scratch(
        "bad.json",
        r#"{"position": {"side": "LONG"}, "market_state": {}}"#,
    );
    let neg = scratch(
        "neg.json",
        &serde_json::to_string(&HarvestInput::default())
            .unwrap()
            .replace("\"sigma\":0.01", "\"sigma\":-0.01"),
    );
    let mut cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--x", "vol", "--y", "ts"],
            vec!["--x", "“vol”", "p_trend", "kill_threshold"],
        ),
        (vec!["--x", "ts", "--y", "Sigma"], vec!["--y", "“Sigma”"]),
        (
            vec!["--x", "ts", "--y", "sigma", "--x-range", "1:0"],
            vec!["--x-range", "empty"],
        ),
        (
            vec!["--x", "ts", "--y", "sigma", "--y-range", "0..1"],
            vec!["--y-range", "a:b"],
        ),
        (
            vec!["--x", "ts", "--y", "sigma", "--y-range", "0:inf"],
            vec!["--y-range", "finite"],
        ),
        (
            vec!["--x", "ts", "--y", "sigma", "--nx", "1"],
            vec!["--nx", "2 to 1024"],
        ),
        (
            vec!["--x", "ts", "--y", "sigma", "--ny", "5000"],
            vec!["--ny", "2 to 1024"],
        ),
        (
            vec!["--x", "ts", "--y", "ts"],
            vec!["--x and --y", "different"],
        ),
    ];
    // A sweep of good axes over an input file that is missing, incomplete or out of range.
    let inputs = [
        ("/nonexistent/x.json", vec!["--input"]),
        (
            bad.to_str().unwrap(),
            vec!["--input", "position: missing field `entry_price`"],
        ),
        (neg.to_str().unwrap(), vec!["--input", "market_state.sigma"]),
    ];
    for (path, needles) in inputs {
        cases.push((vec!["--x", "ts", "--y", "sigma", "--input", path], needles));
    }
    for (args, needles) in cases {
        let mut all = vec!["sweep"];
        all.extend(&args);
        let out = harvest(&all, b"");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: {n:?} not in {err}");
        }
    }
}

fn positions_jsonl() -> String {
    let mut s = String::new();
    for sc in scenarios() {
        for st in sc.steps {
            s.push_str(&serde_json::to_string(&st.input).unwrap());
            s.push('\n');
        }
    }
    s
}

#[test]
fn diff_theta_lists_changed_positions_and_counts() {
    // Replay steps: K 0.503 (most), 0.528, 0.574, 0.734 (×2), 0.917. Lowering the bar to
    // 0.55 turns exactly the K 0.574 step into a full close.
    let a = scratch("a.json", "{}");
    let b = scratch(
        "b.lines",
        "# stricter\ntheta.harvest.kill_threshold = 0.55\n",
    );
    let mut input = positions_jsonl();
    input.push_str("\nnot json\n");
    let out = harvest(
        &["diff-theta", a.to_str().unwrap(), b.to_str().unwrap()],
        input.as_bytes(),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a bad line: {err}");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let changed = &lines[0];
    assert_eq!(changed["line"], 12);
    assert_eq!(changed["symbol"], "BTCUSDT");
    assert_eq!(changed["changes"], serde_json::json!(["action", "kill"]));
    assert_eq!(changed["a"]["action"], "NONE");
    assert_eq!(changed["b"]["action"], "FULL_CLOSE_PROPOSED");
    assert_eq!(changed["a"]["killed"], false);
    assert_eq!(changed["b"]["killed"], true);
    assert!((changed["a"]["kill_score"].as_f64().unwrap() - 0.574).abs() < 5e-4);
    assert_eq!(lines[1]["line"], 18);
    assert!(lines[1]["error"].as_str().unwrap().contains("expected"));
    assert!(
        err.contains("B differs from A in 1 tunable: kill_threshold 0.6 → 0.55"),
        "{err}"
    );
    assert!(
        err.contains("16 positions compared, 1 invalid; 1 changed"),
        "{err}"
    );
    assert!(
        err.contains("B proposes 1 more full close and 1 fewer hold than A."),
        "{err}"
    );
}

#[test]
fn diff_theta_reads_proposals_and_reports_stop_changes() {
    // Proposals (with audit) are read through their audit inputs; a higher lock_R drops stops.
    let mut input = String::new();
    for sc in scenarios() {
        for st in sc.steps {
            let p = harvest_kernel::propose(&st.input).unwrap();
            input.push_str(&serde_json::to_string(&p).unwrap());
            input.push('\n');
        }
    }
    let a = scratch("a2.lines", &theta_to_lines(&Theta::default()));
    let b = scratch("b2.json", r#"{"lock_R": 3.0}"#);
    let out = harvest(
        &[
            "diff-theta",
            "--threads",
            "2",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert_eq!(l["changes"], serde_json::json!(["new_sl"]), "{l}");
        assert!(l["a"]["new_sl"].is_f64() && l["b"]["new_sl"].is_null());
    }
    assert!(
        err.contains(&format!(
            "stop {} ({} added, {} removed)",
            lines.len(),
            0,
            lines.len()
        )),
        "{err}"
    );
}

#[test]
fn diff_theta_identical_thetas_report_nothing() {
    let a = scratch("same-a.json", r#"{"kill_threshold": 0.6}"#);
    let b = scratch("same-b.lines", "theta.harvest.kill_threshold=0.6\n");
    let out = harvest(
        &["diff-theta", a.to_str().unwrap(), b.to_str().unwrap()],
        positions_jsonl().as_bytes(),
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("identical") && err.contains("0 changed"),
        "{err}"
    );
}

#[test]
fn diff_theta_refuses_bad_theta_files_naming_every_problem() {
    let a = scratch("bad-a.json", r#"{"sigma_ref": 0, "sigmaref": 0.01}"#);
    let b = scratch("bad-b.lines", "theta.harvest.T1_R=abc\n");
    let out = harvest(
        &["diff-theta", a.to_str().unwrap(), b.to_str().unwrap()],
        positions_jsonl().as_bytes(),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    for needle in [
        "theta A (",
        "theta.sigma_ref = 0",
        "“sigmaref”",
        "theta B (",
        "line 1: T1_R: “abc” is not a number",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
}

#[test]
fn theta_export_and_import_convert_between_formats() {
    let out = harvest(&["theta", "export", "--format", "lines"], b"");
    assert!(out.status.success());
    let lines = text(&out.stdout);
    assert_eq!(lines, theta_to_lines(&Theta::default()));
    let path = scratch(
        "tuned.lines",
        &lines.replace("kill_threshold=0.6", "kill_threshold=0.45"),
    );
    let out = harvest(&["theta", "import", path.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t: Theta = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        t,
        Theta {
            kill_threshold: 0.45,
            ..Theta::default()
        }
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 22);
    // Back to lines from the JSON file.
    let json = scratch("tuned.json", &text(&out.stdout));
    let out = harvest(
        &[
            "theta",
            "export",
            "--format",
            "lines",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(text(&out.stdout).contains("\ntheta.harvest.kill_threshold=0.45\n"));
    // A refused import: exit 1, every problem named.
    let bad = scratch(
        "refused.lines",
        "theta.harvest.ts_ref=x\ntheta.harvest.max_age_sec=0\n",
    );
    let out = harvest(&["theta", "import", bad.to_str().unwrap()], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("line 1: ts_ref") && err.contains("line 2: theta.max_age_sec = 0"),
        "{err}"
    );
    assert!(err.contains("refused (2 problems)"), "{err}");
}
