//! `harvest backtest` end to end: trades as JSON Lines equal to the library's, the summary,
//! theta B, entries from a file, the sweep's CSV, the shipped sample, and bad input.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use harvest_features::replay::market::{import_prices, P0Params};
use harvest_features::replay::{
    every_n, Backtest, Series, Sides, SimParams, SweepAxis, ThetaSweep,
};
use harvest_kernel::Theta;

mod common;
use common::{harvest, text};

fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_backtest");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// An hourly price file of `n` bars: a wave with a drift, so trades win and lose.
fn prices(n: usize) -> String {
    let mut s = String::from("timestamp,open,high,low,close,volume\n");
    let mut c = 100.0f64;
    for i in 0..n {
        let r = 0.006 * ((i as f64) * 0.21).sin() + 0.004 * ((i as f64) * 1.7).cos() + 0.0003;
        let o = c;
        c *= 1.0 + r;
        let (hi, lo) = (o.max(c) * 1.002, o.min(c) * 0.998);
        s.push_str(&format!(
            "{},{o},{hi},{lo},{c},10\n",
            1_500_000_000 + 3600 * i as i64
        ));
    }
    s
}

fn library(text: &str, every: usize, sides: Sides, theta: Theta) -> Vec<f64> {
    let bars = import_prices(text).unwrap().bars;
    let s = Series::with_states(bars, P0Params::default());
    let e = every_n(s.bars.len(), every, sides, 0);
    let (rows, _) = Backtest::new(e, theta, SimParams::default())
        .unwrap()
        .run(&s);
    rows.iter().map(|r| r.r).collect()
}

/// `harvest backtest <path> args…`, which must succeed.
#[track_caller]
fn backtest(path: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["backtest", path.to_str().unwrap()];
    all.extend(args);
    let out = harvest(&all, b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    out
}

fn rows(stdout: &[u8]) -> Vec<serde_json::Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn trades_are_the_librarys_and_the_summary_is_on_stderr() {
    let csv = prices(700);
    let path = scratch("wave.csv", &csv);
    let out = backtest(&path, &["--every", "20", "--side", "both"]);
    let got = rows(&out.stdout);
    let want = library(&csv, 20, Sides::Both, Theta::default());
    assert_eq!(got.len(), want.len());
    assert!(got.len() > 20);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["theta"], "A");
        assert_eq!(g["r"].as_f64().unwrap(), *w);
        assert!(g["exit_reason"].is_string() && g["hold_r"].is_f64() && g["trail_r"].is_f64());
    }
    assert!(got.iter().any(|g| g["side"] == "SHORT"));
    let err = text(&out.stderr);
    for want in [
        "theta A",
        "P0+P1+P2 (theta)",
        "hold to initial stop",
        "P1 trailing stop alone",
        "histogram of R",
    ] {
        assert!(err.contains(want), "{want} in {err}");
    }
    // The same from stdin.
    let out2 = harvest(
        &["backtest", "--every", "20", "--side", "both"],
        csv.as_bytes(),
    );
    assert_eq!(out2.stdout, out.stdout);
}

