//! `harvest serve` under hostile clients and names (issue 18, items 1 and 6), against a real
//! Redis (Debian's `redis-server` on a free loopback port) and real sockets: bounded memory
//! with 10,000 symbols and 200 pages that never read, no Redis reads without pages, the `Host`
//! check, the security headers and `--dist`'s symlinks.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{wait_until, Proc};
use harvest_features::reviewer::published::{HASH_PREFIX, STREAM_KEY};
use harvest_kernel::{propose, HarvestInput};
use harvest_records::published::record;
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;

/// A fresh directory under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("harvest-cli-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    TempDir(d)
}

/// A built dashboard's shape: an index.html with the policy `scripts/csp.mjs` writes.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; \
                   style-src 'self'; connect-src 'self'; object-src 'none'";

fn dist(name: &str) -> TempDir {
    let d = temp_dir(name);
    std::fs::write(
        d.join("index.html"),
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
             <title>t</title></head><body>dashboard</body></html>"
        ),
    )
    .unwrap();
    std::fs::write(d.join("app.js"), "console.log(1)").unwrap();
    d
}

/// `harvest serve …` with its address (the origin, e.g. `http://127.0.0.1:41234`).
fn serve(args: &[&str]) -> (Proc, String) {
    let mut all = vec!["serve", "--port", "0"];
    all.extend_from_slice(args);
    let p = Proc::start(&all, &[]);
    p.wait_log("http://", Duration::from_secs(30));
    let log = p.log();
    let addr = log
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap();
    let end = addr[7..].find('/').map_or(addr.len(), |i| i + 7);
    let addr = addr[..end].to_string();
    (p, addr)
}

/// Resident set size and its peak (kB) of a process, from /proc.
fn rss_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Redis's count of calls of `cmd` (INFO commandstats).
fn calls(r: &LocalRedis, cmd: &str) -> u64 {
    let mut s = r.store().unwrap();
    let info = s.query(redis::cmd("INFO").arg("commandstats")).unwrap();
    let info: String = redis::from_redis_value(info).unwrap();
    info.lines()
        .find(|l| l.starts_with(&format!("cmdstat_{cmd}:")))
        .and_then(|l| l.split("calls=").nth(1))
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// 10,000 proposal hashes as P2.5 publishes them (with `proposal_json`) and 500 entries of
/// the proposal stream: a 20+ MB snapshot.
fn publish_many(r: &LocalRedis, n: usize) {
    let mut s = r.store().unwrap();
    let mut cmds = Vec::new();
    for i in 0..n {
        let mut input = HarvestInput::default();
        input.position.symbol = format!("S{i:05}USDT");
        input.position.unrealized_pnl = (i % 40) as f64 * 0.5 - 2.0;
        input.position.age_sec = 600.0 + i as f64;
        let f = record(&propose(&input).unwrap(), 1_700_000_000, true);
        let mut hset = redis::cmd("HSET");
        hset.arg(format!("{HASH_PREFIX}{}", f["symbol"]));
        for (k, v) in f.iter().filter(|(k, _)| k.as_str() != "symbol") {
            hset.arg(k).arg(v);
        }
        cmds.push(hset);
        if i < 500 {
            let mut xadd = redis::cmd("XADD");
            xadd.arg(STREAM_KEY).arg("*");
            for (k, v) in &f {
                xadd.arg(k).arg(v);
            }
            cmds.push(xadd);
        }
        if cmds.len() >= 500 {
            for r in s.pipeline(std::mem::take(&mut cmds)).unwrap() {
                r.unwrap();
            }
        }
    }
    for r in s.pipeline(cmds).unwrap() {
        r.unwrap();
    }
}

/// Issue 18, 1: 200 pages that ask for `/api/live` and never read get the one shared snapshot
/// (not a copy each), are closed by the write deadline with the reason logged, and the
/// server's memory stays under 300 MB (it was 1.22 GB with 50 such pages); a page that reads
/// meanwhile gets every record; with no page left, Redis is not read at all.
#[test]
fn serve_memory_is_bounded_with_10000_symbols_and_200_stalled_pages() {
    const SYMBOLS: usize = 10_000;
    const STALLED: usize = 200;
    let r = LocalRedis::start().unwrap();
    publish_many(&r, SYMBOLS);
    let d = dist("dist-memory");
    let (p, addr) = serve(&[
        "--redis",
        &r.url(),
        "--dist",
        d.to_str().unwrap(),
        "--write-timeout-ms",
        "4000",
    ]);
    let pid = p.child.id();
    // No page yet: Redis is not read.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(calls(&r, "scan") + calls(&r, "xread"), 0, "{}", p.log());
    let (idle_rss, _) = rss_kb(pid);

    let hostport = addr.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut s = TcpStream::connect(&hostport).unwrap();
        write!(
            s,
            "GET /api/live HTTP/1.1\r\nHost: {hostport}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        stalled.push(s);
    }
    // A page that reads, meanwhile: it gets every record.
    let reader = {
        let hostport = hostport.clone();
        let started = Instant::now();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&hostport).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            write!(s, "GET /api/live HTTP/1.1\r\nHost: {hostport}\r\n\r\n").unwrap();
            let mut r = BufReader::new(s);
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap() == 0 {
                    return 0;
                }
                if let Some(json) = line.strip_prefix("data: ") {
                    let v: serde_json::Value = serde_json::from_str(json).unwrap();
                    if v["status"] == "connected" {
                        eprintln!(
                            "serve: a reading page had its snapshot ({} bytes) after {:.1} s",
                            json.len(),
                            started.elapsed().as_secs_f64()
                        );
                        return v["records"].as_array().unwrap().len();
                    }
                }
            }
        })
    };
    // Watch the memory until every stalled page is closed.
    let mut peak_seen = 0;
    let mut first_closed = None;
    let all_closed = wait_until(Duration::from_secs(90), || {
        peak_seen = peak_seen.max(rss_kb(pid).0);
        let closed = p.log().matches("closed the connection of").count();
        if closed > 0 && first_closed.is_none() {
            first_closed = Some(started.elapsed());
        }
        closed >= STALLED
    });
    let log = p.log();
    assert!(
        all_closed.is_some(),
        "{} of {STALLED} stalled pages closed:\n{log}",
        log.matches("closed the connection of").count()
    );
    assert_eq!(reader.join().unwrap(), SYMBOLS, "{log}");
    let (after, hwm) = rss_kb(pid);
    eprintln!(
        "serve, {SYMBOLS} symbols, {STALLED} stalled pages: RSS idle {} MB, peak {} MB \
         (sampled {} MB), after the drops {} MB; first closed after {:.1} s, all after {:.1} s\n{}",
        idle_rss / 1024,
        hwm / 1024,
        peak_seen / 1024,
        after / 1024,
        first_closed.unwrap_or_default().as_secs_f64(),
        started.elapsed().as_secs_f64(),
        log.lines()
            .filter(|l| !l.contains("closed the connection of"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(hwm > 0, "no VmHWM in /proc/{pid}/status");
    assert!(hwm <= 300 * 1024, "peak RSS {} MB > 300 MB", hwm / 1024);
    assert!(
        log.contains("it took nothing for 4.0 s"),
        "the reason is logged:\n{log}"
    );
    drop(stalled);
    // Every page gone: the reader stops reading Redis.
    p.wait_log("no page connected", Duration::from_secs(30));
    let (scans, xreads) = (calls(&r, "scan"), calls(&r, "xread"));
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        (calls(&r, "scan"), calls(&r, "xread")),
        (scans, xreads),
        "Redis is read with no page connected"
    );
}
