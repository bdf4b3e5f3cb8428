//! `harvest verify`, `harvest policy show` and `harvest theta export --format policy` on what the
//! running system writes: the records its own P2.5 publisher wrote, one cycle per case of
//! `bench/running_compare.py` (`tests/fixtures/running_publisher_records.json`, with its
//! provenance), and the policy store's record as `PolicyStore.save` writes it, against a real
//! redis-server.

mod common;

use std::collections::BTreeMap;

use common::{harvest, text};
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;
use serde_json::Value;

/// The running publisher's records per case.
fn fixture() -> BTreeMap<String, Vec<BTreeMap<String, String>>> {
    let text = include_str!("fixtures/running_publisher_records.json");
    let v: Value = serde_json::from_str(text).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let records = serde_json::from_value(c["records"].clone()).unwrap();
            (c["case"].as_str().unwrap().to_string(), records)
        })
        .collect()
}

/// The policy of the fixture's policy cases, valid for another hour.
fn policy(valid_for: f64) -> Vec<(&'static str, String)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    vec![
        (
            "universe_symbols",
            "[\"BTCUSDT\", \"ETHUSDT\", \"SOLUSDT\"]".into(),
        ),
        (
            "leverage_by_symbol",
            "{\"BTCUSDT\": 5.0, \"ETHUSDT\": 3.0, \"SOLUSDT\": 3.0}".into(),
        ),
        (
            "harvest_params",
            "{\"T1_R\": 1.25, \"T2_R\": 2.5, \"lock_R\": 0.8, \"kill_threshold\": 0.55, \
             \"k_age_penalty\": 0.45, \"cost_bps\": 12.0}"
                .into(),
        ),
        ("kill_params", "{\"k_regime_flip\": 1.0}".into()),
        ("policy_version", "1.0.0-ai-v1".into()),
        ("generator", "ai_universe_v1".into()),
        ("valid_until_epoch", format!("{}", now + valid_for)),
    ]
}

fn rows(stdout: &[u8]) -> Vec<Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn verify_lines(records: &[BTreeMap<String, String>], extra: &[&str]) -> (Vec<Value>, String) {
    let input: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    let mut args = vec!["verify"];
    args.extend_from_slice(extra);
    let out = harvest(&args, input.as_bytes());
    (rows(&out.stdout), text(&out.stderr))
}

#[test]
fn the_running_publishers_records_verify_with_its_own_rules() {
    let cases = fixture();
    let mut total = 0;
    for (case, records) in &cases {
        let (rows, err) = verify_lines(records, &[]);
        assert_eq!(rows.len(), records.len(), "{case}: {err}");
        for row in &rows {
            total += 1;
            let want = match case.as_str() {
                // A partial record we seeded, left as it was: not a record to verify.
                "a proposal left from a position that is gone" => "INVALID",
                // Entry 0: the kernel refuses it (the running publisher divided by 1e-9).
                "entry_price missing" => "INVALID",
                // Computed with the policy's theta: not the defaults.
                "valid policy" => "MISMATCH",
                _ => "MATCH",
            };
            assert_eq!(row["verdict"], want, "{case}: {row}");
        }
    }
    assert!(total > 80, "{total}");
    let invalid = |case: &str| {
        let (rows, _) = verify_lines(&cases[case], &[]);
        rows[0]["error"].as_str().unwrap().to_string()
    };
    assert!(
        invalid("entry_price missing").starts_with("position.entry_price = 0 "),
        "{}",
        invalid("entry_price missing")
    );
}

#[test]
fn flat_and_buy_records_are_match_with_a_second_opinion_naming_the_problem() {
    let cases = fixture();
    for side in ["FLAT", "NONE", "CLOSED"] {
        let (rows, err) = verify_lines(&cases[&format!("side {side}")], &[]);
        assert_eq!(rows[0]["verdict"], "MATCH", "{side}");
        assert_eq!(
            rows[0]["side"], "SHORT",
            "computed as the running publisher does"
        );
        assert_eq!(
            rows[0]["second_opinion"]["notes"][0],
            format!(
                "position_side \"{side}\" is no position: Harvest Lab publishes no proposal for it (and deletes this one)"
            )
        );
        assert!(
            err.contains("1 MATCH") && err.contains("1 with a second opinion"),
            "{err}"
        );
    }
    for side in ["BUY", "long"] {
        let (rows, _) = verify_lines(&cases[&format!("side {side}")], &[]);
        assert_eq!(rows[0]["verdict"], "MATCH", "{side}");
        let note = rows[0]["second_opinion"]["notes"][0].as_str().unwrap();
        assert!(
            note.starts_with(&format!(
                "computed as SHORT but the position is {side}: as LONG: new_sl_proposed 97444.6 (not 97055.6)"
            )),
            "{note}"
        );
        assert_eq!(
            rows[0]["second_opinion"]["with_facts"]["new_sl_proposed"],
            97250.1 * 1.002
        );
    }
    // A SELL is computed as SHORT by both: nothing to say.
    let (rows, _) = verify_lines(&cases["side SELL"], &[]);
    assert!(rows[0].get("second_opinion").is_none(), "{}", rows[0]);
}

