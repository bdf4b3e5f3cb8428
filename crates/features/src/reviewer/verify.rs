//! Reviewer: read proposal and input records (JSON or JSON Lines), recompute each with the kernel,
//! and give a verdict with field-level diffs. One code path for `harvest verify` and the
//! dashboard's reviewer view.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use harvest_kernel::echo::clip_message;
use harvest_kernel::{HarvestInput, Tolerance, Verdict, KERNEL_VERSION};
use sha2::{Digest as _, Sha256};

pub use super::row::{
    parse_json, review_proposal, review_record, JsonError, RecordKind, ReviewRow,
};

/// Longest line a record may have (1 MiB); a longer one is INVALID with a message saying so.
pub const MAX_LINE_BYTES: usize = 1 << 20;

fn classify(text: &str) -> RecordKind {
    // A cheap look at the top-level keys; a full parse follows. (A plain byte scan: the wasm
    // build then needs no substring-search machinery.)
    let has = |key: &[u8]| text.as_bytes().windows(key.len()).any(|w| w == key);
    if has(b"\"audit\"") {
        RecordKind::Proposal
    } else if has(b"\"position\"") {
        RecordKind::Input
    } else if super::published::looks_published(text) {
        RecordKind::Published
    } else {
        RecordKind::Unknown
    }
}

/// Why a line is not text, if it is not: invalid UTF-8 or control bytes (binary data).
fn binary_problem(bytes: &[u8]) -> Option<String> {
    if let Some(col) = bytes
        .iter()
        .position(|&b| b < 0x20 && b != b'\t' && b != b'\r')
    {
        return Some(format!(
            "binary data: byte 0x{:02x} at column {}; expected JSON text",
            bytes[col],
            col + 1
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "binary data: invalid UTF-8 at column {}; expected JSON text",
            e.valid_up_to() + 1
        )),
    }
}

/// A line of JSON Lines without what is not part of its record: a `\r` before its `\n` and a
/// byte order mark at its start (editors write one on the first line, `cat` of such files on
/// any line).
///
/// ```
/// use harvest_features::reviewer::verify::line_body;
/// assert_eq!(line_body(b"\xef\xbb\xbf{\"a\": 1}\r"), b"{\"a\": 1}");
/// ```
pub fn line_body(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// The INVALID row of line `line`, `len` bytes long, over [`MAX_LINE_BYTES`]: it is not read.
///
/// ```
/// use harvest_features::reviewer::verify::too_long_row;
/// let row = too_long_row(3, 5_000_000);
/// assert_eq!(row.error.unwrap(), "line is 5000000 bytes, longer than the 1048576 bytes a record may have");
/// ```
pub fn too_long_row(line: usize, len: u64) -> ReviewRow {
    ReviewRow::invalid(
        line,
        RecordKind::Unknown,
        format!("line is {len} bytes, longer than the {MAX_LINE_BYTES} bytes a record may have"),
    )
}

/// Reviews one line (1-based `line`); `None` for a blank line.
///
/// A proposal (has `audit`) is recomputed from its audit inputs and theta and compared with
/// [`compare`]; an input record is computed (verdict COMPUTED). Anything unreadable, or rejected
/// by the kernel, is INVALID with a message naming the field.
///
/// ```
/// use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
/// use harvest_features::reviewer::verify::review_line;
/// let p = propose(&HarvestInput::default()).unwrap();
/// let line = serde_json::to_string(&p).unwrap();
/// let row = review_line(7, line.as_bytes(), &Tolerance::default()).unwrap();
/// assert_eq!((row.line, row.verdict), (7, Verdict::Match));
/// let row = review_line(8, b"{\"audit\": 1", &Tolerance::default()).unwrap();
/// assert_eq!(row.verdict, Verdict::Invalid);
/// ```
pub fn review_line(line: usize, bytes: &[u8], tol: &Tolerance) -> Option<ReviewRow> {
    review_line_in(line, bytes, tol, &super::published::Context::default())
}

/// What a line is besides a record: a policy line (`harvest snapshot`'s first line) sets the
/// context the published records after it are reviewed in (`Some(Ok)`), or cannot be read
/// (`Some(Err)`, a message); `None` for any other line.
///
/// ```
/// use harvest_features::reviewer::verify::context_line;
/// let line = br#"{"policy_record":{"key":"quantum:policy:current","fields":{},"read_at":7.0}}"#;
/// assert_eq!(context_line(line).unwrap().unwrap().read_at, Some(7.0));
/// assert!(context_line(b"{\"harvest_action\": \"NONE\"}").is_none());
/// ```
pub fn context_line(bytes: &[u8]) -> Option<Result<super::published::Context, String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let line = harvest_records::policy::PolicyLine::parse(text.trim())?;
    Some(line.map(|l| super::published::Context::of_policy(&l, None)))
}

