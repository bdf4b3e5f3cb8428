//! Writes N generated input lines to stdout (for throughput benchmarks):
//! `cargo run --release --example gen_inputs -- 1000000 [KIND] > inputs.jsonl`
//!
//! KIND:
//! - (none): the sample inputs, each with its full theta;
//! - `no-theta`: the same without theta (the kernel's defaults);
//! - `proposals`: the kernel's proposals for the sample inputs;
//! - `mixed`: the benchmark corpus of BENCHMARKS.md ("CLI on mixed lines"): 30 % of the lines
//!   carry their own partial theta (1 to 4 tunables, varied values), 70 % a P1 stop, 40 % an
//!   explicit `qty` (else the default 1); deterministic.
use std::io::Write;

use harvest_features::sample::Lcg;
use serde_json::{json, Map, Value};

/// Tunables a partial theta may carry, with the value range it draws from (all valid).
const PARTIAL: [(&str, f64, f64, i32); 8] = [
    ("kill_threshold", 0.5, 0.8, 3),
    ("cost_bps", 2.0, 20.0, 1),
    ("T1_R", 1.0, 1.9, 2),
    ("lock_R", 0.5, 1.9, 2),
    ("sigma_ref", 0.005, 0.02, 4),
    ("be_plus_pct", 0.0005, 0.004, 4),
    ("k_age_penalty", 0.1, 0.6, 2),
    ("u1", -1.0, 1.0, 2),
];

/// The `i`-th line of the mixed corpus.
fn mixed_line(i: usize, r: &mut Lcg) -> Value {
    let mut input = harvest_features::sample::sample_input(i % 10_000);
    input.theta = None;
    let mut v = serde_json::to_value(&input).unwrap_or(Value::Null);
    let Some(obj) = v.as_object_mut() else {
        return v;
    };
    obj.remove("theta");
    if r.unit() < 0.7 {
        let stop = r.round(0.005, 0.04, 4);
        obj.insert("p1_proposal".into(), json!({ "stop_dist_pct": stop }));
    } else {
        obj.remove("p1_proposal");
    }
    if let Some(pos) = obj.get_mut("position").and_then(Value::as_object_mut) {
        if r.unit() >= 0.4 {
            pos.remove("qty");
        }
    }
    if r.unit() < 0.3 {
        let mut theta = Map::new();
        let n = 1 + (r.unit() * 4.0) as usize;
        let start = (r.unit() * PARTIAL.len() as f64) as usize;
        for k in 0..n {
            let (key, lo, hi, d) = PARTIAL[(start + k) % PARTIAL.len()];
            theta.insert(key.into(), json!(r.round(lo, hi, d)));
        }
        obj.insert("theta".into(), Value::Object(theta));
    }
    v
}

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let kind = std::env::args().nth(2).unwrap_or_default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut r = Lcg(0x5EED_2026);
    for i in 0..n {
        let line = if kind == "mixed" {
            serde_json::to_string(&mixed_line(i, &mut r))?
        } else {
            let mut input = harvest_features::sample::sample_input(i % 10_000);
            if kind == "no-theta" {
                input.theta = None;
            }
            if kind == "proposals" {
                match harvest_kernel::propose(&input) {
                    Ok(p) => serde_json::to_string(&p)?,
                    Err(_) => continue,
                }
            } else {
                serde_json::to_string(&input)?
            }
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}
