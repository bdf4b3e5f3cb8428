//! What the reviewer's view shows, as plain data: the text of every table cell and detail, the
//! loaded files' cards, the count chips, the pager's line and the progress figures. The
//! dashboard's components only place these in markup; everything here is natively tested.

use harvest_kernel::{HarvestAction, Verdict, KERNEL_VERSION};

use crate::format::fixed_or_dash;
use crate::format::{exp, sci};
use crate::reviewer::verify::{Counts, ReviewRow};

use super::allowed_diff;
use super::explain::Explanation;
use super::store::{Batch, BatchStatus, Export, RowRef, Store};
use super::table::{ActionFilter, Filter, PageInfo};
use crate::format::{fmt_bytes, fmt_count};

/// `verdict` in lower case (the CSS class suffix `v-…`).
///
/// ```
/// use harvest_kernel::Verdict;
/// use harvest_features::reviewer::verdict_key;
/// assert_eq!(verdict_key(Verdict::Mismatch), "mismatch");
/// ```
pub fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Match => "match",
        Verdict::Mismatch => "mismatch",
        Verdict::Invalid => "invalid",
        Verdict::Computed => "computed",
    }
}

/// The CSS classes of a verdict's badge: `verdict v-<verdict>`.
///
/// ```
/// use harvest_kernel::Verdict;
/// use harvest_features::reviewer::verdict_class;
/// assert_eq!(verdict_class(Verdict::Match), "verdict v-match");
/// ```
pub fn verdict_class(v: Verdict) -> String {
    format!("verdict v-{}", verdict_key(v))
}

/// The CSS classes of an action's badge (`act a0` … `act a4`, plain `act` for none).
pub fn action_class(a: Option<HarvestAction>) -> &'static str {
    match a {
        Some(HarvestAction::None) => "act a0",
        Some(HarvestAction::Partial25) => "act a1",
        Some(HarvestAction::Partial50) => "act a2",
        Some(HarvestAction::Partial75) => "act a3",
        Some(HarvestAction::FullCloseProposed) => "act a4",
        None => "act",
    }
}

/// A table number: three decimals, `–` when missing.
///
/// ```
/// use harvest_features::reviewer::num_cell;
/// assert_eq!(num_cell(Some(2.5)), "2.500");
/// assert_eq!(num_cell(None), "–");
/// ```
pub fn num_cell(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| fixed_or_dash(v, 3))
}

/// A diff figure: three significant digits in scientific notation, `–` when missing.
pub fn sci_cell(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| sci(v, 3))
}

/// `tolerance abs 1e-9, rel 1e-9`.
pub fn tolerance_text(tol: &harvest_kernel::Tolerance) -> String {
    format!("tolerance abs {}, rel {}", exp(tol.abs), exp(tol.rel))
}

/// The rows of one page of `selection`, as shown.
///
/// ```
/// use harvest_kernel::Tolerance;
/// use harvest_features::reviewer::verify::review_text;
/// use harvest_features::reviewer::{page_info, page_rows, select, Filter, Sort, Store};
/// let mut s = Store::default();
/// let id = s.add("x", None, Tolerance::default());
/// s.get_mut(id).unwrap().push(review_text("{oops\n\n[1]\n", &Tolerance::default()).0);
/// let all = select(&s, &Filter::default(), Sort::default());
/// let rows = page_rows(&s, &all, &page_info(all.len(), 0, 100));
/// assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3]);
/// ```
pub fn page_rows(store: &Store, selection: &[RowRef], page: &PageInfo) -> Vec<RowCells> {
    selection
        .get(page.start..page.end)
        .unwrap_or_default()
        .iter()
        .filter_map(|&at| {
            store
                .row(at)
                .map(|(b, row)| RowCells::new(b, at.row as usize, row))
        })
        .collect()
}

