//! harvest-records is pure like the kernel (no I/O, no clock: the dashboard reads records with the
//! same code as the CLI and the services): its sources use no I/O, clock, threads, randomness or
//! UI, and import only std, serde, serde_json, thiserror, sha2, the kernel (and proptest in their
//! unit tests).

#[path = "../../kernel/tests/pure/mod.rs"]
mod pure;

#[test]
fn records_are_pure() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = [
        "serde",
        "serde_json",
        "thiserror",
        "sha2",
        "harvest_kernel",
        "proptest",
    ];
    let checked = pure::assert_pure(&src, &allowed);
    assert!(checked >= 10, "read {checked} files");
}
