//! `harvest propose` and `harvest verify` on what the running P2 system produces: nonsense but
//! computable tunables give the same numbers plus warnings; records of that system (no
//! `warnings`, no `audit.z`) with such tunables verify as MATCH; inputs whose intermediates
//! overflow are errors naming the fields, never `null`s.
#![cfg(not(target_arch = "wasm32"))]

use harvest_kernel::{HarvestInput, P1Proposal, Position, Proposal, Theta};
use serde_json::{json, Value};

mod common;
use common::{harvest, text};

fn input(pnl: f64, p1_stop: Option<f64>, theta: Theta) -> HarvestInput {
    HarvestInput {
        position: Position {
            unrealized_pnl: pnl,
            ..Position::default()
        },
        p1_proposal: p1_stop.map(|s| P1Proposal {
            stop_dist_pct: s,
            ..P1Proposal::default()
        }),
        theta: Some(theta),
        ..HarvestInput::default()
    }
}

/// A record as the running system writes it: its own fields, the audit, no `warnings`, no `z`.
/// The numbers are written out here from the rules (not by our kernel).
#[allow(clippy::too_many_arguments)]
fn running_system_record(
    i: &HarvestInput,
    action: &str,
    new_sl: Option<f64>,
    r_net: f64,
    risk_unit: f64,
    cost_est: f64,
    codes: &[&str],
    weights: [f64; 3],
) -> String {
    let age_penalty = 3600.0 / 86400.0;
    let z = 0.3 * age_penalty;
    let k = 1.0 / (1.0 + f64::exp(-z));
    json!({
        "harvest_action": action,
        "new_sl_proposed": new_sl,
        "R_net": r_net,
        "risk_unit": risk_unit,
        "cost_est": cost_est,
        "kill_score": k,
        "reason_codes": codes,
        "audit": {
            "position": i.position,
            "market_state": i.market_state,
            "p1_proposal": i.p1_proposal,
            "theta": i.theta,
            "tranche_weights": weights,
            "k_components": {"regime_flip": 0.0, "sigma_spike": 0.0, "ts_drop": 0.0, "age_penalty": age_penalty},
        },
    })
    .to_string()
}

#[test]
fn verify_calls_the_running_systems_records_a_match() {
    let third = [1.0 / 3.0; 3];
    // T3_R < T2_R: the cascade checks T3_R first (R 4.45 ≥ 3 → PARTIAL_75).
    let unordered = input(
        9.0,
        Some(0.02),
        Theta {
            t3_r: 3.0,
            ..Theta::default()
        },
    );
    // exp(u_i) summing below 1e-9: exactly uniform (a shifted softmax gives ≈ [0.993, 0.007, 0]).
    let tiny_u = input(
        1.0,
        Some(0.02),
        Theta {
            u1: -25.0,
            u2: -30.0,
            u3: -40.0,
            ..Theta::default()
        },
    );
    // A negative P1 stop is used, the risk unit floored at 1e-9.
    let negative_stop = input(1.0, Some(-0.02), Theta::default());
    // kill_threshold above 1 and a negative weight: compared as written.
    let odd_kill = input(
        5.0,
        None,
        Theta {
            kill_threshold: 1.5,
            k_ts_drop: -1.0,
            ..Theta::default()
        },
    );
    let lock = Some(100.0 * (1.0 + 0.002));
    let records = [
        running_system_record(
            &unordered,
            "PARTIAL_75",
            lock,
            (9.0 - 0.1) / 2.0,
            2.0,
            0.1,
            &["harvest_partial_75", "profit_lock"],
            third,
        ),
        running_system_record(
            &tiny_u,
            "NONE",
            None,
            (1.0 - 0.1) / 2.0,
            2.0,
            0.1,
            &[],
            third,
        ),
        running_system_record(
            &negative_stop,
            "PARTIAL_75",
            lock,
            (1.0 - 0.1) / 1e-9,
            1e-9,
            0.1,
            &["harvest_partial_75", "profit_lock"],
            third,
        ),
        running_system_record(
            &odd_kill,
            "PARTIAL_25",
            lock,
            (5.0 - 0.1) / 2.0,
            2.0,
            0.1,
            &["harvest_partial_25", "profit_lock"],
            third,
        ),
    ];
    let out = harvest(&["verify"], (records.join("\n") + "\n").as_bytes());
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row["verdict"], "MATCH", "record {}: {row}", n + 1);
    }
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn propose_prints_the_warnings_in_the_proposal_and_exits_zero() {
    let i = input(
        9.0,
        Some(-0.02),
        Theta {
            t3_r: 3.0,
            kill_threshold: 1.2,
            ..Theta::default()
        },
    );
    let line = serde_json::to_string(&i).unwrap();
    let out = harvest(&["propose"], format!("{line}\n").as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let p: Proposal = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<(&str, &str)> = p
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.field.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("p1_stop_negative", "p1_proposal.stop_dist_pct"),
            ("thresholds_unordered", "theta.T3_R"),
            ("theta_out_of_range", "theta.kill_threshold"),
        ]
    );
    assert_eq!(p.risk_unit, 1e-9);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["reason_codes"],
        json!(["harvest_partial_75", "profit_lock"])
    );
}

#[test]
fn propose_refuses_overflowing_intermediates_naming_the_fields() {
    let mut big = input(3.0, Some(0.02), Theta::default());
    big.position.entry_price = 1e308;
    big.position.qty = 1e308;
    let mut zero = input(3.0, Some(0.02), Theta::default());
    zero.theta = Some(Theta {
        sigma_ref: 0.0,
        ..Theta::default()
    });
    let lines = [big, zero]
        .iter()
        .map(|i| serde_json::to_string(i).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let out = harvest(&["propose"], lines.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(
        !s.contains("null,\"risk_unit\"") && !s.contains("\"R_net\":null"),
        "{s}"
    );
    let rows: Vec<Value> = s
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let e0 = rows[0]["error"].as_str().unwrap();
    assert!(
        e0.starts_with("risk_unit is not computable (inf): position.entry_price ")
            && e0.contains("position.qty"),
        "{e0}"
    );
    assert_eq!(
        rows[1]["error"],
        "theta.sigma_ref = 0 is out of range: expected a finite number ≠ 0 (the kernel divides by it)"
    );
    assert!(text(&out.stderr).contains("2 of 2 lines failed"));
}
