//! One publish cycle for 10,000 symbols against a local Redis: the publisher's pipelined batches
//! side by side with the same cycle done one symbol at a time (three reads and a write per
//! symbol, each its own round trip, as the running Python publisher does). BENCHMARKS.md.
//!
//! `cargo run --release -p harvest-publisher --example cycle_bench [-- SYMBOLS ROUNDS]`

use std::time::{Duration, Instant};

use harvest_kernel::Theta;
use harvest_publisher::p25::plan::{evaluate, Outcome, Rules, SymbolReads};
use harvest_publisher::p25::service::{Options, Publisher, Settings};
use harvest_publisher::runtime::positions::Found;
use harvest_publisher::runtime::settings::PositionSource;
use harvest_records::keys::{market_state_key, position_key, proposal_key, risk_proposal_key};
use harvest_records::position::Origin;
use harvest_records::published::Stamp;
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;
use harvest_redis::{hash_reply, Store};

mod common;
use common::{own_cpu, server_cpu};

fn hset(key: &str, fields: &[(&str, String)]) -> redis::Cmd {
    let mut c = redis::cmd("HSET");
    c.arg(key);
    for (k, v) in fields {
        c.arg(*k).arg(v);
    }
    c
}

fn seed(s: &mut Store, symbols: &[String]) {
    for chunk in symbols.chunks(1000) {
        let mut cmds = Vec::new();
        for (i, sym) in chunk.iter().enumerate() {
            let pnl = format!("{}", (i % 9) as f64 * 0.7 - 1.0);
            cmds.push(hset(
                &market_state_key(sym),
                &[
                    ("sigma", "0.012".into()),
                    ("ts", "0.35".into()),
                    ("p_trend", "0.55".into()),
                    ("p_mr", "0.25".into()),
                    ("p_chop", "0.2".into()),
                ],
            ));
            cmds.push(hset(
                &risk_proposal_key(sym),
                &[
                    ("stop_dist_pct", "0.01".into()),
                    ("proposed_sl", "99".into()),
                ],
            ));
            cmds.push(hset(
                &position_key(sym),
                &[
                    ("symbol", sym.clone()),
                    ("side", "LONG".into()),
                    ("entry_price", "100".into()),
                    ("current_price", "101".into()),
                    ("age_sec", "7200".into()),
                    ("unrealized_pnl", pnl),
                    ("current_sl", "99".into()),
                ],
            ));
        }
        for r in s.pipeline(cmds).expect("seed") {
            r.expect("seed command");
        }
    }
}

/// The running system's way: per symbol HGETALL × 3, compute, HSET, each a round trip.
fn one_at_a_time(s: &mut Store, symbols: &[String], rules: &Rules) -> (Duration, usize) {
    let t = Instant::now();
    let now = chrono::Utc::now();
    let epoch = now.timestamp_micros() as f64 / 1e6;
    let stamp = Stamp::at_micros(now.timestamp_micros());
    let mut published = 0;
    let get = |s: &mut Store, key: String| {
        let mut c = redis::cmd("HGETALL");
        c.arg(&key);
        hash_reply(&key, s.query(&c)).expect("hash")
    };
    for sym in symbols {
        let reads = SymbolReads {
            market: get(s, market_state_key(sym)),
            p1: get(s, risk_proposal_key(sym)),
            position: Some(Found {
                key: position_key(sym),
                origin: Origin::Hash,
                fields: get(s, position_key(sym)),
            }),
            published: [None, None, None, None],
            published_fields: Vec::new(),
            p1_unreadable: None,
        };
        let theta = Theta::default();
        if let Outcome::Publish { fields, .. } =
            evaluate(sym, &reads, rules, &theta, epoch, &stamp).outcome
        {
            let fields: Vec<(&str, String)> = fields;
            s.query(&hset(&proposal_key(sym), &fields)).expect("HSET");
            published += 1;
        }
    }
    (t.elapsed(), published)
}

/// Runs `f`, returning its result with (wall, own CPU, server CPU).
fn measured<T>(s: &mut Store, f: impl FnOnce() -> T) -> (T, [Duration; 3]) {
    let (c0, s0, t0) = (own_cpu(), server_cpu(s), Instant::now());
    let out = f();
    let wall = t0.elapsed();
    let (c1, s1) = (own_cpu(), server_cpu(s));
    (out, [wall, c1 - c0, s1 - s0])
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(10_000, |a| a.parse().expect("SYMBOLS"));
    let rounds: usize = args.next().map_or(5, |a| a.parse().expect("ROUNDS"));
    let redis = LocalRedis::start().expect("redis-server (scripts/setup.sh installs it)");
    let mut s = redis.store().expect("connect");
    let symbols: Vec<String> = (0..n).map(|i| format!("SYM{i:05}USDT")).collect();
    seed(&mut s, &symbols);

    let settings = |max_age: f64| Settings {
        redis_url: redis.url(),
        symbols: symbols.clone(),
        own: Options {
            source: PositionSource::RedisHash,
            rules: Rules::new(0.02, 0.001, max_age).expect("rules"),
            ..Options::default()
        },
        ..Settings::default()
    };
    // Every cycle publishes in full (max_publish_age 0), like the one-at-a-time loop.
    let mut full = Publisher::new(settings(0.0)).expect("publisher");
    // Steady state: nothing changed, only last_update_epoch is refreshed.
    let mut steady = Publisher::new(settings(3600.0)).expect("publisher");
    let rules = Rules::default();

    // [wall, publisher CPU, redis-server CPU] per round.
    let (mut m_full, mut m_steady, mut m_single) = (Vec::new(), Vec::new(), Vec::new());
    let mut s2 = redis.store().expect("connect");
    // One warm-up round each, then `rounds` measured rounds, interleaved.
    for round in 0..=rounds {
        let (r, a) = measured(&mut s, || full.cycle().expect("pipelined cycle"));
        assert_eq!(r.published, n, "{r}");
        let (r2, b) = measured(&mut s, || steady.cycle().expect("steady cycle"));
        assert_eq!(r2.unchanged, n, "{r2}");
        let ((_, published), c) = measured(&mut s, || one_at_a_time(&mut s2, &symbols, &rules));
        assert_eq!(published, n);
        if round > 0 {
            m_full.push(a);
            m_steady.push(b);
            m_single.push(c);
        }
    }
    let med = |m: &[[Duration; 3]], i: usize| median(m.iter().map(|x| x[i]).collect());
    let line = |name: &str, m: &[[Duration; 3]]| {
        println!(
            "  {name:<52} wall {:>9}   publisher CPU {:>9}   redis-server CPU {:>9}",
            ms(med(m, 0)),
            ms(med(m, 1)),
            ms(med(m, 2))
        );
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "P2.5 publisher, one cycle, {n} symbols, local redis-server, median of {rounds} rounds (load average {}):",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    line(
        "pipelined (batches of 1000), every proposal written",
        &m_full,
    );
    line(
        "pipelined, steady state (only last_update_epoch)",
        &m_steady,
    );
    line(
        "one symbol at a time (3 reads + 1 write, 4 RTTs each)",
        &m_single,
    );
    println!(
        "  wall-time speed-up: {:.1}x (every proposal written), {:.1}x (steady state)",
        med(&m_single, 0).as_secs_f64() / med(&m_full, 0).as_secs_f64(),
        med(&m_single, 0).as_secs_f64() / med(&m_steady, 0).as_secs_f64()
    );
}