#[test]
fn theta_b_runs_on_the_same_trades_and_the_summary_file_is_written() {
    let csv = prices(600);
    let path = scratch("wave-ab.csv", &csv);
    let b = scratch("b.json", r#"{"kill_threshold": 0.9, "T1_R": 1.0}"#);
    let summary = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_backtest/summary.json");
    let out = backtest(
        &path,
        &[
            "--every",
            "15",
            "--theta-b",
            b.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let got = rows(&out.stdout);
    let (a, bb): (Vec<_>, Vec<_>) = got.iter().partition(|g| g["theta"] == "A");
    assert_eq!(a.len(), bb.len());
    let theta_b = Theta {
        kill_threshold: 0.9,
        t1_r: 1.0,
        ..Theta::default()
    };
    let want_b = library(&csv, 15, Sides::Long, theta_b);
    for (g, w) in bb.iter().zip(&want_b) {
        assert_eq!(g["r"].as_f64().unwrap(), *w);
    }
    assert!(text(&out.stderr).contains("On the same"));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["entries"].as_u64().unwrap() as usize, a.len());
    assert_eq!(
        s["a"]["theta"]["trades"].as_u64().unwrap() as usize,
        a.len()
    );
    assert!(s["ab"]["b_better"].is_u64());
    let total: f64 = want_b.iter().sum();
    assert!((s["b"]["theta"]["total_r"].as_f64().unwrap() - total).abs() < 1e-9);
}

#[test]
fn entries_come_from_a_file_and_bad_lines_are_reported() {
    let csv = prices(400);
    let path = scratch("wave-entries.csv", &csv);
    let t300 = 1_500_000_000 + 3600 * 300;
    let list = scratch(
        "entries.csv",
        &format!(
            "time,side\n{t300},LONG\n{},short\nnonsense,LONG\n{},LONG\n",
            t300 + 7200,
            1_500_000_000
        ),
    );
    let out = backtest(&path, &["--entries", list.to_str().unwrap()]);
    let got = rows(&out.stdout);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["entry_index"], 300);
    assert_eq!(got[1]["entry_index"], 302);
    assert_eq!(got[1]["side"], "SHORT");
    let err = text(&out.stderr);
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("first with a market state"), "{err}");
}

#[test]
fn the_sweep_writes_the_librarys_csv() {
    let csv = prices(500);
    let path = scratch("wave-sweep.csv", &csv);
    let out = backtest(
        &path,
        &[
            "--every",
            "25",
            "--sweep",
            "kill_threshold=0.5:0.8:3",
            "--sweep",
            "T1_R=1:3:2",
        ],
    );
    let bars = import_prices(&csv).unwrap().bars;
    let s = Series::with_states(bars, P0Params::default());
    let e = every_n(s.bars.len(), 25, Sides::Long, 0);
    let mut sw = ThetaSweep::new(
        SweepAxis::parse("kill_threshold=0.5:0.8:3").unwrap(),
        SweepAxis::parse("T1_R=1:3:2").unwrap(),
        Theta::default(),
        e,
        SimParams::default(),
    )
    .unwrap();
    sw.step(&s, || true);
    assert_eq!(text(&out.stdout), sw.to_csv());
    assert_eq!(text(&out.stdout).lines().count(), 7);
    assert!(text(&out.stderr).contains("6 cells"));
}

#[test]
fn the_shipped_sample_backtests() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/prices/Coinbase_BTCUSD_1h.csv"
    );
    let out = harvest(
        &["backtest", sample, "--every", "400", "--side", "both"],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = rows(&out.stdout);
    // 20,111 bars: entries at 256, 656, … below 20,110, two sides each.
    assert_eq!(got.len(), 2 * (20_110usize - 256).div_ceil(400));
    assert!(got.iter().all(|g| g["r"].as_f64().unwrap().is_finite()));
}