/// One field of a MISMATCH's diff, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiffCells {
    /// The output field (`kill_score`, `audit.k_components.sigma_spike`, …).
    pub field: String,
    /// The recorded value, rounded to as few digits as tell it from the kernel's
    /// ([`distinct_pair`](crate::format::distinct_pair)); text as recorded when not a number.
    pub recorded: String,
    /// The kernel's value, rounded the same way.
    pub recomputed: String,
    /// The recorded value exactly (its JSON text).
    pub recorded_exact: String,
    /// The kernel's value exactly (its JSON text).
    pub recomputed_exact: String,
    /// |recorded − recomputed|.
    pub abs: String,
    /// |Δ| / max(|recorded|, |recomputed|).
    pub rel: String,
    /// max(abs, rel × max(|recorded|, |recomputed|)).
    pub allowed: String,
    /// Why the kernel computes this.
    pub why: String,
}

/// What follows a row that did not match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RowDetail {
    /// The line could not be read, or the kernel rejects its inputs.
    Invalid {
        /// The message.
        message: String,
    },
    /// The record differs from the kernel's recomputation.
    Mismatch {
        /// The conclusion, severity and reason codes named ([`explain`](super::explain)).
        explanation: Option<Explanation>,
        /// Each differing field.
        diffs: Vec<DiffCells>,
        /// `tolerance abs …, rel …` (the batch's).
        tolerance: String,
    },
}

/// One row of the records table, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowCells {
    /// The batch's id.
    pub batch_id: u32,
    /// The batch's name (the File cell's tooltip).
    pub batch_name: String,
    /// Index of the row in its batch.
    pub index: usize,
    /// Line in the file.
    pub line: usize,
    /// The verdict.
    pub verdict: Verdict,
    /// Symbol.
    pub symbol: String,
    /// Side, `–` when unknown.
    pub side: &'static str,
    /// The kernel's action, `–` for none.
    pub action: &'static str,
    /// Its badge's classes.
    pub action_class: &'static str,
    /// The action the record carries, when it is not the kernel's.
    pub recorded_action: Option<String>,
    /// R_net, three decimals.
    pub r_net: String,
    /// K, three decimals.
    pub kill_score: String,
    /// Whether the row has inputs to open in the explorer.
    pub openable: bool,
    /// The details under a MISMATCH or INVALID row.
    pub detail: Option<RowDetail>,
    /// A published record's second opinion, its sentences joined (not a verdict).
    pub second_opinion: Option<String>,
}

impl RowCells {
    /// Row `index` of batch `batch`.
    pub fn new(batch: &Batch, index: usize, row: &ReviewRow) -> Self {
        let action = row.action.map_or("–", |a| a.as_str());
        let detail = match row.verdict {
            Verdict::Invalid => Some(RowDetail::Invalid {
                message: row.error.clone().unwrap_or_default(),
            }),
            Verdict::Mismatch => Some(RowDetail::Mismatch {
                explanation: super::explain(row),
                diffs: row
                    .diffs
                    .iter()
                    .map(|d| {
                        let (recorded, recomputed) = rounded_pair(&d.recorded, &d.recomputed);
                        DiffCells {
                            field: d.field.clone(),
                            recorded,
                            recomputed,
                            recorded_exact: d.recorded.clone(),
                            recomputed_exact: d.recomputed.clone(),
                            abs: sci_cell(d.abs_diff),
                            rel: sci_cell(d.rel_diff),
                            allowed: sci_cell(allowed_diff(d, &batch.tolerance)),
                            why: d.why.clone(),
                        }
                    })
                    .collect(),
                tolerance: tolerance_text(&batch.tolerance),
            }),
            Verdict::Match | Verdict::Computed => None,
        };
        RowCells {
            batch_id: batch.id,
            batch_name: batch.name.clone(),
            index,
            line: row.line,
            verdict: row.verdict,
            symbol: row.symbol.clone(),
            side: row.side.map_or("–", |s| s.as_str()),
            action,
            action_class: action_class(row.action),
            recorded_action: row.recorded_action.clone().filter(|r| r != action),
            r_net: num_cell(row.r_net),
            kill_score: num_cell(row.kill_score),
            openable: row.input.is_some(),
            detail,
            second_opinion: row.second_opinion.as_ref().map(|o| o.notes.join("; ")),
        }
    }

