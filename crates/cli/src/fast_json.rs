//! The `propose` hot path's writer: byte-for-byte the JSON of `serde_json::to_writer(&proposal)`,
//! with the audit's theta (22 numbers, the same on almost every line) rendered once and reused.

use serde::Serialize;
use serde_json::value::RawValue;

use harvest_kernel::{
    HarvestAction, KComponents, MarketState, P1Proposal, Position, Proposal, ReasonCode, Theta,
    ThetaField, Warning,
};

/// Mirrors [`Proposal`]'s wire shape field for field; `tests` check the bytes are identical.
#[derive(Serialize)]
struct ProposalOut<'a, T: Serialize> {
    harvest_action: HarvestAction,
    new_sl_proposed: Option<f64>,
    #[serde(rename = "R_net")]
    r_net: f64,
    risk_unit: f64,
    cost_est: f64,
    kill_score: f64,
    reason_codes: &'a [ReasonCode],
    audit: AuditOut<'a, T>,
    #[serde(skip_serializing_if = "<[Warning]>::is_empty")]
    warnings: &'a [Warning],
}

#[derive(Serialize)]
struct AuditOut<'a, T: Serialize> {
    position: &'a Position,
    market_state: &'a MarketState,
    p1_proposal: &'a Option<P1Proposal>,
    theta: T,
    tranche_weights: [f64; 3],
    k_components: &'a KComponents,
    z: f64,
}

/// A theta written as serde writes it, each field equal (bit for bit) to the cached theta's copied
/// from that theta's rendering, the others formatted: a partial theta costs its own fields only.
struct ThetaOut<'a> {
    theta: &'a Theta,
    base: &'a Theta,
    base_fields: &'a [Box<RawValue>],
}

impl Serialize for ThetaOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Theta", ThetaField::ALL.len())?;
        for (f, raw) in ThetaField::ALL.into_iter().zip(self.base_fields) {
            let v = self.theta.get(f);
            if v.to_bits() == self.base.get(f).to_bits() {
                st.serialize_field(f.key(), &**raw)?;
            } else {
                st.serialize_field(f.key(), &v)?;
            }
        }
        st.end()
    }
}

/// Writes proposals as JSON, caching the rendering of the theta most lines share.
///
/// The cache holds one theta (the first seen, then any theta met on two lines in a row), whole
/// and field by field; a line with another theta (e.g. its own partial theta among lines with
/// the defaults) copies the fields it shares with the cached one and formats only the others.
#[derive(Default)]
pub struct ProposalWriter {
    theta: Option<Theta>,
    theta_json: Option<Box<RawValue>>,
    theta_fields: Vec<Box<RawValue>>,
    /// The theta of the last line written without the whole cached rendering.
    last_miss: Option<Theta>,
}

impl ProposalWriter {
    /// Appends the JSON of `p` (no newline) to `out`.
    ///
    /// # Errors
    /// Serialisation errors (none for proposals the kernel produced).
    pub fn write(&mut self, p: &Proposal, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let theta = &p.audit.theta;
        let hit = matches!(&self.theta, Some(t) if same(t, theta));
        if !hit {
            let adopt =
                self.theta.is_none() || matches!(&self.last_miss, Some(t) if same(t, theta));
            if adopt {
                self.theta_json = Some(serde_json::value::to_raw_value(theta)?);
                self.theta_fields = ThetaField::ALL
                    .into_iter()
                    .map(|f| serde_json::value::to_raw_value(&theta.get(f)))
                    .collect::<serde_json::Result<_>>()?;
                self.theta = Some(*theta);
                self.last_miss = None;
            } else {
                self.last_miss = Some(*theta);
            }
        }
        match (&self.theta, &self.theta_json) {
            (Some(base), Some(raw)) if same(base, theta) => {
                serde_json::to_writer(out, &view(p, &**raw))
            }
            (Some(base), _) => {
                let t = ThetaOut {
                    theta,
                    base,
                    base_fields: &self.theta_fields,
                };
                serde_json::to_writer(out, &view(p, t))
            }
            _ => serde_json::to_writer(out, p),
        }
    }
}

/// `p`'s wire shape with `theta` written by `theta`.
fn view<T: Serialize>(p: &Proposal, theta: T) -> ProposalOut<'_, T> {
    ProposalOut {
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
            theta,
            tranche_weights: p.audit.tranche_weights,
            k_components: &p.audit.k_components,
            z: p.audit.z,
        },
        warnings: &p.warnings,
    }
}

/// Bit-for-bit equality (so -0.0 and 0.0 render differently, as they should).
fn same(a: &Theta, b: &Theta) -> bool {
    ThetaField::ALL
        .iter()
        .all(|&f| a.get(f).to_bits() == b.get(f).to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::propose;

    /// Lines with their own theta among lines with the defaults (the benchmark's mix), in runs
    /// and alone: every line byte-identical to plain serde, whichever path wrote it.
    #[test]
    fn bytes_equal_plain_serde_for_mixed_thetas() {
        let mut w = ProposalWriter::default();
        for i in 0..3000 {
            let mut input = harvest_features::sample::sample_input(i);
            input.theta = match i % 10 {
                0 | 3 => Some(Theta {
                    kill_threshold: 0.5 + (i % 97) as f64 / 1000.0,
                    // -0.0 differs from the default 0.0 bit for bit and is written `-0.0`.
                    u1: if i % 20 == 0 { -0.0 } else { 0.0 },
                    cost_bps: if i % 30 == 3 { 1.0 / 3.0 } else { 10.0 },
                    ..Theta::default()
                }),
                // A run of identical custom thetas: the cache adopts it.
                _ if (1000..1100).contains(&i) => Some(Theta {
                    cost_bps: 4.0,
                    ..Theta::default()
                }),
                _ => None,
            };
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