/// [`review_line`] in a context (the theta in force, the time the records were read): what a
/// policy line of the same input said. A policy line itself gives no row.
pub fn review_line_in(
    line: usize,
    bytes: &[u8],
    tol: &Tolerance,
    ctx: &super::published::Context,
) -> Option<ReviewRow> {
    let bytes = line_body(bytes);
    if context_line(bytes).is_some() {
        return None;
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return None;
    }
    if bytes.len() > MAX_LINE_BYTES {
        return Some(too_long_row(line, bytes.len() as u64));
    }
    if let Some(problem) = binary_problem(bytes) {
        return Some(ReviewRow::invalid(line, RecordKind::Unknown, problem));
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let kind = classify(text);
    let (input, recorded) = match kind {
        RecordKind::Proposal => return Some(review_proposal(line, text, tol)),
        RecordKind::Input => match parse_json::<HarvestInput>(text) {
            Ok(i) => (i, None),
            Err(e) => return Some(ReviewRow::invalid(line, kind, e.to_string())),
        },
        RecordKind::Published => {
            return Some(super::published::review_published(line, text, tol, ctx));
        }
        RecordKind::Unknown => {
            let e = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Err(e) => format!("not JSON: {}", clip_message(&e.to_string())),
                Ok(_) => "neither a proposal (object with `audit`) nor an input (object with \
                          `position` and `market_state`)"
                    .to_string(),
            };
            return Some(ReviewRow::invalid(line, kind, e));
        }
    };
    Some(review_record(line, kind, input, recorded, tol))
}

/// Splits a byte stream fed in chunks into lines (a line may span chunks), numbering them from 1
/// and hashing every byte for the receipt.
#[derive(Debug, Default, Clone)]
pub struct LineSplitter {
    pending: Vec<u8>,
    line: usize,
    hasher: Sha256,
    bytes: u64,
    oversized: bool,
}

impl LineSplitter {
    /// A fresh splitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk; calls `f(line_number, bytes)` for every complete line in it. A line longer
    /// than [`MAX_LINE_BYTES`] is passed on truncated to `MAX_LINE_BYTES + 1` bytes, so it is
    /// reported as too long without holding it all in memory.
    pub fn feed(&mut self, chunk: &[u8], mut f: impl FnMut(usize, &[u8])) {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.line += 1;
            let (head, tail) = (&rest[..nl], &rest[nl + 1..]);
            if self.pending.is_empty() && !self.oversized {
                f(self.line, head);
            } else {
                self.push_pending(head);
                f(self.line, &self.pending);
                self.pending.clear();
                self.oversized = false;
            }
            rest = tail;
        }
        self.push_pending(rest);
    }

    fn push_pending(&mut self, part: &[u8]) {
        let room = (MAX_LINE_BYTES + 1).saturating_sub(self.pending.len());
        if part.len() > room {
            self.oversized = true;
        }
        self.pending
            .extend_from_slice(&part[..part.len().min(room)]);
    }

    /// Ends the stream: passes on a last line without a newline, returns (SHA-256 hex, bytes).
    pub fn finish(mut self, mut f: impl FnMut(usize, &[u8])) -> (String, u64) {
        if !self.pending.is_empty() {
            self.line += 1;
            f(self.line, &self.pending);
        }
        self.pending.clear();
        (format!("{:x}", self.hasher.finalize()), self.bytes)
    }

    /// Lines seen so far.
    pub fn lines(&self) -> usize {
        self.line
    }

    /// Bytes seen so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

/// Counts over a review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Records reviewed (blank lines excluded).
    pub records: usize,
    /// Per verdict, keyed by its spelling.
    pub verdicts: BTreeMap<String, usize>,
    /// Per recomputed action, keyed by its spelling.
    pub actions: BTreeMap<String, usize>,
    /// Published records with a second opinion (what the facts the running publisher ignores
    /// would change; not a verdict).
    #[serde(default)]
    pub second_opinions: usize,
}

