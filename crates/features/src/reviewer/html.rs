//! The reviewer's large, mostly static markup as HTML text: one page of table rows with their
//! details, the loaded files' cards, the counts, the reviewed-record panel.
//!
//! Why text and not Leptos views: the dashboard's download budget (150 KiB of gzipped wasm).
//! Each distinct Leptos view tree costs several KiB of monomorphized code, while this module is
//! a few string pushes; the UI sets it with `inner_html` and handles clicks by delegation
//! (buttons carry `data-act`). Every piece of record data goes through [`esc`].

use crate::format::{exp, fixed, Num};
use std::fmt::Write as _;

use crate::explorer::fmt_fixed;
use crate::reviewer::verify::{Counts, ReviewRow};
use harvest_kernel::{HarvestAction, Proposal, Verdict, KERNEL_VERSION};

use super::store::{Batch, BatchStatus, OpenedRecord};
use super::table::{ActionFilter, Column, Filter, PageInfo, Sort};
use super::{allowed_diff, fmt_bytes, fmt_count};

/// `s` with `& < > " '` escaped, safe in element text and in quoted attributes.
///
/// ```
/// use harvest_features::reviewer::esc;
/// assert_eq!(esc(r#"<b a="1">&'"#), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
/// ```
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `verdict` in lower case (CSS class suffix).
pub fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Match => "match",
        Verdict::Mismatch => "mismatch",
        Verdict::Invalid => "invalid",
        Verdict::Computed => "computed",
    }
}

fn act_class(a: Option<HarvestAction>) -> &'static str {
    match a {
        Some(HarvestAction::None) => "act a0",
        Some(HarvestAction::Partial25) => "act a1",
        Some(HarvestAction::Partial50) => "act a2",
        Some(HarvestAction::Partial75) => "act a3",
        Some(HarvestAction::FullCloseProposed) => "act a4",
        None => "act",
    }
}

fn sci(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| crate::format::sci(v, 3))
}

/// A row of the table as it is placed: its batch (id, name, tolerance), its index in the
/// batch, the record.
pub struct RowHtml<'a> {
    /// The batch.
    pub batch: &'a Batch,
    /// Index of the row in `batch.rows`.
    pub index: usize,
    /// The record.
    pub row: &'a ReviewRow,
}

/// Table rows (`<tr>`s) for one page: each record, and under a MISMATCH its field-level diff
/// with the tolerance, under an INVALID its line and message. A row with inputs carries
/// `data-batch` / `data-index` and an "open" button.
pub fn rows_html(rows: &[RowHtml<'_>], multi: bool) -> String {
    let mut h = String::with_capacity(rows.len() * 600);
    let cols = if multi { 8 } else { 7 };
    for r in rows {
        let row = r.row;
        let vkey = verdict_key(row.verdict);
        let openable = row.input.is_some();
        let detail = matches!(row.verdict, Verdict::Mismatch | Verdict::Invalid);
        let _ = write!(
            h,
            "<tr data-testid=\"review-row\" data-line=\"{}\" data-verdict=\"{}\" data-batch=\"{}\" data-index=\"{}\" class=\"rec v-{vkey}{}{}\" title=\"{}\">",
            row.line,
            row.verdict.as_str(),
            r.batch.id,
            r.index,
            if openable { " openable" } else { "" },
            if detail { " has-detail" } else { "" },
            if openable {
                "Open this record in the explorer"
            } else {
                "This line could not be read: there are no inputs to open"
            }
        );
        if multi {
            let _ = write!(
                h,
                "<td class=\"file\" title=\"{}\">#{}</td>",
                esc(&r.batch.name),
                r.batch.id
            );
        }
        if openable {
            let _ = write!(
                h,
                "<td class=\"line\"><button type=\"button\" class=\"open\" data-testid=\"review-open\" aria-label=\"Open line {0} in the explorer\">{0}<span aria-hidden=\"true\"> ↗</span></button></td>",
                row.line
            );
        } else {
            let _ = write!(h, "<td class=\"line\">{}</td>", row.line);
        }
        let num = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| fmt_fixed(v, 3));
        let action = row.action.map_or("–", |a| a.as_str());
        let _ = write!(
            h,
            "<td class=\"sym\">{}</td><td>{}</td><td><span class=\"{}\">{action}</span>",
            esc(&row.symbol),
            row.side.map_or("–", |s| s.as_str()),
            act_class(row.action),
        );
        if let Some(rec) = row.recorded_action.as_deref().filter(|r| *r != action) {
            let _ = write!(
                h,
                "<span class=\"recorded-action\" title=\"The action the record carries\"> recorded {}</span>",
                esc(rec)
            );
        }
        let _ = write!(
            h,
            "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><span class=\"verdict v-{vkey}\">{}</span></td></tr>",
            num(row.r_net),
            num(row.kill_score),
            row.verdict.as_str()
        );
        if detail {
            let _ = write!(h, "<tr class=\"detail v-{vkey}\"><td colspan=\"{cols}\">");
            detail_html(&mut h, r);
            h.push_str("</td></tr>");
        }
    }
    h
}

