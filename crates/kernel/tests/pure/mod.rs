//! The purity check of the pure crates' sources (the kernel's own tests, and harvest-market's
//! through `#[path]`): no I/O, clock, threads, randomness or UI in any file under `src/`, and
//! imports only from the crates the caller allows.

use std::path::{Path, PathBuf};

/// What a pure crate's sources never name.
const BANNED: [&str; 12] = [
    "leptos",
    "web_sys",
    "js_sys",
    "wasm_bindgen",
    "plotters",
    "std::fs",
    "std::net",
    "std::time",
    "std::thread",
    "std::env",
    "std::io",
    "rand",
];

/// Every `.rs` file under `src` (recursively).
fn sources(src: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![src.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// Asserts that no code line (comments aside) under `src` uses anything of [`BANNED`], and that
/// every `use` starts at one of `allowed` crates (besides `std`, `super`, `crate`, `self` and
/// the crate's own types re-exported at its root); returns how many files were read.
#[track_caller]
pub fn assert_pure(src: &Path, allowed: &[&str]) -> usize {
    let files = sources(src);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.starts_with("//") {
                continue;
            }
            for banned in BANNED {
                let hit =
                    l.contains(&format!("{banned}::")) || l.contains(&format!("use {banned}"));
                assert!(!hit, "{}:{}: uses {banned}: {l}", path.display(), n + 1);
            }
            if let Some(rest) = l.strip_prefix("use ") {
                let root = rest.split("::").next().unwrap().trim_start_matches('{');
                let local_type = root.starts_with(|c: char| c.is_ascii_uppercase());
                assert!(
                    local_type
                        || ["std", "super", "crate", "self"].contains(&root)
                        || allowed.contains(&root),
                    "{}:{}: unexpected import {l}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
    files.len()
}
