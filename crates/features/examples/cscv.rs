//! The research statistics on numbers given as JSON on stdin, for running side by side with an
//! independent implementation (`bench/pbo_dsr_check.py` runs this and `pypbo` from PyPI):
//!
//! `{"pbo": {"columns": [[…], …], "blocks": 16, "metric": "mean"|"sharpe"}}` → PBO, logits;
//! `{"dsr": {"sr": …, "t": …, "skew": …, "kurtosis": …, "trials": …, "sr_std": …}}` → DSR.
//!
//! `cargo run --release -p harvest-features --example cscv < case.json`

use std::io::Read;

use harvest_features::research::stats::{dsr, pbo, CscvMetric};

fn main() {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("cscv: reading stdin: {e}");
        std::process::exit(2);
    }
    let v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cscv: not JSON: {e}");
            std::process::exit(2);
        }
    };
    let out = if let Some(p) = v.get("pbo") {
        let columns: Vec<Vec<f64>> =
            serde_json::from_value(p["columns"].clone()).unwrap_or_default();
        let blocks = p["blocks"].as_u64().unwrap_or(16) as usize;
        let metric = match p["metric"].as_str() {
            Some("sharpe") => CscvMetric::Sharpe,
            _ => CscvMetric::Mean,
        };
        match pbo(&columns, blocks, metric) {
            Ok(r) => {
                serde_json::json!({"pbo": r.pbo, "prob_oos_loss": r.prob_oos_loss, "logits": r.logits, "combinations": r.combinations})
            }
            Err(e) => serde_json::json!({"error": e.to_string()}),
        }
    } else if let Some(d) = v.get("dsr") {
        let f = |k: &str| d[k].as_f64().unwrap_or(f64::NAN);
        let r = dsr(
            f("sr"),
            f("t") as usize,
            f("skew"),
            f("kurtosis"),
            f("trials") as usize,
            f("sr_std"),
        );
        serde_json::json!({"dsr": r.dsr, "sr0": r.sr0})
    } else {
        eprintln!("cscv: expected {{\"pbo\": …}} or {{\"dsr\": …}}");
        std::process::exit(2);
    };
    println!("{out}");
}