fn detail_html(h: &mut String, r: &RowHtml<'_>) {
    let row = r.row;
    let line = row.line;
    if row.verdict == Verdict::Invalid {
        let _ = write!(
            h,
            "<div class=\"rec-error\" data-testid=\"review-error\" data-line=\"{line}\" role=\"note\"><strong>Line {line}: </strong>{}</div>",
            esc(row.error.as_deref().unwrap_or(""))
        );
        return;
    }
    let tol = r.batch.tolerance;
    let _ = write!(
        h,
        "<div class=\"diff\" data-testid=\"review-diff\" data-line=\"{line}\"><table><thead><tr>\
         <th scope=\"col\">Field</th><th scope=\"col\">Recorded</th><th scope=\"col\">Recomputed</th>\
         <th scope=\"col\" title=\"|recorded − recomputed|\">|Δ|</th>\
         <th scope=\"col\" title=\"|Δ| / max(|recorded|, |recomputed|)\">rel Δ</th>\
         <th scope=\"col\" title=\"max(abs, rel × max(|recorded|, |recomputed|))\">Allowed</th>\
         <th scope=\"col\">Why the kernel computes this</th></tr></thead><tbody>"
    );
    for d in &row.diffs {
        let _ = write!(
            h,
            "<tr data-field=\"{0}\"><td><code>{0}</code></td><td class=\"rec\">{1}</td><td class=\"got\">{2}</td><td class=\"num\">{3}</td><td class=\"num\">{4}</td><td class=\"num\">{5}</td><td class=\"why\">{6}</td></tr>",
            esc(&d.field),
            esc(&d.recorded),
            esc(&d.recomputed),
            sci(d.abs_diff),
            sci(d.rel_diff),
            sci(allowed_diff(d, &tol)),
            esc(&d.why),
        );
    }
    let _ = write!(
        h,
        "</tbody></table><p class=\"tol-note\" data-testid=\"review-diff-tolerance\">Line {line} · compared with tolerance abs {}, rel {} (Allowed = max(abs, rel × max(|recorded|, |recomputed|))); actions and reason codes must be identical.</p></div>",
        exp(tol.abs),
        exp(tol.rel)
    );
}

/// The table's header row: a sort button per column (`data-act="sort"`, `data-value` = the
/// column's key), `aria-sort` on the sorted one. The File column only with several files.
pub fn header_html(sort: Sort, multi: bool) -> String {
    let mut h = String::from("<tr>");
    for c in Column::ALL {
        if c == Column::File && !multi {
            continue;
        }
        let (aria, ind) = match (sort.column == c, sort.descending) {
            (true, false) => ("ascending", " ▲"),
            (true, true) => ("descending", " ▼"),
            _ => ("none", ""),
        };
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"col-{0}\" aria-sort=\"{aria}\"><button type=\"button\" class=\"sort\" data-testid=\"review-sort-{0}\" data-act=\"sort\" data-value=\"{0}\" title=\"Sort by {1}\">{1}<span class=\"sort-ind\" aria-hidden=\"true\">{ind}</span></button></th>",
            c.key(),
            c.label()
        );
    }
    h.push_str("</tr>");
    h
}

