//! Everything the reviewer has loaded: one [`Batch`] per file (or paste, or sample), each with
//! its rows, counts and receipt; re-reviewing with another tolerance; the exports.

use crate::format::shortest;
use crate::reviewer::verify::{csv_row, review_record, Counts, Receipt, ReviewRow, CSV_HEADER};
use harvest_kernel::{propose, HarvestInput, Proposal, RecordedOutput, Side, Tolerance, Verdict};

use super::loader::Digest;

/// Why an input stopped being read part-way (its rows so far are kept).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The browser could not read the file on from `offset` (it may have been moved or
    /// changed since it was picked).
    #[error("reading stopped at byte {offset}: {reason}")]
    Read {
        /// Bytes read before the failure.
        offset: u64,
        /// The browser's reason.
        reason: String,
    },
}

/// Where a batch is.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchStatus {
    /// Being read and reviewed.
    Loading,
    /// Read to the end: the receipt is available.
    Done,
    /// Stopped by the user: the rows so far are kept, there is no receipt.
    Cancelled,
    /// The input could not be read to the end; rows so far are kept.
    Failed(LoadError),
}

/// One loaded input.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Stable id (never reused).
    pub id: u32,
    /// File name, or what it was ("pasted text").
    pub name: String,
    /// Total size if known (files), for the progress bar.
    pub size: Option<u64>,
    /// The reviewed records, in line order (blank lines have none).
    pub rows: Vec<ReviewRow>,
    /// Counts over `rows`.
    pub counts: Counts,
    /// The tolerance `rows` were reviewed with.
    pub tolerance: Tolerance,
    /// Where it is.
    pub status: BatchStatus,
    /// SHA-256, bytes and lines of the input, once read to the end.
    pub digest: Option<Digest>,
    /// How the input was read, if worth saying.
    pub note: Option<String>,
}

/// What a batch exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Export {
    /// The review as JSON Lines (as `harvest verify --format jsonl`).
    Jsonl,
    /// The review as CSV (as `harvest verify --format csv`).
    Csv,
    /// The receipt (as `harvest verify --receipt`), once the input was read to the end.
    Receipt,
}

impl Export {
    /// Every export, in the order the card offers them.
    pub const ALL: [Export; 3] = [Export::Jsonl, Export::Csv, Export::Receipt];

    /// Its button's words.
    pub fn label(self) -> &'static str {
        match self {
            Export::Jsonl => "JSON Lines",
            Export::Csv => "CSV",
            Export::Receipt => "Receipt",
        }
    }

    /// What it holds, in words (its button's tooltip).
    pub fn hint(self) -> &'static str {
        match self {
            Export::Jsonl => "One JSON object per record (as harvest verify --format jsonl)",
            Export::Csv => "One CSV row per record (as harvest verify --format csv)",
            Export::Receipt => "Counts, tolerance, kernel version and the input's SHA-256 (only for a file read to the end)",
        }
    }

    /// `data-testid` of its button.
    pub fn testid(self) -> &'static str {
        match self {
            Export::Jsonl => "export-jsonl",
            Export::Csv => "export-csv",
            Export::Receipt => "export-receipt",
        }
    }
}

/// A file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// Its name.
    pub name: String,
    /// Its MIME type.
    pub mime: &'static str,
    /// Its content.
    pub text: String,
}

impl Batch {
    /// A new, empty batch being loaded.
    pub fn new(id: u32, name: &str, size: Option<u64>, tolerance: Tolerance) -> Self {
        Batch {
            id,
            name: name.to_string(),
            size,
            rows: Vec::new(),
            counts: Counts::default(),
            tolerance,
            status: BatchStatus::Loading,
            digest: None,
            note: None,
        }
    }

    /// Appends reviewed rows.
    pub fn push(&mut self, rows: Vec<ReviewRow>) {
        rows.iter().for_each(|r| self.counts.add(r));
        self.rows.extend(rows);
    }