    /// The row's classes: `rec v-<verdict>`, plus `openable` and `has-detail`.
    pub fn class(&self) -> String {
        let mut c = format!("rec v-{}", verdict_key(self.verdict));
        if self.openable {
            c.push_str(" openable");
        }
        if self.detail.is_some() {
            c.push_str(" has-detail");
        }
        c
    }

    /// The row's tooltip.
    pub fn title(&self) -> &'static str {
        if self.openable {
            "Open this record in the explorer"
        } else {
            "This line could not be read: there are no inputs to open"
        }
    }

    /// What the row's open button says to a screen reader: `Open line 42 in the explorer`.
    pub fn open_label(&self) -> String {
        format!("Open line {} in the explorer", self.line)
    }

    /// The verdict badge's classes: `verdict v-<verdict>`.
    pub fn verdict_class(&self) -> String {
        verdict_class(self.verdict)
    }

    /// The classes of the detail row under it: `detail v-<verdict>`.
    pub fn detail_class(&self) -> String {
        format!("detail v-{}", verdict_key(self.verdict))
    }

    /// The record a click opens in the explorer, `(batch id, index in the batch)`: none for a
    /// line that could not be read.
    pub fn target(&self) -> Option<(u32, usize)> {
        self.openable.then_some((self.batch_id, self.index))
    }
}

/// A recorded and a recomputed value (JSON text) as the diff shows them: two numbers rounded to
/// as few digits as tell them apart, anything else as it is.
///
/// ```
/// use harvest_features::reviewer::rounded_pair;
/// assert_eq!(rounded_pair("0.61", "0.5031337166998747"), ("0.61".into(), "0.503".into()));
/// assert_eq!(rounded_pair("null", "100.2"), ("null".into(), "100.2".into()));
/// ```
pub fn rounded_pair(recorded: &str, recomputed: &str) -> (String, String) {
    match (recorded.parse::<f64>(), recomputed.parse::<f64>()) {
        (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() => crate::format::distinct_pair(a, b),
        _ => (recorded.to_string(), recomputed.to_string()),
    }
}

/// The text of the diff's foot note.
pub fn diff_note(line: usize, tolerance: &str) -> String {
    format!(
        "Line {line} · compared with {tolerance} (Allowed = max(abs, rel × max(|recorded|, |recomputed|))); actions and reason codes must be identical."
    )
}

/// The pager's line: `Records 1–100 of 302 · page 1 of 4`.
///
/// ```
/// use harvest_features::reviewer::{page_info, page_text};
/// assert_eq!(page_text(&page_info(302, 0, 100)), "Records 1–100 of 302 · page 1 of 4");
/// assert_eq!(page_text(&page_info(0, 0, 100)), "No records match the filters");
/// ```
pub fn page_text(p: &PageInfo) -> String {
    if p.total == 0 {
        "No records match the filters".to_string()
    } else {
        format!(
            "Records {}–{} of {} · page {} of {}",
            fmt_count(p.start + 1),
            fmt_count(p.end),
            fmt_count(p.total),
            fmt_count(p.page + 1),
            fmt_count(p.pages),
        )
    }
}

/// How many INVALID lines a file's card lists (the table has them all).
pub const CARD_ERRORS: usize = 3;

/// The card of one loaded file, as shown (equal cards show the same markup).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchCard {
    /// The batch's id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its size (`368.5 KB`), empty when unknown.
    pub size: String,
    /// `loading`, `done`, `cancelled` or `failed` (`data-status`, CSS class `st-…`).
    pub status_key: &'static str,
    /// Where it is, for people.
    pub status: String,
    /// `302 records: 292 MATCH · 8 MISMATCH · 2 INVALID`.
    pub counts: String,
    /// Lines, full SHA-256 and its first 16 digits, once read to the end.
    pub digest: Option<(String, String, String)>,
    /// `tolerance abs 1e-9, rel 1e-9 · kernel 1.2.3`.
    pub tolerance: String,
    /// How the input was read, if worth saying.
    pub note: Option<String>,
    /// The first [`CARD_ERRORS`] INVALID lines: (line, message).
    pub errors: Vec<(usize, String)>,
    /// `… and 5 more (filter the table by INVALID)` when there are more.
    pub more_errors: Option<String>,
    /// Whether the review exports (JSON Lines, CSV) and Remove apply (not while loading).
    pub settled: bool,
    /// Whether the receipt is available (read to the end).
    pub receipt: bool,
}

