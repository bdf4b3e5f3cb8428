//! Helpers shared by the tests that run the `harvest` binary.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Starts `harvest args…` with stdin, stdout and stderr piped.
pub fn spawn_harvest(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn harvest")
}

/// Runs `harvest args…` with `stdin` fed from a thread (so large inputs cannot deadlock).
pub fn harvest(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = spawn_harvest(args);
    let mut sin = child.stdin.take().expect("piped stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let out = child.wait_with_output().expect("harvest exits");
    writer.join().expect("stdin writer");
    out
}

/// Lossy UTF-8 text of an output stream.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts that the command's stderr contains `needle` (and shows the stderr when not).
#[track_caller]
pub fn assert_stderr_has(out: &Output, needle: &str) {
    let err = text(&out.stderr);
    assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
}

/// A fresh directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty `harvest-cli-<name>-<pid>` under the system's temp dir.
pub fn temp_dir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("harvest-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    TempDir(d)
}

/// A built dashboard's shape in a fresh temp dir: `index.html` (its `<head>` holding `head`, then
/// a title; its body the word "dashboard") and `app.js`.
pub fn fake_dist(name: &str, head: &str) -> TempDir {
    let d = temp_dir(name);
    std::fs::write(
        d.join("index.html"),
        format!(
            "<!doctype html><html><head>{head}<title>t</title></head><body>dashboard</body></html>"
        ),
    )
    .unwrap();
    std::fs::write(d.join("app.js"), "console.log(1)").unwrap();
    d
}

/// The origin (e.g. `http://127.0.0.1:41234`) of the first `http://` address in `log` (`serve`
/// prints its address with the dashboard's base path after it).
#[track_caller]
pub fn origin(log: &str) -> String {
    let addr = log
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {log:?}"));
    let end = addr[7..].find('/').map_or(addr.len(), |i| i + 7);
    addr[..end].to_string()
}

/// Polls `ok` every 25 ms until it holds or `timeout` passes.
pub fn wait_until(timeout: std::time::Duration, mut ok: impl FnMut() -> bool) -> Option<()> {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if ok() {
            return Some(());
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    ok().then_some(())
}

/// A `harvest` subcommand running as a service (a clean environment plus `env`), its stderr
/// collected line by line. Killed when dropped.
pub struct Proc {
    /// The process.
    pub child: std::process::Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Proc {
    /// Starts `harvest args…` with only `env` in its environment.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Proc {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_harvest"))
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn harvest");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = log.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Proc { child, log }
    }

    /// Its stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until its stderr contains `what`.
    #[track_caller]
    pub fn wait_log(&self, what: &str, timeout: std::time::Duration) {
        if wait_until(timeout, || self.log().contains(what)).is_none() {
            panic!("no {what:?} in the log within {timeout:?}:\n{}", self.log());
        }
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        self.wait(std::time::Duration::from_secs(20))
    }

    /// Waits for the exit.
    pub fn wait(&mut self, timeout: std::time::Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                // Let the reader thread drain the last lines.
                std::thread::sleep(std::time::Duration::from_millis(50));
                return st;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "did not exit:\n{}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The command writing a published record as P2.5 does: `HSET quantum:harvest:proposal:<symbol>`
/// with every field but `symbol`.
pub fn proposal_hset(f: &harvest_records::Fields) -> harvest_redis::redis::Cmd {
    let fields: Vec<(&str, &str)> = f
        .iter()
        .filter(|(k, _)| k.as_str() != "symbol")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    harvest_redis::local::hset_cmd(
        &format!("{}{}", harvest_records::keys::PROPOSAL_PREFIX, f["symbol"]),
        &fields,
    )
}

/// The command adding a published record to P2.5's stream, every field an entry's field.
pub fn proposal_xadd(f: &harvest_records::Fields) -> harvest_redis::redis::Cmd {
    let mut c = harvest_redis::redis::cmd("XADD");
    c.arg(harvest_records::keys::PROPOSAL_STREAM).arg("*");
    for (k, v) in f {
        c.arg(k).arg(v);
    }
    c
}

/// The text of the env file `deploy/<name>`, after checking that it holds each of `lines` (the
/// running service's defaults) and a line `VAR=…` (or `#VAR=…`) for every variable `harvest
/// <command> --help` reads.
#[track_caller]
pub fn deploy_env_file(name: &str, command: &str, lines: &[&str]) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let env = std::fs::read_to_string(root.join("deploy").join(name)).unwrap();
    for line in lines {
        assert!(env.lines().any(|l| l == *line), "{name} lacks {line}");
    }
    let help = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args([command, "--help"])
        .output()
        .unwrap();
    for var in text(&help.stdout)
        .split("[env: ")
        .skip(1)
        .map(|s| s.split(['=', ']']).next().unwrap().to_string())
    {
        assert!(
            env.lines()
                .any(|l| l.trim_start_matches('#').starts_with(&format!("{var}="))),
            "{var} missing from deploy/{name}"
        );
    }
    env
}

/// An env file's settings as systemd reads the file with CRLF line endings (the running system's
/// own env files have them): every value keeps a trailing `\r`. `set` replaces values (each
/// given without the `\r`, which is added).
pub fn crlf_settings(env_file: &str, set: &[(&str, &str)]) -> Vec<(String, String)> {
    env_file
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            let v = set.iter().find(|(n, _)| *n == k).map_or(v, |(_, v)| v);
            (k.to_string(), format!("{v}\r"))
        })
        .collect()
}

/// `(name, value)` pairs as the `&str` pairs [`Proc::start`] and `Command::envs` take.
pub fn str_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// `systemd-analyze verify` (no warnings) and `security` (exposure ≤ 2, "OK") on the unit file
/// `deploy/<name>` with its ExecStart pointed at the binary just built; a misspelt key must be
/// reported. `needed`: lines the unit must contain. Skipped (with a line on stderr) where
/// systemd-analyze is not installed.
pub fn verify_unit(name: &str, needed: &[&str]) {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: systemd-analyze not installed; {name} was not verified");
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let unit = std::fs::read_to_string(root.join("deploy").join(name)).unwrap();
    for n in needed {
        assert!(unit.contains(n), "{name} lacks {n:?}");
    }
    let dir = std::env::temp_dir().join(format!("harvest-unit-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let verify = |file: &str, text: &str| -> Output {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .unwrap()
    };
    let built = unit.replace(
        "ExecStart=/usr/local/bin/harvest",
        &format!("ExecStart={}", env!("CARGO_BIN_EXE_harvest")),
    );
    let out = verify(name, &built);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr).trim(),
        "",
        "systemd-analyze verify warnings"
    );
    let broken = built.replace("ProtectSystem=strict", "ProtectSystm=strict");
    let out = verify("broken.service", &broken);
    assert_stderr_has(&out, "ProtectSystm");
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--threshold=20", "--no-pager"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