    /// Makes room at once for the rows a big input will give, estimated from the bytes read so
    /// far (so 100,000 rows are not copied over and over as the table grows). Call it once a
    /// few hundred rows are in.
    pub fn reserve_for(&mut self, bytes_read: u64, bytes_total: u64) {
        if self.rows.len() < 256 || bytes_read == 0 || bytes_total <= bytes_read {
            return;
        }
        let expected = self.rows.len() as f64 * bytes_total as f64 / bytes_read as f64 * 1.02;
        let more = (expected as usize).saturating_sub(self.rows.capacity());
        self.rows.reserve_exact(more.min(10_000_000));
    }

    /// The receipt, once the whole input was read.
    pub fn receipt(&self) -> Option<Receipt> {
        let d = self.digest.as_ref()?;
        (self.status == BatchStatus::Done).then(|| {
            Receipt::new(
                self.tolerance,
                d.sha256.clone(),
                d.bytes,
                d.lines,
                self.counts.clone(),
            )
        })
    }

    /// Re-reviews rows from index `from` with `tol` while `more()` says so (one at least);
    /// returns the next index (`rows.len()` when done; then call [`Batch::finish_rerun`]).
    pub fn rerun(&mut self, from: usize, tol: &Tolerance, mut more: impl FnMut() -> bool) -> usize {
        let mut i = from;
        while i < self.rows.len() {
            rereview(&mut self.rows[i], tol);
            i += 1;
            if !more() {
                break;
            }
        }
        i
    }

    /// Records that every row was re-reviewed with `tol` and recounts.
    pub fn finish_rerun(&mut self, tol: Tolerance) {
        self.tolerance = tol;
        let mut c = Counts::default();
        self.rows.iter().for_each(|r| c.add(r));
        self.counts = c;
    }

    /// The review as JSON Lines, exactly as `harvest verify --format jsonl` writes it.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::with_capacity(self.rows.len() * 300);
        for r in &self.rows {
            if let Ok(line) = serde_json::to_string(r) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    /// The review as CSV, exactly as `harvest verify --format csv` writes it.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(self.rows.len() * 200);
        out.push_str(CSV_HEADER);
        out.push('\n');
        for r in &self.rows {
            out.push_str(&csv_row(r));
            out.push('\n');
        }
        out
    }

    /// The receipt as pretty JSON (as `harvest verify --receipt` writes it), once available.
    pub fn receipt_json(&self) -> Option<String> {
        self.receipt()
            .and_then(|r| serde_json::to_string_pretty(&r).ok())
            .map(|s| s + "\n")
    }

    /// The export `what`: its file name, type and content (`None`: no receipt yet).
    ///
    /// ```
    /// use harvest_kernel::Tolerance;
    /// use harvest_features::reviewer::{Batch, Export};
    /// let b = Batch::new(1, "a.jsonl", None, Tolerance::default());
    /// assert_eq!(b.export(Export::Csv).unwrap().name, "a.review.csv");
    /// assert!(b.export(Export::Receipt).is_none(), "still loading");
    /// ```
    pub fn export(&self, what: Export) -> Option<ExportFile> {
        let (suffix, mime, text) = match what {
            Export::Jsonl => (".review.jsonl", "application/x-ndjson", self.to_jsonl()),
            Export::Csv => (".review.csv", "text/csv", self.to_csv()),
            Export::Receipt => (".receipt.json", "application/json", self.receipt_json()?),
        };
        Some(ExportFile {
            name: self.export_name(suffix),
            mime,
            text,
        })
    }

    /// The first `max` INVALID rows: (line, message).
    pub fn errors(&self, max: usize) -> Vec<(usize, String)> {
        self.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Invalid)
            .take(max)
            .map(|r| (r.line, r.error.clone().unwrap_or_default()))
            .collect()
    }

    /// A file name for an export: the input's name without its extension, plus `suffix`.
    ///
    /// ```
    /// use harvest_kernel::Tolerance;
    /// use harvest_features::reviewer::Batch;
    /// let b = Batch::new(3, "my file (2).jsonl", None, Tolerance::default());
    /// assert_eq!(b.export_name(".review.csv"), "my_file__2_.review.csv");
    /// ```
    pub fn export_name(&self, suffix: &str) -> String {
        let stem = match self.name.rsplit_once('.') {
            Some((s, ext))
                if !s.is_empty()
                    && ext.len() <= 6
                    && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                s
            }
            _ => self.name.as_str(),
        };
        let clean: String = stem
            .chars()
            .take(60)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let clean = clean.trim_matches('.');
        if clean.is_empty() {
            format!("review-{}{suffix}", self.id)
        } else {
            format!("{clean}{suffix}")
        }
    }
}

