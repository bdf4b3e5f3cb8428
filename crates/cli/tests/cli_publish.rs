//! `harvest publish` against a real Redis (Debian's redis-server on a free loopback port, started
//! by each test): the running publisher's proof pack and its failure cases.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harvest_kernel::{propose, HarvestInput, MarketState, P1Proposal, Position, Proposal, Side};
use harvest_records::keys::{EXECUTION_STREAM, PROPOSAL_STREAM};
use harvest_records::published::FIELDS;
use harvest_records::samples::execution_entry;
use harvest_redis::local::{cmd, free_port, hgetall, hset, hset_cmd, int, run, xadd, LocalRedis};
use harvest_redis::redis;
use harvest_redis::{stream_reply, Store};

mod common;
use common::{assert_stderr_has, text, verify_unit, wait_until, Proc};

const BIN: &str = env!("CARGO_BIN_EXE_harvest");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh Redis where each of `symbols` is [`seed`]ed with the PnL `pnl`.
fn seeded(symbols: &[&str], pnl: &str) -> (LocalRedis, Store) {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    for sym in symbols {
        seed(&mut s, sym, pnl);
    }
    (r, s)
}

/// Market state, P1 proposal and a LONG position at 100 with the given PnL.
fn seed(s: &mut Store, sym: &str, pnl: &str) {
    hset(
        s,
        &format!("quantum:marketstate:{sym}"),
        &[
            ("sigma", "0.012"),
            ("ts", "0.35"),
            ("p_trend", "0.55"),
            ("p_mr", "0.25"),
            ("p_chop", "0.2"),
        ],
    );
    hset(
        s,
        &format!("quantum:risk:proposal:{sym}"),
        &[("stop_dist_pct", "0.01"), ("proposed_sl", "99.0")],
    );
    hset(
        s,
        &format!("quantum:state:positions:{sym}"),
        &[
            ("symbol", sym),
            ("side", "LONG"),
            ("entry_price", "100.0"),
            ("current_price", "101.5"),
            ("peak_price", "102.0"),
            ("trough_price", "99.5"),
            ("age_sec", "7200"),
            ("unrealized_pnl", pnl),
            ("current_sl", "99.0"),
            ("current_tp", "None"),
        ],
    );
}

/// The kernel's proposal for what [`seed`] wrote.
fn seeded_proposal(sym: &str, pnl: f64) -> Proposal {
    propose(&HarvestInput {
        position: Position {
            symbol: sym.into(),
            side: Side::Long,
            entry_price: 100.0,
            current_price: Some(101.5),
            peak_price: Some(102.0),
            trough_price: Some(99.5),
            age_sec: 7200.0,
            unrealized_pnl: pnl,
            current_sl: Some(99.0),
            current_tp: None,
            qty: 1.0,
        },
        market_state: MarketState {
            sigma: 0.012,
            ts: 0.35,
            p_trend: 0.55,
            p_mr: 0.25,
            p_chop: 0.2,
        },
        p1_proposal: Some(P1Proposal {
            stop_dist_pct: 0.01,
            proposed_sl: Some(99.0),
            proposed_tp: None,
        }),
        theta: None,
    })
    .unwrap()
}

fn publish(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["publish", "--redis-url", url])
        .args(args)
        .env_clear()
        .output()
        .expect("run harvest publish")
}

/// `harvest publish --redis-url url args…` run to its end: asserts its exit `code`, returns its
/// log.
#[track_caller]
fn publish_log(url: &str, args: &[&str], code: i32) -> String {
    let out = publish(url, args);
    let log = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{log}");
    log
}

/// `harvest publish --redis-url url args…` as a service (no other environment).
fn service(url: &str, args: &[&str]) -> Proc {
    let mut all = vec!["publish", "--redis-url", url];
    all.extend(args);
    Proc::start(&all, &[])
}