/// First / previous / next / last (`data-act="page"`, `data-value` = which) and where we are;
/// the second pager's test ids end in `-bottom`.
pub fn pager_html(p: &PageInfo, bottom: bool) -> String {
    let sfx = if bottom { "-bottom" } else { "" };
    let at_start = if p.page == 0 { " disabled" } else { "" };
    let at_end = if p.page + 1 >= p.pages {
        " disabled"
    } else {
        ""
    };
    let info = if p.total == 0 {
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
    };
    let button = |h: &mut String, which: &str, label: &str, aria: &str, dis: &str| {
        let _ = write!(
            h,
            "<button type=\"button\" data-testid=\"review-page-{which}{sfx}\" data-act=\"page\" data-value=\"{which}\"{aria}{dis}>{label}</button>"
        );
    };
    let mut h = String::with_capacity(700);
    button(&mut h, "first", "«", " aria-label=\"First page\"", at_start);
    button(&mut h, "prev", "‹ Previous", "", at_start);
    let _ = write!(
        h,
        "<span class=\"page-info\" data-testid=\"review-page-info{sfx}\">{info}</span>"
    );
    button(&mut h, "next", "Next ›", "", at_end);
    button(&mut h, "last", "»", " aria-label=\"Last page\"", at_end);
    h
}

/// What the running job shows on the progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// What it is doing, e.g. "Reviewing big.jsonl".
    pub label: String,
    /// Bytes (loads) or rows (re-review) done.
    pub done: f64,
    /// Of how many, if known.
    pub total: Option<f64>,
    /// Whether `done`/`total` count bytes (else records).
    pub bytes: bool,
    /// Lines reviewed so far (loads).
    pub lines: usize,
    /// When it started, in ms (`performance.now()`).
    pub started_ms: f64,
    /// Whether the Cancel button applies.
    pub cancellable: bool,
}

/// The progress bar's label, bar and figures (bytes and lines, or records) at time `now_ms`.
///
/// ```
/// use harvest_features::reviewer::{progress_html, Progress};
/// let p = Progress { label: "Reviewing a.jsonl".into(), done: 5e6, total: Some(5e7), bytes: true,
///                    lines: 4000, started_ms: 0.0, cancellable: true };
/// let h = progress_html(&p, 1500.0);
/// assert!(h.contains("5.0 MB of 50.0 MB · 4,000 lines · 1.5 s"), "{h}");
/// assert!(h.contains("data-lines=\"4000\""));
/// ```
pub fn progress_html(p: &Progress, now_ms: f64) -> String {
    let what = match (p.bytes, p.total) {
        (true, Some(t)) => format!(
            "{} of {} · {} lines",
            fmt_bytes(p.done),
            fmt_bytes(t),
            fmt_count(p.lines)
        ),
        (true, None) => fmt_bytes(p.done),
        (false, Some(t)) => format!(
            "{} of {} records",
            fmt_count(p.done as usize),
            fmt_count(t as usize)
        ),
        (false, None) => format!("{} records", fmt_count(p.done as usize)),
    };
    let secs = ((now_ms - p.started_ms) / 1000.0).max(0.0);
    format!(
        "<span class=\"job-label\">{}</span><progress max=\"{}\" value=\"{}\" aria-label=\"Progress\"></progress>\
         <span class=\"job-figures\" data-testid=\"review-progress-text\" data-lines=\"{}\">{what} · {} s</span>",
        esc(&p.label),
        Num(p.total.unwrap_or(0.0).max(1.0)),
        Num(p.done),
        p.lines,
        fixed(secs, 1)
    )
}

