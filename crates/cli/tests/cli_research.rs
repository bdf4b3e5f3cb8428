//! `harvest research` end to end: several symbols from a folder (the symbol from each file
//! name), freqtrade's json / jsongz / feather as freqtrade writes them, the report equal to the
//! library's bit for bit, the hand-off files, and bad input.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use harvest_cli::price_files::{load, read_file};
use harvest_features::replay::market::{import_prices, P0Params};
use harvest_features::replay::{Series, Sides, SweepAxis};
use harvest_features::research::{
    build_report, ResearchPlan, ResearchSettings, SymbolSeries, TaskResult,
};

mod common;
use common::{assert_stderr_has, harvest, text};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/freqtrade")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_research")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An hourly price CSV of `n` bars (Binance klines, no header) with its own wave.
fn klines(n: usize, start: i64, k: f64) -> String {
    let mut s = String::new();
    let mut c = 100.0f64;
    for i in 0..n {
        let r = 0.006 * ((i as f64) * 0.17 * k).sin() + 0.004 * ((i as f64) * 1.3).cos() + 0.0002;
        let o = c;
        c *= 1.0 + r;
        let (hi, lo) = (o.max(c) * 1.002, o.min(c) * 0.998);
        s.push_str(&format!(
            "{},{o},{hi},{lo},{c},10\n",
            (start + 3600 * i as i64) * 1000
        ));
    }
    s
}

/// Two symbols: BTCUSDT in two monthly Binance files, SOLUSDT in one.
fn two_symbols(dir: &Path) {
    let all = klines(1600, 1_600_000_000, 1.0);
    let lines: Vec<&str> = all.lines().collect();
    std::fs::write(
        dir.join("BTCUSDT-1h-2020-09.csv"),
        lines[..900].join("\n") + "\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("BTCUSDT-1h-2020-10.csv"),
        lines[900..].join("\n") + "\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("SOLUSDT-1h-2020-09.csv"),
        klines(1500, 1_600_036_000, 1.7),
    )
    .unwrap();
}

const GRID: [&str; 4] = [
    "--grid",
    "kill_threshold=0.4:0.8:3",
    "--grid",
    "T1_R=1.5:3:2",
];

/// `harvest research <dir>` over [`GRID`] with a small run (2 folds, every 48 bars, 4 CSCV
/// blocks), then `extra`.
fn research_args<'a>(dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["research", dir];
    args.extend(GRID);
    args.extend(["--folds", "2", "--every", "48", "--cscv-blocks", "4"]);
    args.extend(extra);
    args
}

#[test]
fn freqtrade_formats_load_the_same_candles() {
    let f = fixtures();
    let (feather, p1) = read_file(&f.join("ETH_USDT-1h.feather")).unwrap();
    let (json, p2) = read_file(&f.join("ETH_USDT-1h.json")).unwrap();
    let (gz, p3) = read_file(&f.join("ETH_USDT-1h.json.gz")).unwrap();
    assert_eq!(
        (feather.len(), p1.len(), p2.len(), p3.len()),
        (700, 0, 0, 0)
    );
    assert_eq!(json, gz);
    assert_eq!(feather[0].time, 1_600_000_000);
    for (a, b) in feather.iter().zip(&json) {
        // pandas writes json with 10 decimals; feather keeps every bit.
        assert_eq!(a.time, b.time);
        assert!((a.close - b.close).abs() < 1e-6, "{a:?} {b:?}");
        assert_eq!(a.volume, b.volume);
    }
    // The folder: one symbol, the trades file skipped, the three files merged.
    let (syms, skipped) = load(&[f], None).unwrap();
    assert_eq!(syms.len(), 1);
    assert_eq!(
        (syms[0].symbol.as_str(), syms[0].bars.len()),
        ("ETH/USDT", 700)
    );
    assert_eq!(syms[0].overlaps, 1400);
    assert!(skipped.iter().any(|s| s.contains("trades")), "{skipped:?}");
}

#[test]
fn a_feather_written_here_with_every_time_unit_reads() {
    use arrow_array::{Float64Array, RecordBatch, TimestampNanosecondArray};
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    use std::sync::Arc;
    let dir = scratch("feather");
    let n = 5;
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "date",
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            false,
        ),
        Field::new("open", DataType::Float64, false),
        Field::new("high", DataType::Float64, false),
        Field::new("low", DataType::Float64, false),
        Field::new("close", DataType::Float64, false),
    ]));
    let t: Vec<i64> = (0..n)
        .map(|i| (1_700_000_000 + 3600 * i) * 1_000_000_000)
        .collect();
    let p = |x: f64| Arc::new(Float64Array::from(vec![x; n as usize]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(TimestampNanosecondArray::from(t).with_timezone("UTC")),
            p(1.0),
            p(2.0),
            p(0.5),
            p(1.5),
        ],
    )
    .unwrap();
    let path = dir.join("ADA_USDT-4h.feather");
    let file = std::fs::File::create(&path).unwrap();
    let opts = arrow_ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(arrow_ipc::CompressionType::LZ4_FRAME))
        .unwrap();
    let mut w = arrow_ipc::writer::FileWriter::try_new_with_options(file, &schema, opts).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
    let (bars, problems) = read_file(&path).unwrap();
    assert_eq!((bars.len(), problems.len()), (5, 0));
    assert_eq!(bars[1].time, 1_700_003_600);
    assert_eq!(bars[0].volume, None);
}

