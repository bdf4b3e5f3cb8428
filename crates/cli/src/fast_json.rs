//! The `propose` hot path's writer: byte-for-byte the JSON of `serde_json::to_writer(&proposal)`,
//! written field by field (keys as constant bytes, numbers through `zmij` as serde_json writes
//! them), with the audit's theta (22 numbers, the same on most lines) rendered once and reused.

use harvest_kernel::{P1Proposal, Proposal, Theta, ThetaField};

use crate::fast_input::Echo;

/// A key's bytes, the input's text of its number (echoed when it reads back as the number), and
/// the number (`None`: `null`).
type KeyEcho<'a> = (&'static [u8], Option<&'a [u8]>, Option<f64>);

/// Writes proposals as JSON, caching the rendering of the theta most lines share.
///
/// The cache holds one theta (the first seen, then any theta met on two lines in a row), whole
/// and field by field; a line with another theta (e.g. its own partial theta among lines with
/// the defaults) copies the fields it shares with the cached one and formats only the others.
#[derive(Default)]
pub struct ProposalWriter {
    theta: Option<Theta>,
    /// The cached theta as serde writes it.
    theta_json: Vec<u8>,
    /// Each of its values as serde writes them, in wire order.
    theta_fields: Vec<Vec<u8>>,
    /// The theta of the last line written without the whole cached rendering.
    last_miss: Option<Theta>,
    /// The last tranche weights (bits) and their rendering (they follow the theta, so most
    /// lines repeat them).
    weights: Option<([u64; 3], Vec<u8>)>,
}

impl ProposalWriter {
    /// Appends the JSON of `p` (no newline) to `out`.
    ///
    /// # Errors
    /// Serialisation errors (none for proposals the kernel produced).
    pub fn write(&mut self, p: &Proposal, out: &mut Vec<u8>) -> serde_json::Result<()> {
        self.write_echo(p, &Echo::default(), out)
    }

