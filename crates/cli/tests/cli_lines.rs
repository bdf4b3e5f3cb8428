//! Hostile lines through `propose`, `stops` and `verify` (issue 18): a line of 120 MB is read
//! past, not held (the process's peak memory stays far below it), and reported by its number; a
//! byte order mark on any line is skipped; the lines around them are read as usual.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::sync::mpsc;

use harvest_kernel::{propose, HarvestInput};
use serde_json::Value;

mod common;

const LONG: usize = 120 << 20;

/// The values of the column `name` of a CSV text with a header.
fn csv_column(csv: &str, name: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let col = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records().map(|x| x.unwrap()[col].to_string()).collect()
}

/// Runs `harvest args` on `good`, a `LONG`-byte line, `good` after a BOM and `good`; returns the
/// output lines and the peak resident memory (VmHWM, kB) once the long line was read.
fn run(args: &[&str], good: &str) -> (Vec<Value>, String, u64) {
    let mut child = common::spawn_harvest(args);
    let pid = child.id();
    let mut sin = child.stdin.take().unwrap();
    let (written, close) = (mpsc::channel(), mpsc::channel::<()>());
    let good = good.to_string();
    let writer = std::thread::spawn(move || {
        sin.write_all(good.as_bytes()).unwrap();
        sin.write_all(b"\n").unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..LONG >> 20 {
            sin.write_all(&chunk).unwrap();
        }
        // The rest fits in the pipe: once written, the long line has been read through.
        sin.write_all(format!("\n\u{feff}{good}\n{good}\n").as_bytes())
            .unwrap();
        written.0.send(()).unwrap();
        close.1.recv().unwrap();
    });
    written.1.recv().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let hwm: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    close.0.send(()).unwrap();
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        hwm,
    )
}

fn check(what: &str, rows: &[Value], hwm_kb: u64, error_of: impl Fn(&Value) -> Option<&str>) {
    assert_eq!(rows.len(), 4, "{what}: {rows:?}");
    assert!(
        hwm_kb < 80 * 1024,
        "{what}: peak {hwm_kb} kB for a {LONG}-byte line"
    );
    for i in [0, 2, 3] {
        assert_eq!(
            error_of(&rows[i]),
            None,
            "{what} line {}: {}",
            i + 1,
            rows[i]
        );
    }
    assert_eq!(
        error_of(&rows[1]).unwrap_or_default(),
        format!(
            "line is {LONG} bytes, longer than the 1048576 bytes a {} may have{}",
            if what == "verify" { "record" } else { "line" },
            if what == "verify" {
                ""
            } else {
                "; it was skipped"
            }
        ),
        "{what}"
    );
}

#[test]
fn propose_reads_past_a_huge_line() {
    let good = serde_json::to_string(&HarvestInput::default()).unwrap();
    let (rows, err, hwm) = run(&["propose", "--threads", "2"], &good);
    check("propose", &rows, hwm, |v| v["error"].as_str());
    assert_eq!(rows[1]["line"], 2);
    assert!(err.contains("1 of 4 lines failed"), "{err}");
}

#[test]
fn stops_reads_past_a_huge_line() {
    let good = r#"{"position": {"side": "LONG", "current_price": 100}, "market_state": {"sigma": 0.01, "ts": 0.5, "p_trend": 0.6, "p_mr": 0.2, "p_chop": 0.2}}"#;
    let (rows, err, hwm) = run(&["stops"], good);
    check("stops", &rows, hwm, |v| v["error"].as_str());
    assert!(err.contains("1 of 4 lines failed"), "{err}");
}

#[test]
fn verify_reads_past_a_huge_line() {
    let good = serde_json::to_string(&propose(&HarvestInput::default()).unwrap()).unwrap();
    let (rows, err, hwm) = run(&["verify"], &good);
    check("verify", &rows, hwm, |v| v["error"].as_str());
    assert_eq!(rows[1]["verdict"], "INVALID");
    assert_eq!(rows[2]["verdict"], "MATCH");
    // The receipt still counts and hashes every byte.
    assert!(
        err.contains("4 records: 3 MATCH, 0 MISMATCH, 1 INVALID"),
        "{err}"
    );
}