/// How many INVALID lines a file's card lists (the table has them all).
pub const CARD_ERRORS: usize = 3;

/// The card of one loaded file: status, counts, lines, SHA-256, tolerance, the first errors and
/// the buttons (`data-act` = `jsonl`, `csv`, `receipt`, `remove`; `data-batch` = its id).
pub fn batch_html(b: &Batch) -> String {
    let mut h = String::with_capacity(1500);
    let (key, status) = match &b.status {
        BatchStatus::Loading => ("loading", "reviewing…".to_string()),
        BatchStatus::Done => ("done", "reviewed".to_string()),
        BatchStatus::Cancelled => (
            "cancelled",
            "cancelled: the records read so far are kept; no receipt".to_string(),
        ),
        BatchStatus::Failed(e) => ("failed", format!("stopped: {e}; no receipt")),
    };
    let id = b.id;
    let _ = write!(
        h,
        "<article class=\"card batch\" data-testid=\"review-batch\" data-batch=\"{id}\" data-status=\"{key}\">\
         <header class=\"batch-head\"><h3><span class=\"batch-no\">#{id}</span> <span class=\"batch-name\" data-testid=\"review-batch-name\">{}</span></h3>\
         <span class=\"muted\">{}</span><span class=\"batch-status st-{key}\">{}</span></header>",
        esc(&b.name),
        b.size.map(|s| fmt_bytes(s as f64)).unwrap_or_default(),
        esc(&status),
    );
    let verdicts: Vec<String> = Verdict::ALL
        .iter()
        .filter(|v| b.counts.verdict(**v) > 0)
        .map(|v| format!("{} {}", fmt_count(b.counts.verdict(*v)), v.as_str()))
        .collect();
    let _ = write!(
        h,
        "<p class=\"batch-counts\" data-testid=\"review-batch-counts\">{} records{}{}</p><p class=\"batch-meta muted\">",
        fmt_count(b.counts.records),
        if verdicts.is_empty() { "" } else { ": " },
        verdicts.join(" · ")
    );
    if let Some(d) = &b.digest {
        let _ = write!(
            h,
            "{} lines · SHA-256 <code title=\"{}\" data-testid=\"review-batch-sha\">{}…</code> · ",
            fmt_count(d.lines),
            esc(&d.sha256),
            esc(&d.sha256.chars().take(16).collect::<String>())
        );
    }
    let _ = write!(
        h,
        "tolerance abs {}, rel {} · kernel {KERNEL_VERSION}</p>",
        exp(b.tolerance.abs),
        exp(b.tolerance.rel)
    );
    if let Some(n) = &b.note {
        let _ = write!(h, "<p class=\"batch-note\">{}</p>", esc(n));
    }
    let errors = b.errors(CARD_ERRORS);
    if !errors.is_empty() {
        h.push_str("<ul class=\"batch-errors\">");
        for (line, e) in &errors {
            let _ = write!(
                h,
                "<li data-testid=\"review-batch-error\" data-line=\"{line}\"><strong>Line {line}: </strong>{}</li>",
                esc(e)
            );
        }
        let more = b
            .counts
            .verdict(Verdict::Invalid)
            .saturating_sub(errors.len());
        if more > 0 {
            let _ = write!(
                h,
                "<li class=\"muted\">… and {} more (filter the table by INVALID)</li>",
                fmt_count(more)
            );
        }
        h.push_str("</ul>");
    }
    let loading = b.status == BatchStatus::Loading;
    let dis = |off: bool| if off { " disabled" } else { "" };
    let _ = write!(
        h,
        "<div class=\"batch-actions\"><span class=\"muted\">Export:</span>\
         <button type=\"button\" data-testid=\"export-jsonl\" data-act=\"jsonl\" data-batch=\"{id}\" title=\"One JSON object per record (as harvest verify --format jsonl)\"{0}>JSON Lines</button>\
         <button type=\"button\" data-testid=\"export-csv\" data-act=\"csv\" data-batch=\"{id}\" title=\"One CSV row per record (as harvest verify --format csv)\"{0}>CSV</button>\
         <button type=\"button\" data-testid=\"export-receipt\" data-act=\"receipt\" data-batch=\"{id}\" title=\"Counts, tolerance, kernel version and the input's SHA-256 (only for a file read to the end)\"{1}>Receipt</button>\
         <button type=\"button\" class=\"remove\" data-testid=\"review-remove\" data-act=\"remove\" data-batch=\"{id}\" title=\"Remove this file and its records from the table\"{0}>Remove</button></div></article>",
        dis(loading),
        dis(b.status != BatchStatus::Done),
    );
    h
}