    /// [`ProposalWriter::write`], copying the input number texts in `echo` (each exactly what
    /// serde_json writes for the audit's value: see `fast_input`) instead of
    /// formatting those values.
    ///
    /// # Errors
    /// Serialisation errors (none for proposals the kernel produced).
    pub fn write_echo(
        &mut self,
        p: &Proposal,
        echo: &Echo,
        out: &mut Vec<u8>,
    ) -> serde_json::Result<()> {
        let theta = &p.audit.theta;
        let hit = matches!(&self.theta, Some(t) if t.same_bits(theta));
        // Whether the cached theta is this line's (a hit, or adopted just now).
        let mut whole = hit;
        if !hit {
            let adopt =
                self.theta.is_none() || matches!(&self.last_miss, Some(t) if t.same_bits(theta));
            if adopt {
                self.theta_json = serde_json::to_vec(theta)?;
                self.theta_fields = ThetaField::ALL
                    .into_iter()
                    .map(|f| serde_json::to_vec(&theta.get(f)))
                    .collect::<serde_json::Result<_>>()?;
                self.theta = Some(*theta);
                self.last_miss = None;
                whole = true;
            } else {
                self.last_miss = Some(*theta);
            }
        }
        out.extend_from_slice(b"{\"harvest_action\":\"");
        out.extend_from_slice(p.harvest_action.as_str().as_bytes());
        out.extend_from_slice(b"\",\"new_sl_proposed\":");
        opt_num(out, p.new_sl_proposed);
        key_num(out, b",\"R_net\":", p.r_net);
        key_num(out, b",\"risk_unit\":", p.risk_unit);
        key_num(out, b",\"cost_est\":", p.cost_est);
        key_num(out, b",\"kill_score\":", p.kill_score);
        out.extend_from_slice(b",\"reason_codes\":[");
        for (i, c) in p.reason_codes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(c.as_str().as_bytes());
            out.push(b'"');
        }
        let a = &p.audit;
        let pos = &a.position;
        out.extend_from_slice(b"],\"audit\":{\"position\":{\"symbol\":");
        string(out, &pos.symbol)?;
        out.extend_from_slice(b",\"side\":\"");
        out.extend_from_slice(pos.side.as_str().as_bytes());
        let m = &a.market_state;
        let [e_sigma, e_ts, e_trend, e_mr, e_chop] = echo.market;
        // The position's numbers and the market state's, each key with the number's text.
        let fields: [KeyEcho; 14] = [
            (
                b"\",\"entry_price\":",
                echo.entry_price,
                Some(pos.entry_price),
            ),
            (
                b",\"current_price\":",
                echo.current_price,
                pos.current_price,
            ),
            (b",\"peak_price\":", echo.peak_price, pos.peak_price),
            (b",\"trough_price\":", echo.trough_price, pos.trough_price),
            (b",\"age_sec\":", echo.age_sec, Some(pos.age_sec)),
            (
                b",\"unrealized_pnl\":",
                echo.unrealized_pnl,
                Some(pos.unrealized_pnl),
            ),
            (b",\"current_sl\":", echo.current_sl, pos.current_sl),
            (b",\"current_tp\":", echo.current_tp, pos.current_tp),
            (b",\"qty\":", echo.qty, Some(pos.qty)),
            (b"},\"market_state\":{\"sigma\":", e_sigma, Some(m.sigma)),
            (b",\"ts\":", e_ts, Some(m.ts)),
            (b",\"p_trend\":", e_trend, Some(m.p_trend)),
            (b",\"p_mr\":", e_mr, Some(m.p_mr)),
            (b",\"p_chop\":", e_chop, Some(m.p_chop)),
        ];
        for (key, text, v) in fields {
            out.extend_from_slice(key);
            echo_opt(out, text, v);
        }
        out.extend_from_slice(b"},\"p1_proposal\":");
        match &a.p1_proposal {
            None => out.extend_from_slice(b"null"),
            Some(P1Proposal {
                stop_dist_pct,
                proposed_sl,
                proposed_tp,
            }) => {
                let [e_stop, e_sl, e_tp] = echo.p1;
                out.extend_from_slice(b"{\"stop_dist_pct\":");
                echo_num(out, e_stop, *stop_dist_pct);
                out.extend_from_slice(b",\"proposed_sl\":");
                echo_opt(out, e_sl, *proposed_sl);
                out.extend_from_slice(b",\"proposed_tp\":");
                echo_opt(out, e_tp, *proposed_tp);
                out.push(b'}');
            }
        }
        out.extend_from_slice(b",\"theta\":");
        match &self.theta {
            Some(_) if whole => out.extend_from_slice(&self.theta_json),
            Some(base) => {
                for (i, (f, cached)) in ThetaField::ALL
                    .into_iter()
                    .zip(&self.theta_fields)
                    .enumerate()
                {
                    out.extend_from_slice(if i == 0 { b"{\"" } else { b",\"" });
                    out.extend_from_slice(f.key().as_bytes());
                    out.extend_from_slice(b"\":");
                    let v = theta.get(f);
                    if v.to_bits() == base.get(f).to_bits() {
                        out.extend_from_slice(cached);
                    } else {
                        num(out, v);
                    }
                }
                out.push(b'}');
            }
            None => serde_json::to_writer(&mut *out, theta)?,
        }
        out.extend_from_slice(b",\"tranche_weights\":[");
        let bits = a.tranche_weights.map(f64::to_bits);
        match &self.weights {
            Some((cached, json)) if *cached == bits => out.extend_from_slice(json),
            _ => {
                let [w0, w1, w2] = a.tranche_weights;
                let mut json = Vec::with_capacity(64);
                num(&mut json, w0);
                key_num(&mut json, b",", w1);
                key_num(&mut json, b",", w2);
                out.extend_from_slice(&json);
                self.weights = Some((bits, json));
            }
        }
        let k = &a.k_components;
        key_num(out, b"],\"k_components\":{\"regime_flip\":", k.regime_flip);
        key_num(out, b",\"sigma_spike\":", k.sigma_spike);
        key_num(out, b",\"ts_drop\":", k.ts_drop);
        key_num(out, b",\"age_penalty\":", k.age_penalty);
        key_num(out, b"},\"z\":", a.z);
        out.push(b'}');
        if !p.warnings.is_empty() {
            out.extend_from_slice(b",\"warnings\":");
            serde_json::to_writer(&mut *out, &p.warnings)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// A number as serde_json writes an `f64`: zmij's shortest text, `null` when not finite.
#[inline]
fn num(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        put(out, zmij::Buffer::new().format_finite(v).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

#[inline]
fn key_num(out: &mut Vec<u8>, key: &[u8], v: f64) {
    out.extend_from_slice(key);
    num(out, v);
}

/// Appends `s` (a number's text, a symbol) with fixed-size copies: two overlapping ones of 16,
/// 8 or 4 bytes, so the forty-odd short texts of a line are not forty calls to `memcpy`.
#[inline(always)]
fn put(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    if n > 32 {
        out.extend_from_slice(s);
        return;
    }
    let at = out.len();
    out.extend_from_slice(&[0u8; 32]);
    let dst = &mut out[at..at + 32];
    if n >= 16 {
        dst[..16].copy_from_slice(&s[..16]);
        dst[n - 16..n].copy_from_slice(&s[n - 16..]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&s[..8]);
        dst[n - 8..n].copy_from_slice(&s[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&s[..4]);
        dst[n - 4..n].copy_from_slice(&s[n - 4..]);
    } else if n > 0 {
        dst[0] = s[0];
        dst[n / 2] = s[n / 2];
        dst[n - 1] = s[n - 1];
    }
    out.truncate(at + n);
}

/// `text` when given (the input's own text of `v`, exactly what [`num`] writes), else [`num`].
#[inline]
fn echo_num(out: &mut Vec<u8>, text: Option<&[u8]>, v: f64) {
    match text {
        Some(t) => {
            debug_assert_eq!(
                std::str::from_utf8(t)
                    .ok()
                    .and_then(|t| t.parse::<f64>().ok())
                    .map(f64::to_bits),
                Some(v.to_bits())
            );
            put(out, t);
        }
        None => num(out, v),
    }
}

/// [`echo_num`] for an optional value.
#[inline]
fn echo_opt(out: &mut Vec<u8>, text: Option<&[u8]>, v: Option<f64>) {
    match v {
        Some(v) => echo_num(out, text, v),
        None => out.extend_from_slice(b"null"),
    }
}

#[inline]
fn opt_num(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => num(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string: as is between quotes when nothing needs escaping (no `"`, `\\` or control
/// character), else serde_json's escaping.
fn string(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        put(out, s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{propose, HarvestInput};

    /// The writer's bytes for `input`'s proposal are plain serde's.
    fn assert_same_bytes(w: &mut ProposalWriter, input: &HarvestInput, i: usize) {
        let p = propose(input).unwrap();
        let mut fast = Vec::new();
        w.write(&p, &mut fast).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            serde_json::to_string(&p).unwrap(),
            "input {i}"
        );
    }

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
            // Symbols that need escaping, and non-ASCII ones that do not.
            match i % 50 {
                7 => input.position.symbol = "BTC\"US\\D\u{1}\t".to_string(),
                8 => input.position.symbol = "ÄÖ€-😀".to_string(),
                9 => input.position.symbol = String::new(),
                _ => {}
            }
            assert_same_bytes(&mut w, &input, i);
        }
    }

    /// `Theta::same_bits` (the cache's test) sees a change in any one field, a sign of zero included.
    #[test]
    fn same_compares_every_field_bit_for_bit() {
        let d = Theta::default();
        assert!(d.same_bits(&d));
        for f in ThetaField::ALL {
            let v = d.get(f);
            let other = if v == 0.0 { -0.0 } else { v * 1.5 };
            assert!(!d.same_bits(&d.with(f, other)), "{f:?}");
            assert!(!d.with(f, other).same_bits(&d), "{f:?}");
        }
    }

    /// `put` appends exactly the slice, whatever its length, onto any buffer.
    #[test]
    fn put_appends_exactly() {
        let src: Vec<u8> = (0..80u8)
            .map(|b| b.wrapping_mul(37).wrapping_add(1))
            .collect();
        for before in [0usize, 1, 7, 33] {
            for n in 0..=src.len() {
                let mut out = vec![9u8; before];
                put(&mut out, &src[src.len() - n..]);
                let mut want = vec![9u8; before];
                want.extend_from_slice(&src[src.len() - n..]);
                assert_eq!(out, want, "before {before}, n {n}");
            }
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
            assert_same_bytes(&mut w, &input, i);
        }
    }
}
