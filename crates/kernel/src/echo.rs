//! How a message quotes what it was given: at most [`ECHO_CHARS`] characters of it, so a 300 KB
//! cell or key never comes back whole in an error line. Written by hand: it is a few lines of
//! `char` counting, and the pure crates (wasm included) share it.

use std::borrow::Cow;
use std::fmt;

/// The most characters of an input a message quotes.
pub const ECHO_CHARS: usize = 100;

/// Input text in a message: whole when it has at most [`ECHO_CHARS`] characters, else its first
/// [`ECHO_CHARS`], `…` and the full length. `{}` writes it as is, `{:?}` quoted and escaped.
///
/// ```
/// use harvest_kernel::echo::Echo;
/// assert_eq!(format!("{:?}", Echo("x,y")), "\"x,y\"");
/// let long = "a".repeat(35_000);
/// let shown = format!("{:?}", Echo(&long));
/// assert_eq!(shown, format!("\"{}…\" (35000 characters)", "a".repeat(100)));
/// assert_eq!(Echo(&long).to_string(), format!("{}… (35000 characters)", "a".repeat(100)));
/// ```
#[derive(Clone, Copy)]
pub struct Echo<'a>(pub &'a str);

impl Echo<'_> {
    /// The quoted part and, when cut, the full length in characters.
    fn parts(&self) -> (&str, Option<usize>) {
        match self.0.char_indices().nth(ECHO_CHARS) {
            None => (self.0, None),
            Some((end, _)) => (&self.0[..end], Some(self.0.chars().count())),
        }
    }
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (all, None) => f.write_str(all),
            (head, Some(n)) => write!(f, "{head}… ({n} characters)"),
        }
    }
}

impl fmt::Debug for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (all, None) => write!(f, "{all:?}"),
            (head, Some(n)) => {
                let quoted = format!("{head:?}");
                write!(f, "{}…\" ({n} characters)", &quoted[..quoted.len() - 1])
            }
        }
    }
}

/// A message written by someone else (serde_json, clap, a path of JSON keys) with every quoted run
/// (`"…"`, `` `…` ``, `'…'`) and every other run without spaces cut to [`ECHO_CHARS`]
/// characters and `…`; a message with nothing that long is returned as is.
///
/// ```
/// use harvest_kernel::echo::clip_message;
/// let long = "x".repeat(5000);
/// let msg = format!("invalid type: string \"{long}\", expected f64 at line 1 column 5030");
/// let got = clip_message(&msg);
/// assert_eq!(got, format!("invalid type: string \"{}…\", expected f64 at line 1 column 5030", "x".repeat(100)));
/// assert_eq!(clip_message("missing field `side`"), "missing field `side`");
/// ```
pub fn clip_message(msg: &str) -> Cow<'_, str> {
    if msg.len() <= ECHO_CHARS {
        return Cow::Borrowed(msg);
    }
    let mut out = String::with_capacity(msg.len().min(4 * ECHO_CHARS));
    let mut changed = false;
    let mut rest = msg;
    while let Some(c) = rest.chars().next() {
        // A run: a quoted string (to its closing quote, `\"` escapes skipped), a backticked one
        // or a word (to the next space).
        let run_end = match c {
            '"' => closing(rest, '"', true),
            '`' | '\'' => closing(rest, c, false),
            c if c.is_whitespace() => c.len_utf8(),
            _ => rest.find(char::is_whitespace).unwrap_or(rest.len()),
        };
        let run = &rest[..run_end];
        match run.char_indices().nth(ECHO_CHARS + 2) {
            Some(_) => {
                changed = true;
                let opened = matches!(c, '"' | '`' | '\'');
                // What ends the run stays: its closing quote, or a word's `:` or `,`.
                let tail = if opened {
                    usize::from(run.len() > 1 && run.ends_with(c))
                } else {
                    usize::from(run.ends_with([':', ',', ';']))
                };
                let (body, end) = run.split_at(run.len() - tail);
                let cut = body
                    .char_indices()
                    .nth(ECHO_CHARS + usize::from(opened))
                    .map_or(body.len(), |(i, _)| i);
                out.push_str(&body[..cut]);
                out.push('…');
                out.push_str(end);
            }
            None => out.push_str(run),
        }
        rest = &rest[run_end..];
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(msg)
    }
}

/// The byte length of the run from the opening `quote` at the start of `s` to its closing one
/// (included), or to the end of `s` when it is not closed.
fn closing(s: &str, quote: char, escapes: bool) -> usize {
    let mut it = s.char_indices().skip(1);
    while let Some((i, c)) = it.next() {
        if escapes && c == '\\' {
            it.next();
        } else if c == quote {
            return i + c.len_utf8();
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_cuts_at_characters_not_bytes() {
        let s = "é".repeat(150);
        let shown = Echo(&s).to_string();
        assert_eq!(shown, format!("{}… (150 characters)", "é".repeat(100)));
        assert_eq!(Echo(&"é".repeat(100)).to_string(), "é".repeat(100));
        // Escapes of the quoted form do not count against the limit.
        let q = "\"".repeat(120);
        assert_eq!(
            format!("{:?}", Echo(&q)),
            format!("\"{}…\" (120 characters)", "\\\"".repeat(100))
        );
    }

    #[test]
    fn clip_message_cuts_each_long_run() {
        let long = "k".repeat(300);
        let cases: [(String, String); 6] = [
            (
                format!("{long}: expected value at line 1 column 310"),
                format!("{}…: expected value at line 1 column 310", "k".repeat(100)),
            ),
            (
                format!("unknown variant `{long}`, expected `LONG` or `SHORT`"),
                format!(
                    "unknown variant `{}…`, expected `LONG` or `SHORT`",
                    "k".repeat(100)
                ),
            ),
            (
                format!("string \"a \\\" {long}\" and more"),
                format!("string \"a \\\" {}…\" and more", "k".repeat(95)),
            ),
            (
                format!("open \"{long}"),
                format!("open \"{}…", "k".repeat(100)),
            ),
            (
                format!("invalid value '{long}' for '--sweep'"),
                format!("invalid value '{}…' for '--sweep'", "k".repeat(100)),
            ),
            (
                "short \"message\" stays".to_string(),
                "short \"message\" stays".to_string(),
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(clip_message(&msg), want);
        }
    }
}