/// The counts: records, per verdict and per action, as buttons that filter the table
/// (`data-act` = `verdict` / `action`, `data-value` = the spelling).
pub fn counts_html(c: &Counts, f: &Filter) -> String {
    let mut h = String::with_capacity(1500);
    let _ = write!(
        h,
        "<div class=\"counts-row\"><span class=\"records\" data-testid=\"count-records\" data-count=\"{0}\">{1} records</span>",
        c.records,
        fmt_count(c.records)
    );
    for v in Verdict::ALL {
        let n = c.verdict(v);
        let active = f.verdict == Some(v);
        let _ = write!(
            h,
            "<button type=\"button\" class=\"count v-{}{}\" data-testid=\"count-{2}\" data-count=\"{n}\" data-act=\"verdict\" data-value=\"{2}\" aria-pressed=\"{active}\" title=\"Show only {2} records (again: show all)\"><span class=\"n\">{3}</span> {2}</button>",
            verdict_key(v),
            if active { " active" } else { "" },
            v.as_str(),
            fmt_count(n)
        );
    }
    h.push_str("</div><div class=\"counts-row\"><span class=\"muted\">Kernel's action:</span>");
    for a in HarvestAction::ALL {
        let n = c.actions.get(a.as_str()).copied().unwrap_or(0);
        let _ = write!(
            h,
            "<button type=\"button\" class=\"count action-count{}\" data-testid=\"count-{1}\" data-count=\"{n}\" data-act=\"action\" data-value=\"{1}\" aria-pressed=\"{2}\" title=\"Show only records the kernel proposes {1} for (again: show all)\"><span class=\"n\">{3}</span> {1}</button>",
            if f.action == ActionFilter::Is(a) { " active" } else { "" },
            a.as_str(),
            f.action == ActionFilter::Is(a),
            fmt_count(n)
        );
    }
    h.push_str("</div>");
    h
}