impl Counts {
    /// Adds one row.
    pub fn add(&mut self, row: &ReviewRow) {
        self.records += 1;
        *self
            .verdicts
            .entry(row.verdict.as_str().to_string())
            .or_default() += 1;
        if let Some(a) = row.action {
            *self.actions.entry(a.as_str().to_string()).or_default() += 1;
        }
        self.second_opinions += usize::from(row.second_opinion.is_some());
    }

    /// Adds another tally (e.g. one thread's).
    pub fn merge(&mut self, other: Counts) {
        self.records += other.records;
        for (k, v) in other.verdicts {
            *self.verdicts.entry(k).or_default() += v;
        }
        for (k, v) in other.actions {
            *self.actions.entry(k).or_default() += v;
        }
        self.second_opinions += other.second_opinions;
    }

    /// Count of one verdict.
    pub fn verdict(&self, v: Verdict) -> usize {
        self.verdicts.get(v.as_str()).copied().unwrap_or(0)
    }

    /// Whether everything matched or was computed (nothing mismatched or invalid).
    pub fn all_good(&self) -> bool {
        self.verdict(Verdict::Mismatch) == 0 && self.verdict(Verdict::Invalid) == 0
    }
}

/// The summary a reviewer attaches to a sign-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always `"harvest-lab review"`.
    pub tool: String,
    /// [`KERNEL_VERSION`].
    pub kernel_version: String,
    /// Tolerance used for every numeric comparison.
    pub tolerance: Tolerance,
    /// SHA-256 of the input bytes, hex.
    pub input_sha256: String,
    /// Size of the input.
    pub input_bytes: u64,
    /// Lines in the input (blank ones included).
    pub lines: usize,
    /// Counts per verdict and action.
    pub counts: Counts,
}

impl Receipt {
    /// Builds a receipt.
    pub fn new(tol: Tolerance, sha256: String, bytes: u64, lines: usize, counts: Counts) -> Self {
        Receipt {
            tool: "harvest-lab review".to_string(),
            kernel_version: KERNEL_VERSION.to_string(),
            tolerance: tol,
            input_sha256: sha256,
            input_bytes: bytes,
            lines,
            counts,
        }
    }

    /// One human line, e.g. for stderr.
    pub fn summary_line(&self) -> String {
        let v: Vec<String> = Verdict::ALL
            .iter()
            .map(|v| format!("{} {}", self.counts.verdict(*v), v.as_str()))
            .collect();
        let second = match self.counts.second_opinions {
            0 => String::new(),
            n => format!("; {n} with a second opinion"),
        };
        format!(
            "{} records: {}{second} (tolerance abs {}, rel {}; kernel {}; sha256 {})",
            self.counts.records,
            v.join(", "),
            crate::format::exp(self.tolerance.abs),
            crate::format::exp(self.tolerance.rel),
            self.kernel_version,
            self.input_sha256
        )
    }
}

/// CSV header of [`csv_row`].
pub const CSV_HEADER: &str =
    "line,verdict,kind,symbol,side,recorded_action,action,R_net,kill_score,reason_codes,diff_fields,diffs,error,second_opinion";

/// One CSV row (no newline), columns as in [`CSV_HEADER`]; text cells guarded against
/// spreadsheet formulas ([`crate::csv_text`]), numbers as `{:?}` writes them.
pub fn csv_row(row: &ReviewRow) -> String {
    use crate::csv_text::Cell::{Plain, Text};
    let num = |v: Option<f64>| v.map(crate::format::debug).unwrap_or_default();
    let codes: Vec<&str> = row.reason_codes.iter().map(|c| c.as_str()).collect();
    let fields: Vec<&str> = row.diffs.iter().map(|d| d.field.as_str()).collect();
    let diffs: Vec<String> = row
        .diffs
        .iter()
        .map(|d| format!("{}: {} → {}", d.field, d.recorded, d.recomputed))
        .collect();
    let (line, r_net, k) = (row.line.to_string(), num(row.r_net), num(row.kill_score));
    let (codes, fields, diffs) = (codes.join(" "), fields.join(" "), diffs.join("; "));
    let second = row
        .second_opinion
        .as_ref()
        .map(|o| o.notes.join("; "))
        .unwrap_or_default();
    crate::csv_text::row(&[
        Plain(&line),
        Plain(row.verdict.as_str()),
        Plain(row.kind.as_str()),
        Text(&row.symbol),
        Plain(row.side.map_or("", |s| s.as_str())),
        Text(row.recorded_action.as_deref().unwrap_or("")),
        Plain(row.action.map_or("", |a| a.as_str())),
        Plain(&r_net),
        Plain(&k),
        Text(&codes),
        Text(&fields),
        Text(&diffs),
        Text(row.error.as_deref().unwrap_or("")),
        Text(&second),
    ])
}

