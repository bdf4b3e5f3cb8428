//! The research report as the CLI's summary and the page's Research panel show it: one row of
//! text a fold (its out-of-sample window, the choice, the objective in and out of sample, their
//! ratio, the choice's out-of-sample rank, the baselines), so both print the same figures.

use super::report::{values_text, ResearchReport};
use crate::format::{fixed_or_dash, shortest};

/// One fold as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FoldRow {
    /// Fold number from 0.
    pub fold: String,
    /// In-sample window, `from → to`.
    pub in_sample: String,
    /// Out-of-sample window, `from → to`.
    pub out_of_sample: String,
    /// The chosen tunables, compact (`kill_threshold=0.6 T1_R=2`).
    pub choice: String,
    /// The objective in-sample (3 decimals).
    pub is: String,
    /// Out of sample (`–` without trades).
    pub oos: String,
    /// OOS / IS per trade (2 decimals, `–` when undefined).
    pub ratio: String,
    /// The choice's rank out of sample among the cells ranked: `3/100`.
    pub rank: String,
    /// The base theta out of sample.
    pub base: String,
    /// P1's trailing stop alone out of sample.
    pub trail: String,
}

/// The fold rows of `r`.
///
/// ```no_run
/// # fn report() -> harvest_features::research::ResearchReport { unimplemented!() }
/// use harvest_features::research::view::fold_rows;
/// for row in fold_rows(&report()) {
///     println!("{} {} {} {}", row.fold, row.choice, row.is, row.oos);
/// }
/// ```
pub fn fold_rows(r: &ResearchReport) -> Vec<FoldRow> {
    let opt = |v: Option<f64>, d: usize| v.map_or_else(|| "–".to_string(), |v| fixed_or_dash(v, d));
    r.folds
        .iter()
        .map(|f| FoldRow {
            fold: f.index.to_string(),
            in_sample: format!("{} → {}", f.is_from, f.is_to),
            out_of_sample: format!("{} → {}", f.oos_from, f.oos_to),
            choice: values_text(&f.values, true),
            is: fixed_or_dash(f.is_value, 3),
            oos: opt(f.oos_value, 3),
            ratio: opt(f.ratio, 2),
            rank: format!("{}/{}", shortest(f.oos_rank), f.ranked),
            base: opt(f.base_oos_value, 3),
            trail: opt(f.trail_oos_value, 3),
        })
        .collect()
}

/// The hand-off in one line: the choice's tunables, the window it was chosen on and its
/// objective there (`kill_threshold=0.6 T1_R=2 (chosen on … → …: 0.123 expectancy)`).
pub fn handoff_line(r: &ResearchReport) -> String {
    let c = &r.choice;
    format!(
        "{} (chosen on {} → {}: {} {})",
        values_text(&c.values, true),
        c.from,
        c.to,
        fixed_or_dash(c.value, 3),
        r.settings.objective.as_str()
    )
}

/// The hand-off files of a report, as `harvest research --out DIR` writes them and the page
/// downloads them: `report.json` (pretty JSON), `report.html` (self-contained, its charts as
/// SVG), `theta.json` (the choice, a theta file) and `harvest_params.json` (the choice as the
/// policy store's `harvest_params`).
///
/// # Errors
/// The report could not be written as JSON (a non-finite number in it).
pub fn handoff_files(r: &ResearchReport) -> Result<Vec<(&'static str, String)>, serde_json::Error> {
    let json = serde_json::to_string_pretty(r)?;
    Ok(vec![
        ("report.json", format!("{json}\n")),
        ("report.html", super::html::report_html(r)),
        ("theta.json", crate::theta::theta_to_json(&r.choice.theta)),
        (
            "harvest_params.json",
            harvest_records::policy::harvest_params_json(&r.choice.theta) + "\n",
        ),
    ])
}
