//! Writes the reviewer's demo file: `cargo run --example make_sample`.
fn main() -> std::io::Result<()> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/sample-proposals.jsonl"
    );
    std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets"))?;
    std::fs::write(path, harvest_features::sample::sample_file())?;
    println!("wrote {path}");
    Ok(())
}