/// Reviews a whole text at once (the sample file, a paste): rows and receipt.
///
/// JSON Lines as a rule; a text that is one pretty-printed JSON object is one record, and a JSON
/// array is one record per element (numbered 1, 2, …).
///
/// ```
/// use harvest_kernel::{Tolerance, Verdict};
/// use harvest_features::reviewer::verify::review_text;
/// let (rows, receipt) = review_text("\n{oops\n", &Tolerance::default());
/// assert_eq!(rows.len(), 1);
/// assert_eq!(rows[0].line, 2);
/// assert_eq!(receipt.counts.verdict(Verdict::Invalid), 1);
/// ```
pub fn review_text(text: &str, tol: &Tolerance) -> (Vec<ReviewRow>, Receipt) {
    let mut rows = Vec::new();
    let mut splitter = LineSplitter::new();
    if let Some(records) = whole_document(text) {
        for (i, rec) in records.iter().enumerate() {
            if let Some(r) = review_line(i + 1, rec.as_bytes(), tol) {
                rows.push(r);
            }
        }
        splitter.feed(text.as_bytes(), |_, _| {});
    } else {
        let mut push = |n: usize, b: &[u8]| rows.extend(review_line(n, b, tol));
        splitter.feed(text.as_bytes(), &mut push);
        let lines = splitter.lines();
        let (sha, bytes) = splitter.finish(&mut push);
        let lines = lines + usize::from(!text.is_empty() && !text.ends_with('\n'));
        let counts = count(&rows);
        return (rows, Receipt::new(*tol, sha, bytes, lines, counts));
    }
    let lines = text.lines().count();
    let (sha, bytes) = splitter.finish(|_, _| {});
    let counts = count(&rows);
    (rows, Receipt::new(*tol, sha, bytes, lines, counts))
}

fn count(rows: &[ReviewRow]) -> Counts {
    let mut c = Counts::default();
    rows.iter().for_each(|r| c.add(r));
    c
}

/// A text that is not JSON Lines but one JSON document: a multi-line object (one record) or an
/// array (one record per element), re-serialised compactly; `None` for JSON Lines (or for a
/// document that does not parse, which is then read line by line). [`review_text`] uses it; the
/// dashboard calls it for a dropped file that looks like one document.
///
/// ```
/// use harvest_features::reviewer::verify::whole_document;
/// assert_eq!(whole_document("[{\"a\": 1}, 2]").unwrap(), ["{\"a\":1}", "2"]);
/// assert_eq!(whole_document("{\n  \"a\": 1\n}\n").unwrap(), ["{\"a\":1}"]);
/// assert!(whole_document("{\"a\": 1}\n{\"a\": 2}\n").is_none());
/// ```
pub fn whole_document(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    let first_line = t.lines().next()?.trim();
    let one_line_ok = serde_json::from_str::<serde::de::IgnoredAny>(first_line).is_ok();
    // (An array whose first item is a string is one flat `[name, value, …]` record.)
    if t.starts_with('[') && !t[1..].trim_start().starts_with('"') {
        let items: Vec<serde_json::Value> = serde_json::from_str(t).ok()?;
        return Some(items.iter().map(|v| v.to_string()).collect());
    }
    if one_line_ok || !t.starts_with('{') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(t).ok()?;
    Some(vec![v.to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The receipt's hash of `data` fed to a [`LineSplitter`] in chunks of `chunk` bytes.
    fn receipt_hash(data: &[u8], chunk: usize) -> String {
        let mut s = LineSplitter::new();
        for c in data.chunks(chunk.max(1)) {
            s.feed(c, |_, _| {});
        }
        s.finish(|_, _| {}).0
    }

    /// The receipt's SHA-256 (sha2) on FIPS 180-4 vectors, fed whole and in odd chunks: the
    /// hex text the hand-written hasher wrote before.
    #[test]
    fn receipt_hash_known_vectors_in_any_chunking() {
        let vectors: [(&[u8], &str); 4] = [
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                &[b'a'; 1_000_000],
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
            ),
        ];
        for (data, want) in vectors {
            for chunk in [1, 63, 64, 65, 4096, data.len()] {
                if chunk <= 1 && data.len() > 1000 {
                    continue;
                }
                assert_eq!(receipt_hash(data, chunk), want, "chunk {chunk}");
            }
        }
    }
}
