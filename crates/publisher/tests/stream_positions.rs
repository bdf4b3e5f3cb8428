//! Positions from `quantum:stream:execution` against a real redis-server: the first cycle scans
//! the stream newest first (across pages), later cycles read only what is new, a recreated
//! stream is scanned again.

use harvest_publisher::local::LocalRedis;
use harvest_publisher::plan::{PositionSource, Rules};
use harvest_publisher::service::{CycleReport, Publisher, Settings};
use harvest_publisher::store::{self, Store};

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
    let h = store::hash(q(
        s,
        &["HGETALL", &format!("quantum:harvest:proposal:{sym}")],
    ))
    .unwrap();
    h.get("harvest_action").cloned()
}

fn counts(r: &CycleReport) -> (usize, usize, usize, usize) {
    (r.published, r.unchanged, r.no_position, r.skipped)
}

#[test]
fn latest_entry_per_symbol_incrementally() {
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    let syms = ["AUSDT", "BUSDT", "CUSDT", "DUSDT"];
    for sym in syms {
        market(&mut s, sym);
    }
    // No P1 proposals: the fallback stop 2 % makes the risk unit 2, so R_net = (PnL − 0.1) / 2.
    // AUSDT's only entry is the oldest, followed by 2,500 entries of other symbols: the first
    // scan must page back past them. DUSDT has no entry at all.
    xadd(&mut s, "*", "AUSDT", "LONG", "5.1");
    for i in 0..2500 {
        let sym = if i % 2 == 0 { "BUSDT" } else { "OTHER" };
        xadd(
            &mut s,
            "*",
            sym,
            "LONG",
            if i == 2498 { "8.5" } else { "0" },
        );
    }
    xadd(&mut s, "*", "CUSDT", "SHORT", "0");
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: syms.iter().map(|s| s.to_string()).collect(),
        source: PositionSource::RedisStream,
        rules: Rules::default(),
        ..Settings::default()
    })
    .unwrap();
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (3, 0, 1, 0), "{r}");
    assert_eq!(action(&mut s, "AUSDT").as_deref(), Some("PARTIAL_25"));
    assert_eq!(action(&mut s, "BUSDT").as_deref(), Some("PARTIAL_50"));
    assert_eq!(action(&mut s, "CUSDT").as_deref(), Some("NONE"));
    assert_eq!(action(&mut s, "DUSDT"), None);

    // New entries only: AUSDT closes, DUSDT opens, BUSDT unchanged.
    xadd(&mut s, "*", "AUSDT", "FLAT", "0");
    xadd(&mut s, "*", "DUSDT", "SHORT", "-0.5");
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 2, 1, 0), "{r}");
    assert_eq!(
        action(&mut s, "AUSDT"),
        None,
        "closed position's proposal removed"
    );
    assert_eq!(action(&mut s, "DUSDT").as_deref(), Some("NONE"));

    // The stream is recreated with older ids: scanned again from scratch.
    q(&mut s, &["DEL", "quantum:stream:execution"]);
    xadd(&mut s, "1-1", "AUSDT", "LONG", "12.5");
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 0, 3, 0), "{r}");
    assert_eq!(action(&mut s, "AUSDT").as_deref(), Some("PARTIAL_75"));
    assert_eq!(action(&mut s, "BUSDT"), None);
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
        source: PositionSource::RedisHash,
        batch: 100,
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

#[test]
fn unreadable_stream_skips_only_the_symbols_that_need_it() {
    let redis = LocalRedis::start().expect("redis-server");
    let mut s = redis.store().unwrap();
    for sym in ["HASHUSDT", "STREAMUSDT"] {
        market(&mut s, sym);
    }
    q(
        &mut s,
        &[
            "HSET",
            "quantum:state:positions:HASHUSDT",
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
    q(&mut s, &["SET", "quantum:stream:execution", "not a stream"]);
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: vec!["HASHUSDT".into(), "STREAMUSDT".into()],
        source: PositionSource::Auto,
        ..Settings::default()
    })
    .unwrap();
    let r = p.cycle().expect("bad data is not a Redis failure");
    assert_eq!(counts(&r), (1, 0, 0, 1), "{r}");
    // Fixed: the stream is read again.
    q(&mut s, &["DEL", "quantum:stream:execution"]);
    xadd(&mut s, "*", "STREAMUSDT", "LONG", "0");
    let r = p.cycle().unwrap();
    assert_eq!(counts(&r), (1, 1, 0, 0), "{r}");
}
