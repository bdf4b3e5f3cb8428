//! `harvest publish-market` (P0.5) against a real Redis (Debian's redis-server on a free loopback
//! port, started by each test): the running P0.5's texts, every candle source and encoding, short
//! and broken windows, TTL and stream, the settings, and the service following new candles.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::process::{Command, Output};
use std::time::Duration;

use harvest_market::{market_state, P0Params};
use harvest_redis::local::{hgetall, int, run, LocalRedis};
use harvest_redis::redis;
use harvest_redis::{stream_reply, Store};

mod common;
use common::{
    assert_stderr_has, crlf_settings, deploy_env_file, str_pairs, text, verify_unit, wait_until,
    Proc,
};
use harvest_records::market::NUMBER_FIELDS;

const BIN: &str = env!("CARGO_BIN_EXE_harvest");
const T0: u64 = 1_700_000_000_000;

/// The shipped sample's closes, oldest first.
fn sample() -> Vec<f64> {
    let text = include_str!("../../../assets/prices/Coinbase_BTCUSD_1h.csv");
    harvest_market::closes(&harvest_market::import_prices(text).unwrap().bars)
}

/// `closes` as layer1's candles of `sym`, the first at [`T0`], a minute apart.
fn window(sym: &str, closes: &[f64]) -> Vec<(String, f64)> {
    closes
        .iter()
        .enumerate()
        .map(|(i, &c)| layer1(sym, i, c))
        .collect()
}

/// A candle as the running system's 1m candle cache (layer1_data_sink) stores it: `json.dumps`
/// of the `market.klines` payload, scored by `open_time` (ms).
fn layer1(symbol: &str, i: usize, close: f64) -> (String, f64) {
    let t = T0 + 60_000 * i as u64;
    (
        format!(
            r#"{{"symbol": "{symbol}", "interval": "1m", "open": {close:?}, "high": {close:?}, "low": {close:?}, "close": {close:?}, "volume": 12.5, "open_time": {t}, "close_time": {}, "is_closed": true, "timestamp": {}.25}}"#,
            t + 59_999,
            t / 1000 + 60
        ),
        t as f64,
    )
}

fn zadd(s: &mut Store, key: &str, members: &[(String, f64)]) {
    for chunk in members.chunks(500) {
        let mut c = redis::cmd("ZADD");
        c.arg(key);
        for (m, score) in chunk {
            c.arg(*score).arg(m);
        }
        s.query(&c).unwrap();
    }
}

fn rpush(s: &mut Store, key: &str, members: &[String]) {
    let mut c = redis::cmd("RPUSH");
    c.arg(key);
    for m in members {
        c.arg(m);
    }
    s.query(&c).unwrap();
}

