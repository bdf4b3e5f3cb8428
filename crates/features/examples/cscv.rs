//! The research statistics on numbers given as JSON on stdin, for running side by side with an
//! independent implementation (`bench/pbo_dsr_check.py` runs this and `pypbo` from PyPI):
//!
//! `{"pbo": {"columns": [[…], …], "blocks": 16, "metric": "mean"|"sharpe"}}` → PBO, logits;
//! `{"dsr": {"sr": …, "t": …, "skew": …, "kurtosis": …, "trials": …, "sr_std": …}}` → DSR.
//!
//! `cargo run --release -p harvest-features --example cscv < case.json`

use std::io::Read;

use harvest_features::research::stats::{dsr, pbo, CscvMetric};

fn main() -> std::process::ExitCode {
    match run() {
        Ok(out) => {
            println!("{out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cscv: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> Result<serde_json::Value, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    if let Some(p) = v.get("pbo") {
        let columns: Vec<Vec<f64>> =
            serde_json::from_value(p["columns"].clone()).map_err(|e| format!("columns: {e}"))?;
        let blocks = p["blocks"].as_u64().unwrap_or(16) as usize;
        let metric = match p["metric"].as_str() {
            Some("sharpe") => CscvMetric::Sharpe,
            _ => CscvMetric::Mean,
        };
        let r = pbo(&columns, blocks, metric).map_err(|e| e.to_string())?;
        Ok(
            serde_json::json!({"pbo": r.pbo, "prob_oos_loss": r.prob_oos_loss, "logits": r.logits, "combinations": r.combinations}),
        )
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
        Ok(serde_json::json!({"dsr": r.dsr, "sr0": r.sr0}))
    } else {
        Err("expected {\"pbo\": …} or {\"dsr\": …}".into())
    }
}
