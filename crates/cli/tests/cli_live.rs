//! `harvest verify --redis / --stream`, published-record files, `harvest snapshot` and `harvest
//! serve`'s event stream, against a real Redis (Debian's `redis-server`, started on a free
//! loopback port by each test) and a real HTTP client.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{
    assert_stderr_has, fake_dist, harvest, origin, proposal_hset, proposal_xadd, text, TempDir,
};
use harvest_features::reviewer::published::{Fields, HASH_PREFIX, STREAM_KEY};
use harvest_kernel::{propose, HarvestInput, Theta};
use harvest_records::published::record as record_from_proposal;
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;

/// The test server's URL, naming database 0 as the running system's env files do.
fn url(r: &LocalRedis) -> String {
    format!("{}/0", r.url())
}

/// `harvest verify --redis <r> extra…`.
fn verify_redis(r: &LocalRedis, extra: &[&str]) -> std::process::Output {
    let url = url(r);
    let mut args = vec!["verify", "--redis", &url];
    args.extend(extra);
    harvest(&args, b"")
}

/// A connection of the redis crate's own to the test server, for the commands tests write out.
fn con(r: &LocalRedis) -> redis::Connection {
    redis::Client::open(url(r))
        .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(1)))
        .expect("connect to the test redis")
}

/// A published record written as P2.5 writes it: the hash `quantum:harvest:proposal:<symbol>`.
fn put(r: &LocalRedis, f: &Fields) {
    r.store().unwrap().query(&proposal_hset(f)).unwrap();
}

/// A published record as a stream entry; returns its id.
fn xadd(r: &LocalRedis, f: &Fields) -> String {
    redis::from_redis_value(r.store().unwrap().query(&proposal_xadd(f)).unwrap()).unwrap()
}

/// The record P2.5 publishes for a position of `symbol` with PnL `pnl` and age `age`.
fn record(symbol: &str, pnl: f64, age: f64, with_json: bool) -> Fields {
    let mut i = HarvestInput::default();
    i.position.symbol = symbol.to_string();
    i.position.unrealized_pnl = pnl;
    i.position.age_sec = age;
    record_from_proposal(&propose(&i).unwrap(), 1_700_000_000, with_json)
}

/// The symbols of a snapshot event's records, in order.
fn symbols(snap: &serde_json::Value) -> Vec<&str> {
    snap["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["symbol"].as_str().unwrap())
        .collect()
}

fn rows(stdout: &[u8]) -> Vec<serde_json::Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect()
}