fn once(port: u16, env: &[(&str, &str)]) -> Output {
    let port = port.to_string();
    Command::new(BIN)
        .args(["publish-market", "--once"])
        .env_clear()
        .env("MARKETSTATE_REDIS_HOST", "127.0.0.1")
        .env("MARKETSTATE_REDIS_PORT", &port)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The fields P0.5 writes for these closes (our P0, its text).
fn expected(closes: &[f64], buffer: usize) -> Vec<(&'static str, String)> {
    let s = market_state(closes, &P0Params::default()).unwrap();
    vec![
        ("sigma", format!("{:.8}", s.sigma)),
        ("mu", format!("{:.8}", s.mu)),
        ("ts", format!("{:.6}", s.ts)),
        ("p_trend", format!("{:.6}", s.p_trend)),
        ("p_mr", format!("{:.6}", s.p_mr)),
        ("p_chop", format!("{:.6}", s.p_chop)),
        ("dp", format!("{:.6}", s.dp)),
        ("vr", format!("{:.6}", s.vr)),
        ("spike_proxy", format!("{:.6}", s.spike_proxy)),
        ("buffer_size", buffer.to_string()),
    ]
}

#[track_caller]
fn assert_state(s: &mut Store, symbol: &str, want: &[(&str, String)]) {
    let got = hgetall(s, &format!("quantum:marketstate:{symbol}"));
    assert_eq!(got.len(), 11, "{symbol}: {got:?}");
    for (k, v) in want {
        assert_eq!(got.get(*k), Some(v), "{symbol}: field {k}");
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The running P0.5 (quantum_trader 73fab1f, run with Python 3.11, numpy 2.4, scipy 1.17 by
/// bench/chain_compare.py's method) wrote exactly these texts for the sample's closes 0–299 and
/// 5000–5299 as layer1 candles; so does ours, with the same TTL and stream entries.
#[test]
fn the_running_p05s_texts_digit_for_digit() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let cl = sample();
    for (sym, from) in [("AAAUSDT", 0), ("BBBUSDT", 5000)] {
        let m = window(sym, &cl[from..from + 300]);
        zadd(&mut s, &format!("candles:{sym}:1m"), &m);
    }
    let before = now();
    let out = once(
        r.port(),
        &[
            ("MARKETSTATE_SYMBOLS", "AAAUSDT,BBBUSDT"),
            ("MARKETSTATE_PUBLISH_INTERVAL", "3600"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let running: [(&str, [&str; 9], &str); 2] = [
        (
            "AAAUSDT",
            [
                "0.00559251",
                "-0.00023861",
                "0.042666",
                "0.260069",
                "0.103415",
                "0.636515",
                "0.509804",
                "0.908629",
                "0.760798",
            ],
            "chop",
        ),
        (
            "BBBUSDT",
            [
                "0.02684287",
                "-0.00258685",
                "0.096370",
                "0.266642",
                "0.118976",
                "0.614383",
                "0.486275",
                "0.820850",
                "0.506770",
            ],
            "chop",
        ),
    ];
    let names = NUMBER_FIELDS;
    let entries: Vec<(String, HashMap<String, String>)> = stream_reply(
        "quantum:stream:marketstate",
        Ok(run(
            &mut s,
            &["XRANGE", "quantum:stream:marketstate", "-", "+"],
        )),
    )
    .unwrap()
    .into_iter()
    .map(|(id, f)| (id, f.into_iter().collect()))
    .collect();
    assert_eq!(entries.len(), 2);
    for (n, (sym, values, regime)) in running.iter().enumerate() {
        let key = format!("quantum:marketstate:{sym}");
        let got = hgetall(&mut s, &key);
        let mut want: Vec<(&str, String)> = names
            .iter()
            .zip(values)
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        want.push(("buffer_size", "300".into()));
        assert_state(&mut s, sym, &want);
        let stamp: i64 = got["ts_timestamp"].parse().unwrap();
        assert!(stamp >= before && stamp <= now(), "{stamp}");
        let ttl = int(run(&mut s, &["TTL", &key]));
        assert!((35_990..=36_000).contains(&ttl), "TTL {ttl}");
        let e = &entries[n].1;
        let fields: Vec<&str> = {
            let mut f: Vec<&str> = e.keys().map(String::as_str).collect();
            f.sort_unstable();
            f
        };
        assert_eq!(
            fields,
            ["mu", "regime", "sigma", "symbol", "timestamp", "ts"]
        );
        assert_eq!(e["symbol"], *sym);
        assert_eq!(e["sigma"], values[0]);
        assert_eq!(e["mu"], values[1]);
        assert_eq!(e["ts"], values[2]);
        assert_eq!(e["regime"], *regime);
        assert_eq!(e["timestamp"], got["ts_timestamp"]);
    }
}

/// Each key, in order of preference, as a sorted set of JSON (`close`, `c`, numeric text) or
/// bare numbers, or as a list (read by ours only: the running P0.5 gets WRONGTYPE).
#[test]
fn every_candle_source_and_encoding() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let cl = sample();
    let slice = |k: usize| &cl[k * 400..k * 400 + 300];
    let cases: Vec<(&str, String)> = vec![
        ("S0USDT", "candles:S0USDT:1m".into()),
        ("S1USDT", "quantum:candles:S1USDT".into()),
        ("S2USDT", "klines:S2USDT:1m".into()),
        ("S3USDT", "candles:S3USDT:1m".into()),
        ("S4USDT", "candles:S4USDT:1m".into()),
        ("S5USDT", "klines:S5USDT:1m".into()),
        ("S6USDT", "quantum:candles:S6USDT".into()),
    ];
    for (k, (sym, key)) in cases.iter().enumerate() {
        let c = slice(k);
        let t = |i: usize| (T0 + 60_000 * i as u64) as f64;
        match k {
            0 => zadd(&mut s, key, &window(sym, &c[..300])),
            1 => zadd(
                &mut s,
                key,
                &(0..300)
                    .map(|i| (format!(r#"{{"t": {}, "c": {:?}}}"#, t(i), c[i]), t(i)))
                    .collect::<Vec<_>>(),
            ),
            2 => zadd(
                &mut s,
                key,
                &(0..300)
                    .map(|i| (format!(r#"{{"t": {i}, "close": "{:?}"}}"#, c[i]), t(i)))
                    .collect::<Vec<_>>(),
            ),
            3 => zadd(
                &mut s,
                key,
                // Bare numbers: equal closes would be one member, so a time is folded in.
                &(0..300)
                    .map(|i| (format!("{:?}", c[i] + i as f64 * 1e-9), t(i)))
                    .collect::<Vec<_>>(),
            ),
            4 => rpush(
                &mut s,
                key,
                &(0..300).map(|i| format!("{:?}", c[i])).collect::<Vec<_>>(),
            ),
            5 => rpush(
                &mut s,
                key,
                &(0..300).map(|i| layer1(sym, i, c[i]).0).collect::<Vec<_>>(),
            ),
            // More candles than the window: the newest 300 of 420.
            _ => zadd(&mut s, key, &window(sym, &cl[k * 400 - 120..k * 400 + 300])),
        }
    }
    let symbols: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let out = once(r.port(), &[("MARKETSTATE_SYMBOLS", &symbols.join(","))]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "published 7");
    for (k, (sym, _)) in cases.iter().enumerate() {
        let c: Vec<f64> = match k {
            3 => slice(k)
                .iter()
                .enumerate()
                .map(|(i, v)| v + i as f64 * 1e-9)
                .collect(),
            6 => cl[k * 400..k * 400 + 300].to_vec(),
            _ => slice(k).to_vec(),
        };
        assert_state(&mut s, sym, &expected(&c, 300));
        assert_eq!(
            int(run(&mut s, &["TTL", &format!("quantum:marketstate:{sym}")])),
            600
        );
    }
    // The first key that exists wins, even when a later one has other candles.
    zadd(
        &mut s,
        "klines:S0USDT:1m",
        &window("S0USDT", &cl[9000..9000 + 300]),
    );
    let out = once(r.port(), &[("MARKETSTATE_SYMBOLS", "S0USDT")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_state(&mut s, "S0USDT", &expected(slice(0), 300));
}

/// Too few candles, unreadable ones, a key of another type, none at all: nothing is published
/// for those symbols, each says why once, and `--once` exits 1; a window of exactly 257 readable
/// closes is enough.
#[test]
fn short_broken_and_missing_windows() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let cl = sample();
    let m = |sym: &str, n: usize, from: usize| -> Vec<(String, f64)> {
        window(sym, &cl[from..from + n])
    };
    zadd(&mut s, "candles:SHORTUSDT:1m", &m("SHORTUSDT", 256, 0));
    zadd(&mut s, "candles:EXACTUSDT:1m", &m("EXACTUSDT", 257, 1000));
    // 300 candles, 61 of them unreadable in several ways: 239 readable.
    let mut broken = m("BROKENUSDT", 300, 2000);
    for (i, b) in broken.iter_mut().enumerate() {
        b.0 = match i % 7 {
            0 => format!(r#"{{"open_time": {i}, "open": 1.0}}"#), // no close (Python: 0.0)
            1 if i < 60 => format!(r#"{{"t": {i}, "close": null}}"#),
            2 if i < 60 => format!("garbage {i}"),
            _ => continue,
        };
    }
    zadd(&mut s, "candles:BROKENUSDT:1m", &broken);
    run(&mut s, &["HSET", "candles:HASHUSDT:1m", "close", "1"]);
    let out = once(
        r.port(),
        &[(
            "MARKETSTATE_SYMBOLS",
            "SHORTUSDT,EXACTUSDT,BROKENUSDT,HASHUSDT,NONEUSDT",
        )],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    for line in [
        "SHORTUSDT: candles:SHORTUSDT:1m has 256 readable closes in its newest 256 candles: P0 needs 257, nothing published",
        "BROKENUSDT: candles:BROKENUSDT:1m has 239 readable closes in its newest 300 candles",
        "HASHUSDT: skipped: candles:HASHUSDT:1m is a hash, not a sorted set or list of candles",
        "NONEUSDT: no candles: none of candles:NONEUSDT:1m, quantum:candles:NONEUSDT, klines:NONEUSDT:1m exists; nothing published (never invented)",
        "cycle: read 5, published 1, short 2, no candles 1, skipped 1",
    ] {
        assert_stderr_has(&out, line);
    }
    assert_state(&mut s, "EXACTUSDT", &expected(&cl[1000..1257], 257));
    for sym in ["SHORTUSDT", "BROKENUSDT", "HASHUSDT", "NONEUSDT"] {
        assert_eq!(
            int(run(
                &mut s,
                &["EXISTS", &format!("quantum:marketstate:{sym}")]
            )),
            0
        );
    }
    // Readable again: 280 of 300, the unreadable ones left out of the state.
    let mut mixed = m("BROKENUSDT", 300, 2000);
    for b in mixed.iter_mut().step_by(15) {
        b.0 = "garbage".to_string() + &b.1.to_string();
    }
    run(&mut s, &["DEL", "candles:BROKENUSDT:1m"]);
    zadd(&mut s, "candles:BROKENUSDT:1m", &mixed);
    let out = once(r.port(), &[("MARKETSTATE_SYMBOLS", "BROKENUSDT")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "20 of the window's candles in candles:BROKENUSDT:1m have no number and no JSON with close/c");
    let readable: Vec<f64> = (0..300)
        .filter(|i| i % 15 != 0)
        .map(|i| cl[2000 + i])
        .collect();
    assert_state(&mut s, "BROKENUSDT", &expected(&readable, 280));
    // Nothing but its own two keys was written; the candles are untouched.
    let mut keys: Vec<String> = redis::from_redis_value(run(&mut s, &["KEYS", "*"])).unwrap();
    keys.sort();
    let mine: Vec<&String> = keys.iter().filter(|k| !k.starts_with("candles:")).collect();
    assert_eq!(
        mine,
        [
            "quantum:marketstate:BROKENUSDT",
            "quantum:marketstate:EXACTUSDT",
            "quantum:stream:marketstate"
        ]
    );
    assert_eq!(int(run(&mut s, &["ZCARD", "candles:SHORTUSDT:1m"])), 256);
}

/// Settings as the running P0.5 reads them, and the ones refused: synthetic prices, a window P0
/// cannot use, an unknown log level; Redis unreachable is exit 2.
#[test]
fn settings_refused_and_redis_unreachable() {
    let port = harvest_redis::local::free_port().unwrap();
    for (env, message) in [
        (
            ("MARKETSTATE_SOURCE", "synthetic"),
            "price source `synthetic` is refused",
        ),
        (
            ("MARKETSTATE_WINDOW_SIZE", "100"),
            "window = 100 must be from 257",
        ),
        (
            ("MARKETSTATE_LOG_LEVEL", "LOUD"),
            "log level \"LOUD\" is not one of",
        ),
        (
            ("MARKETSTATE_PUBLISH_INTERVAL", "-1"),
            "interval = -1 must be",
        ),
        (
            ("MARKETSTATE_CANDLE_KEYS", "candles:BTC"),
            "has no {symbol}",
        ),
    ] {
        let out = once(port, &[env]);
        assert_eq!(out.status.code(), Some(2), "{env:?}");
        assert_stderr_has(&out, "harvest publish-market: refusing to start: ");
        assert_stderr_has(&out, message);
    }
    let out = once(port, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "Redis unreachable (redis://127.0.0.1:");
}

/// The service keeps each window between cycles: a cache that gains one candle and drops its
/// oldest (as layer1's does) costs one new candle a cycle, never a whole window; the published
/// state is always P0 of the newest 300. Another symbol's candles arrive later and are picked
/// up. SIGTERM ends it with 0.
#[test]
fn the_service_follows_new_candles_one_at_a_time() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let cl = sample();
    zadd(
        &mut s,
        "candles:FOLLOWUSDT:1m",
        &window("FOLLOWUSDT", &cl[..300]),
    );
    let port = r.port().to_string();
    let mut svc = Proc::start(
        &["publish-market"],
        &[
            ("MARKETSTATE_REDIS_HOST", "127.0.0.1"),
            ("MARKETSTATE_REDIS_PORT", &port),
            ("MARKETSTATE_SYMBOLS", "FOLLOWUSDT,LATEUSDT"),
            ("MARKETSTATE_PUBLISH_INTERVAL", "0.2"),
        ],
    );
    svc.wait_log("published 1", Duration::from_secs(10));
    let sigma = |s: &mut Store| hgetall(s, "quantum:marketstate:FOLLOWUSDT")["sigma"].clone();
    for i in 300..330 {
        let (m, score) = layer1("FOLLOWUSDT", i, cl[i]);
        zadd(&mut s, "candles:FOLLOWUSDT:1m", &[(m, score)]);
        run(
            &mut s,
            &["ZREMRANGEBYRANK", "candles:FOLLOWUSDT:1m", "0", "0"],
        );
        let want = expected(&cl[i + 1 - 300..=i], 300);
        wait_until(Duration::from_secs(10), || sigma(&mut s) == want[0].1)
            .unwrap_or_else(|| panic!("candle {i} not taken in:\n{}", svc.log()));
        assert_state(&mut s, "FOLLOWUSDT", &want);
    }
    zadd(
        &mut s,
        "candles:LATEUSDT:1m",
        &window("LATEUSDT", &cl[7000..7000 + 260]),
    );
    svc.wait_log("published 2", Duration::from_secs(10));
    assert_state(&mut s, "LATEUSDT", &expected(&cl[7000..7260], 260));
    assert_eq!(svc.terminate().code(), Some(0));
    let log = svc.log();
    assert!(log.contains("SIGTERM: stopping after"), "{log}");
    // After the first cycle, windows are read whole only for the new symbol (and at most one
    // periodic resync per 100 cycles); the rest were one new candle at a time.
    let cycles: Vec<&str> = log.lines().filter(|l| l.contains("cycle:")).collect();
    let reloads: usize = cycles
        .iter()
        .skip(1)
        .map(|l| {
            let at = l.find("windows read whole ").unwrap() + "windows read whole ".len();
            l[at..].split(',').next().unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert!(
        reloads <= 1 + cycles.len() / 100 + 1,
        "{reloads} reloads:\n{log}"
    );
    assert!(log.contains("new candles 1,"), "{log}");
}

/// Redis stopped mid-run (everything lost) and started again: the service logs it, keeps
/// running, and publishes from the new contents.
#[test]
fn redis_lost_and_back() {
    let mut r = LocalRedis::started();
    let port = r.port();
    let mut s = r.store().unwrap();
    let cl = sample();
    let fill = |s: &mut Store, from: usize| {
        zadd(
            s,
            "candles:BTCUSDT:1m",
            &window("BTCUSDT", &cl[from..from + 300]),
        );
    };
    fill(&mut s, 0);
    let p = port.to_string();
    let mut svc = Proc::start(
        &["publish-market"],
        &[
            ("MARKETSTATE_REDIS_HOST", "127.0.0.1"),
            ("MARKETSTATE_REDIS_PORT", &p),
            ("MARKETSTATE_SYMBOLS", "BTCUSDT"),
            ("MARKETSTATE_PUBLISH_INTERVAL", "0.2"),
        ],
    );
    svc.wait_log("published 1", Duration::from_secs(10));
    r.stop();
    svc.wait_log("Redis error", Duration::from_secs(10));
    let r2 = LocalRedis::start_on(port, &[]).unwrap();
    let mut s = r2.store().unwrap();
    fill(&mut s, 3000);
    svc.wait_log("Redis is back", Duration::from_secs(30));
    let want = expected(&cl[3000..3300], 300);
    wait_until(Duration::from_secs(10), || {
        hgetall(&mut s, "quantum:marketstate:BTCUSDT").get("sigma") == Some(&want[0].1)
    })
    .unwrap_or_else(|| panic!("not republished:\n{}", svc.log()));
    assert_eq!(svc.terminate().code(), Some(0), "{}", svc.log());
}

#[test]
fn unit_and_env_files() {
    verify_unit(
        "harvest-marketstate.service",
        &[
            "EnvironmentFile=/etc/harvest/harvest-marketstate.env",
            "ExecStart=/usr/local/bin/harvest publish-market\n",
            "Restart=on-failure",
        ],
    );
    // Every variable the command reads is in the env file, with the running P0.5's default.
    deploy_env_file(
        "harvest-marketstate.env",
        "publish-market",
        &[
            "MARKETSTATE_SYMBOLS=BTCUSDT,ETHUSDT",
            "MARKETSTATE_PUBLISH_INTERVAL=60",
            "MARKETSTATE_REDIS_HOST=localhost",
            "MARKETSTATE_REDIS_PORT=6379",
            "MARKETSTATE_WINDOW_SIZE=300",
            "MARKETSTATE_SOURCE=candles",
            "MARKETSTATE_LOG_LEVEL=INFO",
        ],
    );
}

/// The env file as systemd reads it, with CRLF line endings (the running system's own env files
/// have them): every value keeps a trailing `\r`, and the service runs as configured.
#[test]
fn env_file_with_crlf_line_endings() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let cl = sample();
    zadd(&mut s, "candles:BTCUSDT:1m", &window("BTCUSDT", &cl[..300]));
    zadd(
        &mut s,
        "candles:ETHUSDT:1m",
        &window("ETHUSDT", &cl[400..400 + 300]),
    );
    let file = deploy_env_file("harvest-marketstate.env", "publish-market", &[]);
    let port = r.port().to_string();
    let env = crlf_settings(
        &file,
        &[
            ("MARKETSTATE_REDIS_HOST", "127.0.0.1"),
            ("MARKETSTATE_REDIS_PORT", &port),
        ],
    );
    let pairs = str_pairs(&env);
    let out = once(r.port(), &pairs);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "published 2");
    assert_eq!(
        int(run(&mut s, &["TTL", "quantum:marketstate:BTCUSDT"])),
        600
    );
}
