//! Writes N generated input lines to stdout (for throughput benchmarks):
//! `cargo run --release --example gen_inputs -- 1000000 > inputs.jsonl`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let kind = std::env::args().nth(2).unwrap_or_default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for i in 0..n {
        let mut input = harvest_features::sample::sample_input(i % 10_000);
        if kind == "no-theta" {
            input.theta = None;
        }
        let line = if kind == "proposals" {
            match harvest_kernel::propose(&input) {
                Ok(p) => serde_json::to_string(&p)?,
                Err(_) => continue,
            }
        } else {
            serde_json::to_string(&input)?
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}