fn verdicts(rows: &[serde_json::Value]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| {
            (
                r["symbol"].as_str().unwrap_or_default().to_string(),
                r["verdict"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn temp_dir(name: &str) -> TempDir {
    common::temp_dir(&format!("live-{name}"))
}

#[test]
fn verify_reads_every_published_hash_or_the_symbols_given() {
    let r = LocalRedis::started();
    put(&r, &record("BTCUSDT", 5.0, 3600.0, true));
    put(&r, &record("ETHUSDT", 0.5, 80_000.0, true));
    put(&r, &record("SOLUSDT", 2.0, 600.0, false)); // the running system's own: no proposal_json
    let mut bad = record("XRPUSDT", 1.0, 3600.0, true);
    bad.insert("kill_score".into(), "0.99".into());
    put(&r, &bad);

    let out = verify_redis(&r, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rows = rows(&out.stdout);
    assert_eq!(
        verdicts(&rows),
        pairs(&[
            ("BTCUSDT", "MATCH"),
            ("ETHUSDT", "MATCH"),
            ("SOLUSDT", "MATCH"),
            ("XRPUSDT", "MISMATCH"),
        ])
    );
    assert_eq!(rows[3]["diffs"][0]["field"], "hash.kill_score");
    assert!(
        rows[0].get("unchecked").is_none(),
        "exact: nothing unchecked"
    );
    let unchecked: Vec<&str> = rows[2]["unchecked"]
        .as_array()
        .expect("the partial record says what it could not check")
        .iter()
        .map(|u| u["field"].as_str().unwrap())
        .collect();
    assert_eq!(unchecked, ["theta", "risk_unit", "audit.tranche_weights"]);
    let err = text(&out.stderr);
    assert!(err.contains("4 records: 3 MATCH, 1 MISMATCH"), "{err}");
    assert!(err.contains("1 records have no proposal_json"), "{err}");

    let out = verify_redis(
        &r,
        &["--symbols", "SOLUSDT,BTCUSDT,NOPE", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    // Numbered as the lines of `harvest snapshot`'s file: line 1 is the policy line.
    assert!(
        lines[1].starts_with("2,MATCH,published,SOLUSDT,LONG"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("3,MATCH,published,BTCUSDT,LONG"),
        "{csv}"
    );
    // No position hashes here: each record's second opinion says the position is gone.
    assert!(
        lines[1].ends_with(",no position at quantum:state:positions:SOLUSDT: the position is gone; Harvest Lab deletes a proposal left for it"),
        "{csv}"
    );
    assert!(text(&out.stderr).contains("no published proposal at quantum:harvest:proposal:NOPE"));
}

#[test]
fn verify_reads_the_stream_history_oldest_first() {
    let r = LocalRedis::started();
    let mut ids = Vec::new();
    for (i, pnl) in [0.5, 1.0, 5.0, 9.0, 20.0].into_iter().enumerate() {
        let mut f = record("BTCUSDT", pnl, 3600.0 + i as f64, true);
        if i == 3 {
            f.insert("R_net".into(), "7".into());
        }
        ids.push(xadd(&r, &f));
    }
    let out = verify_redis(&r, &["--stream", STREAM_KEY, "--count", "3"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rows = rows(&out.stdout);
    let v: Vec<&str> = rows
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(v, ["MATCH", "MISMATCH", "MATCH"]);
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["PARTIAL_25", "PARTIAL_50", "PARTIAL_75"]);
    // The snapshot of the stream carries each entry's id.
    let out = harvest(
        &["snapshot", "--redis", &url(&r), "--stream", "--count", "2"],
        b"",
    );
    let snapshot = text(&out.stdout);
    let mut lines = snapshot.lines();
    assert!(
        lines.next().unwrap().starts_with("{\"policy_record\":"),
        "{snapshot}"
    );
    let got: Vec<String> = lines
        .map(|l| serde_json::from_str::<Fields>(l).unwrap()["stream_id"].clone())
        .collect();
    assert_eq!(got, ids[3..]);
}

#[test]
fn snapshot_files_and_redis_cli_output_verify_like_redis_itself() {
    let r = LocalRedis::started();
    put(&r, &record("BTCUSDT", 5.0, 3600.0, true));
    put(&r, &record("ETHUSDT", -1.0, 3600.0, false));
    let dir = temp_dir("snapshot");
    let snap = harvest(&["snapshot", "--redis", &url(&r)], b"");
    assert_eq!(snap.status.code(), Some(0), "{}", text(&snap.stderr));
    // The policy line, then a record a line.
    assert_eq!(text(&snap.stdout).lines().count(), 3);

    let from_redis = dir.join("redis.json");
    let from_file = dir.join("file.json");
    let saved = dir.join("saved.jsonl");
    let a = verify_redis(
        &r,
        &[
            "--receipt",
            from_redis.to_str().unwrap(),
            "--save-snapshot",
            saved.to_str().unwrap(),
        ],
    );
    // What verify --redis read, saved as harvest snapshot writes it (the same lines, but for
    // the time of reading in the policy line).
    let saved = std::fs::read(&saved).unwrap();
    let same_but_time = |t: &[u8]| {
        text(t)
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(same_but_time(&saved), same_but_time(&snap.stdout));
    let b = harvest(
        &["verify", "--receipt", from_file.to_str().unwrap()],
        &saved,
    );
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    assert_eq!(verdicts(&rows(&a.stdout)), verdicts(&rows(&b.stdout)));
    let receipt = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let (ra, rb) = (receipt(&from_redis), receipt(&from_file));
    assert_eq!(
        ra["input_sha256"], rb["input_sha256"],
        "same records, same digest"
    );
    assert_eq!(ra["counts"], rb["counts"]);

    // What redis-cli prints for HGETALL: an object (RESP3) or a flat array (-2).
    for flag in ["-3", "-2"] {
        let cli = Command::new("redis-cli")
            .args(["-p", &r.port().to_string(), flag, "--json", "HGETALL"])
            .arg(format!("{HASH_PREFIX}BTCUSDT"))
            .output()
            .expect("redis-cli");
        let out = harvest(&["verify"], &cli.stdout);
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", text(&out.stdout));
        let rows = rows(&out.stdout);
        assert_eq!(rows.len(), 1, "{flag}");
        assert_eq!(rows[0]["kind"], "published");
        assert_eq!(rows[0]["verdict"], "MATCH");
    }
}

#[test]
fn theta_of_records_without_proposal_json_comes_from_the_flag() {
    let r = LocalRedis::started();
    let theta = Theta {
        cost_bps: 25.0,
        t1_r: 1.5,
        ..Theta::default()
    };
    let mut i = HarvestInput::default();
    i.position.symbol = "ADAUSDT".into();
    i.position.unrealized_pnl = 4.0;
    i.theta = Some(theta);
    put(&r, &record_from_proposal(&propose(&i).unwrap(), 0, false));
    let dir = temp_dir("theta");
    let path = dir.join("theta.json");
    std::fs::write(&path, serde_json::to_string(&theta).unwrap()).unwrap();

    let default = verify_redis(&r, &[]);
    assert_eq!(default.status.code(), Some(1));
    let given = verify_redis(&r, &["--theta", path.to_str().unwrap()]);
    assert_eq!(given.status.code(), Some(0), "{}", text(&given.stdout));
    let unchecked = &rows(&given.stdout)[0]["unchecked"][0];
    assert_eq!(
        unchecked["why"],
        "not published: checked against the theta from --theta (overrides any policy)"
    );
    // The same through a file on stdin.
    let snap = harvest(&["snapshot", "--redis", &url(&r)], b"");
    let file = harvest(&["verify", "--theta", path.to_str().unwrap()], &snap.stdout);
    assert_eq!(file.status.code(), Some(0));
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"cost_bps\": \"x\"}").unwrap();
    let out = harvest(&["verify", "--theta", bad.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "cost_bps");
}

#[test]
fn unreachable_redis_is_exit_2_with_a_message() {
    let port = harvest_redis::local::free_port().unwrap();
    let url = format!("redis://127.0.0.1:{port}");
    for args in [
        vec!["verify", "--redis", &url],
        vec!["snapshot", "--redis", &url],
    ] {
        let out = harvest(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_stderr_has(&out, "cannot reach Redis at");
        assert!(out.stdout.is_empty());
    }
    let out = harvest(&["snapshot"], b"");
    assert_eq!(out.status.code(), Some(2));
}

/// `harvest serve` as a child, killed on drop; `addr` is what it printed.
struct Serve {
    child: Child,
    addr: String,
    log: mpsc::Receiver<String>,
}

impl Serve {
    /// `harvest serve --redis <r> --dist <d> extra…`.
    fn live(r: &LocalRedis, d: &Path, extra: &[&str]) -> Serve {
        let url = url(r);
        let mut args = vec!["--redis", &url, "--dist", d.to_str().unwrap()];
        args.extend(extra);
        Serve::start(&args)
    }

    fn start(args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_harvest"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn harvest serve");
        let (tx, log) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // The address line; "connected to Redis" may come before it (the two race). Lines
        // read before it stay in the log, in order, for the test.
        let mut before = Vec::new();
        let first = loop {
            let line = log
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("serve prints its address (so far: {before:?})"));
            if line.contains("http://") {
                break line;
            }
            before.push(line);
        };
        let addr = origin(&first);
        let (tx, ordered) = mpsc::channel();
        for line in before {
            let _ = tx.send(line);
        }
        std::thread::spawn(move || {
            while let Ok(line) = log.recv() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Serve {
            child,
            addr,
            log: ordered,
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dist(name: &str) -> TempDir {
    fake_dist(&format!("live-{name}"), "")
}

/// The HTTP status of a GET of `url`.
fn status(http: &ureq::Agent, url: &str) -> u16 {
    http.get(url).call().unwrap().status().as_u16()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// The events of an SSE response as (event, data), read on a thread.
fn events(url: &str) -> mpsc::Receiver<(String, String)> {
    let resp = ureq::Agent::config_builder()
        .timeout_global(None)
        .build()
        .new_agent()
        .get(url)
        .call()
        .expect("GET /api/live");
    assert_eq!(resp.status(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ctype, "text/event-stream");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let reader = BufReader::new(resp.into_body().into_reader());
        let (mut event, mut data) = (String::new(), String::new());
        for line in reader.lines().map_while(Result::ok) {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
            } else if line.is_empty()
                && !event.is_empty()
                && tx
                    .send((std::mem::take(&mut event), std::mem::take(&mut data)))
                    .is_err()
            {
                return;
            }
        }
    });
    rx
}

/// The next event named `name` (others skipped), within `secs`.
fn next(rx: &mpsc::Receiver<(String, String)>, name: &str, secs: u64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let (e, d) = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {name} event within {secs} s"));
        if e == name {
            return serde_json::from_str(&d).expect("event data is JSON");
        }
    }
}

#[test]
fn serve_streams_published_proposals_and_survives_a_redis_restart() {
    let r = LocalRedis::started();
    put(&r, &record("BTCUSDT", 5.0, 3600.0, true));
    put(&r, &record("ETHUSDT", 0.5, 3600.0, false));
    let d = dist("dist-live");
    let s = Serve::live(&r, &d, &["--poll-ms", "200"]);
    let http = agent();
    let index = http
        .get(format!("{}/", s.addr))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(
        index.contains("<meta name=\"harvest-live\" content=\"/api/live\" />\n</head>"),
        "{index}"
    );
    let js = http.get(format!("{}/app.js", s.addr)).call().unwrap();
    assert_eq!(js.status(), 200);

    let rx = events(&format!("{}/api/live", s.addr));
    let snap = next(&rx, "snapshot", 10);
    let snap = if snap["status"] == "connected" {
        snap
    } else {
        next(&rx, "snapshot", 10)
    };
    assert_eq!(symbols(&snap), ["BTCUSDT", "ETHUSDT"]);
    assert!(snap["records"][0]["proposal_json"].is_string());

    // A hash that changes (a publisher without the stream): polled.
    put(&r, &record("ETHUSDT", 9.0, 3700.0, false));
    let p = next(&rx, "proposal", 10);
    assert_eq!(
        (p["symbol"].as_str(), p["harvest_action"].as_str()),
        (Some("ETHUSDT"), Some("PARTIAL_50"))
    );
    // A refreshed last_update_epoch alone is not news; a stream entry is, at once.
    let mut same = record("ETHUSDT", 9.0, 3700.0, false);
    same.insert("last_update_epoch".into(), "1700000010".into());
    put(&r, &same);
    // An older record (by last_update_epoch) than the one shown does not replace it.
    let mut stale = record("ETHUSDT", 0.1, 100.0, false);
    stale.insert("last_update_epoch".into(), "1699999000".into());
    put(&r, &stale);
    std::thread::sleep(Duration::from_millis(600));
    let id = xadd(&r, &record("SOLUSDT", 2.0, 60.0, true));
    let p = next(&rx, "proposal", 10);
    assert_eq!(p["symbol"], "SOLUSDT");
    assert_eq!(p["stream_id"].as_str(), Some(id.as_str()));

    // Redis goes away: the page is told; it comes back: a fresh snapshot, and new data flows.
    let port = r.port();
    drop(r);
    let st = next(&rx, "status", 15);
    assert!(st["status"].as_str().unwrap().contains("retrying"), "{st}");
    let r = LocalRedis::start_on(port, &[]).unwrap();
    put(&r, &record("DOGEUSDT", 1.0, 10.0, true));
    let snap = next(&rx, "snapshot", 30);
    assert_eq!(snap["status"], "connected");
    assert_eq!(snap["records"][0]["symbol"], "DOGEUSDT");
    xadd(&r, &record("DOGEUSDT", 9.0, 20.0, true));
    let p = next(&rx, "proposal", 10);
    assert_eq!(p["harvest_action"], "PARTIAL_50");
    // A second page gets the state at once, the K history included.
    let rx2 = events(&format!("{}/api/live", s.addr));
    let snap = next(&rx2, "snapshot", 10);
    assert!(!snap["history"].as_array().unwrap().is_empty());
    let logged: Vec<String> = s.log.try_iter().collect();
    assert!(
        logged.iter().any(|l| l.contains("retrying in")),
        "{logged:?}"
    );
}

#[test]
fn serve_without_redis_is_a_static_server_with_no_live_view() {
    let d = dist("dist-static");
    let s = Serve::start(&["--dist", d.to_str().unwrap(), "--base", "/harvest-lab/"]);
    let http = agent();
    let index = http.get(format!("{}/harvest-lab/", s.addr)).call().unwrap();
    assert_eq!(index.status(), 200);
    let body = index.into_body().read_to_string().unwrap();
    assert!(
        body.contains("dashboard") && !body.contains("harvest-live"),
        "{body}"
    );
    assert_eq!(status(&http, &format!("{}/api/live", s.addr)), 404);
    assert_eq!(
        status(&http, &format!("{}/harvest-lab/app.js", s.addr)),
        200
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(["serve", "--port", "0", "--dist", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("has no index.html"));
}

#[test]
fn the_readme_demo_runs_end_to_end() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("bash")
        .arg(root.join("scripts/demo.sh"))
        .arg("--check")
        .env("HARVEST_BIN", env!("CARGO_BIN_EXE_harvest"))
        .output()
        .expect("run scripts/demo.sh");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // Every stage published from the fed prices and paper positions; nothing written by hand.
    for stream in ["marketstate", "risk.proposal", "harvest.proposal"] {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("quantum:stream:{stream}: ")))
            .unwrap_or_else(|| panic!("no {stream} line:\n{err}"));
        let n: usize = line
            .rsplit(": ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(n > 0, "{line}");
    }
    assert!(err.contains("verify --redis: 1 of 1 MATCH"), "{err}");
    assert!(
        err.contains("every stage published on real prices, all MATCH: the chain works"),
        "{err}"
    );
}

#[test]
fn serve_under_a_base_path_marks_the_page_for_the_live_view() {
    let r = LocalRedis::started();
    let d = dist("dist-base");
    let s = Serve::live(&r, &d, &["--base", "/harvest-lab/"]);
    let http = agent();
    for path in ["/harvest-lab/", "/harvest-lab/index.html"] {
        let page = http.get(format!("{}{path}", s.addr)).call().unwrap();
        assert_eq!(page.status(), 200, "{path}");
        let body = page.into_body().read_to_string().unwrap();
        assert!(
            body.contains("<meta name=\"harvest-live\""),
            "{path}: {body}"
        );
    }
    assert_eq!(
        status(&http, &format!("{}/harvest-lab/app.js", s.addr)),
        200
    );
    let rx = events(&format!("{}/api/live", s.addr));
    next(&rx, "snapshot", 10);
}

/// The Live view's truth: a proposal deleted from Redis (the publisher deletes it when the
/// position goes) is a `removed` event, also on a fresh connection it is not there; the
/// snapshot carries each record's position record and the theta in force, and a new policy is a
/// `policy` event; a key of the wrong type is a record saying so.
#[test]
fn serve_tells_what_is_gone_and_which_theta_is_in_force() {
    let r = LocalRedis::started();
    put(&r, &record("BTCUSDT", 5.0, 3600.0, true));
    put(&r, &record("ETHUSDT", 0.5, 3600.0, false));
    let mut c = con(&r);
    redis::cmd("HSET")
        .arg("quantum:state:positions:BTCUSDT")
        .arg(&[
            "side",
            "LONG",
            "entry_price",
            "100",
            "stop_loss",
            "101",
            "created_at",
            "1",
        ])
        .query::<i64>(&mut c)
        .unwrap();
    redis::cmd("SET")
        .arg("quantum:harvest:proposal:ZZZUSDT")
        .arg("x")
        .query::<String>(&mut c)
        .unwrap();
    let d = dist("dist-truth");
    let s = Serve::live(&r, &d, &["--poll-ms", "200"]);
    let rx = events(&format!("{}/api/live", s.addr));
    let mut snap = next(&rx, "snapshot", 10);
    if snap["status"] != "connected" {
        snap = next(&rx, "snapshot", 10);
    }
    let recs = snap["records"].as_array().unwrap();
    let syms: Vec<&str> = recs.iter().map(|f| f["symbol"].as_str().unwrap()).collect();
    assert_eq!(syms, ["BTCUSDT", "ETHUSDT", "ZZZUSDT"]);
    assert_eq!(
        recs[0]["position_record"]["key"],
        "quantum:state:positions:BTCUSDT"
    );
    assert_eq!(recs[0]["position_record"]["fields"]["stop_loss"], "101");
    assert_eq!(
        recs[2]["read_error"],
        "quantum:harvest:proposal:ZZZUSDT holds a string, not a hash"
    );
    assert!(snap["theta"]["policy_record"]["fields"]
        .as_object()
        .unwrap()
        .is_empty());
    // ETHUSDT's proposal is deleted: removed.
    redis::cmd("DEL")
        .arg(format!("{HASH_PREFIX}ETHUSDT"))
        .query::<i64>(&mut c)
        .unwrap();
    let gone = next(&rx, "removed", 10);
    assert_eq!(gone["symbol"], "ETHUSDT");
    // A fresh connection does not have it.
    let rx2 = events(&format!("{}/api/live", s.addr));
    let snap2 = next(&rx2, "snapshot", 10);
    assert_eq!(symbols(&snap2), ["BTCUSDT", "ZZZUSDT"]);
    // A policy appears: the pages are told.
    redis::cmd("HSET")
        .arg("quantum:policy:current")
        .arg(&[
            "universe_symbols",
            "[]",
            "leverage_by_symbol",
            "{}",
            "harvest_params",
            "{\"T1_R\": 1.5}",
            "kill_params",
            "{}",
            "valid_until_epoch",
            "99999999999",
            "policy_version",
            "9.9",
        ])
        .query::<i64>(&mut c)
        .unwrap();
    let p = next(&rx, "policy", 10);
    assert_eq!(p["policy_record"]["fields"]["policy_version"], "9.9");
}

/// Issue 18, 2: one key of the wrong type is one INVALID record naming the key and its type;
/// everything else is read (verify --redis, snapshot, and the snapshot file verified).
#[test]
fn a_key_of_the_wrong_type_is_one_invalid_record_the_rest_is_read() {
    let r = LocalRedis::started();
    for (i, sym) in ["AUSDT", "BUSDT", "CUSDT"].into_iter().enumerate() {
        put(&r, &record(sym, i as f64 + 1.0, 3600.0, true));
    }
    let mut c = con(&r);
    redis::cmd("SET")
        .arg(format!("{HASH_PREFIX}ZZZ"))
        .arg("x")
        .query::<String>(&mut c)
        .unwrap();
    redis::cmd("RPUSH")
        .arg(format!("{HASH_PREFIX}LISTUSDT"))
        .arg("x")
        .query::<i64>(&mut c)
        .unwrap();
    let out = verify_redis(&r, &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let got = rows(&out.stdout);
    assert_eq!(
        verdicts(&got),
        pairs(&[
            ("AUSDT", "MATCH"),
            ("BUSDT", "MATCH"),
            ("CUSDT", "MATCH"),
            ("LISTUSDT", "INVALID"),
            ("ZZZ", "INVALID"),
        ])
    );
    assert_eq!(
        got[3]["error"],
        "quantum:harvest:proposal:LISTUSDT holds a list, not a hash"
    );
    assert_eq!(
        got[4]["error"],
        "quantum:harvest:proposal:ZZZ holds a string, not a hash"
    );
    assert!(
        err.contains("5 records: 3 MATCH, 0 MISMATCH, 2 INVALID"),
        "{err}"
    );
    let snap = harvest(&["snapshot", "--redis", &url(&r)], b"");
    assert_eq!(snap.status.code(), Some(0));
    assert!(text(&snap.stderr).contains("5 records (2 could not be read: see their read_error)"));
    let from_file = harvest(&["verify"], &snap.stdout);
    assert_eq!(verdicts(&rows(&from_file.stdout)), verdicts(&got));
}

/// A candle as `harvest feed` (and the running system's 1m cache) writes it, and its score.
/// [`candle_member`] added to BTCUSDT's candle cache `candles:BTCUSDT:1m`.
fn add_candle(c: &mut redis::Connection, k: i64, close: f64) {
    let (m, score) = candle_member(k, close);
    let _: i64 = redis::cmd("ZADD")
        .arg("candles:BTCUSDT:1m")
        .arg(score)
        .arg(m)
        .query(c)
        .unwrap();
}

fn candle_member(k: i64, close: f64) -> (String, i64) {
    let open_ms = (1_600_000_000 + 3600 * k) * 1000;
    let m = format!(
        r#"{{"symbol": "BTCUSDT", "interval": "1h", "open": {o}, "high": {h}, "low": {l}, "close": {close}, "volume": 1.0, "open_time": {open_ms}, "close_time": {c}, "is_closed": true, "timestamp": {t}}}"#,
        o = close - 1.0,
        h = close + 2.0,
        l = close - 2.0,
        c = open_ms + 3_599_999,
        t = 1_699_999_900 + k,
    );
    (m, open_ms)
}

#[test]
fn serve_streams_a_symbols_chart_candles_and_proposals_and_follows_new_bars() {
    let r = LocalRedis::started();
    let mut c = con(&r);
    for k in 0..5 {
        add_candle(&mut c, k, 100.0 + k as f64);
    }
    // ETHUSDT's candles are a list at the third key P0.5 tries, with short names.
    for k in 0..3 {
        let m = format!(
            r#"{{"t": {}, "o": 10, "h": 12, "l": 9, "c": 11}}"#,
            1_600_000_000 + 60 * k
        );
        let _: i64 = redis::cmd("RPUSH")
            .arg("klines:ETHUSDT:1m")
            .arg(m)
            .query(&mut c)
            .unwrap();
    }
    let with_symbol = |mut f: Fields, sym: &str| {
        f.insert("symbol".into(), sym.into());
        f
    };
    xadd(
        &r,
        &with_symbol(record("BTCUSDT", 1.0, 3600.0, true), "BTCUSDT"),
    );
    xadd(
        &r,
        &with_symbol(record("ETHUSDT", 1.0, 3600.0, true), "ETHUSDT"),
    );
    xadd(
        &r,
        &with_symbol(record("BTCUSDT", 5.0, 3610.0, true), "BTCUSDT"),
    );
    put(&r, &record("BTCUSDT", 5.0, 3610.0, true));
    let d = dist("dist-chart");
    let s = Serve::live(&r, &d, &["--poll-ms", "200"]);
    let url = |q: &str| format!("{}/api/live/chart{q}", s.addr);
    // A bad or missing symbol is a 400 saying what is expected.
    for q in ["", "?symbol=", "?symbol=%01"] {
        let resp = agent().get(&url(q)).call().unwrap();
        assert_eq!(resp.status(), 400, "{q}");
        let body = resp.into_body().read_to_string().unwrap();
        assert!(
            body.contains("expected 1 to 64 printable characters"),
            "{body}"
        );
    }
    let rx = events(&url("?symbol=BTCUSDT"));
    let chart = next(&rx, "chart", 20);
    assert_eq!(chart["symbol"], "BTCUSDT");
    assert_eq!(chart["key"], "candles:BTCUSDT:1m");
    let candles = chart["candles"].as_array().unwrap();
    let times: Vec<i64> = candles
        .iter()
        .map(|c| c["time"].as_i64().unwrap())
        .collect();
    assert_eq!(
        times,
        (0..5).map(|k| 1_600_000_000 + 3600 * k).collect::<Vec<_>>()
    );
    assert_eq!(
        (
            candles[4]["open"].as_f64(),
            candles[4]["high"].as_f64(),
            candles[4]["close"].as_f64()
        ),
        (Some(103.0), Some(106.0), Some(104.0))
    );
    assert_eq!(candles[0]["known_at"].as_f64(), Some(1_699_999_900.0));
    // Its proposals from the stream (not ETHUSDT's), oldest first; the hash says nothing new.
    let props = chart["proposals"].as_array().unwrap();
    let r_net: Vec<&str> = props.iter().map(|p| p["R_net"].as_str().unwrap()).collect();
    assert_eq!(props.len(), 2, "{props:?}");
    assert!(props.iter().all(|p| p["symbol"] == "BTCUSDT"));
    assert!(r_net[0] < r_net[1], "{r_net:?}");
    // A new bar: a bar event; the newest bar rewritten: another.
    add_candle(&mut c, 5, 110.0);
    let bar = next(&rx, "bar", 10);
    assert_eq!(bar["time"].as_i64(), Some(1_600_000_000 + 3600 * 5));
    assert_eq!(bar["close"].as_f64(), Some(110.0));
    // A new proposal of the symbol in the stream: a proposal event.
    let mut newer = with_symbol(record("BTCUSDT", 20.0, 3620.0, true), "BTCUSDT");
    newer.insert("computed_at_utc".into(), "2023-11-14T22:13:30".into());
    xadd(&r, &newer);
    let p = next(&rx, "proposal", 10);
    assert_eq!(p["harvest_action"], "PARTIAL_75");
    // Another page of the same symbol gets the chart as it is now: six bars, three proposals.
    let again = next(&events(&url("?symbol=BTCUSDT")), "chart", 10);
    assert_eq!(again["candles"].as_array().unwrap().len(), 6);
    assert_eq!(again["proposals"].as_array().unwrap().len(), 3);
    // A list of candles with short names, at the third key.
    let eth = next(&events(&url("?symbol=ETHUSDT")), "chart", 10);
    assert_eq!(eth["key"], "klines:ETHUSDT:1m");
    assert_eq!(eth["candles"].as_array().unwrap().len(), 3);
    assert_eq!(eth["proposals"].as_array().unwrap().len(), 1);
    // A symbol without candles: an empty chart, no key.
    let none = next(&events(&url("?symbol=SOLUSDT")), "chart", 10);
    assert_eq!(none["key"], serde_json::Value::Null);
    assert_eq!(none["candles"].as_array().unwrap().len(), 0);
}