/// The inside of the reviewed-record panel: what the record said against the proposal `now`
/// (the explorer's, `None` while its input is invalid), with the buttons (`data-act` = `close`,
/// `restore`, `back`). `untouched`: the explorer still shows the record's inputs.
pub fn opened_html(o: &OpenedRecord, now: Option<&Proposal>, untouched: bool) -> String {
    let mut h = String::with_capacity(1500);
    let _ = write!(
        h,
        "<section class=\"card reviewed\" data-testid=\"reviewed-record\" data-line=\"{0}\" data-verdict=\"{2}\" aria-labelledby=\"reviewed-h\">\
         <div class=\"reviewed-head\"><h2 id=\"reviewed-h\">Reviewed record (line {0})</h2>\
         <span class=\"verdict v-{1}\">{2}</span><span class=\"muted\">{3} · {4} {5}</span>\
         <button type=\"button\" class=\"close\" data-testid=\"reviewed-close\" data-act=\"close\" aria-label=\"Close the reviewed record\" title=\"Close\">×</button></div>",
        o.line,
        verdict_key(o.verdict),
        o.verdict.as_str(),
        esc(&o.file),
        esc(&o.symbol),
        o.side.map_or("", |s| s.as_str()),
    );
    if let Some(e) = &o.error {
        let _ = write!(
            h,
            "<p class=\"rec-error\" role=\"note\">The kernel rejects these inputs: {}</p>",
            esc(e)
        );
    }
    let (lines, others) = now.map(|p| o.compare_now(p)).unwrap_or_default();
    let _ = write!(
        h,
        "<table class=\"then-now\"><thead><tr><th scope=\"col\"></th><th scope=\"col\">{}</th><th scope=\"col\">Now</th></tr></thead><tbody>",
        if o.recorded {
            "Recorded"
        } else {
            "Computed at review"
        }
    );
    for l in &lines {
        let _ = write!(
            h,
            "<tr{} data-field=\"{1}\"><th scope=\"row\">{2}</th><td data-testid=\"reviewed-then-{1}\">{3}</td><td data-testid=\"reviewed-now-{1}\">{4}{5}</td></tr>",
            if l.differs { " class=\"differs\"" } else { "" },
            l.field,
            l.label,
            esc(&l.then),
            esc(&l.now),
            if l.differs {
                "<span class=\"ne\" title=\"Differs beyond the review's tolerance\"> ≠</span>"
            } else {
                ""
            }
        );
    }
    h.push_str("</tbody></table><p class=\"reviewed-foot\">");
    if now.is_none() {
        h.push_str("The explorer's input is invalid: no proposal to compare. ");
    }
    if !others.is_empty() {
        let _ = write!(h, "Also differs: {}. ", esc(&others.join(", ")));
    }
    let _ = write!(
        h,
        "<span class=\"muted\" data-testid=\"reviewed-inputs\">{}</span> \
         <button type=\"button\" data-testid=\"reviewed-restore\" data-act=\"restore\"{}>Back to the record's inputs</button> \
         <button type=\"button\" data-testid=\"reviewed-back\" data-act=\"back\">Back to the reviewer</button></p></section>",
        if untouched {
            "The explorer shows the record's exact inputs and theta."
        } else {
            "Inputs changed since the record was opened."
        },
        if untouched { " disabled" } else { "" }
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reviewer::verify::review_text;
    use crate::reviewer::Digest;
    use harvest_kernel::{propose, Tolerance};

    const SAMPLE: &str = include_str!("../../../../assets/sample-proposals.jsonl");

    fn batch() -> Batch {
        let (rows, r) = review_text(SAMPLE, &Tolerance::default());
        let mut b = Batch::new(1, "<sample>.jsonl", Some(368_459), Tolerance::default());
        b.push(rows);
        b.digest = Some(Digest {
            sha256: r.input_sha256,
            bytes: r.input_bytes,
            lines: r.lines,
        });
        b.status = BatchStatus::Done;
        b
    }

    fn balanced(h: &str) {
        for tag in [
            "tr", "td", "table", "div", "span", "button", "p", "ul", "li", "section", "article",
        ] {
            let open =
                h.matches(&format!("<{tag}>")).count() + h.matches(&format!("<{tag} ")).count();
            let close = h.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "<{tag}> in {h:.300}");
        }
    }

    #[test]
    fn rows_carry_their_data_details_and_escape_everything() {
        let mut b = batch();
        b.rows[0].symbol = "<img src=x onerror=alert(1)>".into();
        let rows: Vec<RowHtml> = b
            .rows
            .iter()
            .enumerate()
            .map(|(index, row)| RowHtml {
                batch: &b,
                index,
                row,
            })
            .collect();
        let h = rows_html(&rows, true);
        balanced(&h);
        assert!(!h.contains("<img"));
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert_eq!(h.matches("data-testid=\"review-row\"").count(), 302);
        assert_eq!(h.matches("data-testid=\"review-diff\"").count(), 8);
        assert_eq!(h.matches("data-testid=\"review-error\"").count(), 2);
        assert_eq!(h.matches("data-testid=\"review-open\"").count(), 300);
        assert!(h.contains(
            "data-line=\"42\" data-verdict=\"MISMATCH\" data-batch=\"1\" data-index=\"41\""
        ));
        assert!(h.contains("<tr data-field=\"kill_score\">"));
        assert!(h.contains("title=\"&lt;sample&gt;.jsonl\">#1</td>"));
        assert!(h.contains("<strong>Line 120: </strong>not JSON"));
        assert!(h.contains("tolerance abs 1e-9, rel 1e-9"));
        let single = rows_html(&rows[..1], false);
        assert!(!single.contains("class=\"file\""));
    }

    #[test]
    fn header_and_pager() {
        let s = Sort {
            column: Column::K,
            descending: true,
        };
        let h = header_html(s, false);
        balanced(&h);
        assert_eq!(h.matches("<th ").count(), 7);
        assert!(h.contains("class=\"col-k\" aria-sort=\"descending\""));
        assert_eq!(h.matches("aria-sort=\"none\"").count(), 6);
        assert_eq!(header_html(s, true).matches("<th ").count(), 8);
        let p = crate::reviewer::page_info(302, 0, 100);
        let h = pager_html(&p, false);
        balanced(&h);
        assert!(h.contains("Records 1–100 of 302 · page 1 of 4"));
        assert_eq!(h.matches(" disabled").count(), 2);
        assert!(h.contains("data-testid=\"review-page-first\""));
        let h = pager_html(&crate::reviewer::page_info(0, 0, 100), true);
        assert!(h.contains("review-page-next-bottom"));
        assert!(h.contains("No records match"));
        assert_eq!(h.matches(" disabled").count(), 4);
    }

    #[test]
    fn cards_counts_and_panel() {
        let mut b = batch();
        let h = batch_html(&b);
        balanced(&h);
        assert!(h.contains("data-status=\"done\""));
        assert!(h.contains("302 records: 292 MATCH · 8 MISMATCH · 2 INVALID"));
        assert!(h.contains("&lt;sample&gt;.jsonl"));
        assert_eq!(h.matches(" disabled").count(), 0);
        assert_eq!(h.matches("data-testid=\"review-batch-error\"").count(), 2);
        b.status = BatchStatus::Loading;
        let h = batch_html(&b);
        assert_eq!(h.matches(" disabled").count(), 4);
        b.status = BatchStatus::Failed("<x>".into());
        assert!(batch_html(&b).contains("stopped: &lt;x&gt;; no receipt"));

        let f = Filter {
            verdict: Some(Verdict::Mismatch),
            ..Filter::default()
        };
        let h = counts_html(&b.counts, &f);
        balanced(&h);
        assert!(h.contains("data-testid=\"count-MISMATCH\" data-count=\"8\""));
        assert!(h.contains("data-testid=\"count-records\" data-count=\"302\""));
        assert_eq!(h.matches("aria-pressed=\"true\"").count(), 1);
        assert_eq!(h.matches("data-act=\"verdict\"").count(), 4);
        assert_eq!(h.matches("data-act=\"action\"").count(), 5);

        let row = b.rows.iter().find(|r| r.line == 42).unwrap();
        let o = OpenedRecord::from_row(row, "a&b", Tolerance::default()).unwrap();
        let now = propose(&o.input).unwrap();
        let h = opened_html(&o, Some(&now), true);
        balanced(&h);
        assert!(h.contains("Reviewed record (line 42)"));
        assert!(h.contains("<tr class=\"differs\" data-field=\"kill_score\">"));
        assert_eq!(h.matches("class=\"differs\"").count(), 1);
        assert!(h.contains("a&amp;b"));
        assert!(h.contains("data-act=\"restore\" disabled"));
        let h = opened_html(&o, None, false);
        assert!(h.contains("no proposal to compare"));
        assert!(!h.contains("data-act=\"restore\" disabled"));
    }
}
