//! The `propose` hot path's reader: a line in the plain shape of an input (the four known objects
//! with their known keys, numbers, `null`, unescaped strings, JSON whitespace) read straight into
//! a [`HarvestInput`]; any other line gets `None` and goes to serde_json, whose values and error
//! messages are the ones users see. Hand-written because no JSON crate offers that contract
//! ("accept only what serde_json accepts, with the same values, else decline"): a faster general
//! parser would still need serde_json for every error, and would accept what serde_json refuses
//! or read numbers its own way. Numbers go through std's correctly rounded `f64::from_str`, which
//! gives serde_json's (`float_roundtrip`) values bit for bit (tested below, subnormals and long
//! digit strings included); a number that overflows to ±∞ is declined (serde_json refuses it).
//!
//! The reader also notes which input numbers are written exactly as the proposal's audit will
//! write them (at most 15 significant digits in zmij's own layout: the proof is at `canonical`,
//! the tests' statement of the rule), so the writer can copy their text instead of formatting them.

use harvest_kernel::{HarvestInput, MarketState, P1Proposal, Position, Side, Theta, ThetaField};

/// Input number texts the audit echoes, where each is exactly what serde_json writes for its
/// value (`None`: format the value).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Echo<'a> {
    /// `position.entry_price`
    pub entry_price: Option<&'a [u8]>,
    /// `position.current_price`
    pub current_price: Option<&'a [u8]>,
    /// `position.peak_price`
    pub peak_price: Option<&'a [u8]>,
    /// `position.trough_price`
    pub trough_price: Option<&'a [u8]>,
    /// `position.age_sec`
    pub age_sec: Option<&'a [u8]>,
    /// `position.unrealized_pnl`
    pub unrealized_pnl: Option<&'a [u8]>,
    /// `position.current_sl`
    pub current_sl: Option<&'a [u8]>,
    /// `position.current_tp`
    pub current_tp: Option<&'a [u8]>,
    /// `position.qty`
    pub qty: Option<&'a [u8]>,
    /// `market_state.sigma`, `ts`, `p_trend`, `p_mr`, `p_chop`
    pub market: [Option<&'a [u8]>; 5],
    /// `p1_proposal.stop_dist_pct`, `proposed_sl`, `proposed_tp`
    pub p1: [Option<&'a [u8]>; 3],
}

/// Reads `line` if it has the plain shape; `None` for anything else (then serde_json decides).
/// `echo` gets the canonical number texts of a line that was read.
pub fn read<'a>(line: &'a [u8], echo: &mut Echo<'a>) -> Option<HarvestInput> {
    let mut r = Reader { b: line, i: 0 };
    let mut position = None;
    let mut market_state = None;
    let mut p1_proposal = None;
    let mut theta = None;
    let mut seen = 0u8;
    r.object(|r, key| {
        let bit = match key {
            b"position" => {
                position = Some(r.position(echo)?);
                1
            }
            b"market_state" => {
                market_state = Some(r.market(&mut echo.market)?);
                2
            }
            b"p1_proposal" => {
                p1_proposal = r.nullable(|r| r.p1(&mut echo.p1))?;
                4
            }
            b"theta" => {
                theta = r.nullable(Reader::theta)?;
                8
            }
            _ => return None,
        };
        (seen & bit == 0).then(|| seen |= bit)
    })?;
    r.ws();
    if r.i != r.b.len() {
        return None;
    }
    Some(HarvestInput {
        position: position?,
        market_state: market_state?,
        p1_proposal,
        theta,
    })
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    /// `{ "key": value, ... }`, `field` reading each value; `None` as soon as anything is off.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.ws();
        if !self.eat(b'{') {
            return None;
        }
        self.ws();
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.raw_string()?;
            self.ws();
            if !self.eat(b':') {
                return None;
            }
            self.ws();
            field(self, key)?;
            self.ws();
            if self.eat(b'}') {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
            self.ws();
        }
    }

    /// The bytes between quotes of a string without escapes or control characters.
    #[inline]
    fn raw_string(&mut self) -> Option<&'a [u8]> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.i;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
        self.i += 1;
        Some(&self.b[start..self.i - 1])
    }

    /// A JSON number (RFC 8259 grammar) as f64, with its text when canonical; `None` for
    /// anything else or ±∞.
    ///
    /// Up to 19 digits and a power of ten within ±22 take Clinger's fast path: the digits and
    /// `10^|e|` are then exact f64s (≤ 2^53 and ≤ 1e22), so one IEEE multiplication or division
    /// rounds the exact quotient correctly, as every correct parser does. Anything else goes to
    /// std's `f64::from_str` (Eisel–Lemire with a big-number fallback; also correctly rounded).
    #[inline]
    fn number(&mut self) -> Option<(f64, Option<&'a [u8]>)> {
        let start = self.i;
        let neg = self.eat(b'-');
        let mut sig = 0u64;
        let mut n_digits = 0usize;
        let first = self.peek()?;
        match first {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    sig = sig.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    n_digits += 1;
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let mut frac_len = 0usize;
        if self.eat(b'.') {
            let frac_start = self.i;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                sig = sig.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                n_digits += usize::from(sig != 0);
                self.i += 1;
            }
            frac_len = self.i - frac_start;
            if frac_len == 0 {
                return None;
            }
        }
        let mut exp_given = false;
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.some_digits()?;
            exp_given = true;
        }
        let text = &self.b[start..self.i];
        let v = if !exp_given && n_digits <= 19 && sig <= 1 << 53 && frac_len <= 22 {
            let m = sig as f64; // exact: sig ≤ 2^53
            let v = if frac_len == 0 {
                m
            } else {
                m / POW10[frac_len]
            };
            if neg {
                -v
            } else {
                v
            }
        } else {
            // The grammar above admits ASCII only, so this never fails.
            let v: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
            if !v.is_finite() {
                return None;
            }
            v
        };
        // `canonical` from what the scan saw (the same rules; tested against it).
        let last = text[text.len() - 1];
        let canon = !exp_given
            && frac_len > 0
            && v.is_normal()
            && if first == b'0' {
                // 0.00ddd: n_digits counted from the first non-zero one.
                frac_len - n_digits <= 4 && (1..=15).contains(&n_digits) && last != b'0'
            } else if frac_len == 1 && last == b'0' {
                // ddd.0 below 1e16 with at most 15 significant digits (sig is exact: ≤ 17 digits).
                let int_len = n_digits - 1;
                let mut int = sig / 10;
                let mut zeros = 0;
                while int.is_multiple_of(10) && int > 0 {
                    int /= 10;
                    zeros += 1;
                }
                int_len <= 16 && int_len - zeros <= 15
            } else {
                n_digits <= 15 && last != b'0'
            };
        Some((v, canon.then_some(text)))
    }

    #[inline]
    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// A number into `slot` (`None` when already filled: a duplicate key), its text into `echo`
    /// when canonical.
    #[inline]
    fn num_into(&mut self, slot: &mut Option<f64>, echo: &mut Option<&'a [u8]>) -> Option<()> {
        let (v, text) = self.number()?;
        if slot.replace(v).is_some() {
            return None;
        }
        *echo = text;
        Some(())
    }

    /// A number or `null` into `slot` (a duplicate key: `None`).
    #[inline]
    fn opt_num_into(
        &mut self,
        slot: &mut Option<Option<f64>>,
        echo: &mut Option<&'a [u8]>,
    ) -> Option<()> {
        let v = if self.null() {
            *echo = None;
            None
        } else {
            let (v, text) = self.number()?;
            *echo = text;
            Some(v)
        };
        slot.replace(v).is_none().then_some(())
    }

    #[inline]
    fn null(&mut self) -> bool {
        let hit = self.b[self.i..].starts_with(b"null");
        self.i += if hit { 4 } else { 0 };
        hit
    }

    /// `null` → `Some(None)`, else `read`'s value.
    #[inline]
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    fn position(&mut self, echo: &mut Echo<'a>) -> Option<Position> {
        let (mut symbol, mut side) = (None, None);
        let (mut entry, mut age, mut pnl, mut qty) = (None, None, None, None);
        let (mut current, mut peak, mut trough, mut sl, mut tp) = (None, None, None, None, None);
        self.object(|r, key| match key {
            b"symbol" => {
                let s = std::str::from_utf8(r.raw_string()?).ok()?;
                symbol.replace(s.to_owned()).is_none().then_some(())
            }
            b"side" => {
                let s = match r.raw_string()? {
                    b"LONG" => Side::Long,
                    b"SHORT" => Side::Short,
                    _ => return None,
                };
                side.replace(s).is_none().then_some(())
            }
            b"entry_price" => r.num_into(&mut entry, &mut echo.entry_price),
            b"current_price" => r.opt_num_into(&mut current, &mut echo.current_price),
            b"peak_price" => r.opt_num_into(&mut peak, &mut echo.peak_price),
            b"trough_price" => r.opt_num_into(&mut trough, &mut echo.trough_price),
            b"age_sec" => r.num_into(&mut age, &mut echo.age_sec),
            b"unrealized_pnl" => r.num_into(&mut pnl, &mut echo.unrealized_pnl),
            b"current_sl" => r.opt_num_into(&mut sl, &mut echo.current_sl),
            b"current_tp" => r.opt_num_into(&mut tp, &mut echo.current_tp),
            b"qty" => r.num_into(&mut qty, &mut echo.qty),
            _ => None,
        })?;
        if qty.is_none() {
            echo.qty = None; // the default 1, written as `1.0`
        }
        Some(Position {
            symbol: symbol.unwrap_or_default(),
            side: side?,
            entry_price: entry?,
            current_price: current.flatten(),
            peak_price: peak.flatten(),
            trough_price: trough.flatten(),
            age_sec: age?,
            unrealized_pnl: pnl?,
            current_sl: sl.flatten(),
            current_tp: tp.flatten(),
            qty: qty.unwrap_or(1.0),
        })
    }

    fn market(&mut self, echo: &mut [Option<&'a [u8]>; 5]) -> Option<MarketState> {
        let mut v = [None; 5];
        self.object(|r, key| {
            let k = match key {
                b"sigma" => 0,
                b"ts" => 1,
                b"p_trend" => 2,
                b"p_mr" => 3,
                b"p_chop" => 4,
                _ => return None,
            };
            r.num_into(&mut v[k], &mut echo[k])
        })?;
        Some(MarketState {
            sigma: v[0]?,
            ts: v[1]?,
            p_trend: v[2]?,
            p_mr: v[3]?,
            p_chop: v[4]?,
        })
    }

    fn p1(&mut self, echo: &mut [Option<&'a [u8]>; 3]) -> Option<P1Proposal> {
        let (mut stop, mut sl, mut tp) = (None, None, None);
        let [e_stop, e_sl, e_tp] = echo;
        self.object(|r, key| match key {
            b"stop_dist_pct" => r.num_into(&mut stop, e_stop),
            b"proposed_sl" => r.opt_num_into(&mut sl, e_sl),
            b"proposed_tp" => r.opt_num_into(&mut tp, e_tp),
            _ => None,
        })?;
        Some(P1Proposal {
            stop_dist_pct: stop?,
            proposed_sl: sl.flatten(),
            proposed_tp: tp.flatten(),
        })
    }

    fn theta(&mut self) -> Option<Theta> {
        let mut theta = Theta::default();
        let mut seen = 0u32;
        self.object(|r, key| {
            let field = ThetaField::from_key(std::str::from_utf8(key).ok()?)?;
            let bit = 1u32 << field as u32;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            theta.set(field, r.number()?.0);
            Some(())
        })?;
        Some(theta)
    }
}

/// 10^0 … 10^22: the powers of ten that are exact f64s.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The rule the reader applies to each number's text as it scans it (`Reader::number`), written
/// out on its own: the tests check the reader against it and it against serde_json.
///
/// Whether `text` (a JSON number that reads as `v`) is exactly what serde_json writes for `v`
/// (zmij's shortest digits, laid out as `ddd.0`, `ddd.ddd` or `0.00ddd` for a decimal exponent
/// from −5 to 15), so that copying it is the same as formatting `v`.
///
/// Why that holds: a decimal of at most 15 significant digits in the range of normal f64s is the
/// only such decimal that reads as its f64 (15 ≤ DBL_DIG: each of them comes back from its f64
/// when rounded to 15 digits). zmij writes the shortest digits that read back as `v`; the text's
/// own digits read as `v`, so zmij's are at most as many, and then the same decimal. What is
/// left is the layout, checked here exactly as zmij lays out a decimal exponent of −5 to 15.
#[cfg(test)]
fn canonical(text: &[u8], v: f64) -> bool {
    if !v.is_normal() {
        return false;
    }
    let t = text.strip_prefix(b"-").unwrap_or(text);
    let Some(dot) = t.iter().position(|&b| b == b'.') else {
        return false; // an integer (zmij writes `.0`) or an exponent form
    };
    let (int, frac) = (&t[..dot], &t[dot + 1..]);
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
        return false; // `1.5e3`: exponent forms are formatted
    }
    if int == b"0" {
        // 0.00ddd: up to four zeros after the point (decimal exponent ≥ −5), digits ending non-zero.
        let zeros = frac.iter().take_while(|&&b| b == b'0').count();
        let digits = frac.len() - zeros;
        zeros <= 4 && (1..=15).contains(&digits) && frac.last() != Some(&b'0')
    } else if int.first() == Some(&b'0') || int.len() > 16 {
        false
    } else if frac == b"0" {
        // ddd.0: an integer below 1e16, at most 15 significant digits.
        int.iter()
            .rposition(|&b| b != b'0')
            .is_some_and(|last| last < 15)
    } else {
        // ddd.ddd: the point inside the digits, the last one non-zero.
        int.len() + frac.len() <= 15 && frac.last() != Some(&b'0')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propose_cases::{cases, GOOD};
    use proptest::prelude::*;

    /// serde_json's f64 for a JSON number text (`None`: serde_json refuses it).
    fn serde_f64(text: &str) -> Option<f64> {
        serde_json::from_str::<f64>(text).ok()
    }

    /// The reader's f64 for a JSON number text (`None`: declined).
    fn fast_f64(text: &str) -> Option<f64> {
        let mut r = Reader {
            b: text.as_bytes(),
            i: 0,
        };
        r.number().filter(|_| r.i == text.len()).map(|(v, _)| v)
    }

    fn zmij(v: f64) -> String {
        serde_json::to_string(&v).unwrap()
    }

    /// Random JSON-ish number text: sign, integer digits (leading zeros too), fraction, exponent.
    fn number_text() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            "[0-9]{1,25}",
            proptest::option::of("[0-9]{0,30}"),
            proptest::option::of((
                prop::sample::select(vec!["e", "E", "e+", "e-", "E-"]),
                0..400u32,
            )),
        )
            .prop_map(|(neg, int, frac, exp)| {
                let mut s = String::new();
                if neg {
                    s.push('-');
                }
                s.push_str(&int);
                if let Some(f) = frac {
                    s.push('.');
                    s.push_str(&f);
                }
                if let Some((e, x)) = exp {
                    s.push_str(e);
                    s.push_str(&x.to_string());
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Any text: the reader declines what serde_json refuses, and otherwise reads the same
        /// f64 bit for bit (ints, `-0`, long digit strings, huge and tiny exponents).
        #[test]
        fn numbers_read_as_serde_reads_them(text in number_text()) {
            match fast_f64(&text) {
                Some(v) => prop_assert_eq!(Some(v.to_bits()), serde_f64(&text).map(f64::to_bits), "{}", text),
                None => prop_assert!(serde_f64(&text).is_none(), "{}", text),
            }
        }

        /// Every f64 (subnormals, extremes) written by serde_json reads back bit for bit; its
        /// text is canonical only where it is that f64's text.
        #[test]
        fn serde_text_reads_back(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            let text = zmij(v);
            prop_assert_eq!(fast_f64(&text).map(f64::to_bits), Some(bits));
            if canonical(text.as_bytes(), v) {
                prop_assert_eq!(zmij(v), text);
            }
        }

        /// Clinger's fast path and its edges: up to 19 digits, 0 to 24 of them after the point.
        #[test]
        fn fast_path_reads_as_serde_reads_it(sig in any::<u64>(), small in 0u64..(1 << 54), frac in 0usize..25, neg in any::<bool>()) {
            for m in [sig, small] {
                let digits = m.to_string();
                let text = if frac == 0 {
                    digits
                } else if frac < digits.len() {
                    format!("{}.{}", &digits[..digits.len() - frac], &digits[digits.len() - frac..])
                } else {
                    format!("0.{}{digits}", "0".repeat(frac - digits.len()))
                };
                let text = if neg { format!("-{text}") } else { text };
                prop_assert_eq!(fast_f64(&text).map(f64::to_bits), serde_f64(&text).map(f64::to_bits), "{}", text);
            }
        }

        /// Subnormals and the smallest normals, from their bits and as long decimal texts.
        #[test]
        fn subnormals_read_as_serde_reads_them(bits in 0u64..0x0030_0000_0000_0000, digits in "[0-9]{1,40}", exp in 290u32..345) {
            let v = f64::from_bits(bits);
            prop_assert_eq!(fast_f64(&zmij(v)).map(f64::to_bits), Some(bits));
            let text = format!("{digits}e-{exp}");
            prop_assert_eq!(fast_f64(&text).map(f64::to_bits), serde_f64(&text).map(f64::to_bits), "{}", text);
        }

        /// Soundness of the echo: whenever a text is taken as canonical, it is serde_json's text;
        /// the reader notes exactly the texts [`canonical`] accepts.
        #[test]
        fn canonical_text_is_serde_text(text in number_text()) {
            let mut r = Reader { b: text.as_bytes(), i: 0 };
            if let Some((v, echo)) = r.number().filter(|_| r.i == text.len()) {
                prop_assert_eq!(echo.is_some(), canonical(text.as_bytes(), v), "{}", text);
            }
            if let Some(v) = fast_f64(&text) {
                if canonical(text.as_bytes(), v) {
                    prop_assert_eq!(zmij(v), text);
                }
            }
        }

        /// Texts laid out as zmij lays them out, up to 15 digits: all canonical, all serde_json's.
        #[test]
        fn short_decimals_are_canonical(neg in any::<bool>(), sig in 1u64..1_000_000_000_000_000, exp in -5i32..=15) {
            let digits = sig.to_string().trim_end_matches('0').to_string();
            let n = digits.len() as i32;
            let body = if n - 1 <= exp {
                format!("{digits}{}.0", "0".repeat((exp + 1 - n) as usize))
            } else if exp >= 0 {
                format!("{}.{}", &digits[..=exp as usize], &digits[exp as usize + 1..])
            } else {
                format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
            };
            let text = if neg { format!("-{body}") } else { body };
            let v = fast_f64(&text).unwrap();
            prop_assert!(canonical(text.as_bytes(), v), "{}", text);
            let mut r = Reader { b: text.as_bytes(), i: 0 };
            prop_assert_eq!(r.number().and_then(|(_, echo)| echo), Some(text.as_bytes()));
            prop_assert_eq!(zmij(v), text);
        }

        /// Whole lines: the good line with random numbers in every slot reads as serde_json
        /// reads it (or is declined, and serde_json decides).
        #[test]
        fn lines_read_as_serde_reads_them(texts in prop::collection::vec(number_text(), 8)) {
            let slots = ["0.0088", "0.506", "0.0061", "29514.0", "2991.105657763975", "2880.9069", "0.805", "88.71"];
            let mut line = GOOD.to_string();
            for (slot, text) in slots.iter().zip(&texts) {
                line = line.replacen(slot, text, 1);
            }
            let mut echo = Echo::default();
            if let Some(input) = read(line.as_bytes(), &mut echo) {
                let want: HarvestInput = serde_json::from_str(&line).unwrap();
                prop_assert_eq!(format!("{input:?}"), format!("{want:?}"));
                prop_assert!(same_bits(&input, &want));
            }
        }
    }

    /// Bit-for-bit equality of every number (so -0.0 ≠ 0.0).
    fn same_bits(a: &HarvestInput, b: &HarvestInput) -> bool {
        serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
    }

    /// Every case line: read gives serde_json's input exactly, or declines; the plain shapes
    /// (the corpus's, pretty-printed, with nulls, -0, big ints, non-ASCII symbols) are read.
    #[test]
    fn case_lines_read_as_serde_or_decline() {
        let mut read_names = Vec::new();
        for (name, line) in cases() {
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            let mut echo = Echo::default();
            if let Some(input) = read(line, &mut echo) {
                let want: HarvestInput = serde_json::from_slice(line).unwrap();
                assert_eq!(input, want, "{name}");
                assert!(same_bits(&input, &want), "{name}");
                read_names.push(name);
            }
        }
        let must_read = [
            "good",
            "crlf",
            "pretty",
            "leading space",
            "trailing space",
            "theta null",
            "theta empty",
            "p1 null",
            "p1 zero stop",
            "p1 all fields",
            "qty missing",
            "current_sl number",
            "no symbol",
            "-0",
            "-0.0",
            "big int",
            "u64 max + 1",
            "i64 min - 1",
            "1e-400",
            "many digits",
            "subnormal",
            "max",
            "non-ASCII symbol",
            "empty symbol",
        ];
        for name in must_read {
            assert!(read_names.contains(&name), "{name} not read");
        }
        // Everything serde_json refuses is declined (the error then comes from serde_json).
        for must_decline in [
            "duplicate position",
            "duplicate entry_price",
            "duplicate theta field",
            "1e400",
            "NaN",
            "trailing x",
            "non-UTF-8 symbol",
            "unknown top",
            "escaped symbol",
            "side as map",
            "theta array",
        ] {
            assert!(
                !read_names.contains(&must_decline),
                "{must_decline} was read"
            );
        }
    }

    #[test]
    fn echo_notes_canonical_texts_only() {
        let line = GOOD
            .replace("\"qty\":0.805", "\"qty\":1")
            .replace("\"current_sl\":null", "\"current_sl\":2800.50");
        let mut echo = Echo::default();
        read(line.as_bytes(), &mut echo).unwrap();
        assert_eq!(echo.entry_price, Some(&b"2880.9069"[..]));
        assert_eq!(echo.age_sec, Some(&b"29514.0"[..]));
        assert_eq!(echo.current_price, None, "16 digits: formatted");
        assert_eq!(echo.current_sl, None, "a trailing zero: formatted");
        assert_eq!(echo.current_tp, None, "null");
        assert_eq!(echo.qty, None, "an integer: written 1.0");
        assert_eq!(
            echo.market,
            [
                Some(&b"0.0088"[..]),
                Some(&b"0.506"[..]),
                Some(&b"0.33"[..]),
                Some(&b"0.34"[..]),
                Some(&b"0.33"[..])
            ]
        );
        assert_eq!(echo.p1, [Some(&b"0.0061"[..]), None, None]);
    }

    #[test]
    fn canonical_layouts() {
        for (text, yes) in [
            ("0.0001", true),
            ("0.00001", true),
            ("0.000001", false), // zmij: 1e-6
            ("1000000000000000.0", true),
            ("10000000000000000.0", false), // zmij: 1e16
            ("123456789012345.0", true),
            ("1234567890123456.0", false), // 16 digits
            ("1.5", true),
            ("-1.5", true),
            ("1.50", false),
            ("100", false),
            ("1e2", false),
            ("0.0", false),
            ("-0.0", false),
            ("5e-324", false),
            ("0.1", true),
            ("00.1", false),
        ] {
            let v: f64 = text.parse().unwrap();
            assert_eq!(canonical(text.as_bytes(), v), yes, "{text}");
            if yes {
                assert_eq!(zmij(v), text);
            }
        }
    }
}
