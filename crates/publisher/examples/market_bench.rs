//! P0.5 cycles for many symbols against a local Redis (BENCHMARKS.md, "P0.5 and P1.5"): the
//! first cycle (every window of 300 candles read whole and P0 computed fresh), then steady
//! cycles where each symbol's cache gained one candle and dropped its oldest (as the running
//! system's cache does). Candles are the shipped sample's closes as layer1 JSON members.
//!
//! `cargo run --release -p harvest-publisher --example market_bench [-- SYMBOLS STEADY_CYCLES [BATCH]]`

use std::time::{Duration, Instant};

use harvest_publisher::feed::candle::member;
use harvest_publisher::market::service::{MarketPublisher, Settings};
use harvest_publisher::runtime::Level;
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;
use harvest_redis::Store;

mod common;
use common::{own_cpu, server_cpu};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|v| v.parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

fn zadd(s: &mut Store, cmds: Vec<redis::Cmd>) {
    for r in s.pipeline(cmds).expect("write candles") {
        r.expect("ZADD");
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("SYMBOLS STEADY_CYCLES"))
        .collect();
    let n = args.first().copied().unwrap_or(1000);
    let steady = args.get(1).copied().unwrap_or(20);
    let batch = args.get(2).copied().unwrap_or(Settings::default().batch);
    let text = include_str!("../../../assets/prices/Coinbase_BTCUSD_1h.csv");
    let bars = harvest_market::import_prices(text).unwrap().bars;
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    let symbols: Vec<String> = (0..n).map(|i| format!("S{i:05}USDT")).collect();
    // Symbol i plays the sample from bar 13·i (mod the sample), 300 candles, then one a cycle.
    let start = |i: usize| (13 * i) % (bars.len() - 300 - steady - 1);
    let t = Instant::now();
    for (chunk_no, chunk) in symbols.chunks(50).enumerate() {
        let mut cmds = Vec::new();
        for (j, sym) in chunk.iter().enumerate() {
            let i = chunk_no * 50 + j;
            let mut c = redis::cmd("ZADD");
            c.arg(format!("candles:{sym}:1m"));
            for b in &bars[start(i)..start(i) + 300] {
                let (m, score) = member(sym, b, 3600, 1.8e9);
                c.arg(score).arg(m);
            }
            cmds.push(c);
        }
        zadd(&mut s, cmds);
    }
    eprintln!(
        "seeded {n} symbols × 300 candles in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let settings = Settings {
        redis_url: redis.url(),
        symbols: symbols.clone(),
        interval: Duration::from_secs(1),
        log_level: Level::Warning,
        batch,
        ..Settings::default()
    };
    let rss0 = rss_kib();
    let mut p = MarketPublisher::new(settings).unwrap();
    let (c0, rc0) = (own_cpu(), server_cpu(&mut s));
    let r = p.cycle().unwrap();
    let (c1, rc1) = (own_cpu(), server_cpu(&mut s));
    assert_eq!(r.published, n, "{r}");
    println!(
        "first cycle: {n} symbols × 300 candles: {:.1} ms wall (Redis {:.1} ms); CPU: publisher {:.1} ms, redis-server {:.1} ms; {r}",
        r.took.as_secs_f64() * 1e3,
        r.redis.as_secs_f64() * 1e3,
        (c1 - c0).as_secs_f64() * 1e3,
        (rc1 - rc0).as_secs_f64() * 1e3
    );
    let rss1 = rss_kib();
    println!(
        "memory: {:.1} MiB resident after the first cycle ({:.0} KiB a symbol)",
        rss1 as f64 / 1024.0,
        (rss1.saturating_sub(rss0)) as f64 / n as f64
    );
    let mut took = Vec::new();
    let mut redis_took = Vec::new();
    let mut cpus = Vec::new();
    let mut redis_cpus = Vec::new();
    for k in 0..steady {
        let mut cmds = Vec::new();
        for (i, sym) in symbols.iter().enumerate() {
            let key = format!("candles:{sym}:1m");
            let (m, score) = member(sym, &bars[start(i) + 300 + k], 3600, 1.8e9);
            let mut c = redis::cmd("ZADD");
            c.arg(&key).arg(score).arg(m);
            cmds.push(c);
            let mut trim = redis::cmd("ZREMRANGEBYRANK");
            trim.arg(&key).arg(0).arg(0);
            cmds.push(trim);
            if cmds.len() >= 2000 {
                zadd(&mut s, std::mem::take(&mut cmds));
            }
        }
        zadd(&mut s, cmds);
        let (c0, rc0) = (own_cpu(), server_cpu(&mut s));
        let r = p.cycle().unwrap();
        let (c1, rc1) = (own_cpu(), server_cpu(&mut s));
        assert_eq!(r.published, n, "{r}");
        took.push(r.took);
        redis_took.push(r.redis);
        cpus.push(c1 - c0);
        redis_cpus.push(rc1 - rc0);
        if k == 0 || k + 1 == steady {
            println!("steady cycle {}: {r}", k + 1);
        }
    }
    if steady == 0 {
        return;
    }
    took.sort();
    redis_took.sort();
    cpus.sort();
    redis_cpus.sort();
    let med = |v: &[Duration]| v[v.len() / 2].as_secs_f64() * 1e3;
    println!(
        "steady cycles (one new candle per symbol), {steady} runs: median {:.1} ms wall (Redis {:.1} ms), max {:.1} ms; CPU medians: publisher {:.1} ms, redis-server {:.1} ms",
        med(&took),
        med(&redis_took),
        took.last().unwrap().as_secs_f64() * 1e3,
        med(&cpus),
        med(&redis_cpus)
    );
}
