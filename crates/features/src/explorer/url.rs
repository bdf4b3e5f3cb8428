//! The explorer's state in a URL or a storage entry: `key=value` pairs for what differs from
//! the defaults, full f64 precision ([`encode`]), read back field by field so a corrupt link
//! still shows a page ([`decode`]).
//!
//! ```
//! use harvest_features::explorer::{decode, encode, UiState};
//! let mut s = UiState::default();
//! s.pnl = 4.1;
//! s.theta.kill_threshold = 0.5;
//! let q = encode(&s);
//! assert_eq!(q, "pnl=4.1&kill_threshold=0.5");
//! let back = decode(&q);
//! assert!(back.problems.is_empty());
//! assert_eq!(back.state, s);
//! ```

use super::inputs::{InputField, INPUTS};
use super::state::{Preset, UiState};
use crate::format::{parse_number, shorten};
use harvest_kernel::{scenarios, Side, ThetaField, PARAMS};

/// A number for the URL: the shortest decimal text that parses back to the same f64 (no
/// exponent: `1e-7` is written `0.0000001`).
fn url_num(v: f64) -> String {
    crate::format::shortest(v)
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

/// The compact URL / storage form of `s`: `key=value` pairs joined by `&`, only for what differs
/// from [`UiState::default`], in a fixed order. Numbers keep full f64 precision. Empty for the
/// defaults.
///
/// Keys: `side` (`short`), the [`INPUTS`] keys, `sl=none`, `p1=off`, the theta JSON keys
/// (`T1_R`, `kill_threshold`, …), and `preset=<id>.<step>` (step from 1).
pub fn encode(s: &UiState) -> String {
    let d = UiState::default();
    let mut out: Vec<String> = Vec::new();
    if s.side != d.side {
        out.push(format!("side={}", s.side.as_str().to_ascii_lowercase()));
    }
    for spec in INPUTS.iter() {
        let (v, dv) = (s.get(spec.field), d.get(spec.field));
        if spec.field == InputField::Sl && s.sl_none {
            out.push("sl=none".to_string());
        } else if !same(v, dv) {
            out.push(format!("{}={}", spec.key, url_num(v)));
        }
        if spec.field == InputField::Stop && !s.p1 {
            out.push("p1=off".to_string());
        }
    }
    for p in PARAMS.iter() {
        let v = s.theta.get(p.field);
        if !same(v, d.theta.get(p.field)) {
            out.push(format!("{}={}", p.key, url_num(v)));
        }
    }
    if let Some(p) = s.preset {
        out.push(format!("preset={}.{}", p.id, p.step + 1));
    }
    out.join("&")
}

/// What [`decode`] made of a URL or storage entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The state: the defaults with every readable field applied.
    pub state: UiState,
    /// One line per part that could not be read (it kept its default).
    pub problems: Vec<String>,
}

/// Reads [`encode`]'s form back (a leading `#` or `?` is skipped; `%XX` and `+` are decoded).
/// Anything it cannot read (an unknown key, a value that is no number, a value the kernel rejects
/// for an input) keeps its default and is listed in `problems`, so a corrupt link still shows a
/// page. Theta values are taken as long as they are numbers: an invalid theta is shown with the
/// kernel's errors, as the sender saw it.
pub fn decode(query: &str) -> Decoded {
    let mut state = UiState::default();
    let mut problems = Vec::new();
    let q = query.trim();
    let q = q
        .strip_prefix('#')
        .or_else(|| q.strip_prefix('?'))
        .unwrap_or(q);
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            problems.push(format!("“{}” is not key=value", shorten(part)));
            continue;
        };
        let (k, v) = (percent_decode(k), percent_decode(v));
        let bad_number = |what: &str| format!("{what}: “{}” is not a number", shorten(&v));
        match k.as_str() {
            "side" => match v.to_ascii_uppercase().as_str() {
                "LONG" => state.side = Side::Long,
                "SHORT" => state.side = Side::Short,
                _ => problems.push(format!("side: “{}” is neither long nor short", shorten(&v))),
            },
            "sl" if v == "none" => state.sl_none = true,
            "p1" => match v.as_str() {
                "off" => state.p1 = false,
                "on" => state.p1 = true,
                _ => problems.push(format!("p1: “{}” is neither on nor off", shorten(&v))),
            },
            "preset" => match parse_preset(&v) {
                Some(p) => state.preset = Some(p),
                None => problems.push(format!("preset: no scenario step “{}”", shorten(&v))),
            },
            _ => {
                if let Some(field) = InputField::from_key(&k) {
                    match parse_number(&v) {
                        // Probabilities are set as given (the link holds all three).
                        Some(x) => match state.check(field, x) {
                            Ok(()) => state.set_raw(field, x),
                            Err(e) => problems.push(e.to_string()),
                        },
                        None => problems.push(bad_number(field.spec().path)),
                    }
                } else if let Some(field) = ThetaField::from_key(&k) {
                    match parse_number(&v) {
                        Some(x) => state.theta.set(field, x),
                        None => problems.push(bad_number(field.path())),
                    }
                } else {
                    problems.push(format!("unknown parameter “{}”", shorten(&k)));
                }
            }
        }
    }
    Decoded { state, problems }
}

