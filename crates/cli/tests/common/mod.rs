//! Helpers shared by the tests that run the `harvest` binary.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `harvest args…` with `stdin` fed from a thread (so large inputs cannot deadlock).
pub fn harvest(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn harvest");
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