impl BatchCard {
    /// Whether `what` can be downloaded now: the review once the batch settled, the receipt
    /// once the input was read to the end.
    pub fn can_export(&self, what: Export) -> bool {
        match what {
            Export::Jsonl | Export::Csv => self.settled,
            Export::Receipt => self.receipt,
        }
    }

    /// The card of `b`.
    pub fn new(b: &Batch) -> Self {
        let (status_key, status) = match &b.status {
            BatchStatus::Loading => ("loading", "reviewing…".to_string()),
            BatchStatus::Done => ("done", "reviewed".to_string()),
            BatchStatus::Cancelled => (
                "cancelled",
                "cancelled: the records read so far are kept; no receipt".to_string(),
            ),
            BatchStatus::Failed(e) => ("failed", format!("stopped: {e}; no receipt")),
        };
        let verdicts: Vec<String> = Verdict::ALL
            .iter()
            .filter(|v| b.counts.verdict(**v) > 0)
            .map(|v| format!("{} {}", fmt_count(b.counts.verdict(*v)), v.as_str()))
            .collect();
        let counts = format!(
            "{} records{}{}",
            fmt_count(b.counts.records),
            if verdicts.is_empty() { "" } else { ": " },
            verdicts.join(" · ")
        );
        let errors = b.errors(CARD_ERRORS);
        let more = b
            .counts
            .verdict(Verdict::Invalid)
            .saturating_sub(errors.len());
        BatchCard {
            id: b.id,
            name: b.name.clone(),
            size: b.size.map(|s| fmt_bytes(s as f64)).unwrap_or_default(),
            status_key,
            status,
            counts,
            digest: b.digest.as_ref().map(|d| {
                (
                    fmt_count(d.lines),
                    d.sha256.clone(),
                    d.sha256.chars().take(16).collect(),
                )
            }),
            tolerance: format!("{} · kernel {KERNEL_VERSION}", tolerance_text(&b.tolerance)),
            note: b.note.clone(),
            errors,
            more_errors: (more > 0).then(|| {
                format!(
                    "… and {} more (filter the table by INVALID)",
                    fmt_count(more)
                )
            }),
            settled: b.status != BatchStatus::Loading,
            receipt: b.status == BatchStatus::Done,
        }
    }
}

/// A count that filters the table when clicked: one per verdict and one per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Chip {
    /// Records with this verdict.
    Verdict(Verdict),
    /// Records the kernel proposes this action for.
    Action(HarvestAction),
}

impl Chip {
    /// The verdict chips, in order.
    pub const VERDICTS: [Chip; 4] = [
        Chip::Verdict(Verdict::Match),
        Chip::Verdict(Verdict::Mismatch),
        Chip::Verdict(Verdict::Invalid),
        Chip::Verdict(Verdict::Computed),
    ];

