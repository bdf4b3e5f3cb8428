//! `harvest feed` against a real Redis: the candle cache as the running system holds it (the
//! members P0.5 reads), the pace, --from/--until/--loop, and paper positions written as the apply
//! layer and the exchange sync write real ones — named a simulation everywhere.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use harvest_market::{closes, import_prices, market_state, P0Params};
use harvest_redis::local::{hgetall, run, LocalRedis};
use harvest_redis::redis;
use harvest_redis::Store;

mod common;
use common::{assert_stderr_has, text, wait_until, Proc};

const BIN: &str = env!("CARGO_BIN_EXE_harvest");

fn root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_path() -> String {
    root()
        .join("assets/prices/Coinbase_BTCUSD_1h.csv")
        .display()
        .to_string()
}

fn sample() -> Vec<harvest_market::Bar> {
    import_prices(include_str!(
        "../../../assets/prices/Coinbase_BTCUSD_1h.csv"
    ))
    .unwrap()
    .bars
}

fn feed(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["feed", "--redis-url", url])
        .args(args)
        .output()
        .unwrap()
}

/// `harvest feed` as a service: the shipped sample as BTCUSD up to `until`, at `speed`, with
/// paper positions from the file `positions`, then `extra`.
fn feed_positions(
    url: &str,
    until: &str,
    speed: &str,
    positions: &std::path::Path,
    extra: &[&str],
) -> Proc {
    let sample = format!("BTCUSD={}", sample_path());
    let mut args = vec!["feed", "--redis-url", url, &sample, "--until", until];
    args.extend(["--speed", speed, "--positions", positions.to_str().unwrap()]);
    args.extend(extra);
    Proc::start(&args, &[])
}

