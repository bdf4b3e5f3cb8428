//! harvest-market is pure like the kernel: its sources use no I/O, clock, threads, randomness or
//! UI, and import only std, serde, thiserror, csv and the kernel.

#[test]
fn market_is_pure() {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        for (n, line) in src.lines().enumerate() {
            let l = line.trim();
            if l.starts_with("//") {
                continue;
            }
            for banned in [
                "leptos",
                "web_sys",
                "js_sys",
                "wasm_bindgen",
                "std::fs",
                "std::net",
                "std::time",
                "std::thread",
                "std::env",
                "std::io",
                "rand",
            ] {
                let hit =
                    l.contains(&format!("{banned}::")) || l.contains(&format!("use {banned}"));
                assert!(!hit, "{}:{}: uses {banned}: {l}", path.display(), n + 1);
            }
            if let Some(rest) = l.strip_prefix("use ") {
                let root = rest.split("::").next().unwrap().trim_start_matches('{');
                assert!(
                    [
                        "std",
                        "serde",
                        "thiserror",
                        "csv",
                        "harvest_kernel",
                        "super",
                        "crate",
                        "self"
                    ]
                    .contains(&root),
                    "{}:{}: unexpected import {l}",
                    path.display(),
                    n + 1
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 7, "read {checked} files");
}