    /// The action chips, in order.
    pub const ACTIONS: [Chip; 5] = [
        Chip::Action(HarvestAction::None),
        Chip::Action(HarvestAction::Partial25),
        Chip::Action(HarvestAction::Partial50),
        Chip::Action(HarvestAction::Partial75),
        Chip::Action(HarvestAction::FullCloseProposed),
    ];

    /// The spelling (`MISMATCH`, `PARTIAL_25`): label and test id suffix.
    pub fn name(self) -> &'static str {
        match self {
            Chip::Verdict(v) => v.as_str(),
            Chip::Action(a) => a.as_str(),
        }
    }

    /// The records it counts in `c`.
    pub fn count(self, c: &Counts) -> usize {
        match self {
            Chip::Verdict(v) => c.verdict(v),
            Chip::Action(a) => c.actions.get(a.as_str()).copied().unwrap_or(0),
        }
    }

    /// Whether `f` filters by it.
    pub fn active(self, f: &Filter) -> bool {
        match self {
            Chip::Verdict(v) => f.verdict == Some(v),
            Chip::Action(a) => f.action == ActionFilter::Is(a),
        }
    }

    /// A click: filter by it, or, if `f` already does, stop filtering by its kind.
    pub fn toggle(self, f: &mut Filter) {
        let on = !self.active(f);
        match self {
            Chip::Verdict(v) => f.verdict = on.then_some(v),
            Chip::Action(a) => {
                f.action = if on {
                    ActionFilter::Is(a)
                } else {
                    ActionFilter::Any
                }
            }
        }
    }

    /// Its classes (`active` is added by the view).
    pub fn class(self) -> String {
        match self {
            Chip::Verdict(v) => format!("count v-{}", verdict_key(v)),
            Chip::Action(_) => "count action-count".to_string(),
        }
    }

    /// Its tooltip.
    pub fn title(self) -> String {
        match self {
            Chip::Verdict(v) => format!("Show only {} records (again: show all)", v.as_str()),
            Chip::Action(a) => format!(
                "Show only records the kernel proposes {} for (again: show all)",
                a.as_str()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reviewer::verify::review_text;
    use crate::reviewer::{page_info, LoadError};
    use harvest_kernel::Tolerance;

    fn batch() -> Batch {
        crate::reviewer::store::tests::reviewed_sample("<sample>.jsonl", Some(368_459))
    }

    fn cells(b: &Batch, line: usize) -> RowCells {
        let i = b.rows.iter().position(|r| r.line == line).unwrap();
        RowCells::new(b, i, &b.rows[i])
    }

    #[test]
    fn row_cells_and_details() {
        let b = batch();
        let m = cells(&b, 42);
        assert_eq!((m.batch_id, m.index, m.line), (1, 41, 42));
        assert_eq!(m.verdict, Verdict::Mismatch);
        assert_eq!(m.class(), "rec v-mismatch openable has-detail");
        assert_eq!(m.title(), "Open this record in the explorer");
        let Some(RowDetail::Mismatch {
            explanation,
            diffs,
            tolerance,
        }) = &m.detail
        else {
            panic!("{:?}", m.detail)
        };
        assert_eq!(tolerance, "tolerance abs 1e-9, rel 1e-9");
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].field, "kill_score");
        // Rounded to as few digits as tell them apart; the exact texts beside.
        assert!(
            diffs[0].recorded.len() < diffs[0].recorded_exact.len(),
            "{:?}",
            diffs[0]
        );
        assert_ne!(diffs[0].recorded, diffs[0].recomputed);
        assert_eq!(
            explanation.as_ref().map(|e| e.severity),
            Some(crate::reviewer::Severity::Low)
        );
        assert!(diffs[0].abs.contains('e'), "{:?}", diffs[0]);
        assert_eq!(diffs[0].allowed, "1.000e-9");
        // The action differs from the recorded one on line 17.
        let a = cells(&b, 17);
        assert!(a.recorded_action.is_some() && a.recorded_action.as_deref() != Some(a.action));
        assert_eq!(
            cells(&b, 1).recorded_action,
            None,
            "shown only when it differs"
        );
        let ok = cells(&b, 1);
        assert_eq!(ok.class(), "rec v-match openable");
        assert!(ok.detail.is_none());
        assert_eq!(ok.r_net.split('.').nth(1).map(str::len), Some(3));
        let bad = cells(&b, 120);
        assert_eq!(bad.class(), "rec v-invalid has-detail");
        assert_eq!((bad.r_net.as_str(), bad.action, bad.side), ("–", "–", "–"));
        assert!(
            matches!(&bad.detail, Some(RowDetail::Invalid { message }) if message.contains("EOF"))
        );
        assert!(bad.title().contains("no inputs"));
        assert_eq!(bad.target(), None, "nothing to open");
        assert_eq!(m.target(), Some((1, 41)));
        assert_eq!(m.open_label(), "Open line 42 in the explorer");
        for (r, v) in [(&ok, "match"), (&m, "mismatch"), (&bad, "invalid")] {
            assert_eq!(r.verdict_class(), format!("verdict v-{v}"));
            assert_eq!(r.detail_class(), format!("detail v-{v}"));
            assert_eq!(verdict_key(r.verdict), v);
        }
        let computed = RowCells {
            verdict: Verdict::Computed,
            ..ok.clone()
        };
        assert_eq!(computed.verdict_class(), "verdict v-computed");
        assert_eq!(computed.detail_class(), "detail v-computed");
        assert!(diff_note(42, "tolerance abs 1e-9, rel 1e-9")
            .starts_with("Line 42 · compared with tolerance abs 1e-9, rel 1e-9 (Allowed"));
    }

    #[test]
    fn page_rows_follow_the_page_and_the_review() {
        let mut s = Store::default();
        let id = s.add("a", None, Tolerance::default());
        *s.get_mut(id).unwrap() = Batch { id, ..batch() };
        let all = crate::reviewer::select(&s, &Filter::default(), Default::default());
        let last = page_rows(&s, &all, &page_info(all.len(), 3, 100));
        assert_eq!(last.iter().map(|r| r.line).collect::<Vec<_>>(), [301, 302]);
        assert_eq!(
            page_rows(&s, &all, &page_info(all.len(), 0, 100)).len(),
            100
        );
        // A looser re-review: line 42's kill score now matches.
        let loose = Tolerance { abs: 1.0, rel: 0.5 };
        let b = s.get_mut(id).unwrap();
        let mut i = 0;
        while i < b.rows.len() {
            i = b.rerun(i, &loose, || true);
        }
        b.finish_rerun(loose);
        let first = page_rows(&s, &all, &page_info(all.len(), 0, 100));
        assert_eq!(first[41].line, 42);
        assert_eq!(first[41].verdict, Verdict::Match);
        // Out of range: nothing.
        assert!(page_rows(&s, &all[..0], &page_info(302, 0, 100)).is_empty());
    }

    #[test]
    fn batch_cards() {
        let mut b = batch();
        let c = BatchCard::new(&b);
        assert_eq!(c.status_key, "done");
        assert_eq!(c.counts, "302 records: 292 MATCH · 8 MISMATCH · 2 INVALID");
        assert_eq!(c.size, "368.5 KB");
        assert_eq!(c.name, "<sample>.jsonl", "names are text, never markup");
        let (lines, sha, short) = c.digest.clone().unwrap();
        assert_eq!((lines.as_str(), short.len(), sha.len()), ("302", 16, 64));
        assert!(c
            .tolerance
            .starts_with("tolerance abs 1e-9, rel 1e-9 · kernel "));
        assert_eq!(c.errors.iter().map(|e| e.0).collect::<Vec<_>>(), [120, 240]);
        assert_eq!(c.more_errors, None);
        assert!(c.settled && c.receipt);
        b.status = BatchStatus::Loading;
        let c = BatchCard::new(&b);
        assert!(!c.settled && !c.receipt);
        assert_eq!(c.status, "reviewing…");
        b.status = BatchStatus::Cancelled;
        let c = BatchCard::new(&b);
        assert!(c.settled && !c.receipt);
        b.status = BatchStatus::Failed(LoadError::Read {
            offset: 1_048_576,
            reason: "<x>".into(),
        });
        assert_eq!(
            BatchCard::new(&b).status,
            "stopped: reading stopped at byte 1048576: <x>; no receipt"
        );
        let mut many = Batch::new(2, "bad", None, Tolerance::default());
        many.push(review_text("x\ny\nz\nw\nv\n", &Tolerance::default()).0);
        let c = BatchCard::new(&many);
        assert_eq!(c.errors.len(), CARD_ERRORS);
        assert_eq!(
            c.more_errors.as_deref(),
            Some("… and 2 more (filter the table by INVALID)")
        );
        assert_eq!(c.counts, "5 records: 5 INVALID");
        assert!(c.digest.is_none());
        let empty = Batch::new(3, "e", None, Tolerance::default());
        assert_eq!(BatchCard::new(&empty).counts, "0 records");
    }

    #[test]
    fn chips_count_and_toggle_the_filter() {
        let b = batch();
        let mut f = Filter::default();
        let cases = [
            (Chip::Verdict(Verdict::Match), 292),
            (Chip::Verdict(Verdict::Mismatch), 8),
            (Chip::Verdict(Verdict::Invalid), 2),
            (Chip::Verdict(Verdict::Computed), 0),
        ];
        for (chip, n) in cases {
            assert_eq!(chip.count(&b.counts), n, "{chip:?}");
        }
        let actions: usize = Chip::ACTIONS.iter().map(|c| c.count(&b.counts)).sum();
        assert_eq!(actions, 300);
        let mism = Chip::Verdict(Verdict::Mismatch);
        mism.toggle(&mut f);
        assert!(mism.active(&f) && f.verdict == Some(Verdict::Mismatch));
        Chip::Verdict(Verdict::Match).toggle(&mut f);
        assert_eq!(
            f.verdict,
            Some(Verdict::Match),
            "another verdict replaces it"
        );
        Chip::Verdict(Verdict::Match).toggle(&mut f);
        assert_eq!(f.verdict, None, "again: all");
        let full = Chip::Action(HarvestAction::FullCloseProposed);
        full.toggle(&mut f);
        assert_eq!(f.action, ActionFilter::Is(HarvestAction::FullCloseProposed));
        assert!(full.active(&f) && !mism.active(&f));
        full.toggle(&mut f);
        assert_eq!(f.action, ActionFilter::Any);
        assert_eq!(mism.name(), "MISMATCH");
        assert_eq!(full.name(), "FULL_CLOSE_PROPOSED");
        assert_eq!(mism.class(), "count v-mismatch");
        assert_eq!(full.class(), "count action-count");
        assert!(full.title().contains("FULL_CLOSE_PROPOSED"));
        let names: std::collections::HashSet<_> = Chip::VERDICTS
            .iter()
            .chain(&Chip::ACTIONS)
            .map(|c| c.name())
            .collect();
        assert_eq!(names.len(), 9, "test ids are distinct");
    }

    #[test]
    fn cells_of_numbers() {
        let cases = [
            (Some(2.5), "2.500"),
            (Some(-0.0001), "0.000"),
            (Some(-1.25), "-1.250"),
            (None, "–"),
            (Some(f64::NAN), "–"),
        ];
        for (v, want) in cases {
            assert_eq!(num_cell(v), want, "{v:?}");
        }
        assert_eq!(sci_cell(None), "–");
        assert_eq!(action_class(None), "act");
        assert_eq!(action_class(Some(HarvestAction::Partial50)), "act a2");
    }
}