#[test]
fn verify_redis_reviews_with_the_policy_in_force_and_says_which() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let cases = fixture();
    let mut put = |key: &str, fields: &[(&str, String)]| {
        let mut c = redis::cmd("HSET");
        c.arg(key);
        for (k, v) in fields {
            c.arg(*k).arg(v);
        }
        s.query(&c).unwrap();
    };
    for rec in &cases["valid policy"] {
        let fields: Vec<(&str, String)> = rec
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "key" | "symbol"))
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        put(&rec["key"], &fields);
    }
    // No policy: the defaults, MISMATCH.
    let out = harvest(&["verify", "--redis", &r.url()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("with the default theta (no policy"),
        "{}",
        text(&out.stderr)
    );
    // The policy in force: MATCH, and said.
    put("quantum:policy:current", &policy(3600.0));
    let out = harvest(&["verify", "--redis", &r.url()], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("with the policy 1.0.0-ai-v1 (hash ")
            && err.contains("T1_R 1.25 (default 2.0)"),
        "{err}"
    );
    let rows = rows(&out.stdout);
    assert!(rows.iter().all(|r| r["verdict"] == "MATCH"), "{rows:?}");
    assert!(rows[0]["unchecked"][0]["why"]
        .as_str()
        .unwrap()
        .starts_with("not published: checked against the policy 1.0.0-ai-v1 (hash "));
    // The same through a snapshot file: the policy line carries it.
    let snap = harvest(&["snapshot", "--redis", &r.url()], b"");
    let out = harvest(&["verify"], &snap.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("reviewed with the policy 1.0.0-ai-v1"));
    // --theta overrides the policy.
    let out = harvest(
        &["verify", "--redis", &r.url(), "--theta", "/dev/null"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "an empty theta file is refused");
    // Expired: the defaults again.
    put("quantum:policy:current", &policy(-10.0));
    let out = harvest(&["verify", "--redis", &r.url()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("default theta (policy 1.0.0-ai-v1 expired at"));
}

#[test]
fn policy_show_says_whether_a_policy_is_in_force() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let out = harvest(&["policy", "show", "--redis", &r.url()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with(
        "quantum:policy:current: not in force: no policy: quantum:policy:current does not exist"
    ));
    let mut c = redis::cmd("HSET");
    c.arg("quantum:policy:current");
    for (k, v) in policy(3600.0) {
        c.arg(k).arg(v);
    }
    s.query(&c).unwrap();
    let out = harvest(&["policy", "show", "--redis", &r.url()], b"");
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    for want in [
        "quantum:policy:current: in force: P2.5 computes with the theta below",
        "  policy_version   1.0.0-ai-v1",
        "  universe         3 symbols",
        "  T1_R               1.25   (default 2.0)",
        "  kill_threshold     0.55   (default 0.6)",
        "  fallback_stop_pct  0.02\n",
    ] {
        assert!(shown.contains(want), "{want:?} not in:\n{shown}");
    }
    let out = harvest(&["policy", "show", "--redis", &r.url(), "--json"], b"");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["in_force"]["source"], "policy");
    assert_eq!(v["in_force"]["theta"]["T1_R"], 1.25);
    assert_eq!(v["in_force"]["policy"]["version"], "1.0.0-ai-v1");
    let out = harvest(&["policy", "show", "--redis", "redis://127.0.0.1:1"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn theta_export_as_the_policys_harvest_params() {
    let out = harvest(&["theta", "export", "--format", "policy"], b"");
    assert_eq!(out.status.code(), Some(0));
    let json = text(&out.stdout);
    assert!(
        json.starts_with("{\"cost_bps\": 10.0, \"T1_R\": 2.0, "),
        "{json}"
    );
    let v: BTreeMap<String, f64> = serde_json::from_str(&json).unwrap();
    assert_eq!(v.len(), 21);
    assert!(!v.contains_key("fallback_stop_pct"));
    // A theta file converted, and read back as a theta (it is a JSON object of tunables).
    let dir = std::env::temp_dir().join(format!("harvest-policy-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.theta");
    std::fs::write(&file, "theta.harvest.T1_R=1.5\n").unwrap();
    let out = harvest(
        &[
            "theta",
            "export",
            "--format",
            "policy",
            file.to_str().unwrap(),
        ],
        b"",
    );
    let exported = dir.join("p.json");
    std::fs::write(&exported, &out.stdout).unwrap();
    let back = harvest(&["theta", "import", exported.to_str().unwrap()], b"");
    assert_eq!(back.status.code(), Some(0), "{}", text(&back.stderr));
    assert!(
        text(&back.stdout).contains("\"T1_R\": 1.5"),
        "{}",
        text(&back.stdout)
    );
    let _ = std::fs::remove_dir_all(dir);
}