/// Re-reviews one row with another tolerance (rows that could not be read stay as they are).
pub fn rereview(row: &mut ReviewRow, tol: &Tolerance) {
    if let Some(input) = row.input.take() {
        let recorded = row.recorded.take();
        let kept = (
            std::mem::take(&mut row.symbol),
            std::mem::take(&mut row.unchecked),
            row.second_opinion.take(),
        );
        *row = review_record(row.line, row.kind, input, recorded, tol);
        // What the tolerance does not change: the record's symbol, what could not be checked, the
        // second opinion.
        if !kept.0.is_empty() {
            row.symbol = kept.0;
        }
        row.unchecked = kept.1;
        row.second_opinion = kept.2;
    }
}

/// A row in the store: batch index and row index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowRef {
    /// Index in [`Store::batches`].
    pub batch: u32,
    /// Index in that batch's rows.
    pub row: u32,
}

/// Everything loaded, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// The batches, in load order.
    pub batches: Vec<Batch>,
    next_id: u32,
}

impl Store {
    /// Starts a new batch; returns its id.
    pub fn add(&mut self, name: &str, size: Option<u64>, tol: Tolerance) -> u32 {
        self.next_id += 1;
        let id = self.next_id;
        self.batches.push(Batch::new(id, name, size, tol));
        id
    }

    /// The batch with id `id`.
    pub fn get(&self, id: u32) -> Option<&Batch> {
        self.batches.iter().find(|b| b.id == id)
    }

    /// The batch with id `id`, to change.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut Batch> {
        self.batches.iter_mut().find(|b| b.id == id)
    }

    /// Removes a batch (and its rows).
    pub fn remove(&mut self, id: u32) {
        self.batches.retain(|b| b.id != id);
    }

    /// Counts over every batch.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for b in &self.batches {
            c.merge(b.counts.clone());
        }
        c
    }

    /// Rows in every batch.
    pub fn records(&self) -> usize {
        self.batches.iter().map(|b| b.rows.len()).sum()
    }

    /// One row.
    pub fn row(&self, r: RowRef) -> Option<(&Batch, &ReviewRow)> {
        let b = self.batches.get(r.batch as usize)?;
        b.rows.get(r.row as usize).map(|row| (b, row))
    }

    /// The distinct symbols, sorted (at most `max`), for the symbol filter's suggestions.
    pub fn symbols(&self, max: usize) -> Vec<String> {
        let mut set = std::collections::BTreeSet::new();
        for r in self.batches.iter().flat_map(|b| b.rows.iter()) {
            if !r.symbol.is_empty() && set.len() < max && !set.contains(r.symbol.as_str()) {
                set.insert(r.symbol.clone());
            }
        }
        set.into_iter().collect()
    }
}

/// A record opened in the explorer from the reviewer: what it recorded (or what the kernel
/// computed at review time, for an input record), to show beside the live proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedRecord {
    /// The batch's name.
    pub file: String,
    /// Line in that file.
    pub line: usize,
    /// The verdict at review time.
    pub verdict: Verdict,
    /// Symbol.
    pub symbol: String,
    /// Side.
    pub side: Option<Side>,
    /// The record's inputs (the explorer starts from them).
    pub input: HarvestInput,
    /// The recorded outputs (proposal records), else the kernel's at review time.
    pub baseline: Option<RecordedOutput>,
    /// Whether `baseline` was recorded (a proposal) or computed (an input record).
    pub recorded: bool,
    /// Why the kernel rejects the inputs, if it does.
    pub error: Option<String>,
    /// The tolerance of the review.
    pub tolerance: Tolerance,
}

