//! Reading one input (a file fed in chunks, a paste, the sample) into review rows, a slice at a
//! time, so the page can yield between slices.
//!
//! The same records and the same receipt figures as [`review_text`](crate::reviewer::verify::review_text)
//! on the whole text: JSON Lines are reviewed line by line as the chunks arrive; an input that
//! looks like one JSON document (an array, or an object over several lines) is held until the end
//! (up to [`MAX_DOCUMENT_BYTES`]) and split with [`whole_document`].

use std::collections::VecDeque;

use crate::reviewer::published::Context;
use crate::reviewer::verify::{
    context_line, review_line_in, whole_document, LineSplitter, ReviewRow, MAX_LINE_BYTES,
};
use harvest_kernel::Tolerance;

/// Largest input read as one JSON document (a pretty-printed object or an array); a bigger one
/// is read as JSON Lines (with a note saying so).
pub const MAX_DOCUMENT_BYTES: usize = 8 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not enough bytes yet to tell JSON Lines from one document.
    Undecided,
    /// JSON Lines: split and queue as the chunks arrive.
    Lines,
    /// One JSON document: held until the end.
    Document,
}

/// What the input's bytes add up to, for the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// SHA-256 of every byte, hex.
    pub sha256: String,
    /// Bytes read.
    pub bytes: u64,
    /// Lines in the input (blank ones included).
    pub lines: usize,
}

/// Turns chunks of bytes into queued lines and reviews them on request.
///
/// ```
/// use harvest_kernel::{Tolerance, Verdict};
/// use harvest_features::reviewer::Loader;
/// let mut l = Loader::new(Tolerance::default());
/// l.feed(b"{\"oops\n\n{\"position\"");
/// l.feed(b": 1}\n");
/// l.finish();
/// let rows = l.step(|| true);
/// assert_eq!(rows.iter().map(|r| (r.line, r.verdict)).collect::<Vec<_>>(),
///            [(1, Verdict::Invalid), (3, Verdict::Invalid)]);
/// assert!(l.is_done());
/// assert_eq!(l.digest().unwrap().lines, 3);
/// ```
#[derive(Debug)]
pub struct Loader {
    tol: Tolerance,
    mode: Mode,
    splitter: LineSplitter,
    held: Vec<u8>,
    queue: VecDeque<(usize, Vec<u8>)>,
    ended: bool,
    digest: Option<Digest>,
    reviewed: usize,
    bytes_in: u64,
    note: Option<String>,
    /// What a policy line of the input said (`harvest snapshot` files start with one).
    ctx: Context,
}

impl Loader {
    /// A loader reviewing with `tol`.
    pub fn new(tol: Tolerance) -> Self {
        Loader {
            tol,
            mode: Mode::Undecided,
            splitter: LineSplitter::new(),
            held: Vec::new(),
            queue: VecDeque::new(),
            ended: false,
            digest: None,
            reviewed: 0,
            bytes_in: 0,
            note: None,
            ctx: Context::default(),
        }
    }

    /// The tolerance the rows are reviewed with.
    pub fn tolerance(&self) -> Tolerance {
        self.tol
    }