#[test]
fn bad_input_is_a_clear_error() {
    let short = scratch("short.csv", &prices(100));
    let ok = scratch("ok.csv", &prices(400));
    // sigma_ref = 0 is what the kernel cannot compute with (kill_threshold 1.5 would only warn).
    let bad_theta = scratch("bad-theta.json", r#"{"sigma_ref": 0}"#);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["backtest", "/nonexistent/prices.csv"],
            "reading the prices",
        ),
        (
            vec!["backtest", short.to_str().unwrap()],
            "needs at least 258",
        ),
        (
            vec![
                "backtest",
                ok.to_str().unwrap(),
                "--theta",
                bad_theta.to_str().unwrap(),
            ],
            "sigma_ref",
        ),
        (
            vec![
                "backtest",
                ok.to_str().unwrap(),
                "--sweep",
                "kill_threshold=0.5:0.8:3",
            ],
            "exactly two axes",
        ),
        (
            vec!["backtest", ok.to_str().unwrap(), "--cost-bps=-1"],
            "cost_bps",
        ),
    ];
    for (args, want) in cases {
        let out = harvest(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(want),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = harvest(&["backtest", "--sweep", "nope=1:2:3"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a theta tunable"));
}

/// Prices anywhere from 5e-324 to 1.7e308 (issue 18): before, trades wrote `"r": null`, the
/// summary printed 300-digit means, and theta A and its baselines counted different trades.
fn extreme_prices(n: usize) -> String {
    let mut s = String::from("timestamp,open,high,low,close\n");
    let mut x = 0.3172_f64;
    for i in 0..n {
        x = (x * 9.73 + 0.137).fract();
        let c = 10f64.powf(x * 631.0 - 323.0).clamp(5e-324, f64::MAX);
        s.push_str(&format!(
            "{},{c:e},{c:e},{c:e},{c:e}\n",
            1_500_000_000 + 3600 * i
        ));
    }
    s
}

#[test]
fn extreme_prices_count_the_same_trades_and_print_short_numbers() {
    let path = scratch("extreme.csv", &extreme_prices(1200));
    let summary = path.with_extension("json");
    let out = harvest(
        &[
            "backtest",
            path.to_str().unwrap(),
            "--side",
            "both",
            "--every",
            "4",
            "--summary",
            summary.to_str().unwrap(),
        ],
        b"",
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        !stdout.contains("null"),
        "{}",
        &stdout[..stdout.len().min(2000)]
    );
    let rows = rows(&out.stdout);
    for r in &rows {
        for k in [
            "entry_price",
            "initial_sl",
            "r",
            "cost_r",
            "hold_r",
            "trail_r",
        ] {
            assert!(r[k].as_f64().is_some_and(f64::is_finite), "{k}: {r}");
        }
    }
    // No run of digits longer than 17 (the shortest text of any double).
    let longest = stderr
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest <= 17, "{longest} digits in a row: {stderr}");
    // The three summaries count the same trades: the ones on stdout.
    let counts: Vec<usize> = stderr
        .lines()
        .filter_map(|l| l.split("trades").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts, [rows.len(); 3], "{stderr}");
    // Trades left out are counted and say why.
    assert!(stderr.contains("skipped: "), "{stderr}");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let skipped = file["a"]["skipped"].as_array().unwrap().len();
    assert_eq!(rows.len() + skipped, 2 * 236, "{stderr}");
    assert!(!file.to_string().contains("null"));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// An hourly price file of `n` bars from `t0`, its wave shifted by `phase`.
fn prices_from(n: usize, t0: i64, phase: f64) -> String {
    let mut s = String::from("timestamp,open,high,low,close,volume\n");
    let mut c = 50.0 + 10.0 * phase;
    for i in 0..n {
        let x = i as f64 + phase * 13.0;
        let r = 0.007 * (x * 0.19).sin() + 0.004 * (x * 1.3).cos() + 0.0002 * phase;
        let o = c;
        c *= 1.0 + r;
        let (hi, lo) = (o.max(c) * 1.003, o.min(c) * 0.997);
        s.push_str(&format!("{},{o},{hi},{lo},{c},10\n", t0 + 3600 * i as i64));
    }
    s
}

/// The Replay page's path on the same files: each file read as the page reads it, its symbol
/// from its name, in symbol order, market states computed in slices, each symbol's backtest in
/// slices, then pooled ([`PooledRun`]); and its sweep ([`MultiSweep`]) in slices.
fn page_path(
    files: &[(&str, String)],
    every: usize,
    limit: usize,
    sweep: Option<(SweepAxis, SweepAxis)>,
) -> (harvest_features::replay::PooledRun, Option<String>) {
    use harvest_features::replay::market::{file_name, import_price_bytes};
    use harvest_features::replay::{MultiSweep, PooledRun, SymbolRun};
    let mut syms: Vec<(String, Series)> = files
        .iter()
        .map(|(name, text)| {
            let bars = import_price_bytes(text.as_bytes()).unwrap().bars;
            let mut s = Series::new(bars, P0Params::default());
            let n = s.bars.len();
            let mut k = 0;
            while s.compute_states_to(n, || {
                k += 1;
                k % 97 != 0
            }) < n
            {}
            (file_name(name).symbol, s)
        })
        .collect();
    syms.sort_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<(String, Vec<harvest_features::replay::Entry>)> = syms
        .iter()
        .map(|(n, s)| (n.clone(), every_n(s.bars.len(), every, Sides::Both, limit)))
        .collect();
    let runs = syms
        .iter()
        .zip(&entries)
        .map(|((name, s), (_, e))| {
            let mut bt = Backtest::new(e.clone(), Theta::default(), SimParams::default()).unwrap();
            let mut k = 0;
            while !bt.step(s, || {
                k += 1;
                k % 7 != 0
            }) {}
            SymbolRun {
                symbol: name.clone(),
                report: bt.report(),
                rows: bt.rows,
            }
        })
        .collect();
    let csv = sweep.map(|(x, y)| {
        let mut e = entries.clone();
        for (_, e) in &mut e {
            e.truncate(limit);
        }
        let mut ms = MultiSweep::new(x, y, Theta::default(), e, SimParams::default()).unwrap();
        let series: Vec<&Series> = syms.iter().map(|(_, s)| s).collect();
        let mut k = 0;
        while !ms.step(&series, || {
            k += 1;
            k % 11 != 0
        }) {}
        ms.to_csv()
    });
    (PooledRun::of(runs), csv)
}

/// `harvest backtest FILE1 FILE2 FILE3` and the Replay page's code path on the same files give
/// the same numbers: each symbol's report and the pooled one (the summary file), and the sweep's
/// CSV per symbol and pooled.
#[test]
fn several_files_give_the_pages_numbers_per_symbol_and_pooled() {
    let files = [
        (
            "Coinbase_BTCUSD_1h.csv",
            prices_from(900, 1_500_000_000, 0.0),
        ),
        (
            "ETHUSDT-1h-2024-01.csv",
            prices_from(800, 1_500_005_400, 1.0),
        ),
        ("BTC_USDT-1h.csv", prices_from(700, 1_500_090_000, 2.0)),
    ];
    std::fs::create_dir_all(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_backtest/multi"))
        .unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(n, t)| scratch(&format!("multi/{n}"), t))
        .collect();
    let summary = scratch("multi-summary.json", "");
    let mut args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(
        [
            "--every",
            "12",
            "--side",
            "both",
            "--limit",
            "40",
            "--summary",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    args.push(summary.display().to_string());
    let argv: Vec<&str> = std::iter::once("backtest")
        .chain(args.iter().map(String::as_str))
        .collect();
    let out = harvest(&argv, b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let (page, _) = page_path(&files, 12, 40, None);
    let names: Vec<&str> = page.symbols.iter().map(|s| s.symbol.as_str()).collect();
    assert_eq!(names, ["BTC/USDT", "BTCUSD", "ETHUSDT"]);
    assert_eq!(
        got["a"],
        serde_json::to_value(&page.report).unwrap(),
        "pooled"
    );
    assert_eq!(got["per_symbol"].as_array().unwrap().len(), 3);
    for (part, s) in got["per_symbol"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&page.symbols)
    {
        assert_eq!(part["symbol"], s.symbol.as_str());
        assert_eq!(
            part["a"],
            serde_json::to_value(&s.report).unwrap(),
            "{}",
            s.symbol
        );
    }
    assert_eq!(page.report.theta.trades, 3 * 40);
    // The pooled drawdown is that of the trades in time order, not the sum of the symbols'.
    let sum_dd: f64 = page
        .symbols
        .iter()
        .map(|s| s.report.theta.max_drawdown_r)
        .sum();
    assert!(page.report.theta.max_drawdown_r <= sum_dd + 1e-9);

    // The sweep: the same CSV, each symbol's cells and the pooled ones.
    let x = SweepAxis::parse("kill_threshold=0.5:0.9:3").unwrap();
    let y = SweepAxis::parse("T1_R=1:3:2").unwrap();
    let mut sargs: Vec<&str> = vec!["backtest"];
    sargs.extend(args.iter().take(3).map(String::as_str));
    // The same rule, 20 entries a symbol, the two axes.
    sargs.extend("--every=12 --side=both --limit=20".split(' '));
    sargs.extend(["--sweep=kill_threshold=0.5:0.9:3", "--sweep=T1_R=1:3:2"]);
    let out = harvest(&sargs, b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, csv) = page_path(&files, 12, 20, Some((x, y)));
    let csv = csv.unwrap();
    assert_eq!(text(&out.stdout), csv);
    assert_eq!(csv.lines().count(), 1 + 4 * 6);
    assert!(csv.lines().last().unwrap().starts_with("pooled,"));
}