/// One line of the "recorded vs now" comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompareLine {
    /// Output field (`harvest_action`, `R_net`, `kill_score`, `new_sl_proposed`).
    pub field: &'static str,
    /// Label for people.
    pub label: &'static str,
    /// The recorded (or reviewed) value.
    pub then: String,
    /// The value now.
    pub now: String,
    /// Whether they differ beyond the tolerance (the kernel's [`compare`](harvest_kernel::compare)).
    pub differs: bool,
}

/// The loose output form of a proposal (what a record carries).
fn as_recorded(p: &Proposal) -> RecordedOutput {
    RecordedOutput {
        harvest_action: p.harvest_action.as_str().to_string(),
        new_sl_proposed: p.new_sl_proposed,
        r_net: p.r_net,
        risk_unit: p.risk_unit,
        cost_est: p.cost_est,
        kill_score: p.kill_score,
        reason_codes: p
            .reason_codes
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        k_components: Some(p.audit.k_components),
        tranche_weights: Some(p.audit.tranche_weights),
    }
}

fn opt_text(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), shortest)
}

impl OpenedRecord {
    /// The record of `row` from file `file`; `None` when it has no inputs to open.
    pub fn from_row(row: &ReviewRow, file: &str, tolerance: Tolerance) -> Option<Self> {
        let input = row.input.clone()?;
        let (baseline, error) = match (&row.recorded, propose(&input)) {
            (Some(r), Ok(_)) => (Some(r.clone()), None),
            (Some(r), Err(e)) => (Some(r.clone()), Some(e.to_string())),
            (None, Ok(p)) => (Some(as_recorded(&p)), None),
            (None, Err(e)) => (None, Some(e.to_string())),
        };
        Some(OpenedRecord {
            file: file.to_string(),
            line: row.line,
            verdict: row.verdict,
            symbol: row.symbol.clone(),
            side: row.side,
            input,
            baseline,
            recorded: row.recorded.is_some(),
            error,
            tolerance,
        })
    }