    /// Takes the next chunk of the input (ignored after [`Loader::finish`]).
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.ended {
            return;
        }
        self.bytes_in += chunk.len() as u64;
        if self.mode == Mode::Lines {
            self.split(chunk);
            return;
        }
        self.held.extend_from_slice(chunk);
        if self.mode == Mode::Undecided {
            self.mode = decide(&self.held, false);
        }
        if self.mode == Mode::Document && self.held.len() > MAX_DOCUMENT_BYTES {
            self.note = Some(format!(
                "The input starts like one JSON document but is larger than {} MiB, so it is read \
                 as JSON Lines (one record per line).",
                MAX_DOCUMENT_BYTES >> 20
            ));
            self.mode = Mode::Lines;
        }
        if self.mode == Mode::Lines {
            let held = std::mem::take(&mut self.held);
            self.split(&held);
        }
    }

    fn split(&mut self, bytes: &[u8]) {
        let queue = &mut self.queue;
        self.splitter
            .feed(bytes, |n, line| queue.push_back((n, line.to_vec())));
    }

    /// Ends the input: queues the last line (or the records of a document) and fixes the digest.
    pub fn finish(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        if self.mode == Mode::Undecided {
            self.mode = decide(&self.held, true);
        }
        let held = std::mem::take(&mut self.held);
        let mut splitter = std::mem::take(&mut self.splitter);
        if self.mode == Mode::Document {
            if let Ok(text) = std::str::from_utf8(&held) {
                if let Some(records) = whole_document(text) {
                    splitter.feed(&held, |_, _| {});
                    let (sha256, bytes) = splitter.finish(|_, _| {});
                    let lines = text.lines().count();
                    self.queue.extend(
                        records
                            .into_iter()
                            .enumerate()
                            .map(|(i, r)| (i + 1, r.into_bytes())),
                    );
                    self.digest = Some(Digest {
                        sha256,
                        bytes,
                        lines,
                    });
                    return;
                }
            }
        }
        // JSON Lines, or a "document" that does not parse: read it line by line.
        let queue = &mut self.queue;
        splitter.feed(&held, |n, line| queue.push_back((n, line.to_vec())));
        let mut lines = splitter.lines();
        let (sha256, bytes) = splitter.finish(|n, line| {
            lines = n;
            queue.push_back((n, line.to_vec()));
        });
        self.digest = Some(Digest {
            sha256,
            bytes,
            lines,
        });
    }

    /// Reviews queued lines, one at least, as long as `more()` says so; blank lines give no row.
    pub fn step(&mut self, mut more: impl FnMut() -> bool) -> Vec<ReviewRow> {
        let mut rows = Vec::new();
        while let Some((n, bytes)) = self.queue.pop_front() {
            self.reviewed = n;
            match context_line(&bytes) {
                Some(Ok(ctx)) => self.ctx = ctx,
                Some(Err(e)) => self.note = Some(format!("line {n}: {e}")),
                None => rows.extend(review_line_in(n, &bytes, &self.tol, &self.ctx)),
            }
            if !more() {
                break;
            }
        }
        rows
    }

    /// Lines waiting to be reviewed.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether the input ended and every line was reviewed.
    pub fn is_done(&self) -> bool {
        self.ended && self.queue.is_empty()
    }

    /// SHA-256, bytes and lines of the whole input (after [`Loader::finish`]).
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// Number of the last line reviewed.
    pub fn lines_reviewed(&self) -> usize {
        self.reviewed
    }

    /// Bytes fed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_in
    }

    /// Something the reader should know about how the input was read.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The theta the published records without `proposal_json` were reviewed with, when a
    /// policy line of the input said (a `harvest snapshot` file): one line for people.
    pub fn theta_in_force(&self) -> Option<String> {
        self.ctx.in_force.as_ref().map(|t| t.describe())
    }
}

