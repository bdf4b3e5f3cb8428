//! `harvest publish-risk` (P1.5) against a real Redis (Debian's redis-server on a free loopback
//! port, started by each test): the running P1.5's texts, positions as the running system's
//! writers shape them (read by P2.5's rules), the stream source, the `p1-trend` fix, the rate
//! limit, the settings and the deploy files.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};
use std::time::Duration;

use harvest_records::samples;
use harvest_redis::local::{exists, hgetall, hset, run, LocalRedis};
use harvest_redis::redis;
use harvest_redis::{stream_reply, Store};

mod common;
use common::{
    assert_stderr_has, crlf_settings, deploy_env_file, str_pairs, text, verify_unit, wait_until,
    Proc,
};
use harvest_records::market::NUMBER_FIELDS;

const BIN: &str = env!("CARGO_BIN_EXE_harvest");

fn once(url: &str, env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(["publish-risk", "--once"])
        .env_clear()
        .env("REDIS_URL", url)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// A market state in P0.5's text.
fn market(s: &mut Store, sym: &str, v: [&str; 9]) {
    let names = NUMBER_FIELDS;
    let pairs: Vec<(&str, &str)> = names.iter().copied().zip(v).collect();
    hset(s, &format!("quantum:marketstate:{sym}"), &pairs);
}

const BTC_MARKET: [&str; 9] = [
    "0.01230000",
    "0.00040000",
    "0.410000",
    "0.520000",
    "0.210000",
    "0.270000",
    "0.520000",
    "0.970000",
    "0.810000",
];
const ETH_MARKET: [&str; 9] = [
    "0.03100000",
    "-0.00040000",
    "0.120000",
    "0.200000",
    "0.450000",
    "0.350000",
    "0.5",
    "1.2",
    "0.9",
];

/// BTC as P3.3 (the exchange snapshot) writes it, ETH a full hash with the stop in force.
fn seed_two(s: &mut Store) {
    market(s, "BTCUSDT", BTC_MARKET);
    hset(
        s,
        "quantum:state:positions:BTCUSDT",
        &[
            ("symbol", "BTCUSDT"),
            ("position_amt", "0.5"),
            ("side", "LONG"),
            ("quantity", "0.5"),
            ("entry_price", "8035.88"),
            ("mark_price", "8276.9564"),
            ("current_price", "8276.9564"),
            ("unrealized_pnl", "120.5382"),
            ("leverage", "10"),
            ("ts_epoch", "1767225600"),
            ("source", "position_state_brain"),
        ],
    );
    market(s, "ETHUSDT", ETH_MARKET);
    hset(
        s,
        "quantum:state:positions:ETHUSDT",
        &[
            ("symbol", "ETHUSDT"),
            ("side", "SHORT"),
            ("entry_price", "250.0"),
            ("current_price", "240.5"),
            ("peak_price", "251.0"),
            ("trough_price", "238.0"),
            ("age_sec", "7200.0"),
            ("unrealized_pnl", "9.5"),
            ("current_sl", "246.0"),
        ],
    );
}

/// The running P1.5 (quantum_trader 73fab1f, Python 3.11) wrote exactly these fields for these
/// two records (bench/chain_compare.py's method); so does ours, field for field, with the stream
/// entry (`symbol` first) under --enable-stream.
#[test]
fn the_running_p15s_texts_digit_for_digit() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    seed_two(&mut s);
    let out = once(
        &r.url(),
        &[("SYMBOLS", "BTCUSDT,ETHUSDT"), ("ENABLE_STREAM", "true")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "opt-in fixes: none (the running service's behaviour)");
    let running: [(&str, &[(&str, &str)]); 2] = [
        (
            "BTCUSDT",
            &[
                ("proposed_sl", "8232.365125090639"),
                ("proposed_tp", "8359.725964"),
                ("stop_dist_pct", "0.0053874000000000005"),
                ("tp_dist_pct", "0.01"),
                ("trail_gap_pct", "0.0081918"),
                ("reason_codes", "regime_chop"),
                ("ts", "0.41"),
                ("sigma", "0.0123"),
                ("p_trend", "0.0"),
                ("p_mr", "0.21"),
                ("p_chop", "0.27"),
                ("position_side", "LONG"),
                ("position_age_sec", "0.0"),
                ("position_current_price", "8276.9564"),
                ("position_entry_price", "8035.88"),
            ],
        ),
        (
            "ETHUSDT",
            &[
                ("proposed_sl", "245.793405"),
                ("proposed_tp", "232.5598925"),
                ("stop_dist_pct", "0.02201"),
                ("tp_dist_pct", "0.033014999999999996"),
                ("trail_gap_pct", "0.03503"),
                ("reason_codes", "sl_tightening,regime_mr"),
                ("ts", "0.12"),
                ("sigma", "0.031"),
                ("p_trend", "0.0"),
                ("p_mr", "0.45"),
                ("p_chop", "0.35"),
                ("position_side", "SHORT"),
                ("position_age_sec", "7200.0"),
                ("position_current_price", "240.5"),
                ("position_entry_price", "250.0"),
            ],
        ),
    ];
    let mut c = redis::cmd("XRANGE");
    c.arg("quantum:stream:risk.proposal").arg("-").arg("+");
    let entries = stream_reply("quantum:stream:risk.proposal", s.query(&c)).unwrap();
    assert_eq!(entries.len(), 2);
    for (n, (sym, want)) in running.iter().enumerate() {
        let got = hgetall(&mut s, &format!("quantum:risk:proposal:{sym}"));
        assert_eq!(got.len(), 16, "{got:?}");
        for (k, v) in *want {
            assert_eq!(got.get(*k).map(String::as_str), Some(*v), "{sym}: {k}");
        }
        // Python's naive datetime.utcnow().isoformat().
        let at = &got["computed_at_utc"];
        assert!(
            at.len() == 26 && at.as_bytes()[10] == b'T' && !at.contains('+'),
            "{at}"
        );
        assert_eq!(
            redis::from_redis_value::<i64>(run(
                &mut s,
                &["TTL", &format!("quantum:risk:proposal:{sym}")]
            ))
            .unwrap(),
            -1
        );
        let e = &entries[n].1;
        assert_eq!(e["symbol"], *sym);
        for (k, v) in &got {
            assert_eq!(&e[k], v, "stream {k}");
        }
    }
}

/// Positions as the running system's writers shape them, by P2.5's rules: the apply layer's hash
/// (no current price: P1 on 0.0, as the running P1.5), BUY as LONG, `"None"` as absent, the
/// key's symbol, FLAT as no position (its stale proposal removed), a side that is none skipped
/// and named; a symbol without market state is skipped (exit 1), one with missing fields reads
/// 0.0 and says so.
#[test]
fn positions_by_p25s_rules() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let syms = [
        "APPLY", "BUY", "NONESL", "OTHER", "FLAT", "BAD", "NOMARKET", "THIN",
    ]
    .map(|s| format!("{s}USDT"));
    for sym in &syms[..6] {
        market(&mut s, sym, BTC_MARKET);
    }
    hset(
        &mut s,
        "quantum:marketstate:THINUSDT",
        &[
            ("sigma", "0.02"),
            ("ts", "0.3"),
            ("p_mr", "0.5"),
            ("p_chop", "0.2"),
        ],
    );
    let pos = |s: &mut Store, sym: &str, f: &[(&str, &str)]| {
        hset(s, &format!("quantum:state:positions:{sym}"), f)
    };
    pos(
        &mut s,
        "APPLYUSDT",
        &samples::with(
            samples::APPLY_LAYER,
            &[("symbol", "APPLYUSDT"), ("leverage", "10.0")],
        ),
    );
    let simple = |side: &str| -> Vec<(&'static str, String)> {
        vec![
            ("side", side.to_string()),
            ("entry_price", "100".into()),
            ("current_price", "103".into()),
        ]
    };
    for (sym, side) in [
        ("BUYUSDT", "BUY"),
        ("FLATUSDT", "FLAT"),
        ("BADUSDT", "UP"),
        ("NOMARKETUSDT", "LONG"),
        ("THINUSDT", "SHORT"),
    ] {
        let f = simple(side);
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pos(&mut s, sym, &pairs);
    }
    pos(
        &mut s,
        "NONESLUSDT",
        &[
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "103"),
            ("current_sl", "None"),
        ],
    );
    pos(
        &mut s,
        "OTHERUSDT",
        &[
            ("symbol", "ETHUSDT"),
            ("side", "SHORT"),
            ("entry_price", "100"),
            ("current_price", "97"),
        ],
    );
    // A proposal left from when FLATUSDT had a position.
    hset(
        &mut s,
        "quantum:risk:proposal:FLATUSDT",
        &[("proposed_sl", "99.0")],
    );
    let out = once(&r.url(), &[("SYMBOLS", &syms.join(","))]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    for line in [
        "BADUSDT: skipped: quantum:state:positions:BADUSDT: field `side` = \"UP\"",
        "NOMARKETUSDT: skipped: quantum:marketstate:NOMARKETUSDT: missing (no such hash or it is empty): no market state",
        "FLATUSDT: no position (side \"FLAT\"): no proposal; removed the stale quantum:risk:proposal:FLATUSDT",
        "OTHERUSDT: published; quantum:state:positions:OTHERUSDT: field `symbol` = \"ETHUSDT\" names another symbol: the key's symbol OTHERUSDT is used",
        "THINUSDT: published; quantum:marketstate:THINUSDT has no mu, dp, vr, spike_proxy: read as 0.0, as the running P1.5 does",
        "cycle: read 8, published 5, unchanged 0, skipped 2, no position 1 (removed 1)",
    ] {
        assert_stderr_has(&out, line);
    }
    let apply = hgetall(&mut s, "quantum:risk:proposal:APPLYUSDT");
    assert_eq!(apply["proposed_sl"], "0.0");
    assert_eq!(apply["position_current_price"], "0.0");
    assert_eq!(apply["position_entry_price"], "97250.1");
    let buy = hgetall(&mut s, "quantum:risk:proposal:BUYUSDT");
    assert_eq!(buy["position_side"], "BUY");
    assert!(buy["proposed_sl"].parse::<f64>().unwrap() < 103.0);
    assert!(exists(&mut s, "quantum:risk:proposal:NONESLUSDT"));
    let other = hgetall(&mut s, "quantum:risk:proposal:OTHERUSDT");
    assert!(other["proposed_sl"].parse::<f64>().unwrap() > 97.0);
    assert!(!exists(&mut s, "quantum:risk:proposal:FLATUSDT"));
    assert!(!exists(&mut s, "quantum:risk:proposal:BADUSDT"));
    assert_eq!(
        hgetall(&mut s, "quantum:risk:proposal:THINUSDT")["p_mr"],
        "0.5"
    );
}