    /// Action, R_net, K and the new stop: then (recorded) against `now`, with the fields that
    /// differ beyond the tolerance marked, plus the names of any other differing fields.
    pub fn compare_now(&self, now: &Proposal) -> (Vec<CompareLine>, Vec<String>) {
        let Some(b) = &self.baseline else {
            return (Vec::new(), Vec::new());
        };
        let diffs = harvest_kernel::compare(b, now, &self.tolerance);
        let differs = |f: &str| diffs.iter().any(|d| d.field == f);
        let lines = vec![
            CompareLine {
                field: "harvest_action",
                label: "Action",
                then: b.harvest_action.clone(),
                now: now.harvest_action.as_str().to_string(),
                differs: differs("harvest_action"),
            },
            CompareLine {
                field: "R_net",
                label: "R_net",
                then: shortest(b.r_net),
                now: shortest(now.r_net),
                differs: differs("R_net"),
            },
            CompareLine {
                field: "kill_score",
                label: "Kill score K",
                then: shortest(b.kill_score),
                now: shortest(now.kill_score),
                differs: differs("kill_score"),
            },
            CompareLine {
                field: "new_sl_proposed",
                label: "New SL",
                then: opt_text(b.new_sl_proposed),
                now: opt_text(now.new_sl_proposed),
                differs: differs("new_sl_proposed"),
            },
        ];
        let shown = ["harvest_action", "R_net", "kill_score", "new_sl_proposed"];
        let others = diffs
            .iter()
            .map(|d| d.field.clone())
            .filter(|f| !shown.contains(&f.as_str()))
            .collect();
        (lines, others)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::reviewer::verify::review_text;

    pub(crate) const SAMPLE: &str = include_str!("../../../../assets/sample-proposals.jsonl");

    /// The shipped sample reviewed into batch 1 named `name` (of `size` bytes, if known), done.
    pub(crate) fn reviewed_sample(name: &str, size: Option<u64>) -> Batch {
        let (rows, receipt) = review_text(SAMPLE, &Tolerance::default());
        let mut b = Batch::new(1, name, size, Tolerance::default());
        b.push(rows);
        b.digest = Some(Digest {
            sha256: receipt.input_sha256,
            bytes: receipt.input_bytes,
            lines: receipt.lines,
        });
        b.status = BatchStatus::Done;
        b
    }

    fn sample_batch() -> Batch {
        reviewed_sample("sample-proposals.jsonl", None)
    }

    #[test]
    fn receipt_and_exports_are_the_clis() {
        let b = sample_batch();
        let (_, want) = review_text(SAMPLE, &Tolerance::default());
        assert_eq!(b.receipt().unwrap(), want);
        let back: Receipt = serde_json::from_str(&b.receipt_json().unwrap()).unwrap();
        assert_eq!(back, want);
        let jsonl = b.to_jsonl();
        assert_eq!(jsonl.lines().count(), 302);
        let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(first["line"], 1);
        assert!(first.get("input").is_none(), "inputs are not exported");
        let csv = b.to_csv();
        assert_eq!(csv.lines().next().unwrap(), CSV_HEADER);
        assert_eq!(csv.lines().count(), 303);
        assert!(csv.lines().any(|l| l.starts_with("120,INVALID,")));
        assert_eq!(
            b.errors(5).iter().map(|e| e.0).collect::<Vec<_>>(),
            [120, 240]
        );
        // No receipt before the end or after a cancel.
        let mut c = b.clone();
        c.status = BatchStatus::Cancelled;
        assert!(c.receipt().is_none() && c.receipt_json().is_none());
        assert!(c.export(Export::Receipt).is_none());
        // The downloads: name, type, content.
        let b = Batch {
            name: "sample-proposals.jsonl".into(),
            ..b
        };
        let cases = [
            (
                Export::Jsonl,
                "sample-proposals.review.jsonl",
                "application/x-ndjson",
                jsonl,
            ),
            (Export::Csv, "sample-proposals.review.csv", "text/csv", csv),
            (
                Export::Receipt,
                "sample-proposals.receipt.json",
                "application/json",
                b.receipt_json().unwrap(),
            ),
        ];
        for (what, name, mime, text) in cases {
            let f = b.export(what).unwrap();
            assert_eq!((f.name.as_str(), f.mime), (name, mime), "{what:?}");
            assert_eq!(f.text, text, "{what:?}");
        }
    }

    #[test]
    fn rerun_with_another_tolerance_is_a_fresh_review_with_it() {
        let mut b = sample_batch();
        let loose = Tolerance { abs: 1.0, rel: 0.5 };
        let mut i = 0;
        while i < b.rows.len() {
            let mut n = 0;
            i = b.rerun(i, &loose, || {
                n += 1;
                n < 17
            });
        }
        b.finish_rerun(loose);
        let (want, receipt) = review_text(SAMPLE, &loose);
        assert_eq!(b.rows, want);
        assert_eq!(b.counts, receipt.counts);
        assert_eq!(b.tolerance, loose);
        assert!(b.counts.verdict(Verdict::Mismatch) < 8, "{:?}", b.counts);
        assert_eq!(b.counts.verdict(Verdict::Invalid), 2);
    }

    #[test]
    fn store_counts_symbols_and_removal() {
        let mut s = Store::default();
        let a = s.add("a", None, Tolerance::default());
        let b = s.add("b", Some(10), Tolerance::default());
        assert_ne!(a, b);
        *s.get_mut(a).unwrap() = Batch {
            id: a,
            ..sample_batch()
        };
        s.get_mut(b)
            .unwrap()
            .push(review_text("{x\n", &Tolerance::default()).0);
        assert_eq!(s.records(), 303);
        assert_eq!(s.counts().verdict(Verdict::Invalid), 3);
        assert_eq!(s.symbols(100).len(), 6);
        assert_eq!(s.symbols(2).len(), 2);
        let (batch, row) = s.row(RowRef { batch: 1, row: 0 }).unwrap();
        assert_eq!((batch.id, row.line), (b, 1));
        assert!(s.row(RowRef { batch: 2, row: 0 }).is_none());
        s.remove(a);
        assert_eq!(s.records(), 1);
        assert!(s.get(a).is_none());
        assert!(
            s.add("c", None, Tolerance::default()) > b,
            "ids are not reused"
        );
    }

    #[test]
    fn opened_record_compares_recorded_with_now() {
        let b = sample_batch();
        let row = b.rows.iter().find(|r| r.line == 17).unwrap();
        let o = OpenedRecord::from_row(row, &b.name, b.tolerance).unwrap();
        assert_eq!(
            (o.line, o.verdict, o.recorded),
            (17, Verdict::Mismatch, true)
        );
        let now = propose(&o.input).unwrap();
        let (lines, _) = o.compare_now(&now);
        assert_eq!(lines.len(), 4);
        assert!(lines[0].differs, "line 17 has its action altered");
        assert!(!lines[1].differs);
        // A matching record: nothing differs; an input record compares with its computation.
        let row = b.rows.iter().find(|r| r.line == 1).unwrap();
        let o = OpenedRecord::from_row(row, &b.name, b.tolerance).unwrap();
        let (lines, others) = o.compare_now(&propose(&o.input).unwrap());
        assert!(lines.iter().all(|l| !l.differs) && others.is_empty());
        let input = HarvestInput::default();
        let line = serde_json::to_string(&input).unwrap();
        let row = crate::reviewer::verify::review_line(1, line.as_bytes(), &Tolerance::default())
            .unwrap();
        let o = OpenedRecord::from_row(&row, "x", Tolerance::default()).unwrap();
        assert!(!o.recorded);
        let mut moved = input.clone();
        moved.position.unrealized_pnl = 5.0;
        let (lines, _) = o.compare_now(&propose(&moved).unwrap());
        assert!(lines.iter().any(|l| l.field == "R_net" && l.differs));
        // Unreadable records cannot be opened.
        let bad = b.rows.iter().find(|r| r.line == 120).unwrap();
        assert!(OpenedRecord::from_row(bad, "x", Tolerance::default()).is_none());
    }

    #[test]
    fn every_sample_record_opens_in_the_explorer_exactly_and_its_link_reproduces_it() {
        use crate::explorer::{decode, encode, UiState};
        let b = sample_batch();
        let mut opened = 0;
        for row in b.rows.iter().filter(|r| r.input.is_some()) {
            let o = OpenedRecord::from_row(row, &b.name, b.tolerance).unwrap();
            let state = UiState::from_input(&o.input);
            let want = propose(&o.input).unwrap();
            let got = propose(&state.to_input()).unwrap();
            assert_eq!(got.harvest_action, want.harvest_action, "line {}", row.line);
            assert_eq!(
                got.r_net.to_bits(),
                want.r_net.to_bits(),
                "line {}",
                row.line
            );
            assert_eq!(got.kill_score.to_bits(), want.kill_score.to_bits());
            assert_eq!(got.new_sl_proposed, want.new_sl_proposed);
            assert_eq!(got.reason_codes, want.reason_codes);
            assert_eq!(got.audit.theta, want.audit.theta);
            let back = decode(&encode(&state));
            assert!(
                back.problems.is_empty(),
                "line {}: {:?}",
                row.line,
                back.problems
            );
            // The same kernel input (a hidden stop behind "none" is not in the link).
            assert_eq!(back.state.to_input(), state.to_input(), "line {}", row.line);
            opened += 1;
        }
        assert_eq!(opened, 300);
    }

    #[test]
    fn room_for_the_expected_rows() {
        let mut b = sample_batch();
        b.rows.shrink_to_fit();
        b.reserve_for(1000, 1000);
        assert_eq!(b.rows.capacity(), 302, "nothing to come");
        b.reserve_for(368_459, 368_459 * 100);
        assert!(b.rows.capacity() >= 30_200, "{}", b.rows.capacity());
        let mut few = Batch::new(2, "x", None, Tolerance::default());
        few.reserve_for(10, 1_000_000);
        assert_eq!(few.rows.capacity(), 0, "too few rows to estimate from");
    }

    #[test]
    fn export_names_are_safe() {
        let mut b = Batch::new(4, "", None, Tolerance::default());
        assert_eq!(b.export_name(".csv"), "review-4.csv");
        b.name = "../../etc/passwd".into();
        assert_eq!(b.export_name(".csv"), "_.._etc_passwd.csv");
        b.name = "pasted text".into();
        assert_eq!(b.export_name(".receipt.json"), "pasted_text.receipt.json");
    }
}
