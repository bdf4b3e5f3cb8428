//! The research worker pool on a real `redis-server` (loopback, free port): three `harvest
//! research --worker` processes, one killed (SIGKILL) while it holds a task; the others claim
//! its tasks (XAUTOCLAIM) and the report is bit-identical to the single-machine run.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harvest_redis::local::LocalRedis;
use harvest_redis::redis;

mod common;
use common::{harvest, text};

fn data() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_research_workers");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, k) in [("AAA_USDT-1h.json", 1.0), ("BBB_USDT-1h.json", 1.9)] {
        let mut rows = Vec::new();
        let mut c = 50.0f64;
        for i in 0..2200 {
            let r =
                0.007 * ((i as f64) * 0.13 * k).sin() + 0.004 * ((i as f64) * 1.1).cos() + 0.0002;
            let o = c;
            c *= 1.0 + r;
            rows.push(format!(
                "[{},{o},{},{},{c},5]",
                (1_600_000_000 + 3600 * i as i64) * 1000,
                o.max(c) * 1.003,
                o.min(c) * 0.997
            ));
        }
        std::fs::write(dir.join(name), format!("[{}]", rows.join(","))).unwrap();
    }
    dir
}

fn worker(url: &str, name: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args([
            "research",
            "--worker",
            "--redis",
            url,
            "--consumer",
            name,
            "--threads",
            "1",
            "--claim-after-ms",
            "1500",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn a worker")
}

/// The ids of the tasks the consumer holds (delivered, not acknowledged); none when the group
/// is not there yet.
fn pending_ids(con: &mut redis::Connection, consumer: &str) -> Vec<String> {
    let v: redis::Value = redis::cmd("XPENDING")
        .arg("harvest:research:tasks")
        .arg("harvest-research-workers")
        .arg("-")
        .arg("+")
        .arg(10)
        .arg(consumer)
        .query(con)
        .unwrap_or(redis::Value::Nil);
    let redis::Value::Array(entries) = v else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter_map(|e| match e {
            redis::Value::Array(parts) => match parts.into_iter().next() {
                Some(redis::Value::BulkString(id)) => Some(String::from_utf8_lossy(&id).into()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A task the consumer holds (pending) whose result is not stored yet, if any.
fn unfinished_of(con: &mut redis::Connection, consumer: &str) -> Option<String> {
    for id in pending_ids(con, consumer) {
        let got: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
            .arg("harvest:research:tasks")
            .arg(&id)
            .arg(&id)
            .query(con)
            .ok()?;
        let Some((_, fields)) = got.first() else {
            continue;
        };
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
        let (job, task) = (get("job")?, get("task")?);
        let have: bool = redis::cmd("HEXISTS")
            .arg(format!("harvest:research:job:{job}:results"))
            .arg(&task)
            .query(con)
            .ok()?;
        if !have {
            return Some(task);
        }
    }
    None
}

#[test]
fn three_workers_one_killed_give_the_same_bits() {
    let dir = data();
    let d = dir.to_str().unwrap().to_string();
    let job = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "research",
            &d,
            "--grid",
            "kill_threshold=0.4:0.8:3",
            "--grid",
            "T1_R=1.5:3:3",
            "--folds",
            "3",
            "--every",
            "24",
            "--cscv-blocks",
            "8",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    // The single-machine run.
    let local_args = job(&["--threads", "2"]);
    let local_ref: Vec<&str> = local_args.iter().map(String::as_str).collect();
    let local = harvest(&local_ref, b"");
    assert!(local.status.success(), "{}", text(&local.stderr));

    let redis_server = LocalRedis::started();
    let url = redis_server.url();
    let mut workers: Vec<Child> = (0..3).map(|k| worker(&url, &format!("w{k}"))).collect();
    let coord_args = job(&["--redis", &url, "--wait", "120"]);
    let coordinator = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(&coord_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the coordinator");
    // Kill worker 0 while it holds a task it has not finished: stop it (SIGSTOP) when it has a
    // pending entry whose result is missing, check that this still holds while it cannot run,
    // then SIGKILL it (else let it go on and try again).
    let mut con = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let signal = |sig: &str, pid: u32| {
        let ok = Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    };
    let t0 = Instant::now();
    let mut killed = false;
    while t0.elapsed() < Duration::from_secs(120) && !killed {
        if unfinished_of(&mut con, "w0-0").is_none() {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let pid = workers[0].id();
        signal("-STOP", pid);
        std::thread::sleep(Duration::from_millis(50));
        if unfinished_of(&mut con, "w0-0").is_some() {
            workers[0].kill().unwrap();
            workers[0].wait().unwrap();
            killed = true;
        } else {
            signal("-CONT", pid);
        }
    }
    assert!(killed, "worker 0 never held a task");
    let out = coordinator.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The dead worker's task was claimed by a live one, and nothing is left pending.
    for w in &mut workers[1..] {
        w.kill().unwrap();
    }
    let logs: String = workers[1..]
        .iter_mut()
        .map(|w| {
            let mut s = String::new();
            use std::io::Read;
            w.stderr.take().unwrap().read_to_string(&mut s).unwrap();
            w.wait().unwrap();
            s
        })
        .collect();
    assert!(
        logs.contains("from a silent worker"),
        "no claim logged:\n{logs}"
    );
    assert_eq!(pending_ids(&mut con, "w0-0"), Vec::<String>::new());
    // Bit-identical to the single-machine run.
    assert_eq!(text(&out.stdout), text(&local.stdout));
    // A rerun of the same job takes the stored results (no worker needed).
    let again = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(&coord_args)
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("0 tasks queued"));
    assert_eq!(text(&again.stdout), text(&local.stdout));
}