/// (member, score) of a sorted set, oldest first.
fn members(s: &mut Store, key: &str) -> Vec<(String, f64)> {
    redis::from_redis_value(run(s, &["ZRANGE", key, "0", "-1", "WITHSCORES"])).unwrap()
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("harvest-feed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// History, then bars up to --until: the members are the running system's 1m cache records
/// (the market.klines payload, json.dumps layout), scored by open time, capped at --keep; P0.5
/// publishes from them exactly P0 of the newest 300 closes.
#[test]
fn plays_the_cache_p05_reads() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let bars = sample();
    let from = bars[400].time.to_string();
    let until = bars[459].time.to_string();
    let started = Instant::now();
    let out = feed(
        &r.url(),
        &[
            &format!("BTCUSD={}", sample_path()),
            "--from",
            &from,
            "--until",
            &until,
            "--speed",
            "360000", // 100 bars a second: 60 bars ≈ 0.6 s
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let took = started.elapsed();
    assert!(
        took > Duration::from_millis(500),
        "played too fast: {took:?}"
    );
    assert_stderr_has(&out, "done: 360 bars");
    let m = members(&mut s, "candles:BTCUSD:1m");
    assert_eq!(m.len(), 360);
    let (first, score) = &m[0];
    assert_eq!(*score, (bars[100].time * 1000) as f64);
    let b = bars[100];
    let want_prefix = format!(
        r#"{{"symbol": "BTCUSD", "interval": "1h", "open": {:?}, "high": {:?}, "low": {:?}, "close": {:?}, "volume": {:?}, "open_time": {}, "close_time": {}, "is_closed": true, "timestamp": "#,
        b.open,
        b.high,
        b.low,
        b.close,
        b.volume.unwrap(),
        b.time * 1000,
        b.time * 1000 + 3_599_999
    );
    assert!(first.starts_with(&want_prefix), "{first}\n{want_prefix}");
    assert_eq!(m[359].1, (bars[459].time * 1000) as f64);
    // --keep caps the set, oldest out.
    let out = feed(
        &r.url(),
        &[
            "--symbol",
            "ETHUSD",
            &sample_path(),
            "--until",
            &bars[349].time.to_string(),
            "--speed",
            "1e9",
            "--keep",
            "320",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let m = members(&mut s, "candles:ETHUSD:1m");
    assert_eq!(m.len(), 320);
    assert_eq!(m[0].1, (bars[30].time * 1000) as f64);
    // P0.5 on it.
    let port = r.port().to_string();
    let p05 = Command::new(BIN)
        .args(["publish-market", "--once"])
        .env_clear()
        .env("MARKETSTATE_REDIS_HOST", "127.0.0.1")
        .env("MARKETSTATE_REDIS_PORT", &port)
        .env("MARKETSTATE_SYMBOLS", "BTCUSD,ETHUSD")
        .output()
        .unwrap();
    assert_eq!(p05.status.code(), Some(0), "{}", text(&p05.stderr));
    let cl = closes(&bars);
    for (sym, last) in [("BTCUSD", 459), ("ETHUSD", 349)] {
        let st = market_state(&cl[last + 1 - 300..=last], &P0Params::default()).unwrap();
        let got = hgetall(&mut s, &format!("quantum:marketstate:{sym}"));
        assert_eq!(got["sigma"], format!("{:.8}", st.sigma), "{sym}");
        assert_eq!(got["buffer_size"], "300");
    }
}

/// Paper positions from a CSV of entries: opened with the apply layer's fields, marked each bar
/// with the exchange sync's, deleted on FLAT; every record and line says it is a simulation.
#[test]
fn paper_positions_as_the_running_system_writes_positions() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let bars = sample();
    let t = |i: usize| bars[i].time.to_string();
    let entries = write(
        "entries.csv",
        &format!(
            "time,side\n{},LONG\n{},FLAT\n{},SHORT\n",
            t(305),
            t(310),
            t(312)
        ),
    );
    let key = "quantum:state:positions:BTCUSD";
    // 5 bars a second.
    let mut svc = feed_positions(&r.url(), &t(320), "18000", &entries, &[]);
    // Opened on bar 305: the apply layer's hash.
    svc.wait_log(
        "PAPER position paper-BTCUSD-1 opened LONG",
        Duration::from_secs(20),
    );
    let opened = hgetall(&mut s, key);
    let mut names: Vec<&str> = opened.keys().map(String::as_str).collect();
    names.sort_unstable();
    // Either just opened, or already marked once (the next bar).
    let apply = [
        "atr_value",
        "created_at",
        "entry_price",
        "entry_risk_usdt",
        "leverage",
        "plan_id",
        "quantity",
        "risk_missing",
        "risk_price",
        "side",
        "stop_loss",
        "symbol",
        "take_profit",
        "unrealized_pnl",
        "volatility_factor",
    ];
    for f in apply {
        assert!(opened.contains_key(f), "{f}: {opened:?}");
    }
    assert_eq!(opened["entry_price"], format!("{:?}", bars[305].close));
    assert_eq!(opened["plan_id"], "paper-BTCUSD-1");
    assert_eq!(opened["side"], "LONG");
    // Marked on the next bars: the exchange sync's fields on top.
    wait_until(Duration::from_secs(10), || {
        hgetall(&mut s, key).contains_key("mark_price")
    })
    .expect("marked");
    let marked = hgetall(&mut s, key);
    assert_eq!(marked["source"], "harvest-feed-paper");
    assert_eq!(marked["position_amt"], "1.0");
    let price: f64 = marked["current_price"].parse().unwrap();
    let pnl: f64 = marked["unrealized_pnl"].parse().unwrap();
    assert_eq!(pnl, price - bars[305].close);
    let ttl: i64 = redis::from_redis_value(run(&mut s, &["TTL", key])).unwrap();
    assert!((3590..=3600).contains(&ttl), "{ttl}");
    // FLAT on 310 deletes it; SHORT on 312 opens the next.
    svc.wait_log(
        "PAPER position paper-BTCUSD-1 closed",
        Duration::from_secs(10),
    );
    svc.wait_log(
        "PAPER position paper-BTCUSD-2 opened SHORT",
        Duration::from_secs(10),
    );
    assert_eq!(svc.wait(Duration::from_secs(20)).code(), Some(0));
    let last = hgetall(&mut s, key);
    assert_eq!(last["side"], "SHORT");
    assert_eq!(last["position_amt"], "-1.0");
    let log = svc.log();
    assert!(
        log.contains("PAPER positions (a simulation, not trades): 3 entries"),
        "{log}"
    );
    assert!(log.contains("a simulation, not a trade"), "{log}");
}

/// `harvest backtest` trades as entries: each held for its bars (theta B's lines left out);
/// `--hold` overrides; `--loop` starts over with rising times and closes what is open.
#[test]
fn backtest_entries_hold_and_loop() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let bars = sample();
    let trades = write(
        "trades.jsonl",
        &format!(
            "{{\"theta\":\"A\",\"side\":\"LONG\",\"entry_time\":{},\"bars\":3}}\n{{\"theta\":\"B\",\"side\":\"SHORT\",\"entry_time\":{},\"bars\":1}}\n{{\"theta\":\"A\",\"side\":\"SHORT\",\"entry_time\":{},\"bars\":50}}\n",
            bars[302].time, bars[302].time, bars[310].time
        ),
    );
    // 20 bars a second.
    let mut svc = feed_positions(
        &r.url(),
        &bars[315].time.to_string(),
        "72000",
        &trades,
        &["--loop"],
    );
    svc.wait_log("BTCUSD: loop 2", Duration::from_secs(20));
    svc.terminate();
    let log = svc.log();
    assert!(log.contains("2 entries from"), "{log}");
    // Loop 1: LONG held 3 bars (302–304, closed on 305), SHORT from 310 still open at the end:
    // closed when loop 1 starts over.
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("PAPER position paper-"))
        .collect();
    assert!(lines[0].contains("paper-BTCUSD-1 opened LONG"), "{log}");
    assert!(lines[1].contains("paper-BTCUSD-1 closed"), "{log}");
    assert!(lines[2].contains("paper-BTCUSD-2 opened SHORT"), "{log}");
    assert!(lines[3].contains("paper-BTCUSD-2 closed"), "{log}");
    assert!(log.find("loop 1").unwrap() < log.find("paper-BTCUSD-2 closed").unwrap());
    assert!(lines[4].contains("paper-BTCUSD-3 opened LONG"), "{log}");
    // Scores keep rising across loops.
    let m = members(&mut s, "candles:BTCUSD:1m");
    assert!(m.windows(2).all(|w| w[0].1 < w[1].1));
    assert!(m.last().unwrap().1 > (bars[315].time * 1000) as f64);
    // --hold 2: the SHORT closes after 2 bars instead of 50.
    let out = feed(
        &r.url(),
        &[
            &format!("XBT={}", sample_path()),
            "--until",
            &bars[315].time.to_string(),
            "--speed",
            "1e9",
            "--positions",
            trades.to_str().unwrap(),
            "--hold",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(
        err.matches(" closed at ").count() == 2,
        "both held 2 bars and closed:\n{err}"
    );
    assert_eq!(
        redis::from_redis_value::<i64>(run(&mut s, &["EXISTS", "quantum:state:positions:XBT"]))
            .unwrap(),
        0
    );
}

/// Bad input is refused before anything is written, naming what and why.
#[test]
fn bad_input_is_refused() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let good = format!("BTCUSD={}", sample_path());
    let bad_entries = write("bad.csv", "2019-01-01 10:00,LONG,ETHUSD\n");
    let no_bars = write("empty.csv", "time,open,high,low,close\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![sample_path()], "name its symbol: BTCUSDT="),
        (
            vec![good.clone(), "--speed".into(), "0".into()],
            "--speed 0 must be a number > 0",
        ),
        (
            vec![good.clone(), "--from".into(), "soon".into()],
            "--from `soon` is no time",
        ),
        (
            vec![good.clone(), "--from".into(), "2030-01-01".into()],
            "BTCUSD: no bar between --from and --until",
        ),
        (
            vec![
                good.clone(),
                "--positions".into(),
                bad_entries.display().to_string(),
            ],
            "an entry for ETHUSD, which is not fed (fed: BTCUSD)",
        ),
        (vec!["BTC USD=x".into()], "symbol \"BTC USD\" must be"),
        (vec![good.clone(), good.clone()], "BTCUSD is given twice"),
        (vec![format!("X={}", no_bars.display())], "empty.csv"),
        (
            vec![good.clone(), "--key".into(), "candles".into()],
            "has no {symbol}",
        ),
        (
            vec!["X=/nonexistent/file.csv".into()],
            "cannot read /nonexistent/file.csv",
        ),
    ];
    for (args, message) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = feed(&r.url(), &a);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_stderr_has(&out, "harvest feed: refusing to start: ");
        assert_stderr_has(&out, message);
    }
    let keys: Vec<String> = redis::from_redis_value(run(&mut s, &["KEYS", "*"])).unwrap();
    assert!(keys.is_empty(), "{keys:?}");
    // Redis unreachable at the start: exit 2.
    let port = harvest_redis::local::free_port().unwrap();
    let out = feed(
        &format!("redis://127.0.0.1:{port}"),
        &[&good, "--speed", "1e9"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "Redis unreachable");
}
