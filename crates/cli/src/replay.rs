//! `harvest replay`: the spec's 8 scenarios as a table or JSON.

use std::io::{self, Write};

use serde::Serialize;

use harvest_features::format::format_sig;
use harvest_kernel::{
    propose, scenarios, Expected, HarvestInput, Proposal, SPEC_ROUNDING_TOLERANCE,
};

#[derive(Serialize)]
struct StepOut<'a> {
    label: &'a str,
    input: &'a HarvestInput,
    proposal: Option<Proposal>,
    error: Option<String>,
    expected: &'a Expected,
    matches_spec: bool,
}

#[derive(Serialize)]
struct ScenarioOut<'a> {
    id: u8,
    name: &'a str,
    description: &'a str,
    steps: Vec<StepOut<'a>>,
}

/// Whether a proposal reproduces the spec's published (rounded) figures.
pub fn matches_spec(p: &Proposal, e: &Expected) -> bool {
    let near = |a: f64, b: Option<f64>| b.is_none_or(|b| (a - b).abs() < SPEC_ROUNDING_TOLERANCE);
    let sl = match (e.new_sl, p.new_sl_proposed) {
        (None, _) | (Some(None), None) => true,
        (Some(Some(a)), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    };
    p.harvest_action == e.action
        && near(p.r_net, e.r_net)
        && near(p.kill_score, e.kill_score)
        && sl
        && e.reason_codes.as_ref().is_none_or(|c| *c == p.reason_codes)
}

/// Prints the replay as an aligned table (or JSON with `json`).
///
/// # Errors
/// Write errors.
pub fn print(out: &mut impl Write, json: bool) -> io::Result<()> {
    let all = scenarios();
    let rendered: Vec<ScenarioOut> = all
        .iter()
        .map(|s| ScenarioOut {
            id: s.id,
            name: s.name,
            description: s.description,
            steps: s
                .steps
                .iter()
                .map(|st| {
                    let r = propose(&st.input);
                    let ok = r.as_ref().is_ok_and(|p| matches_spec(p, &st.expected));
                    let (proposal, error) = match r {
                        Ok(p) => (Some(p), None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    StepOut {
                        label: &st.label,
                        input: &st.input,
                        proposal,
                        error,
                        expected: &st.expected,
                        matches_spec: ok,
                    }
                })
                .collect(),
        })
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &rendered).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let header = [
        "#",
        "scenario",
        "step",
        "side",
        "PnL",
        "R_net",
        "K",
        "action",
        "new SL",
        "reason codes",
        "spec",
    ];
    let mut rows: Vec<[String; 11]> = Vec::new();
    for s in &rendered {
        for st in &s.steps {
            let (r, k, a, sl, codes) = match &st.proposal {
                Some(p) => (
                    format!("{:.2}", p.r_net),
                    format!("{:.3}", p.kill_score),
                    p.harvest_action.to_string(),
                    p.new_sl_proposed
                        .map_or("-".to_string(), |v| format_sig(v, 6)),
                    p.reason_codes
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                None => Default::default(),
            };
            rows.push([
                s.id.to_string(),
                s.name.to_string(),
                st.label.to_string(),
                st.input.position.side.as_str().to_string(),
                format_sig(st.input.position.unrealized_pnl, 6),
                r,
                k,
                a,
                sl,
                codes,
                if st.matches_spec { "ok" } else { "DIFFERS" }.to_string(),
            ]);
        }
    }
    let mut width = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, c) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s
    };
    writeln!(out, "{}", line(&header.map(String::from)))?;
    writeln!(out, "{}", line(&width.map(|w| "-".repeat(w))))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    let bad = rendered
        .iter()
        .flat_map(|s| &s.steps)
        .filter(|s| !s.matches_spec)
        .count();
    writeln!(
        out,
        "\n{} steps in {} scenarios; {} differ from the spec's published figures",
        rows.len(),
        rendered.len(),
        bad
    )
}