/// No symbol has a position hash: the `POSITION_OPENED` events among the newest 100 entries of
/// `quantum:stream:execution.result`, as the running P1.5 reads them (other events are not
/// positions); never an invented position.
#[test]
fn the_execution_result_stream() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    market(&mut s, "BTCUSDT", BTC_MARKET);
    market(&mut s, "ETHUSDT", ETH_MARKET);
    market(&mut s, "SOLUSDT", ETH_MARKET);
    let xadd = |s: &mut Store, f: &[(&str, &str)]| {
        let mut args = vec!["XADD", "quantum:stream:execution.result", "*"];
        for (k, v) in f {
            args.push(k);
            args.push(v);
        }
        run(s, &args);
    };
    xadd(
        &mut s,
        &[
            ("event_type", "POSITION_OPENED"),
            ("symbol", "BTCUSDT"),
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "102"),
        ],
    );
    xadd(
        &mut s,
        &[
            ("event_type", "POSITION_CLOSED"),
            ("symbol", "BTCUSDT"),
            ("side", "LONG"),
            ("entry_price", "100"),
        ],
    );
    xadd(
        &mut s,
        &[
            ("event_type", "execution.result"),
            ("symbol", "ETHUSDT"),
            ("side", "BUY"),
            ("entry_price", "3000"),
        ],
    );
    let out = once(&r.url(), &[("SYMBOLS", "BTCUSDT,ETHUSDT,SOLUSDT")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(
        &out,
        "positions: the POSITION_OPENED events among the newest 100 entries of quantum:stream:execution.result (no symbol has a position hash)",
    );
    assert_stderr_has(&out, "published 1,");
    let btc = hgetall(&mut s, "quantum:risk:proposal:BTCUSDT");
    assert_eq!(btc["position_current_price"], "102.0");
    assert!(!exists(&mut s, "quantum:risk:proposal:ETHUSDT"));
    assert!(!exists(&mut s, "quantum:risk:proposal:SOLUSDT"));
    // With POSITION_SOURCE=synthetic the service refuses to start.
    let out = once(
        &r.url(),
        &[("SYMBOLS", "BTCUSDT"), ("POSITION_SOURCE", "synthetic")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "position source `synthetic` is refused");
}

/// `p1-trend` (flag or HARVEST_FIXES): P1 computes with the real p_trend — the trend regime can
/// dominate and the TP be extended; logged at start.
#[test]
fn the_p1_trend_fix() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    market(
        &mut s,
        "BTCUSDT",
        [
            "0.01200000",
            "0.001",
            "0.800000",
            "0.700000",
            "0.100000",
            "0.200000",
            "0.9",
            "1.0",
            "1.0",
        ],
    );
    hset(
        &mut s,
        "quantum:state:positions:BTCUSDT",
        &[
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "104"),
        ],
    );
    let out = once(&r.url(), &[("SYMBOLS", "BTCUSDT")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let running = hgetall(&mut s, "quantum:risk:proposal:BTCUSDT");
    assert_eq!(running["p_trend"], "0.0");
    assert_eq!(running["reason_codes"], "regime_chop");
    let out = once(
        &r.url(),
        &[
            ("SYMBOLS", "BTCUSDT"),
            ("HARVEST_FIXES", "p1-trend,full-facts\r"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(
        &out,
        "opt-in fixes: p1-trend (P1 uses the market state's real p_trend); full-facts is P2.5's: ignored here",
    );
    let fixed = hgetall(&mut s, "quantum:risk:proposal:BTCUSDT");
    assert_eq!(fixed["p_trend"], "0.7");
    assert_eq!(
        fixed["reason_codes"],
        "trail_active,regime_trend,tp_extended"
    );
    assert!(
        fixed["proposed_tp"].parse::<f64>().unwrap()
            > running["proposed_tp"].parse::<f64>().unwrap()
    );
}

/// The running P1.5's rate limit as a service: unchanged proposals are not written; a move of
/// more than 0.1 % is; a proposal deleted from Redis is written again at once; a closed position
/// leaves no proposal behind. SIGTERM ends it with 0.
#[test]
fn the_service_rate_limit() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    seed_two(&mut s);
    let mut svc = Proc::start(
        &["publish-risk"],
        &[
            ("REDIS_URL", &r.url()),
            ("SYMBOLS", "BTCUSDT,ETHUSDT"),
            ("PUBLISH_INTERVAL_SEC", "0.2"),
        ],
    );
    svc.wait_log("published 2", Duration::from_secs(10));
    let first = hgetall(&mut s, "quantum:risk:proposal:BTCUSDT")["computed_at_utc"].clone();
    svc.wait_log("published 0, unchanged 2", Duration::from_secs(10));
    assert_eq!(
        hgetall(&mut s, "quantum:risk:proposal:BTCUSDT")["computed_at_utc"],
        first
    );
    // The price moves 1 %: the SL and TP move with it.
    hset(
        &mut s,
        "quantum:state:positions:BTCUSDT",
        &[("current_price", "8359.726"), ("mark_price", "8359.726")],
    );
    wait_until(Duration::from_secs(10), || {
        hgetall(&mut s, "quantum:risk:proposal:BTCUSDT")["position_current_price"] == "8359.726"
    })
    .unwrap_or_else(|| panic!("not republished:\n{}", svc.log()));
    // Deleted by someone: written again at the next cycle.
    run(&mut s, &["DEL", "quantum:risk:proposal:ETHUSDT"]);
    wait_until(Duration::from_secs(10), || {
        exists(&mut s, "quantum:risk:proposal:ETHUSDT")
    })
    .unwrap_or_else(|| panic!("not rewritten:\n{}", svc.log()));
    // Closed (the apply layer deletes the hash): the proposal goes.
    run(&mut s, &["DEL", "quantum:state:positions:ETHUSDT"]);
    wait_until(Duration::from_secs(10), || {
        !exists(&mut s, "quantum:risk:proposal:ETHUSDT")
    })
    .unwrap_or_else(|| panic!("stale proposal left:\n{}", svc.log()));
    assert_eq!(svc.terminate().code(), Some(0), "{}", svc.log());
}

#[test]
fn unit_env_file_and_unreachable_redis() {
    verify_unit(
        "harvest-risk-proposal.service",
        &[
            "EnvironmentFile=/etc/harvest/harvest-risk-proposal.env",
            "ExecStart=/usr/local/bin/harvest publish-risk\n",
            "Restart=on-failure",
        ],
    );
    let env = deploy_env_file(
        "harvest-risk-proposal.env",
        "publish-risk",
        &[
            "REDIS_URL=redis://localhost:6379",
            "SYMBOLS=BTCUSDT,ETHUSDT,SOLUSDT",
            "PUBLISH_INTERVAL_SEC=10",
            "POSITION_SOURCE=auto",
            "ENABLE_STREAM=false",
            "LOG_LEVEL=INFO",
        ],
    );
    // The env file with CRLF line endings, against a real Redis.
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    seed_two(&mut s);
    let pairs = crlf_settings(
        &env,
        &[("REDIS_URL", &r.url()), ("SYMBOLS", "BTCUSDT,ETHUSDT")],
    );
    let out = Command::new(BIN)
        .args(["publish-risk", "--once"])
        .env_clear()
        .envs(str_pairs(&pairs))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "published 2");
    // Redis unreachable: exit 2.
    let port = harvest_redis::local::free_port().unwrap();
    let out = once(
        &format!("redis://127.0.0.1:{port}"),
        &[("SYMBOLS", "BTCUSDT")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "Redis unreachable");
}