#[test]
fn research_over_a_folder_writes_the_hand_off() {
    let dir = scratch("folder");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    two_symbols(&data);
    let out_dir = dir.join("out");
    let args = research_args(
        data.to_str().unwrap(),
        &["--out", out_dir.to_str().unwrap()],
    );
    let out = harvest(&args, b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_stderr_has(&out, "2 symbol(s)");
    assert_stderr_has(&out, "Probability of backtest overfitting");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    let names: Vec<&str> = report["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["BTCUSDT", "SOLUSDT"]);
    assert_eq!(report["symbols"][0]["bars"], 1600);
    assert_eq!(report["folds"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["oos"]["per_symbol"].as_array().unwrap().len(),
        2,
        "per symbol and pooled"
    );
    // The hand-off: theta.json and harvest_params.json carry the chosen values.
    let theta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("theta.json")).unwrap())
            .unwrap();
    let params: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("harvest_params.json")).unwrap(),
    )
    .unwrap();
    let chosen = &report["choice"]["values"];
    for v in chosen.as_array().unwrap() {
        let key = v["key"].as_str().unwrap();
        assert_eq!(theta[key], v["value"], "{key}");
        assert_eq!(params[key], v["value"], "{key}");
    }
    assert_eq!(params.as_object().unwrap().len(), 21);
    assert!(params.get("fallback_stop_pct").is_none());
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 4, "four charts");
    assert!(html.contains("BTCUSDT, SOLUSDT"));
    assert!(!html.contains("<script"), "self-contained, no script");
    // Nothing loaded from elsewhere (the SVG namespace URI is no request).
    assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("href=\"http"));
}

/// The command's report is the library's, bit for bit (the same JSON text).
#[test]
fn the_report_is_the_librarys() {
    let dir = scratch("library");
    two_symbols(&dir);
    let args = research_args(dir.to_str().unwrap(), &["--side", "long"]);
    let out = harvest(&args, b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (syms, _) = load(&[dir], None).unwrap();
    let symbols = syms
        .into_iter()
        .map(|s| SymbolSeries {
            name: s.symbol,
            series: Series::with_states(s.bars, P0Params::default()),
        })
        .collect();
    let settings = ResearchSettings {
        grid: vec![
            SweepAxis::parse("kill_threshold=0.4:0.8:3").unwrap(),
            SweepAxis::parse("T1_R=1.5:3:2").unwrap(),
        ],
        folds: 2,
        every: 48,
        sides: Sides::Long,
        cscv_blocks: 4,
        ..ResearchSettings::default()
    };
    let plan = ResearchPlan::new(settings, symbols).unwrap();
    let results: Vec<TaskResult> = plan.tasks().iter().map(|&t| plan.run_task(t)).collect();
    let report = build_report(&plan, &results).unwrap();
    assert_eq!(
        text(&out.stdout),
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    );
}

#[test]
fn bad_input_is_named() {
    let dir = scratch("bad");
    two_symbols(&dir);
    let d = dir.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["research", d, "--grid", "nope=1:2:3"],
            "is not a theta tunable",
        ),
        (
            vec!["research", d, "--grid", "T1_R=1:2:3", "--folds", "0"],
            "folds = 0 is out of range",
        ),
        (
            vec![
                "research",
                d,
                "--grid",
                "T1_R=1:2:3",
                "--objective",
                "profit",
            ],
            "expected one of expectancy, total_r, drawdown, sharpe",
        ),
        (
            vec!["research", d, "--grid", "T1_R=1:2:3", "--cscv-blocks", "5"],
            "cscv_blocks = 5",
        ),
        (
            vec!["research", "/nonexistent/prices", "--grid", "T1_R=1:2:3"],
            "/nonexistent/prices",
        ),
        (
            vec![
                "research",
                d,
                "--grid",
                "T1_R=1:2:3",
                "--folds",
                "30",
                "--every",
                "400",
            ],
            "no trade in segment",
        ),
    ];
    for (args, needle) in cases {
        let out = harvest(&args, b"");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_stderr_has(&out, needle);
    }
    let empty = scratch("empty");
    let out = harvest(
        &["research", empty.to_str().unwrap(), "--grid", "T1_R=1:2:3"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "no price file found");
}

#[test]
fn the_shipped_sample_reads_as_btcusd() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/prices/Coinbase_BTCUSD_1h.csv");
    let (syms, _) = load(std::slice::from_ref(&sample), None).unwrap();
    assert_eq!(syms[0].symbol, "BTCUSD");
    let direct = import_prices(&std::fs::read_to_string(sample).unwrap()).unwrap();
    assert_eq!(syms[0].bars, direct.bars);
}