fn parse_preset(v: &str) -> Option<Preset> {
    let (id, step) = v.split_once('.').unwrap_or((v, "1"));
    let id: u8 = id.parse().ok()?;
    let step: usize = step.parse().ok()?;
    let all = scenarios();
    let sc = all.iter().find(|s| s.id == id)?;
    (step >= 1 && step <= sc.steps.len()).then_some(Preset { id, step: step - 1 })
}

/// `%XX` → byte and `+` → space; invalid escapes are kept as written; invalid UTF-8 is replaced.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_round_trip_keeps_every_bit() {
        let mut s = UiState {
            side: Side::Short,
            entry: 123.456,
            qty: 0.3,
            pnl: 0.1 + 0.2,
            sl: 1.0 / 3.0,
            age_sec: 1e-9,
            stop: 0.0123,
            p1: false,
            preset: Some(Preset { id: 2, step: 1 }),
            ..UiState::default()
        };
        s.market.set_p_trend(0.1);
        s.market.sigma = 2.5e-7;
        s.market.ts = -1e20;
        s.theta.kill_threshold = 1.5; // invalid: kept, shown inline
        s.theta.t2_r = 1.0;
        let q = encode(&s);
        let back = decode(&q);
        assert!(back.problems.is_empty(), "{q}: {:?}", back.problems);
        assert_eq!(back.state, s, "{q}");
        for f in InputField::ALL {
            assert_eq!(back.state.get(f).to_bits(), s.get(f).to_bits());
        }
        // With a leading # or ?.
        assert_eq!(decode(&format!("#{q}")).state, s);
        assert_eq!(decode(&format!("?{q}")).state, s);
    }

    #[test]
    fn encode_is_compact() {
        let mut s = UiState {
            sl_none: true,
            ..UiState::default()
        };
        s.market.set_p_trend(0.1);
        assert_eq!(encode(&s), "sl=none&p_trend=0.1&p_mr=0.45&p_chop=0.45");
        let back = decode(&encode(&s)).state;
        assert!(back.sl_none);
        assert_eq!(back.sl, 99.0);
    }

    #[test]
    fn corrupt_links_fall_back_field_by_field() {
        let d = decode("pnl=abc&foo=1&sigma=-1&side=up&kill_threshold=x&preset=9&entry=0&garbage&ts=0.2&p_trend=2");
        assert_eq!(d.state.pnl, 0.0);
        assert_eq!(d.state.market.sigma, 0.01);
        assert_eq!(d.state.side, Side::Long);
        assert_eq!(d.state.theta.kill_threshold, 0.6);
        assert_eq!(d.state.entry, 100.0);
        assert_eq!(d.state.market.p_trend, 0.6);
        assert_eq!(d.state.preset, None);
        assert_eq!(d.state.market.ts, 0.2, "the readable part is kept");
        let all = d.problems.join("\n");
        for needle in [
            "position.unrealized_pnl",
            "unknown parameter “foo”",
            "market_state.sigma",
            "side",
            "theta.kill_threshold",
            "preset",
            "position.entry_price",
            "“garbage” is not key=value",
            "market_state.p_trend",
        ] {
            assert!(all.contains(needle), "{needle} missing in\n{all}");
        }
        assert_eq!(d.problems.len(), 9);
        // Binary junk and lone escapes never panic.
        for junk in [
            "%",
            "%%",
            "a=%",
            "a=%4",
            "=",
            "&&&",
            "pnl=%FF%FE",
            "\u{0}=\u{0}",
            "pnl=1e999",
        ] {
            let d = decode(junk);
            assert!(d.state.pnl.is_finite());
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Eb+c"), "a.b c");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(decode("pnl=4%2E1").state.pnl, 4.1);
    }

    #[test]
    fn url_numbers_keep_every_bit() {
        assert_eq!(url_num(2.5e-7), "0.00000025");
        assert!(same(
            decode(&format!("pnl={}", url_num(1e300))).state.pnl,
            1e300
        ));
        assert_eq!(url_num(0.02), "0.02");
        assert_eq!(url_num(-0.0), "-0");
        assert!(same(decode("pnl=-0").state.pnl, -0.0));
    }
}
