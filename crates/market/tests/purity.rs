//! harvest-market is pure like the kernel: its sources use no I/O, clock, threads, randomness or
//! UI, and import only std, serde, thiserror, csv and the kernel.

#[path = "../../kernel/tests/pure/mod.rs"]
mod pure;

#[test]
fn market_is_pure() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let checked = pure::assert_pure(&src, &["serde", "thiserror", "csv", "harvest_kernel"]);
    assert!(checked >= 7, "read {checked} files");
}
