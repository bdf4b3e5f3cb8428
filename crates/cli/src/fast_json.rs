//! The `propose` hot path's writer: byte-for-byte the JSON of `serde_json::to_writer(&proposal)`,
//! with the audit's theta (22 numbers, the same on almost every line) rendered once and reused.

use serde::Serialize;
use serde_json::value::RawValue;

use harvest_kernel::{
    HarvestAction, KComponents, MarketState, P1Proposal, Position, Proposal, ReasonCode, Theta,
    Warning,
};

/// Mirrors [`Proposal`]'s wire shape field for field; `tests` check the bytes are identical.
#[derive(Serialize)]
struct ProposalOut<'a> {
    harvest_action: HarvestAction,
    new_sl_proposed: Option<f64>,
    #[serde(rename = "R_net")]
    r_net: f64,
    risk_unit: f64,
    cost_est: f64,
    kill_score: f64,
    reason_codes: &'a [ReasonCode],
    audit: AuditOut<'a>,
    #[serde(skip_serializing_if = "<[Warning]>::is_empty")]
    warnings: &'a [Warning],
}

#[derive(Serialize)]
struct AuditOut<'a> {
    position: &'a Position,
    market_state: &'a MarketState,
    p1_proposal: &'a Option<P1Proposal>,
    theta: &'a RawValue,
    tranche_weights: [f64; 3],
    k_components: &'a KComponents,
    z: f64,
}

/// Writes proposals as JSON, caching the rendering of the last theta seen.
#[derive(Default)]
pub struct ProposalWriter {
    theta: Option<Theta>,
    theta_json: Option<Box<RawValue>>,
}

impl ProposalWriter {
    /// Appends the JSON of `p` (no newline) to `out`.
    ///
    /// # Errors
    /// Serialisation errors (none for proposals the kernel produced).
    pub fn write(&mut self, p: &Proposal, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let theta = &p.audit.theta;
        let cached =
            matches!((&self.theta, &self.theta_json), (Some(t), Some(_)) if same(t, theta));
        if !cached {
            let json = serde_json::to_string(theta)?;
            self.theta_json = Some(RawValue::from_string(json)?);
            self.theta = Some(*theta);
        }
        let Some(theta_json) = self.theta_json.as_deref() else {
            return serde_json::to_writer(out, p);
        };
        let view = ProposalOut {
            harvest_action: p.harvest_action,
            new_sl_proposed: p.new_sl_proposed,
            r_net: p.r_net,
            risk_unit: p.risk_unit,
            cost_est: p.cost_est,
            kill_score: p.kill_score,
            reason_codes: &p.reason_codes,
            audit: AuditOut {
                position: &p.audit.position,
                market_state: &p.audit.market_state,
                p1_proposal: &p.audit.p1_proposal,
                theta: theta_json,
                tranche_weights: p.audit.tranche_weights,
                k_components: &p.audit.k_components,
                z: p.audit.z,
            },
            warnings: &p.warnings,
        };
        serde_json::to_writer(out, &view)
    }
}

/// Bit-for-bit equality (so -0.0 and 0.0 render differently, as they should).
fn same(a: &Theta, b: &Theta) -> bool {
    harvest_kernel::ThetaField::ALL
        .iter()
        .all(|&f| a.get(f).to_bits() == b.get(f).to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::propose;

    #[test]
    fn bytes_equal_plain_serde_for_varied_inputs() {
        let mut w = ProposalWriter::default();
        for i in 0..2000 {
            let mut input = harvest_features::sample::sample_input(i);
            if i % 3 == 0 {
                input.theta = None;
            }
            if i % 7 == 0 {
                input.market_state.p_chop += 0.2; // a warning
            }
            let p = propose(&input).unwrap();
            let mut fast = Vec::new();
            w.write(&p, &mut fast).unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                serde_json::to_string(&p).unwrap(),
                "input {i}"
            );
        }
    }
}
