//! `harvest serve` under hostile clients and names (issue 18, items 1 and 6), against a real
//! Redis (Debian's `redis-server` on a free loopback port) and real sockets: bounded memory
//! with 10,000 symbols and 200 pages that never read, no Redis reads without pages, the `Host`
//! check, the security headers and `--dist`'s symlinks.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use std::time::{Duration, Instant};

use common::{fake_dist, origin, proposal_hset, proposal_xadd, wait_until, Proc, TempDir};

use harvest_kernel::{propose, HarvestInput};
use harvest_records::published::record;
use harvest_redis::local::LocalRedis;
use harvest_redis::redis;

fn temp_dir(name: &str) -> TempDir {
    common::temp_dir(&format!("serve-{name}"))
}

/// A built dashboard's shape: an index.html with the policy `scripts/csp.mjs` writes.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; \
                   style-src 'self'; connect-src 'self'; object-src 'none'";

fn dist(name: &str) -> TempDir {
    fake_dist(
        &format!("serve-{name}"),
        &format!(
            "<meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
        ),
    )
}

/// `harvest serve …` with its address (the origin, e.g. `http://127.0.0.1:41234`).
fn serve(args: &[&str]) -> (Proc, String) {
    let mut all = vec!["serve", "--port", "0"];
    all.extend_from_slice(args);
    let p = Proc::start(&all, &[]);
    p.wait_log("http://", Duration::from_secs(30));
    let addr = origin(&p.log());
    (p, addr)
}

/// The status line and headers (lower-case names) of a raw request, and the body's start.
fn raw_get(addr: &str, path: &str, host: Option<&str>) -> (u16, Vec<(String, String)>, String) {
    let hostport = addr.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let host = host.map_or(String::new(), |h| format!("Host: {h}\r\n"));
    write!(s, "GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n").unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').unwrap();
        headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut body = String::new();
    if !path.starts_with("/api/") {
        let _ = r.read_to_string(&mut body);
    }
    (status, headers, body)
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
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
        cmds.push(proposal_hset(&f));
        if i < 500 {
            cmds.push(proposal_xadd(&f));
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
    let r = LocalRedis::started();
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

/// Issue 18, 6: `serve` answers only for 127.0.0.1, localhost and the `--host` names (a page of
/// another name that resolves to 127.0.0.1 gets 421 and no data), sends `nosniff`,
/// `Referrer-Policy` and the page's own Content-Security-Policy as headers, and serves nothing
/// that a symlink takes out of `--dist`.
#[test]
fn serve_answers_its_own_names_with_security_headers_and_stays_in_dist() {
    let r = LocalRedis::started();
    let d = dist("dist-guard");
    let outside = temp_dir("outside");
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), d.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&*outside, d.join("leakdir")).unwrap();
    std::fs::create_dir(d.join("assets")).unwrap();
    std::fs::write(d.join("assets/app.css"), "body{}").unwrap();
    std::os::unix::fs::symlink(d.join("assets/app.css"), d.join("inside.css")).unwrap();
    let (p, addr) = serve(&[
        "--redis",
        &r.url(),
        "--dist",
        d.to_str().unwrap(),
        "--base",
        "/harvest-lab/",
        "--host",
        "Harvest.Internal",
    ]);
    let port = addr.rsplit(':').next().unwrap().to_string();

    // Names.
    let ours = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST".to_string(),
        "harvest.internal:8443".to_string(),
        "harvest.internal.".to_string(),
    ];
    for host in &ours {
        let (status, _, body) = raw_get(&addr, "/harvest-lab/", Some(host));
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body.contains("dashboard"), "{host}: {body}");
    }
    for host in [
        format!("evil.example:{port}"),
        "127.0.0.1.evil.example".to_string(),
        "localhost.evil.example:80".to_string(),
        format!("10.0.0.1:{port}"),
    ] {
        for path in ["/harvest-lab/", "/harvest-lab/app.js", "/api/live"] {
            let (status, _, body) = raw_get(&addr, path, Some(&host));
            assert_eq!(status, 421, "{host} {path}: {body}");
        }
        let (_, _, body) = raw_get(&addr, "/harvest-lab/", Some(&host));
        assert!(
            body.contains(&format!("not for Host {host:?}"))
                && body.contains("127.0.0.1, localhost, harvest.internal")
                && body.contains("--host NAME")
                && !body.contains("<html"),
            "{body}"
        );
    }
    let (status, _, _) = raw_get(&addr, "/harvest-lab/", None);
    assert_eq!(status, 400);
    let (status, h, _) = raw_get(&addr, "/api/live", Some(&ours[0]));
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), Some("text/event-stream"));

    // Headers: on every response; the page's policy is the one of its <meta>.
    let host = Some(ours[0].as_str());
    let (_, page, _) = raw_get(&addr, "/harvest-lab/", host);
    assert_eq!(
        header(&page, "content-security-policy"),
        Some(format!("{CSP}; frame-ancestors 'none'").as_str())
    );
    for path in [
        "/harvest-lab/",
        "/harvest-lab/index.html",
        "/harvest-lab/app.js",
        "/harvest-lab/nope",
        "/api/live",
    ] {
        let (_, h, _) = raw_get(&addr, path, host);
        assert_eq!(
            header(&h, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header(&h, "referrer-policy"), Some("no-referrer"), "{path}");
        assert!(header(&h, "content-security-policy").is_some(), "{path}");
    }
    let (_, page, _) = raw_get(&addr, "/harvest-lab/index.html", host);
    assert_eq!(
        header(&page, "content-security-policy"),
        Some(format!("{CSP}; frame-ancestors 'none'").as_str())
    );

    // Symlinks out of --dist: not found; one inside it is served.
    for path in [
        "/harvest-lab/leak.txt",
        "/harvest-lab/leakdir/secret.txt",
        "/harvest-lab/leakdir/",
        "/harvest-lab/leakdir",
        "/harvest-lab/%6ceak.txt",
        "/harvest-lab/leakdir%2Fsecret.txt",
        "/harvest-lab/../outside/secret.txt",
        "/harvest-lab/%2e%2e/outside/secret.txt",
    ] {
        let (status, _, body) = raw_get(&addr, path, host);
        assert!(status == 404 || status == 400, "{path}: {status} {body}");
        assert!(!body.contains("secret"), "{path}: {body}");
    }
    let (status, _, body) = raw_get(&addr, "/harvest-lab/inside.css", host);
    assert_eq!((status, body.as_str()), (200, "body{}"));
    drop(p);
}

