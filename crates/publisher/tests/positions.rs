//! Where positions come from, against a real redis-server, as the running publisher finds them:
//! `redis_stream` reads the newest 100 entries of `quantum:stream:execution`; `auto` reads the
//! position hashes, and the stream only when no symbol has one; a stream of the wrong type skips
//! only the symbols that need it. (No service of the running system's repository writes
//! `quantum:stream:execution`; its entries here have the fields the running publisher reads,
//! `PositionUpdate`'s of `ai_engine/services/eventbus_bridge.py`.)

use harvest_publisher::p25::plan::Rules;
use harvest_publisher::p25::service::{CycleReport, Options, Publisher, Settings};
use harvest_publisher::runtime::settings::PositionSource;
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;
use harvest_redis::{hash_reply, Store};

fn q(s: &mut Store, args: &[&str]) -> redis::Value {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    s.query(&c).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn market(s: &mut Store, sym: &str) {
    q(
        s,
        &[
            "HSET",
            &format!("quantum:marketstate:{sym}"),
            "sigma",
            "0.01",
            "ts",
            "0.4",
            "p_trend",
            "0.6",
            "p_mr",
            "0.2",
            "p_chop",
            "0.2",
        ],
    );
}

fn xadd(s: &mut Store, id: &str, sym: &str, side: &str, pnl: &str) {
    q(
        s,
        &[
            "XADD",
            "quantum:stream:execution",
            id,
            "symbol",
            sym,
            "side",
            side,
            "entry_price",
            "100",
            "age_sec",
            "60",
            "unrealized_pnl",
            pnl,
        ],
    );
}

fn action(s: &mut Store, sym: &str) -> Option<String> {
    let key = format!("quantum:harvest:proposal:{sym}");
    let h = hash_reply(&key, Ok(q(s, &["HGETALL", &key]))).unwrap();
    h.get("harvest_action").cloned()
}

fn counts(r: &CycleReport) -> (usize, usize, usize, usize) {
    (r.published, r.unchanged, r.no_position, r.skipped)
}

#[test]
fn stream_source_reads_the_newest_100_entries() {
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    let syms = ["AUSDT", "BUSDT", "CUSDT", "DUSDT"];
    for sym in syms {
        market(&mut s, sym);
    }
    // No P1 proposals: the fallback stop 2 % makes the risk unit 2, so R_net = (PnL − 0.1) / 2.
    // AUSDT's only entry is followed by 100 newer ones: beyond the newest 100, no position.
    xadd(&mut s, "*", "AUSDT", "LONG", "5.1");
    for i in 0..100 {
        let sym = if i % 2 == 0 { "BUSDT" } else { "OTHER" };
        xadd(&mut s, "*", sym, "LONG", if i == 98 { "8.5" } else { "0" });
    }
    xadd(&mut s, "*", "CUSDT", "SHORT", "0");
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: syms.iter().map(|s| s.to_string()).collect(),
        own: Options {
            source: PositionSource::RedisStream,
            rules: Rules::default(),
            ..Options::default()
        },
        ..Settings::default()
    })
    .unwrap();
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (2, 0, 2, 0), "{r}");
    assert_eq!(action(&mut s, "AUSDT"), None, "older than the newest 100");
    assert_eq!(action(&mut s, "BUSDT").as_deref(), Some("PARTIAL_50"));
    assert_eq!(action(&mut s, "CUSDT").as_deref(), Some("NONE"));
    assert_eq!(action(&mut s, "DUSDT"), None);

    // BUSDT closes (its newest entry is FLAT), DUSDT opens.
    xadd(&mut s, "*", "BUSDT", "FLAT", "0");
    xadd(&mut s, "*", "DUSDT", "SHORT", "-0.5");
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 1, 2, 0), "{r}");
    assert_eq!(
        action(&mut s, "BUSDT"),
        None,
        "closed position's proposal removed"
    );
    assert_eq!(action(&mut s, "DUSDT").as_deref(), Some("NONE"));
}

#[test]
fn auto_reads_the_stream_only_when_no_symbol_has_a_hash() {
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    for sym in ["HASHUSDT", "STREAMUSDT"] {
        market(&mut s, sym);
    }
    xadd(&mut s, "*", "STREAMUSDT", "LONG", "5.1");
    xadd(&mut s, "*", "HASHUSDT", "LONG", "12.5");
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: vec!["HASHUSDT".into(), "STREAMUSDT".into()],
        own: Options {
            source: PositionSource::Auto,
            ..Options::default()
        },
        ..Settings::default()
    })
    .unwrap();
    // No hash at all: both from the stream.
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (2, 0, 0, 0), "{r}");
    assert_eq!(action(&mut s, "HASHUSDT").as_deref(), Some("PARTIAL_75"));
    // One symbol has a hash: every symbol's position is its hash; STREAMUSDT has none.
    q(
        &mut s,
        &[
            "HSET",
            "quantum:state:positions:HASHUSDT",
            "side",
            "LONG",
            "entry_price",
            "100",
            "unrealized_pnl",
            "1",
        ],
    );
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
    assert_eq!(action(&mut s, "HASHUSDT").as_deref(), Some("NONE"));
    assert_eq!(action(&mut s, "STREAMUSDT"), None, "removed: no hash");
}

#[test]
fn unreadable_stream_skips_only_the_symbols_that_need_it() {
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    for sym in ["AUSDT", "BUSDT"] {
        market(&mut s, sym);
    }
    q(&mut s, &["SET", "quantum:stream:execution", "not a stream"]);
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: vec!["AUSDT".into(), "BUSDT".into()],
        own: Options {
            source: PositionSource::Auto,
            ..Options::default()
        },
        ..Settings::default()
    })
    .unwrap();
    let r = p.cycle().expect("bad data is not a Redis failure");
    assert_eq!(counts(&r), (0, 0, 0, 2), "{r}");
    // A hash appears: the hashes are the source, the stream is not needed.
    q(
        &mut s,
        &[
            "HSET",
            "quantum:state:positions:AUSDT",
            "side",
            "LONG",
            "entry_price",
            "100",
            "unrealized_pnl",
            "1",
        ],
    );
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
    // Fixed: the stream is read again once no hash is left.
    q(
        &mut s,
        &[
            "DEL",
            "quantum:stream:execution",
            "quantum:state:positions:AUSDT",
        ],
    );
    xadd(&mut s, "*", "BUSDT", "LONG", "0");
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
}

#[test]
fn large_cycle_in_batches() {
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    let syms: Vec<String> = (0..2345).map(|i| format!("S{i}")).collect();
    for (i, sym) in syms.iter().enumerate() {
        market(&mut s, sym);
        if i % 5 != 0 {
            q(
                &mut s,
                &[
                    "HSET",
                    &format!("quantum:state:positions:{sym}"),
                    "side",
                    "LONG",
                    "entry_price",
                    "100",
                    "age_sec",
                    "60",
                    "unrealized_pnl",
                    "1",
                ],
            );
        }
    }
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: syms.clone(),
        batch: 100,
        own: Options {
            source: PositionSource::RedisHash,
            ..Options::default()
        },
        ..Settings::default()
    })
    .unwrap();
    let r = p.cycle().unwrap();
    assert_eq!(
        (r.read, r.published, r.no_position),
        (2345, 1876, 469),
        "{r}"
    );
    let r = p.cycle().unwrap();
    assert_eq!(
        (r.read, r.unchanged, r.no_position),
        (2345, 1876, 469),
        "{r}"
    );
}