/// JSON Lines or one document, as [`whole_document`] will see it: an array, or an object whose
/// first line is not a JSON value on its own, is a document candidate.
fn decide(held: &[u8], at_end: bool) -> Mode {
    let Some(start) = held.iter().position(|b| !b.is_ascii_whitespace()) else {
        return if at_end { Mode::Lines } else { Mode::Undecided };
    };
    let rest = &held[start..];
    match rest[0] {
        b'[' => Mode::Document,
        b'{' => match rest.iter().position(|&b| b == b'\n') {
            Some(nl) => {
                let first = rest[..nl].trim_ascii();
                if serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok() {
                    Mode::Lines
                } else {
                    Mode::Document
                }
            }
            // One line in all: a document only if it spans lines, so JSON Lines.
            None if at_end || rest.len() > MAX_LINE_BYTES => Mode::Lines,
            None => Mode::Undecided,
        },
        _ => Mode::Lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reviewer::verify::review_text;
    use harvest_kernel::{propose, HarvestInput, Verdict};

    const SAMPLE: &str = include_str!("../../../../assets/sample-proposals.jsonl");

    fn load(bytes: &[u8], chunk: usize) -> (Vec<ReviewRow>, Digest, Option<String>) {
        let mut l = Loader::new(Tolerance::default());
        let mut rows = Vec::new();
        for c in bytes.chunks(chunk.max(1)) {
            l.feed(c);
            // Review a few lines between chunks, as the page does.
            let mut budget = 3;
            if l.queued() > 0 {
                rows.extend(l.step(|| {
                    budget -= 1;
                    budget > 0
                }));
            }
        }
        l.finish();
        while !l.is_done() {
            rows.extend(l.step(|| true));
        }
        let note = l.note().map(str::to_string);
        (rows, l.digest().cloned().unwrap(), note)
    }

    fn same_as_review_text(text: &str, chunks: &[usize]) {
        let (want, receipt) = review_text(text, &Tolerance::default());
        for &c in chunks {
            let (rows, d, _) = load(text.as_bytes(), c);
            assert_eq!(rows, want, "chunk {c}: {text:.60?}");
            assert_eq!(d.sha256, receipt.input_sha256, "chunk {c}");
            assert_eq!(d.bytes, receipt.input_bytes, "chunk {c}");
            assert_eq!(d.lines, receipt.lines, "chunk {c}: {text:.60?}");
        }
    }

    #[test]
    fn the_sample_in_any_chunking_is_review_text() {
        same_as_review_text(SAMPLE, &[1, 7, 100, 4096, 65536, SAMPLE.len()]);
        let (rows, _, note) = load(SAMPLE.as_bytes(), 1000);
        assert_eq!(rows.len(), 302);
        assert!(note.is_none());
        let n = |v| rows.iter().filter(|r| r.verdict == v).count();
        assert_eq!(
            (n(Verdict::Match), n(Verdict::Mismatch), n(Verdict::Invalid)),
            (292, 8, 2)
        );
    }

    #[test]
    fn documents_and_odd_inputs_match_review_text() {
        let p = propose(&HarvestInput::default()).unwrap();
        let pretty = serde_json::to_string_pretty(&p).unwrap();
        let one = serde_json::to_string(&p).unwrap();
        let input = serde_json::to_string_pretty(&HarvestInput::default()).unwrap();
        let texts = [
            pretty.clone(),
            format!("\n\n  {pretty}\n"),
            format!("[{one}, {input}, 3]"),
            format!("[\n{one},\n{one}\n]\n"),
            pretty[..pretty.len() / 2].to_string(), // truncated pretty JSON
            format!("{one}\n{one}"),
            format!("{one}\r\n\r\n{input}"),
            "[1]\n[2]\n".to_string(),
            "{\"a\": 1}".to_string(),
            "{".to_string(),
            String::new(),
            "\n\n".to_string(),
            "   ".to_string(),
            "x\n{\n}\n".to_string(),
            "{\"position\": {\"side\": \"LONG\"}, \"market_state\": {\"sigma\": \"NaN\"}}\n"
                .to_string(),
        ];
        for t in &texts {
            same_as_review_text(t, &[1, 3, 64, t.len().max(1)]);
        }
        let (rows, _, _) = load(pretty.as_bytes(), 5);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].line, rows[0].verdict), (1, Verdict::Match));
        let array = format!("[{one}, {input}, 3]");
        let (rows, d, _) = load(array.as_bytes(), 10);
        let got: Vec<_> = rows.iter().map(|r| (r.line, r.verdict)).collect();
        assert_eq!(
            got,
            [
                (1, Verdict::Match),
                (2, Verdict::Computed),
                (3, Verdict::Invalid)
            ]
        );
        assert_eq!(d.lines, array.lines().count());
    }

    #[test]
    fn malformed_lines_each_get_a_message_and_the_rest_is_read() {
        let good = serde_json::to_string(&propose(&HarvestInput::default()).unwrap()).unwrap();
        let mut bytes = Vec::new();
        bytes.extend_from_slice(good.as_bytes());
        bytes.extend_from_slice(b"\n{\"audit\": {\"position\"\n"); // 2: truncated
        bytes.extend_from_slice(
            good.replace("\"sigma\":0.01", "\"sigma\":\"NaN\"")
                .as_bytes(),
        );
        bytes.extend_from_slice(b"\n\x00\x01\xff\xfe binary\n"); // 4: binary
        bytes.extend_from_slice(b"\n"); // 5: empty
        bytes.extend(std::iter::repeat_n(b'a', MAX_LINE_BYTES + 10)); // 6: huge
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(good.as_bytes()); // 7: good, no newline
        for chunk in [1 << 10, 1 << 16, bytes.len()] {
            let (rows, d, _) = load(&bytes, chunk);
            let got: Vec<_> = rows.iter().map(|r| (r.line, r.verdict)).collect();
            assert_eq!(
                got,
                [
                    (1, Verdict::Match),
                    (2, Verdict::Invalid),
                    (3, Verdict::Invalid),
                    (4, Verdict::Invalid),
                    (6, Verdict::Invalid),
                    (7, Verdict::Match)
                ],
                "chunk {chunk}"
            );
            let err = |i: usize| rows[i].error.clone().unwrap_or_default();
            assert!(err(1).contains("EOF"), "{}", err(1));
            assert!(
                err(2).contains("sigma") && err(2).contains("NaN"),
                "{}",
                err(2)
            );
            assert!(err(3).starts_with("binary data"), "{}", err(3));
            assert!(err(4).contains("longer than"), "{}", err(4));
            assert_eq!(d.lines, 7);
            assert_eq!(d.bytes, bytes.len() as u64);
        }
    }

    #[test]
    fn a_huge_document_is_read_as_lines_with_a_note() {
        let one = serde_json::to_string(&HarvestInput::default()).unwrap();
        let mut text = String::from("[\n");
        while text.len() <= MAX_DOCUMENT_BYTES {
            text.push_str(&one);
            text.push_str(",\n");
        }
        text.push_str("1]\n");
        let (rows, d, note) = load(text.as_bytes(), 1 << 20);
        assert!(note.unwrap().contains("JSON Lines"));
        assert_eq!(d.lines, text.lines().count());
        // Each `{…},` line is no JSON on its own: INVALID with the parser's message.
        assert!(rows.iter().all(|r| r.verdict == Verdict::Invalid));
    }

    #[test]
    fn feeding_after_finish_is_ignored() {
        let mut l = Loader::new(Tolerance::default());
        l.feed(b"{}\n");
        l.finish();
        l.feed(b"{}\n");
        l.finish();
        assert_eq!(l.queued(), 1);
        assert_eq!(l.bytes_read(), 3);
        let rows = l.step(|| false);
        assert_eq!(rows.len(), 1);
        assert_eq!(l.lines_reviewed(), 1);
        assert!(l.is_done());
    }
}