/// The Research panel's Web Worker (crates/research-worker): its scripts go out as JavaScript
/// (a worker script of another type is refused, `nosniff`) and its wasm as `application/wasm`;
/// the policy on them (a worker's own) leaves its WebAssembly compilation allowed.
#[test]
fn serve_gives_the_research_worker_its_types() {
    const JS: &[&str] = &["text/javascript", "application/javascript"];
    let files: [(&str, &[u8], &[&str]); 3] = [
        (
            "research-worker.js",
            b"importScripts('./harvest-research-worker.js');",
            JS,
        ),
        ("harvest-research-worker.js", b"let wasm_bindgen;", JS),
        (
            "harvest-research-worker_bg.wasm",
            b"\0asm\x01\0\0\0",
            &["application/wasm"],
        ),
    ];
    let d = dist("dist-worker");
    for (file, body, _) in files {
        std::fs::write(d.join(file), body).unwrap();
    }
    let (_p, addr) = serve(&["--dist", d.to_str().unwrap(), "--base", "/harvest-lab/"]);
    let host = addr.trim_start_matches("http://").to_string();
    for (file, _, types) in files {
        let (status, h, _) = raw_get(&addr, &format!("/harvest-lab/{file}"), Some(&host));
        assert_eq!(status, 200, "{file}");
        let got = header(&h, "content-type").unwrap_or_default();
        assert!(
            types.iter().any(|t| got.starts_with(t)),
            "{file}: content-type {got:?}"
        );
        let csp = header(&h, "content-security-policy").unwrap_or_default();
        assert!(
            !csp.contains("script-src") || csp.contains("'wasm-unsafe-eval'"),
            "{file}: {csp}"
        );
    }
}
