//! P1.5's risk proposal record `quantum:risk:proposal:<SYM>`: read as the running P2.5 reads it
//! (a hash without a usable `stop_dist_pct` means no P1: the fallback stop), and written as P1.5
//! writes it (every number as `str(float)`).

use harvest_kernel::P1Proposal;

use crate::fields::{clip, Fields};
use crate::num::{parse_py_float, py_float};

/// What P2.5 makes of a P1 hash.
#[derive(Debug, Clone, PartialEq)]
pub struct P1Read {
    /// The proposal, or `None`: the kernel then uses the fallback stop.
    pub proposal: Option<P1Proposal>,
    /// Why a hash that exists gave no proposal (a log line), `None` when it did or is absent.
    pub note: Option<String>,
}

/// P1's proposal from `quantum:risk:proposal:<SYM>` as the running P2.5 reads it: no hash, no
/// `stop_dist_pct`, or a `stop_dist_pct` / `proposed_sl` that `float()` cannot read (including
/// `None` and empty text) → no P1, and the fallback stop is used; otherwise `stop_dist_pct` and
/// `proposed_sl` (`proposed_tp` is not read).
///
/// ```
/// use harvest_records::fields::{fields, Fields};
/// use harvest_records::p1::read;
/// assert_eq!(read("k", &Fields::new()).proposal, None);
/// let r = read("k", &fields(&[("stop_dist_pct", "0.015"), ("proposed_sl", "98.5")]));
/// assert_eq!(r.proposal.unwrap().stop_dist_pct, 0.015);
/// let r = read("k", &fields(&[("stop_dist_pct", "abc")]));
/// assert!(r.proposal.is_none());
/// assert_eq!(r.note.unwrap(), "k: field `stop_dist_pct` = \"abc\" is not a number: no P1, the fallback stop is used");
/// ```
pub fn read(key: &str, f: &Fields) -> P1Read {
    if f.is_empty() {
        return P1Read {
            proposal: None,
            note: None,
        };
    }
    // Python: `v = data.get(k)`, an empty value counts as absent, `float(v)` raises on the rest.
    let get = |field: &'static str| -> Result<Option<f64>, String> {
        match f.get(field) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => parse_py_float(v).map(Some).ok_or_else(|| {
                format!(
                    "{key}: field `{field}` = {:?} is not a number: no P1, the fallback stop is used",
                    clip(v)
                )
            }),
        }
    };
    let stop = get("stop_dist_pct");
    let sl = get("proposed_sl");
    match (stop, sl) {
        (Err(note), _) | (Ok(Some(_)), Err(note)) => P1Read {
            proposal: None,
            note: Some(note),
        },
        (Ok(None), _) => P1Read {
            proposal: None,
            note: Some(format!(
                "{key}: field `stop_dist_pct` is missing or empty: no P1, the fallback stop is used"
            )),
        },
        (Ok(Some(stop_dist_pct)), Ok(proposed_sl)) => P1Read {
            proposal: Some(P1Proposal {
                stop_dist_pct,
                proposed_sl,
                proposed_tp: None,
            }),
            note: None,
        },
    }
}

/// The fields of the hash P1.5 writes, in its order.
pub const FIELDS: [&str; 16] = [
    "proposed_sl",
    "proposed_tp",
    "stop_dist_pct",
    "tp_dist_pct",
    "trail_gap_pct",
    "reason_codes",
    "ts",
    "sigma",
    "p_trend",
    "p_mr",
    "p_chop",
    "computed_at_utc",
    "position_side",
    "position_age_sec",
    "position_current_price",
    "position_entry_price",
];

/// What P1.5 publishes for a symbol.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct P1Out {
    /// Proposed stop-loss price.
    pub proposed_sl: f64,
    /// Proposed take-profit price.
    pub proposed_tp: f64,
    /// Stop distance (fraction of entry).
    pub stop_dist_pct: f64,
    /// Take-profit distance (fraction of entry).
    pub tp_dist_pct: f64,
    /// Trailing gap (fraction).
    pub trail_gap_pct: f64,
    /// Reason codes, comma-joined when written.
    pub reason_codes: Vec<String>,
    /// The market state used: trend strength.
    pub ts: f64,
    /// σ.
    pub sigma: f64,
    /// p_trend (as P1 used it).
    pub p_trend: f64,
    /// p_mr.
    pub p_mr: f64,
    /// p_chop.
    pub p_chop: f64,
    /// `computed_at_utc` text ([`crate::time::iso_naive`]).
    pub computed_at_utc: String,
    /// The position's side text, as given.
    pub position_side: String,
    /// Position age, seconds.
    pub position_age_sec: f64,
    /// Position current price.
    pub position_current_price: f64,
    /// Position entry price.
    pub position_entry_price: f64,
}

impl P1Out {
    /// The hash's fields in [`FIELDS`] order, numbers as `str(float)`.
    ///
    /// ```
    /// use harvest_records::p1::P1Out;
    /// let p = P1Out { stop_dist_pct: 0.02, position_side: "LONG".into(), ..Default::default() };
    /// let f = p.hash_fields();
    /// assert_eq!(f[2], ("stop_dist_pct", "0.02".to_string()));
    /// assert_eq!(f[12], ("position_side", "LONG".to_string()));
    /// ```
    pub fn hash_fields(&self) -> Vec<(&'static str, String)> {
        let v = [
            py_float(self.proposed_sl),
            py_float(self.proposed_tp),
            py_float(self.stop_dist_pct),
            py_float(self.tp_dist_pct),
            py_float(self.trail_gap_pct),
            self.reason_codes.join(","),
            py_float(self.ts),
            py_float(self.sigma),
            py_float(self.p_trend),
            py_float(self.p_mr),
            py_float(self.p_chop),
            self.computed_at_utc.clone(),
            self.position_side.clone(),
            py_float(self.position_age_sec),
            py_float(self.position_current_price),
            py_float(self.position_entry_price),
        ];
        FIELDS.iter().copied().zip(v).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::fields;

    #[test]
    fn read_table() {
        // (hash, stop used or None for the fallback, a note?)
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<f64>, bool);
        let cases: &[Case] = &[
            (&[], None, false),
            (
                &[("stop_dist_pct", "0.01"), ("proposed_sl", "99")],
                Some(0.01),
                false,
            ),
            (&[("stop_dist_pct", "0.01")], Some(0.01), false),
            (
                &[("stop_dist_pct", "0.01"), ("proposed_sl", "")],
                Some(0.01),
                false,
            ),
            (&[("stop_dist_pct", "-0.01")], Some(-0.01), false),
            (&[("stop_dist_pct", "0")], Some(0.0), false),
            (&[("proposed_sl", "99")], None, true),
            (&[("stop_dist_pct", "")], None, true),
            (&[("stop_dist_pct", "None")], None, true),
            (&[("stop_dist_pct", "x")], None, true),
            (
                &[("stop_dist_pct", "0.01"), ("proposed_sl", "None")],
                None,
                true,
            ),
            (
                &[("stop_dist_pct", "0.01"), ("proposed_tp", "x")],
                Some(0.01),
                false,
            ),
        ];
        for (pairs, stop, note) in cases {
            let r = read("quantum:risk:proposal:X", &fields(pairs));
            assert_eq!(r.proposal.map(|p| p.stop_dist_pct), *stop, "{pairs:?}");
            assert_eq!(r.note.is_some(), *note, "{pairs:?}: {:?}", r.note);
        }
    }
}