#[test]
fn every_output_field_present_and_parseable() {
    let (r, mut s) = seeded(&["BTCUSDT"], "3.5");
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let out = publish(
        &r.url(),
        &["--once", "--symbols", "BTCUSDT", "--enable-stream"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let h = hgetall(&mut s, "quantum:harvest:proposal:BTCUSDT");
    let names: BTreeSet<&str> = h.keys().map(String::as_str).collect();
    assert_eq!(names, FIELDS.iter().copied().collect::<BTreeSet<_>>());

    // The same numbers as the kernel on the same inputs, and the full proposal verifies.
    let want = seeded_proposal("BTCUSDT", 3.5);
    let got: Proposal = serde_json::from_str(&h["proposal_json"]).unwrap();
    assert_eq!(got, want);
    let num = |k: &str| -> f64 { h[k].parse().unwrap_or_else(|_| panic!("{k} = {}", h[k])) };
    assert_eq!(num("R_net"), want.r_net);
    assert_eq!(num("risk_unit"), want.risk_unit);
    assert_eq!(num("cost_est"), want.cost_est);
    assert_eq!(num("kill_score"), want.kill_score);
    assert_eq!(num("k_age_penalty"), want.audit.k_components.age_penalty);
    assert_eq!(num("sigma"), 0.012);
    assert_eq!(num("position_current_price"), 101.5);
    assert_eq!(num("position_unrealized_pnl"), 3.5);
    assert_eq!(h["harvest_action"], want.harvest_action.as_str());
    assert_eq!(num("new_sl_proposed"), want.new_sl_proposed.unwrap());
    let reasons: Vec<&str> = want.reason_codes.iter().map(|c| c.as_str()).collect();
    assert_eq!(h["reason_codes"], reasons.join(","));
    assert_eq!(h["position_side"], "LONG");
    assert_eq!(h["kernel_version"], harvest_kernel::KERNEL_VERSION);
    let epoch: i64 = h["last_update_epoch"].parse().unwrap();
    assert!((before..=before + 5).contains(&epoch), "{epoch}");
    let back = harvest_records::published::read_last(
        &harvest_records::published::DECISION_FIELDS.map(|k| Some(h[k].clone())),
    )
    .expect("computed_at_utc is RFC 3339");
    assert!((back.published_epoch - epoch as f64).abs() < 1.0);

    // Python reads every number back to the same text (repr(float(v)) == v), and the time.
    if Command::new("python3").arg("--version").output().is_ok() {
        let numeric: Vec<&str> = FIELDS
            .iter()
            .copied()
            .filter(|k| {
                !matches!(
                    *k,
                    "harvest_action"
                        | "reason_codes"
                        | "computed_at_utc"
                        | "last_update_epoch"
                        | "position_side"
                        | "proposal_json"
                        | "kernel_version"
                )
            })
            .collect();
        let values: HashMap<&str, &str> = numeric.iter().map(|k| (*k, h[*k].as_str())).collect();
        let script = r#"
import json, sys, datetime
d = json.loads(sys.argv[1])
bad = [k for k, v in d["numbers"].items() if repr(float(v)) != v]
datetime.datetime.fromisoformat(d["at"])
int(d["epoch"])
print("bad:", bad)
sys.exit(1 if bad else 0)
"#;
        let arg = serde_json::json!({"numbers": values, "at": h["computed_at_utc"], "epoch": h["last_update_epoch"]});
        let py = Command::new("python3")
            .args(["-c", script, &arg.to_string()])
            .output()
            .unwrap();
        assert!(
            py.status.success(),
            "{} {}",
            text(&py.stdout),
            text(&py.stderr)
        );
    } else {
        eprintln!("python3 not found: Python's float() check skipped (Rust's parse checked above)");
    }

    // The stream entry: `symbol` plus the same fields.
    let entries = stream_reply(
        PROPOSAL_STREAM,
        Ok(run(&mut s, &["XRANGE", PROPOSAL_STREAM, "-", "+"])),
    )
    .unwrap();
    assert_eq!(entries.len(), 1);
    let (_, e) = &entries[0];
    assert_eq!(e["symbol"], "BTCUSDT");
    for k in FIELDS {
        assert_eq!(e[k], h[k], "{k}");
    }
}

#[test]
fn once_exit_codes_0_1_2() {
    let (r, mut s) = seeded(&["BTCUSDT"], "1");
    // A symbol without a position is not a failure.
    let out = publish(&r.url(), &["--once", "--symbols", "BTCUSDT,NOPOSUSDT"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    assert!(
        log.contains("cycle: read 2, published 1, unchanged 0, skipped 0, no position 1"),
        "{log}"
    );
    assert_eq!(log.lines().filter(|l| l.contains("cycle:")).count(), 1);

    seed(&mut s, "ETHUSDT", "1");
    hset(&mut s, "quantum:marketstate:ETHUSDT", &[("sigma", "abc")]);
    let out = publish(&r.url(), &["--once", "--symbols", "BTCUSDT,ETHUSDT"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    let dead = format!("redis://127.0.0.1:{}", free_port().unwrap());
    let out = publish(&dead, &["--once", "--symbols", "BTCUSDT"]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "Redis unreachable");
}

#[test]
fn environment_and_env_file_configure_it() {
    let (r, mut s) = seeded(&["BTCUSDT", "SOLUSDT"], "1");
    // Every variable of deploy/harvest-proposal.env, with the test's Redis.
    let env_file = std::fs::read_to_string(root().join("deploy/harvest-proposal.env")).unwrap();
    let mut env: Vec<(String, String)> = env_file
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect();
    for required in [
        "REDIS_URL",
        "SYMBOLS",
        "PUBLISH_INTERVAL_SEC",
        "POSITION_SOURCE",
        "ENABLE_STREAM",
        "FALLBACK_STOP_PCT",
        "MAX_PUBLISH_AGE_SEC",
        "CHANGE_EPS_PCT",
    ] {
        assert!(
            env.iter().any(|(k, _)| k == required),
            "{required} missing from the env file"
        );
    }
    for (k, v) in env.iter_mut() {
        if k == "REDIS_URL" {
            *v = r.url();
        }
        if k == "ENABLE_STREAM" {
            *v = "true".into();
        }
    }
    once_with_env_file(&mut s, env);
}

/// `harvest publish --once` with only `env` (an env file's settings, `SYMBOLS` BTCUSDT, ETHUSDT
/// and SOLUSDT, the stream on) where BTCUSDT and SOLUSDT are seeded: exit 0, "read 3, published
/// 2" (ETHUSDT has no position here), two stream entries. Returns the log.
#[track_caller]
fn once_with_env_file(s: &mut Store, env: Vec<(String, String)>) -> String {
    let out = Command::new(BIN)
        .args(["publish", "--once"])
        .env_clear()
        .envs(env)
        .output()
        .unwrap();
    let log = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("read 3, published 2"), "{log}");
    assert_eq!(int(run(s, &["XLEN", PROPOSAL_STREAM])), 2);
    log
}

/// The running system's own env file (deployment/config/harvest-proposal.env, its variables
/// quoted here) has CRLF line endings: every value ends in `\r` as the lines are split on `\n`.
/// It works as it does for the running publisher.
#[test]
fn env_file_with_crlf_line_endings_works() {
    let (r, mut s) = seeded(&["BTCUSDT", "SOLUSDT"], "1");
    let running_env = "# P2.5 Harvest Proposal Publisher Configuration\r\n\
        REDIS_URL=@TEST_REDIS@\r\nREDIS_HOST=127.0.0.1\r\nREDIS_PORT=6379\r\nREDIS_DB=0\r\n\r\n\
        SYMBOLS=BTCUSDT,ETHUSDT,SOLUSDT\r\nPUBLISH_INTERVAL_SEC=10\r\n\
        MARKETSTATE_PREFIX=quantum:marketstate:\r\nRISKPROPOSAL_PREFIX=quantum:risk:proposal:\r\n\
        HARVEST_PREFIX=quantum:harvest:proposal:\r\nENABLE_STREAM=true\r\n\
        STREAM_NAME=quantum:stream:harvest.proposal\r\nPOSITION_SOURCE=auto\r\n\
        MAX_PUBLISH_AGE_SEC=60\r\nCHANGE_EPS_PCT=0.001\r\nFALLBACK_STOP_PCT=0.02\r\n\
        LOG_LEVEL=INFO\r\nHARVEST_FIXES=full-facts\r\n"
        .replace("@TEST_REDIS@", &r.url());
    let env: Vec<(String, String)> = running_env
        .split('\n')
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            assert!(v.ends_with('\r'), "{l:?}");
            (k.to_string(), v.to_string())
        })
        .collect();
    let log = once_with_env_file(&mut s, env);
    assert!(log.contains("opt-in fixes: full-facts"), "{log}");
}

#[test]
fn rate_limited_unchanged_only_refreshes_last_update_epoch() {
    let (r, mut s) = seeded(&["BTCUSDT"], "2.5");
    let key = "quantum:harvest:proposal:BTCUSDT";
    let args = ["--once", "--symbols", "BTCUSDT", "--enable-stream"];
    assert_eq!(publish(&r.url(), &args).status.code(), Some(0));
    let first = hgetall(&mut s, key);
    hset(&mut s, key, &[("last_update_epoch", "0")]);

    // Nothing changed: only last_update_epoch, no stream entry.
    let out = publish(&r.url(), &args);
    assert_stderr_has(&out, "published 0, unchanged 1");
    let second = hgetall(&mut s, key);
    for k in FIELDS {
        if k == "last_update_epoch" {
            let (a, b): (i64, i64) = (first[k].parse().unwrap(), second[k].parse().unwrap());
            assert!(b >= a, "{a} {b}");
        } else {
            assert_eq!(second[k], first[k], "{k} changed");
        }
    }
    assert_eq!(int(run(&mut s, &["XLEN", PROPOSAL_STREAM])), 1);

    // An audit-only input moves nothing the rule watches: still unchanged.
    hset(
        &mut s,
        "quantum:state:positions:BTCUSDT",
        &[("current_price", "101.6")],
    );
    let out = publish(&r.url(), &args);
    assert_stderr_has(&out, "published 0, unchanged 1");

    // The action changes: published in full.
    hset(
        &mut s,
        "quantum:state:positions:BTCUSDT",
        &[("unrealized_pnl", "5.5")],
    );
    let out = publish(&r.url(), &args);
    assert_stderr_has(&out, "published 1, unchanged 0");
    assert_ne!(
        hgetall(&mut s, key)["harvest_action"],
        first["harvest_action"]
    );
    assert_eq!(int(run(&mut s, &["XLEN", PROPOSAL_STREAM])), 2);

    // max_publish_age 0: every cycle publishes in full.
    let out = publish(
        &r.url(),
        &["--once", "--symbols", "BTCUSDT", "--max-publish-age", "0"],
    );
    assert_stderr_has(&out, "published 1, unchanged 0");
}

/// Issue 18, 7: a hash that lost fields (deleted by hand, a partial write) is written in full
/// again on the next cycle, well within max_publish_age, the missing fields named in the log;
/// one that lost none is only refreshed.
#[test]
fn a_hash_that_lost_fields_is_repaired_on_the_next_cycle() {
    let (r, mut s) = seeded(&["BTCUSDT"], "2.5");
    let key = "quantum:harvest:proposal:BTCUSDT";
    let args = ["--once", "--symbols", "BTCUSDT"];
    assert_eq!(publish(&r.url(), &args).status.code(), Some(0));
    let first = hgetall(&mut s, key);
    assert_eq!(first.len(), FIELDS.len());

    run(&mut s, &["HDEL", key, "R_net", "proposal_json", "sigma"]);
    let out = publish(&r.url(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "published 1, unchanged 0");
    assert_stderr_has(
        &out,
        "quantum:harvest:proposal:BTCUSDT lacked 3 fields (R_net, sigma, proposal_json): \
         written in full again",
    );
    let repaired = hgetall(&mut s, key);
    for k in FIELDS {
        if !matches!(k, "computed_at_utc" | "last_update_epoch") {
            assert_eq!(repaired.get(k), first.get(k), "{k}");
        }
    }
    assert_eq!(repaired.len(), FIELDS.len());

    // Complete again: only refreshed.
    let out = publish(&r.url(), &args);
    assert_stderr_has(&out, "published 0, unchanged 1");
    assert!(
        !text(&out.stderr).contains("lacked"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 18, 8: 15,000 symbols (more than an argument or environment variable can carry, which
/// stops at about 14,500) from `--symbols-file` or its environment variable, for P2.5, P1.5 and
/// P0.5 alike (the shared runtime's reader); a bad symbol is named with its line, and the file
/// and the list together are refused.
#[test]
fn symbols_file_carries_15000_symbols_for_every_service() {
    let r = LocalRedis::started();
    let dir = std::env::temp_dir().join(format!("harvest-symbols-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("symbols.txt");
    let mut list = String::from("# every symbol of the exchange\r\n");
    for i in 0..15_000 {
        list.push_str(&format!(
            "S{i:05}USDT{}",
            if i % 3 == 0 { ",\n" } else { "\n" }
        ));
    }
    list.push_str("S00001USDT # a duplicate\n");
    std::fs::write(&file, &list).unwrap();
    let f = file.to_str().unwrap();
    let port = r.port().to_string();
    let url = r.url();
    let base: [(&str, Vec<(&str, &str)>); 3] = [
        ("publish", vec![("REDIS_URL", &url)]),
        ("publish-risk", vec![("REDIS_URL", &url)]),
        (
            "publish-market",
            vec![
                ("MARKETSTATE_REDIS_HOST", "127.0.0.1"),
                ("MARKETSTATE_REDIS_PORT", &port),
            ],
        ),
    ];
    for (cmd, env) in &base {
        let env_name = if *cmd == "publish-market" {
            "MARKETSTATE_SYMBOLS_FILE"
        } else {
            "SYMBOLS_FILE"
        };
        let run = |args: &[&str], extra: &[(&str, &str)]| {
            Command::new(BIN)
                .arg(cmd)
                .arg("--once")
                .args(args)
                .env_clear()
                .envs(env.iter().copied())
                .envs(extra.iter().copied())
                .output()
                .unwrap()
        };
        for out in [
            run(&["--symbols-file", f], &[]),
            run(&[], &[(env_name, f)]),
            run(&[], &[(env_name, &format!("{f}\r"))]),
        ] {
            let err = text(&out.stderr);
            assert!(err.contains("cycle: read 15000,"), "{cmd}: {err}");
        }
        std::fs::write(dir.join("bad.txt"), "BTCUSDT\n\nETH USDT,SOL:USDT\n").unwrap();
        let out = run(
            &["--symbols-file", dir.join("bad.txt").to_str().unwrap()],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            text(&out.stderr).contains(&format!(
                "--symbols-file {}: line 3: symbol \"SOL:USDT\" must be",
                dir.join("bad.txt").display()
            )),
            "{cmd}: {}",
            text(&out.stderr)
        );
        let out = run(&["--symbols-file", "/nonexistent/symbols.txt"], &[]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            text(&out.stderr)
                .contains("--symbols-file /nonexistent/symbols.txt: No such file or directory"),
            "{cmd}: {}",
            text(&out.stderr)
        );
        let out = run(&["--symbols-file", f, "--symbols", "BTCUSDT"], &[]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            text(&out.stderr).contains("cannot be used with"),
            "{cmd}: {}",
            text(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_fields_skip_the_symbol_and_name_key_and_field() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let syms = [
        "BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT",
    ];
    for sym in syms {
        seed(&mut s, sym, "1");
    }
    let list = syms.join(",");
    assert_eq!(
        publish(&r.url(), &["--once", "--symbols", &list])
            .status
            .code(),
        Some(0)
    );
    let eth_before = hgetall(&mut s, "quantum:harvest:proposal:ETHUSDT");

    hset(&mut s, "quantum:marketstate:ETHUSDT", &[("sigma", "abc")]);
    run(&mut s, &["DEL", "quantum:marketstate:SOLUSDT"]);
    run(
        &mut s,
        &["HDEL", "quantum:state:positions:XRPUSDT", "entry_price"],
    );
    run(&mut s, &["DEL", "quantum:risk:proposal:ADAUSDT"]);
    run(
        &mut s,
        &["SET", "quantum:risk:proposal:ADAUSDT", "not a hash"],
    );
    hset(
        &mut s,
        "quantum:state:positions:DOGEUSDT",
        &[("entry_price", "-5")],
    );
    hset(
        &mut s,
        "quantum:state:positions:BTCUSDT",
        &[("unrealized_pnl", "3.5")],
    );

    let log = publish_log(&r.url(), &["--once", "--symbols", &list], 1);
    for want in [
        "ETHUSDT: skipped: quantum:marketstate:ETHUSDT: field `sigma` = \"abc\" is not a finite number",
        "SOLUSDT: skipped: quantum:marketstate:SOLUSDT: missing",
        "XRPUSDT: skipped: quantum:state:positions:XRPUSDT: field `entry_price` is missing",
        // P1 unreadable: as the running publisher, no P1 and the fallback stop.
        "ADAUSDT: published; quantum:risk:proposal:ADAUSDT holds a string, not a hash: no P1, the fallback stop is used",
        "DOGEUSDT: skipped: kernel: position.entry_price",
        "read 6, published 1, unchanged 1, skipped 4",
    ] {
        assert!(log.contains(want), "{want:?} not in:\n{log}");
    }
    // The good symbol is published; a skipped symbol's last proposal is left as it was.
    assert_eq!(
        hgetall(&mut s, "quantum:harvest:proposal:BTCUSDT")["harvest_action"],
        "PARTIAL_25"
    );
    assert_eq!(
        hgetall(&mut s, "quantum:harvest:proposal:ETHUSDT"),
        eth_before
    );
}

#[test]
fn never_invents_positions() {
    let (r, mut s) = seeded(&["BTCUSDT", "ETHUSDT"], "1");
    run(&mut s, &["DEL", "quantum:state:positions:ETHUSDT"]);
    // A proposal left from when ETHUSDT had a position.
    hset(
        &mut s,
        "quantum:harvest:proposal:ETHUSDT",
        &[("harvest_action", "PARTIAL_25")],
    );

    let log = publish_log(&r.url(), &["--once", "--symbols", "BTCUSDT,ETHUSDT"], 0);
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("ETHUSDT")).collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(
        lines[0].contains("no position") && lines[0].contains("removed"),
        "{log}"
    );
    assert_eq!(
        int(run(&mut s, &["EXISTS", "quantum:harvest:proposal:ETHUSDT"])),
        0
    );
    assert_eq!(
        int(run(&mut s, &["EXISTS", "quantum:harvest:proposal:BTCUSDT"])),
        1
    );

    // `synthetic` (the running publisher's made-up positions) is refused, nothing written.
    let keys = int(run(&mut s, &["DBSIZE"]));
    let out = publish(
        &r.url(),
        &[
            "--once",
            "--symbols",
            "ETHUSDT",
            "--position-source",
            "synthetic",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "positions that do not exist");
    assert_eq!(int(run(&mut s, &["DBSIZE"])), keys);
}

#[test]
fn stream_source_takes_the_latest_entry_per_symbol() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    for sym in ["BTCUSDT", "ETHUSDT", "SOLUSDT"] {
        seed(&mut s, sym, "1");
    }
    run(
        &mut s,
        &[
            "DEL",
            "quantum:state:positions:BTCUSDT",
            "quantum:state:positions:SOLUSDT",
        ],
    );
    let mut entry = |sym: &str, side: &str, pnl: &str| {
        let held = [
            ("current_price", "101"),
            ("age_sec", "7200"),
            ("current_sl", "99"),
        ];
        xadd(
            &mut s,
            EXECUTION_STREAM,
            &execution_entry(sym, side, pnl, &held),
        );
    };
    entry("BTCUSDT", "LONG", "0.5");
    entry("SOLUSDT", "LONG", "3.5");
    entry("BTCUSDT", "LONG", "3.5"); // newest BTCUSDT
    entry("SOLUSDT", "FLAT", "0"); // SOLUSDT closed

    // One cycle over the three symbols with the positions from `source`: its log.
    let cycle = |source: &str| {
        let all = "BTCUSDT,ETHUSDT,SOLUSDT";
        let args = ["--once", "--symbols", all, "--position-source", source];
        publish_log(&r.url(), &args, 0)
    };
    let log = cycle("redis_stream");
    assert!(
        log.contains("read 3, published 1, unchanged 0, skipped 0, no position 2"),
        "{log}"
    );
    let btc = hgetall(&mut s, "quantum:harvest:proposal:BTCUSDT");
    assert_eq!(btc["harvest_action"], "PARTIAL_25");
    assert_eq!(btc["position_unrealized_pnl"], "3.5");

    // auto: a symbol has a hash (ETHUSDT), so every symbol's position is its hash, as the
    // running publisher: BTCUSDT's stream entry is not read (its proposal is removed).
    let one_of_three = "read 3, published 1, unchanged 0, skipped 0, no position 2 (removed 1)";
    let log = cycle("auto");
    assert!(log.contains(one_of_three), "{log}");
    // The hash goes: auto reads the stream (BTCUSDT again).
    run(
        &mut s,
        &["RENAME", "quantum:state:positions:ETHUSDT", "eth.saved"],
    );
    let log = cycle("auto");
    assert!(log.contains(one_of_three), "{log}");
    run(
        &mut s,
        &["RENAME", "eth.saved", "quantum:state:positions:ETHUSDT"],
    );
    // redis_hash: BTCUSDT has no hash, so no position.
    let log = cycle("redis_hash");
    assert!(log.contains("no position 2 (removed 1)"), "{log}");
}

#[test]
fn shards_split_the_symbols() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let syms: Vec<String> = (0..10).map(|i| format!("S{i}USDT")).collect();
    for sym in &syms {
        seed(&mut s, sym, "1");
    }
    let list = syms.join(",");
    let mut seen: Vec<BTreeSet<String>> = Vec::new();
    let mut before: BTreeSet<String> = BTreeSet::new();
    for k in 1..=3 {
        let out = publish(
            &r.url(),
            &["--once", "--symbols", &list, "--shard", &format!("{k}/3")],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let keys: Vec<String> =
            redis::from_redis_value(run(&mut s, &["KEYS", "quantum:harvest:proposal:*"])).unwrap();
        let now: BTreeSet<String> = keys.into_iter().collect();
        seen.push(now.difference(&before).cloned().collect());
        before = now;
    }
    assert_eq!([seen[0].len(), seen[1].len(), seen[2].len()], [4, 3, 3]);
    assert_eq!(before.len(), 10);
    let bad = publish(&r.url(), &["--once", "--symbols", &list, "--shard", "4/3"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn writes_only_its_own_keys() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    for sym in ["BTCUSDT", "ETHUSDT", "GONEUSDT"] {
        seed(&mut s, sym, "3.5");
    }
    run(&mut s, &["DEL", "quantum:state:positions:GONEUSDT"]);
    hset(
        &mut s,
        "quantum:harvest:proposal:GONEUSDT",
        &[("harvest_action", "NONE")],
    );
    // Every command the server receives from here on.
    let mut monitor = Command::new("redis-cli")
        .args(["-p", &r.port().to_string(), "monitor"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mon_out = monitor.stdout.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for l in BufReader::new(mon_out).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(l);
        }
    });
    wait_until(Duration::from_secs(5), || {
        run(&mut s, &["PING"]);
        !lines.lock().unwrap().is_empty()
    })
    .expect("MONITOR shows commands");
    let all = "BTCUSDT,ETHUSDT,GONEUSDT";
    for _ in 0..2 {
        let out = publish(&r.url(), &["--once", "--symbols", all, "--enable-stream"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    run(&mut s, &["ECHO", "monitor-end"]);
    wait_until(Duration::from_secs(5), || {
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("monitor-end"))
    })
    .expect("MONITOR caught up");
    let _ = monitor.kill();
    let _ = monitor.wait();

    let lines = lines.lock().unwrap();
    let mut writes = 0;
    for l in lines.iter() {
        // 1733050000.123456 [0 127.0.0.1:5555] "HSET" "quantum:harvest:proposal:BTCUSDT" ...
        let Some(rest) = l.split_once("] ").map(|(_, r)| r) else {
            continue;
        };
        let mut parts = rest.split("\" \"").map(|p| p.trim_matches('"'));
        let name = parts.next().unwrap_or("").to_ascii_uppercase();
        let key = parts.next().unwrap_or("");
        match name.as_str() {
            "HGETALL" | "HMGET" | "HKEYS" | "XRANGE" | "XREVRANGE" | "PING" | "ECHO" | "CLIENT"
            | "HELLO" => {}
            "HSET" | "DEL" | "XADD" => {
                writes += 1;
                assert!(
                    key.starts_with("quantum:harvest:proposal:") || key == PROPOSAL_STREAM,
                    "wrote {key}: {l}"
                );
            }
            other => panic!("unexpected command {other}: {l}"),
        }
    }
    // 2 + 2 stream entries, 1 removal, then 2 refreshes.
    assert_eq!(writes, 7, "{lines:#?}");
}

#[test]
fn no_trading_code_linked() {
    // The services' own dependencies: the kernel, P0 (market), the records (pure), the Redis
    // connection, time, signals; nothing else (no harvest-features).
    let manifest = std::fs::read_to_string(root().join("crates/publisher/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    let names: BTreeSet<&str> = deps
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .map(|l| l.split(['=', '.']).next().unwrap().trim())
        .collect();
    let allowed: BTreeSet<&str> = [
        "harvest-kernel",
        "harvest-market",
        "harvest-records",
        "harvest-redis",
        "serde",
        "serde_json",
        "thiserror",
        "chrono",
        "libc",
    ]
    .into();
    assert!(
        names.is_subset(&allowed),
        "unexpected dependencies: {names:?}"
    );
    // Its sources name only the keys it reads and the two it writes.
    let allowed_keys = [
        "quantum:marketstate:",
        "quantum:risk:proposal:",
        "quantum:state:positions:",
        "quantum:stream:execution",
        "quantum:harvest:proposal:",
        "quantum:stream:harvest.proposal",
        "quantum:policy:current",
        "quantum:stream:policy.update",
        // P0.5 (crates/publisher/src/market): the candle keys it reads, the stream it writes.
        "quantum:candles:",
        "quantum:history:ohlcv:",
        "quantum:stream:marketstate",
    ];
    let mut dirs = vec![root().join("crates/publisher/src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for f in std::fs::read_dir(dir).unwrap() {
            let path = f.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        for (i, _) in src.match_indices("\"quantum:") {
            let rest = &src[i + 1..];
            assert!(
                allowed_keys.iter().any(|k| rest.starts_with(k)),
                "{}: {}",
                path.display(),
                &rest[..rest.find('"').unwrap_or(40)]
            );
        }
    }
}

#[test]
fn unit_file_is_valid() {
    verify_unit(
        "harvest-proposal.service",
        &[
            "EnvironmentFile=/etc/harvest/harvest-proposal.env",
            "ExecStart=/usr/local/bin/harvest publish\n",
            "Restart=on-failure",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "DynamicUser=yes",
        ],
    );
}

#[test]
fn redis_stopped_and_restarted_mid_run_loses_nothing() {
    let mut r = LocalRedis::started();
    let port = r.port();
    let mut s = r.store().unwrap();
    let syms = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];
    for sym in syms {
        seed(&mut s, sym, "1");
    }
    let mut svc = service(
        &r.url(),
        &["--symbols", "BTCUSDT,ETHUSDT,SOLUSDT", "--interval", "0.2"],
    );
    svc.wait_log("published 3", Duration::from_secs(10));

    r.stop(); // no persistence: everything is gone
    svc.wait_log("Redis error", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        svc.child.try_wait().unwrap().is_none(),
        "exited:\n{}",
        svc.log()
    );

    let r2 = LocalRedis::start_on(port, &[]).unwrap();
    let mut s = r2.store().unwrap();
    for sym in syms {
        seed(&mut s, sym, if sym == "ETHUSDT" { "3.5" } else { "1" });
    }
    svc.wait_log("Redis is back", Duration::from_secs(30));
    wait_until(Duration::from_secs(10), || {
        syms.iter().all(|sym| {
            hgetall(&mut s, &format!("quantum:harvest:proposal:{sym}")).len() == FIELDS.len()
        })
    })
    .unwrap_or_else(|| panic!("not republished:\n{}", svc.log()));
    assert_eq!(
        hgetall(&mut s, "quantum:harvest:proposal:ETHUSDT")["harvest_action"],
        "PARTIAL_25"
    );
    let st = svc.terminate();
    assert_eq!(st.code(), Some(0), "{}", svc.log());
}

#[test]
fn sigterm_finishes_the_cycle_then_exits_0() {
    let (r, mut s) = seeded(&["BTCUSDT"], "1");
    let mut svc = service(&r.url(), &["--symbols", "BTCUSDT", "--interval", "1"]);
    svc.wait_log("published 1", Duration::from_secs(10));
    // The next cycle reads the new PnL, then its writes wait for the paused server.
    hset(
        &mut s,
        "quantum:state:positions:BTCUSDT",
        &[("unrealized_pnl", "3.5")],
    );
    run(&mut s, &["CLIENT", "PAUSE", "3000", "WRITE"]);
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(svc.log().matches("cycle:").count(), 1, "{}", svc.log());
    let sent = Instant::now();
    let st = svc.terminate();
    assert_eq!(st.code(), Some(0), "{}", svc.log());
    assert!(
        sent.elapsed() > Duration::from_millis(500),
        "did not wait for the cycle:\n{}",
        svc.log()
    );
    let log = svc.log();
    assert_eq!(log.matches("cycle:").count(), 2, "{log}");
    assert!(log.contains("SIGTERM: stopping after 2 cycles"), "{log}");
    assert_eq!(
        hgetall(&mut s, "quantum:harvest:proposal:BTCUSDT")["harvest_action"],
        "PARTIAL_25"
    );
}

#[test]
fn idle_service_stops_at_once_on_sigterm() {
    let (r, _) = seeded(&["BTCUSDT"], "1");
    let mut svc = service(&r.url(), &["--symbols", "BTCUSDT", "--interval", "60"]);
    svc.wait_log("published 1", Duration::from_secs(10));
    let sent = Instant::now();
    assert_eq!(svc.terminate().code(), Some(0));
    assert!(sent.elapsed() < Duration::from_secs(5));
}

/// A CA and a server certificate for localhost / 127.0.0.1, made with the openssl command.
fn make_certs(dir: &Path) -> bool {
    let sh = format!(
        "cd '{}' && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Harvest Test CA' \
         -keyout ca.key -out ca.crt && openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' \
         -keyout srv.key -out srv.csr && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf \
         && openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
         -extfile ext.cnf -out srv.crt",
        dir.display()
    );
    Command::new("sh")
        .args(["-c", &sh])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn rediss_tls_with_a_trusted_ca() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: openssl not installed, no certificate for the TLS test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("harvest-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(
        make_certs(&dir),
        "openssl could not make the test certificates"
    );
    let tls_port = free_port().unwrap();
    let p = |f: &str| dir.join(f).display().to_string();
    let r = LocalRedis::start_on(
        free_port().unwrap(),
        &[
            "--tls-port",
            &tls_port.to_string(),
            "--tls-cert-file",
            &p("srv.crt"),
            "--tls-key-file",
            &p("srv.key"),
            "--tls-ca-cert-file",
            &p("ca.crt"),
            "--tls-auth-clients",
            "no",
        ],
    )
    .expect("redis-server with TLS (Debian's is built with it)");
    let mut s = r.store().unwrap();
    seed(&mut s, "BTCUSDT", "1");
    let url = format!("rediss://localhost:{tls_port}");
    // `harvest ARGS` with only the CA file in its environment (or nothing at all).
    let harvest = |args: &[&str], trusted: bool| {
        let mut c = Command::new(BIN);
        c.args(args).env_clear();
        if trusted {
            c.env("SSL_CERT_FILE", p("ca.crt"));
        }
        c.output().unwrap()
    };
    let publish = [
        "publish",
        "--once",
        "--symbols",
        "BTCUSDT",
        "--redis-url",
        &url,
    ];
    let with_ca = harvest(&publish, true);
    assert_eq!(with_ca.status.code(), Some(0), "{}", text(&with_ca.stderr));
    assert_eq!(
        hgetall(&mut s, "quantum:harvest:proposal:BTCUSDT").len(),
        FIELDS.len()
    );
    // verify --redis and snapshot reach it over TLS too.
    let verify = harvest(&["verify", "--redis", &url], true);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stderr));
    assert_stderr_has(&verify, "1 records: 1 MATCH");
    // An unknown CA is refused: exit 2, the reason logged.
    let without = harvest(&publish, false);
    assert_eq!(without.status.code(), Some(2));
    assert_stderr_has(&without, "certificate");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_cluster_of_three_nodes() {
    let nodes: Vec<LocalRedis> = (0..3)
        .map(|_| {
            LocalRedis::start_on(
                free_port().unwrap(),
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                ],
            )
            .expect("redis-server in cluster mode")
        })
        .collect();
    let addrs: Vec<String> = nodes
        .iter()
        .map(|n| format!("127.0.0.1:{}", n.port()))
        .collect();
    let create = Command::new("redis-cli")
        .args(["--cluster", "create"])
        .args(&addrs)
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .output()
        .unwrap();
    assert!(
        create.status.success(),
        "{}{}",
        text(&create.stdout),
        text(&create.stderr)
    );
    let urls: Vec<String> = addrs.iter().map(|a| format!("redis://{a}")).collect();
    let urls = urls.join(",");
    let mut s = Store::open(&urls, true, Default::default()).unwrap();
    // Every node must see the whole cluster before it serves its slots.
    wait_until(Duration::from_secs(30), || {
        nodes.iter().all(|n| {
            let info = Command::new("redis-cli")
                .args(["-p", &n.port().to_string(), "cluster", "info"])
                .output()
                .unwrap();
            let info = text(&info.stdout);
            info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3")
        }) && s.connect().is_ok()
    })
    .expect("cluster state ok on every node");
    // Symbols whose keys hash to all three nodes.
    let syms: Vec<String> = (0..12).map(|i| format!("C{i}USDT")).collect();
    for sym in &syms {
        seed(&mut s, sym, "3.5");
    }
    let out = Command::new(BIN)
        .args(["publish", "--once", "--cluster", "--enable-stream"])
        .args(["--redis-url", &urls, "--symbols", &syms.join(",")])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, "read 12, published 12");
    for sym in &syms {
        let h = hgetall(&mut s, &format!("quantum:harvest:proposal:{sym}"));
        assert_eq!(h["harvest_action"], "PARTIAL_25", "{sym}");
    }
    assert_eq!(int(run(&mut s, &["XLEN", PROPOSAL_STREAM])), 12);
    // The keys really are spread over the nodes.
    let per_node: Vec<i64> = nodes
        .iter()
        .map(|n| int(n.store().unwrap().query(&cmd(&["DBSIZE"])).unwrap()))
        .collect();
    assert!(per_node.iter().all(|&k| k > 0), "{per_node:?}");
    // The readers reach the cluster like the publisher: SCAN on every primary finds all 12.
    let verify = Command::new(BIN)
        .args(["verify", "--redis", &urls, "--cluster"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stderr));
    assert_stderr_has(&verify, "12 records: 12 MATCH");
    let snap = Command::new(BIN)
        .args(["snapshot", "--redis", &urls, "--cluster"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(snap.status.code(), Some(0), "{}", text(&snap.stderr));
    // The policy line, then the 12 records, each with its position record.
    let lines: Vec<String> = text(&snap.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 13);
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains("\"position_record\":{\"fields\":{\"age_sec\"")));
}

#[test]
fn service_started_before_redis_waits_for_it() {
    let port = free_port().unwrap();
    let url = format!("redis://127.0.0.1:{port}");
    let mut svc = service(&url, &["--symbols", "BTCUSDT", "--interval", "0.2"]);
    svc.wait_log("attempt 2 failed", Duration::from_secs(10));
    assert!(
        svc.child.try_wait().unwrap().is_none(),
        "exited:\n{}",
        svc.log()
    );
    let r = LocalRedis::start_on(port, &[]).unwrap();
    let mut s = r.store().unwrap();
    seed(&mut s, "BTCUSDT", "1");
    svc.wait_log("Redis is back", Duration::from_secs(30));
    wait_until(Duration::from_secs(10), || {
        hgetall(&mut s, "quantum:harvest:proposal:BTCUSDT").len() == FIELDS.len()
    })
    .unwrap_or_else(|| panic!("not published:\n{}", svc.log()));
    assert_eq!(svc.terminate().code(), Some(0), "{}", svc.log());
}

#[test]
fn proposal_stream_is_capped_near_10000() {
    let r = LocalRedis::started();
    let mut s = r.store().unwrap();
    let n = 10_600;
    let syms: Vec<String> = (0..n).map(|i| format!("Z{i}")).collect();
    for chunk in syms.chunks(500) {
        let mut cmds = Vec::new();
        for sym in chunk {
            cmds.push(hset_cmd(
                &format!("quantum:marketstate:{sym}"),
                harvest_records::samples::MARKET_READ,
            ));
            cmds.push(hset_cmd(
                &format!("quantum:state:positions:{sym}"),
                &[
                    ("side", "SHORT"),
                    ("entry_price", "50"),
                    ("age_sec", "10"),
                    ("unrealized_pnl", "0.2"),
                ],
            ));
        }
        for reply in s.pipeline(cmds).unwrap() {
            reply.unwrap();
        }
    }
    let out = publish(
        &r.url(),
        &["--once", "--symbols", &syms.join(","), "--enable-stream"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_stderr_has(&out, &format!("published {n}"));
    // MAXLEN ~ 10000: trimmed in whole nodes, so a little above 10,000, never near 10,600.
    let len = int(run(&mut s, &["XLEN", PROPOSAL_STREAM]));
    assert!((10_000..10_200).contains(&len), "XLEN {len}");
}
