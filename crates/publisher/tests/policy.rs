//! The policy in force, against a real redis-server: `quantum:policy:current` as the policy store
//! (`lib/policy_store.py`, `PolicyStore.save`) writes it, read with its fail-closed rules; theta
//! from `harvest_params` key by key; a new entry on `quantum:stream:policy.update` reloads it; an
//! expired policy gives the defaults.

use harvest_kernel::Theta;
use harvest_publisher::p25::service::{Publisher, Settings};
use harvest_records::policy::ThetaSource;
use harvest_redis::local::{run, LocalRedis};
use harvest_redis::{hash_reply, Store};

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The policy as `PolicyStore.save` writes it (every field, `json.dumps` texts, `str(float)`
/// of the expiry, metadata), then its `policy_hash`, and the update stream's entry.
fn save_policy(s: &mut Store, version: &str, harvest_params: &str, valid_for: f64) {
    let until = format!("{}", now() + valid_for);
    run(
        s,
        &[
            "HSET",
            "quantum:policy:current",
            "universe_symbols",
            "[\"BTCUSDT\", \"ETHUSDT\"]",
            "leverage_by_symbol",
            "{\"BTCUSDT\": 5.0, \"ETHUSDT\": 3.0}",
            "harvest_params",
            harvest_params,
            "kill_params",
            "{\"k_regime_flip\": 1.0}",
            "valid_until_epoch",
            &until,
            "policy_version",
            version,
            "generator",
            "ai_universe_v1",
            "features_window",
            "15m,1h",
            "universe_hash",
            "",
            "market",
            "futures",
            "stats_endpoint",
            "",
            "venue",
            "binance-futures",
            "exchange_info_endpoint",
            "fapi/v1/exchangeInfo",
            "ticker_24h_endpoint",
            "fapi/v1/ticker/24hr",
            "metadata_ok",
            "1",
            "missing_fields",
            "",
        ],
    );
    run(
        s,
        &[
            "HSET",
            "quantum:policy:current",
            "policy_hash",
            "0123456789abcdef",
        ],
    );
    run(
        s,
        &[
            "XADD",
            "quantum:stream:policy.update",
            "MAXLEN",
            "100",
            "*",
            "event",
            "policy.updated",
            "version",
            version,
            "timestamp",
            &format!("{}", now()),
        ],
    );
}

fn seed(s: &mut Store) {
    run(
        s,
        &[
            "HSET",
            "quantum:marketstate:BTCUSDT",
            "sigma",
            "0.01200000",
            "ts",
            "0.350000",
            "p_trend",
            "0.550000",
            "p_mr",
            "0.250000",
            "p_chop",
            "0.200000",
        ],
    );
    run(
        s,
        &[
            "HSET",
            "quantum:state:positions:BTCUSDT",
            "symbol",
            "BTCUSDT",
            "side",
            "LONG",
            "entry_price",
            "100.0",
            "unrealized_pnl",
            "3.0",
        ],
    );
}

fn action(s: &mut Store) -> String {
    let key = "quantum:harvest:proposal:BTCUSDT";
    hash_reply(key, Ok(run(s, &["HGETALL", key]))).unwrap()["harvest_action"].clone()
}

fn policy_version(p: &Publisher) -> Option<String> {
    p.in_force().policy().map(|p| p.version.clone())
}

#[test]
fn policy_valid_expired_broken_and_updated_on_the_stream() {
    let redis = LocalRedis::started();
    let mut s = redis.store().unwrap();
    seed(&mut s);
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: vec!["BTCUSDT".into()],
        ..Settings::default()
    })
    .unwrap();
    // No policy: the defaults. R_net = (3 − 0.1) / 2 = 1.45 < T1_R 2: NONE.
    p.cycle().unwrap();
    assert!(matches!(p.in_force().source, ThetaSource::Defaults { .. }));
    assert_eq!(p.in_force().theta, Theta::default());
    assert_eq!(action(&mut s), "NONE");

    // A valid policy with T1_R 1.25: PARTIAL_25 on the next cycle (the stream got an entry).
    save_policy(
        &mut s,
        "1.0.0-a",
        "{\"T1_R\": 1.25, \"fallback_stop_pct\": 0.5}",
        3600.0,
    );
    p.cycle().unwrap();
    assert_eq!(policy_version(&p).as_deref(), Some("1.0.0-a"));
    let t = p.in_force().theta;
    assert_eq!(
        (t.t1_r, t.fallback_stop_pct),
        (1.25, 0.02),
        "fallback stop from the flag"
    );
    assert_eq!(action(&mut s), "PARTIAL_25");

    // A broken policy: fail-closed, the defaults.
    save_policy(&mut s, "1.0.0-b", "{\"T1_R\": 1.25", 3600.0);
    p.cycle().unwrap();
    let ThetaSource::Defaults { reason } = &p.in_force().source else {
        panic!("{:?}", p.in_force())
    };
    assert!(
        reason
            .to_string()
            .starts_with("policy field harvest_params is not JSON"),
        "{reason}"
    );
    assert_eq!(action(&mut s), "NONE");

    // An expired one: the defaults.
    save_policy(&mut s, "1.0.0-c", "{\"T1_R\": 1.25}", -60.0);
    p.cycle().unwrap();
    let ThetaSource::Defaults { reason } = &p.in_force().source else {
        panic!("{:?}", p.in_force())
    };
    assert!(
        reason.to_string().starts_with("policy 1.0.0-c expired at"),
        "{reason}"
    );

    // The policy changes without a stream entry: not read (the running system announces every
    // new policy on the stream).
    save_policy(&mut s, "1.0.0-d", "{\"T1_R\": 1.25}", 3600.0);
    p.cycle().unwrap();
    assert_eq!(policy_version(&p).as_deref(), Some("1.0.0-d"));
    run(
        &mut s,
        &[
            "HSET",
            "quantum:policy:current",
            "policy_version",
            "1.0.0-e",
        ],
    );
    p.cycle().unwrap();
    assert_eq!(policy_version(&p).as_deref(), Some("1.0.0-d"));

    // A policy that expires while in force: the defaults from then on, without a reload.
    save_policy(&mut s, "1.0.0-f", "{\"T1_R\": 1.25}", 1.5);
    p.cycle().unwrap();
    assert_eq!(policy_version(&p).as_deref(), Some("1.0.0-f"));
    std::thread::sleep(std::time::Duration::from_millis(1600));
    p.cycle().unwrap();
    assert!(matches!(p.in_force().source, ThetaSource::Defaults { .. }));
}

#[test]
fn a_policy_key_of_another_type_is_no_policy() {
    let redis = LocalRedis::started();
    let mut s = redis.store().unwrap();
    seed(&mut s);
    run(&mut s, &["SET", "quantum:policy:current", "v1"]);
    let mut p = Publisher::new(Settings {
        redis_url: redis.url(),
        symbols: vec!["BTCUSDT".into()],
        ..Settings::default()
    })
    .unwrap();
    let r = p.cycle().unwrap();
    assert_eq!(r.published, 1, "{r}");
    assert!(matches!(p.in_force().source, ThetaSource::Defaults { .. }));
}