/// The CSV formula guard covers a leading tab and carriage return (issue 18): a spreadsheet skips
/// them and would run the formula after them.
#[test]
fn verify_csv_guards_a_leading_tab_or_cr() {
    let mut input = HarvestInput::default();
    let mut lines = String::new();
    for symbol in ["\t=HYPERLINK(\"http://x\")", "\r=1+2", "=1+2", "BTCUSDT"] {
        input.position.symbol = symbol.to_string();
        lines += &serde_json::to_string(&input).unwrap();
        lines += "\n";
    }
    let out = common::harvest(&["verify", "--format", "csv"], lines.as_bytes());
    let symbols = csv_column(&String::from_utf8(out.stdout).unwrap(), "symbol");
    assert_eq!(
        symbols,
        ["'\t=HYPERLINK(\"http://x\")", "'\r=1+2", "'=1+2", "BTCUSDT"]
    );
}

/// Every command quotes at most ~100 characters of what it was given, however long the value
/// (issue 18: messages echoed up to 300 KB), and writes numbers in their shortest form.
#[test]
fn every_command_echoes_at_most_100_characters() {
    let x = "k".repeat(300_000);
    let json_lines = [
        format!(r#"{{"position": {{"side": "{x}"}}}}"#),
        format!(r#"{{"{x}": [1,]}}"#),
        format!(r#"{{"position": {{"entry_price": "{x}"}}}}"#),
        format!(r#""{x}""#),
        format!(r#"{{"harvest_action": "NONE", "R_net": "{x}", "symbol": "{x}"}}"#),
        format!(r#"{{"harvest_action": "NONE", "{x}": 1, "symbol": [1, 2]}}"#),
        r#"{"position": {"symbol": "A", "side": "LONG", "entry_price": 1e308, "qty": 1e300, "age_sec": 0, "unrealized_pnl": 1}, "market_state": {"sigma": 0.01, "ts": 0.5, "p_trend": 0.6, "p_mr": 0.2, "p_chop": 0.2}}"#.to_string(),
    ]
    .join("\n")
        + "\n";
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_lines");
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let mut prices = String::from("time,open,high,low,close,volume\n");
    for i in 0..300 {
        prices += &format!("{},1,1,1,1,1\n", 1_700_000_000 + 3600 * i);
    }
    prices += &format!("{x},1,1,1,1,1\n2000000000,{x},1,1,1,1\n2000003600,1,1,1,1,{x}\n");
    let prices = file("prices.csv", &prices);
    let entries = file("entries.csv", &format!("{x},long\n1700000000,{x}\n"));
    let theta = file("theta.harvest", &format!("{x}=1\nkill_threshold={x}\n"));
    let sweep = format!("--sweep={}", &x[..100_000]);
    let runs: Vec<(Vec<&str>, &[u8])> = vec![
        (vec!["propose"], json_lines.as_bytes()),
        (vec!["stops"], json_lines.as_bytes()),
        (vec!["verify"], json_lines.as_bytes()),
        (vec!["verify", "--format", "csv"], json_lines.as_bytes()),
        (vec!["market-state", &prices], b""),
        (vec!["backtest", &prices, "--entries", &entries], b""),
        (vec!["backtest", &prices, &sweep, &sweep], b""),
        (vec!["theta", "import", &theta], b""),
        (vec!["diff-theta", "--a", &theta], json_lines.as_bytes()),
    ];
    for (args, stdin) in runs {
        let out = common::harvest(&args, stdin);
        // The messages: stderr, and the `error` of each output record (a record's own data,
        // such as its symbol, is written as it is).
        let mut messages: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(str::to_string)
            .collect();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if args.contains(&"csv") {
            messages.extend(csv_column(&stdout, "error"));
        } else if args[0] == "market-state" || args[0] == "backtest" {
            assert!(!stdout.contains(&"k".repeat(101)), "{args:?}");
        } else {
            for l in stdout.lines() {
                let v: Value = serde_json::from_str(l).unwrap();
                if let Some(e) = v["error"].as_str() {
                    messages.push(e.to_string());
                }
            }
        }
        assert!(messages.len() >= 2, "{:?}: {messages:?}", &args[0]);
        for m in &messages {
            assert!(
                !m.contains(&"k".repeat(101)),
                "{:?}: {} bytes: {}…",
                &args[0],
                m.len(),
                &m[..m.len().min(300)]
            );
            assert!(m.len() < 700, "{:?}: {m}", &args[0]);
            // No number runs to hundreds of digits.
            let digits = m.split(|c: char| !c.is_ascii_digit()).map(str::len).max();
            assert!(digits.unwrap_or(0) <= 20, "{:?}: {m}", &args[0]);
        }
    }
}
