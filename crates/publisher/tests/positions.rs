//! Where positions come from, against a real redis-server, as the running publisher finds them:
//! `redis_stream` reads the newest 100 entries of `quantum:stream:execution`; `auto` reads the
//! position hashes, and the stream only when no symbol has one; a stream of the wrong type skips
//! only the symbols that need it. (No service of the running system's repository writes
//! `quantum:stream:execution`; its entries here have the fields the running publisher reads,
//! `PositionUpdate`'s of `ai_engine/services/eventbus_bridge.py`.)

use harvest_publisher::p25::plan::Rules;
use harvest_publisher::p25::service::{CycleReport, Options, Publisher, Settings};
use harvest_publisher::runtime::settings::PositionSource;
use harvest_records::keys::EXECUTION_STREAM;
use harvest_records::samples::{execution_entry, MARKET_READ};
use harvest_redis::local::{hgetall, hset, run, xadd, LocalRedis};
use harvest_redis::Store;

fn market(s: &mut Store, sym: &str) {
    hset(s, &format!("quantum:marketstate:{sym}"), MARKET_READ);
}

/// A LONG position hash at 100 (with `extra` fields).
fn long_hash(s: &mut Store, sym: &str, pnl: &str, extra: &[(&str, &str)]) {
    let mut f = vec![("side", "LONG"), ("entry_price", "100")];
    f.extend_from_slice(extra);
    f.push(("unrealized_pnl", pnl));
    hset(s, &format!("quantum:state:positions:{sym}"), &f);
}

/// A position update on the execution stream (held 60 s).
fn update(s: &mut Store, sym: &str, side: &str, pnl: &str) {
    let e = execution_entry(sym, side, pnl, &[("age_sec", "60")]);
    xadd(s, EXECUTION_STREAM, &e);
}

fn action(s: &mut Store, sym: &str) -> Option<String> {
    let key = format!("quantum:harvest:proposal:{sym}");
    let h = hgetall(s, &key);
    h.get("harvest_action").cloned()
}

fn counts(r: &CycleReport) -> (usize, usize, usize, usize) {
    (r.published, r.unchanged, r.no_position, r.skipped)
}

#[test]
fn stream_source_reads_the_newest_100_entries() {
    let redis = LocalRedis::started();
    let mut s = redis.store().unwrap();
    let syms = ["AUSDT", "BUSDT", "CUSDT", "DUSDT"];
    for sym in syms {
        market(&mut s, sym);
    }
    // No P1 proposals: the fallback stop 2 % makes the risk unit 2, so R_net = (PnL − 0.1) / 2.
    // AUSDT's only entry is followed by 100 newer ones: beyond the newest 100, no position.
    update(&mut s, "AUSDT", "LONG", "5.1");
    for i in 0..100 {
        let sym = if i % 2 == 0 { "BUSDT" } else { "OTHER" };
        update(&mut s, sym, "LONG", if i == 98 { "8.5" } else { "0" });
    }
    update(&mut s, "CUSDT", "SHORT", "0");
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
    update(&mut s, "BUSDT", "FLAT", "0");
    update(&mut s, "DUSDT", "SHORT", "-0.5");
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
    let redis = LocalRedis::started();
    let mut s = redis.store().unwrap();
    for sym in ["HASHUSDT", "STREAMUSDT"] {
        market(&mut s, sym);
    }
    update(&mut s, "STREAMUSDT", "LONG", "5.1");
    update(&mut s, "HASHUSDT", "LONG", "12.5");
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
    long_hash(&mut s, "HASHUSDT", "1", &[]);
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
    assert_eq!(action(&mut s, "HASHUSDT").as_deref(), Some("NONE"));
    assert_eq!(action(&mut s, "STREAMUSDT"), None, "removed: no hash");
}

#[test]
fn unreadable_stream_skips_only_the_symbols_that_need_it() {
    let redis = LocalRedis::started();
    let mut s = redis.store().unwrap();
    for sym in ["AUSDT", "BUSDT"] {
        market(&mut s, sym);
    }
    run(&mut s, &["SET", "quantum:stream:execution", "not a stream"]);
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
    long_hash(&mut s, "AUSDT", "1", &[]);
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
    // Fixed: the stream is read again once no hash is left.
    run(
        &mut s,
        &[
            "DEL",
            "quantum:stream:execution",
            "quantum:state:positions:AUSDT",
        ],
    );
    update(&mut s, "BUSDT", "LONG", "0");
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 1, 0), "{r}");
}

#[test]
fn large_cycle_in_batches() {
    let redis = LocalRedis::started();
    let mut s = redis.store().unwrap();
    let syms: Vec<String> = (0..2345).map(|i| format!("S{i}")).collect();
    for (i, sym) in syms.iter().enumerate() {
        market(&mut s, sym);
        if i % 5 != 0 {
            long_hash(&mut s, sym, "1", &[("age_sec", "60")]);
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
