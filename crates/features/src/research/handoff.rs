//! The hand-off of a research job's choice: the theta file (the kernel's keys, as `harvest
//! theta export` writes it) and the running system's policy `harvest_params` JSON.

use harvest_kernel::{Theta, ThetaField};

/// The tunables the running publisher reads from a policy's `harvest_params`: every tunable
/// but `fallback_stop_pct`, which it takes from its own configuration.
pub const POLICY_KEYS: [ThetaField; 21] = {
    let mut out = [ThetaField::CostBps; 21];
    let mut i = 1;
    while i < 22 {
        out[i - 1] = ThetaField::ALL[i];
        i += 1;
    }
    out
};

/// `theta` as the policy store's `harvest_params` JSON text: an object of the 21 tunables the
/// running publisher reads (not `fallback_stop_pct`), each a JSON float as Python's
/// `json.dumps` writes it (`2.0`, `0.002`).
///
/// ```
/// use harvest_features::research::handoff::harvest_params_json;
/// use harvest_kernel::Theta;
/// let j = harvest_params_json(&Theta::default());
/// assert!(j.starts_with("{\"cost_bps\": 10.0, \"T1_R\": 2.0,"));
/// assert!(!j.contains("fallback_stop_pct"));
/// ```
pub fn harvest_params_json(theta: &Theta) -> String {
    let fields: Vec<String> = POLICY_KEYS
        .iter()
        .map(|&f| format!("\"{}\": {}", f.key(), py_float(theta.get(f))))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// A finite float as Python's `repr` (and `json.dumps`) writes it: the shortest digits, `.0`
/// for whole numbers, exponent form below 1e-4 and from 1e16 (`1e-05`, `1e+16`).
fn py_float(v: f64) -> String {
    let s = format!("{v:?}");
    let Some((mant, exp)) = s.split_once('e') else {
        return s;
    };
    let e: i32 = exp.parse().unwrap_or(0);
    format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_text() {
        for (v, s) in [
            (2.0, "2.0"),
            (0.002, "0.002"),
            (86400.0, "86400.0"),
            (1e-5, "1e-05"),
            (1e16, "1e+16"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-1.5, "-1.5"),
        ] {
            assert_eq!(py_float(v), s, "{v}");
        }
    }

    #[test]
    fn params_read_back_as_the_theta() {
        let t = Theta::default().with(ThetaField::KillThreshold, 0.55);
        let j: serde_json::Value = serde_json::from_str(&harvest_params_json(&t)).unwrap();
        let o = j.as_object().unwrap();
        assert_eq!(o.len(), 21);
        for f in POLICY_KEYS {
            assert_eq!(o[f.key()].as_f64(), Some(t.get(f)), "{}", f.key());
        }
    }
}
