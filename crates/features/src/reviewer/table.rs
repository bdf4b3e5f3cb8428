//! The records table: filtering, sorting and paging over every loaded batch.

use std::cmp::Ordering;

use crate::reviewer::verify::ReviewRow;
use harvest_kernel::{HarvestAction, ReasonCode, Verdict};

use super::store::{RowRef, Store};

/// Rows on one page of the table (the DOM holds one page).
pub const PAGE_SIZE: usize = 100;

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The batch (load order).
    File,
    /// Line in the file.
    Line,
    /// Symbol.
    Symbol,
    /// Side.
    Side,
    /// The kernel's action.
    Action,
    /// The kernel's R_net.
    RNet,
    /// The kernel's K.
    K,
    /// The verdict.
    Verdict,
}

impl Column {
    /// The columns, in table order.
    pub const ALL: [Column; 8] = [
        Column::File,
        Column::Line,
        Column::Symbol,
        Column::Side,
        Column::Action,
        Column::RNet,
        Column::K,
        Column::Verdict,
    ];

    /// Header text.
    pub fn label(self) -> &'static str {
        match self {
            Column::File => "File",
            Column::Line => "Line",
            Column::Symbol => "Symbol",
            Column::Side => "Side",
            Column::Action => "Action",
            Column::RNet => "R_net",
            Column::K => "K",
            Column::Verdict => "Verdict",
        }
    }

    /// The columns shown: all, or all but File when one file is loaded.
    ///
    /// ```
    /// use harvest_features::reviewer::Column;
    /// assert_eq!(Column::shown(true).len(), 8);
    /// assert_eq!(Column::shown(false)[0], Column::Line);
    /// ```
    pub fn shown(multi: bool) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|&c| multi || c != Column::File)
            .collect()
    }

    /// Stable key (the header's class `col-…` and test id `review-sort-…`).
    pub fn key(self) -> &'static str {
        match self {
            Column::File => "file",
            Column::Line => "line",
            Column::Symbol => "symbol",
            Column::Side => "side",
            Column::Action => "action",
            Column::RNet => "r_net",
            Column::K => "k",
            Column::Verdict => "verdict",
        }
    }
}

/// Sort order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub column: Column,
    /// Largest first.
    pub descending: bool,
}

impl Default for Sort {
    /// File order: batch, then line.
    fn default() -> Self {
        Sort {
            column: Column::File,
            descending: false,
        }
    }
}

impl Sort {
    /// What a click on `column`'s header does: sort by it ascending, or flip the order if it is
    /// already the sort column.
    pub fn clicked(self, column: Column) -> Sort {
        if self.column == column {
            Sort {
                column,
                descending: !self.descending,
            }
        } else {
            Sort {
                column,
                descending: false,
            }
        }
    }
}

impl Sort {
    /// The header's `aria-sort` for `column`: `ascending`, `descending` or `none`.
    pub fn aria(self, column: Column) -> &'static str {
        match (self.column == column, self.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            _ => "none",
        }
    }

    /// The arrow after `column`'s header: ` ▲`, ` ▼` or nothing.
    pub fn indicator(self, column: Column) -> &'static str {
        match (self.column == column, self.descending) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }
}

/// Which actions to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActionFilter {
    /// Any.
    #[default]
    Any,
    /// Records for which the kernel proposes this action.
    Is(HarvestAction),
    /// Records without an action (INVALID).
    Missing,
}

impl ActionFilter {
    /// The `<option value>`: `""`, an action's spelling, or `"-"`.
    pub fn value(self) -> &'static str {
        match self {
            ActionFilter::Any => "",
            ActionFilter::Is(a) => a.as_str(),
            ActionFilter::Missing => "-",
        }
    }

    /// Reads [`ActionFilter::value`] back (anything else is `Any`).
    pub fn from_value(v: &str) -> Self {
        match v {
            "-" => ActionFilter::Missing,
            _ => HarvestAction::parse(v).map_or(ActionFilter::Any, ActionFilter::Is),
        }
    }
}

/// A verdict by its spelling.
pub fn verdict_from_str(v: &str) -> Option<Verdict> {
    Verdict::ALL.into_iter().find(|x| x.as_str() == v)
}

/// The table's filters (all must hold).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only this verdict.
    pub verdict: Option<Verdict>,
    /// Only this action.
    pub action: ActionFilter,
    /// Symbol contains this (case-insensitive; empty: any).
    pub symbol: String,
    /// Only records whose reason codes include this one.
    pub code: Option<ReasonCode>,
}

impl Filter {
    /// Whether any filter is set.
    pub fn is_active(&self) -> bool {
        self.verdict.is_some()
            || self.action != ActionFilter::Any
            || self.code.is_some()
            || !self.symbol.trim().is_empty()
    }

    /// Whether `row` passes. `symbol_lc` is `symbol` trimmed.
    fn matches(&self, row: &ReviewRow, symbol_lc: &str) -> bool {
        if self.verdict.is_some_and(|v| v != row.verdict) {
            return false;
        }
        match self.action {
            ActionFilter::Any => {}
            ActionFilter::Is(a) if row.action != Some(a) => return false,
            ActionFilter::Missing if row.action.is_some() => return false,
            _ => {}
        }
        if self.code.is_some_and(|c| !row.reason_codes.contains(&c)) {
            return false;
        }
        contains_ascii_ci(&row.symbol, symbol_lc)
    }
}

/// Whether `hay` contains `needle`, ignoring ASCII case (symbols are ASCII).
fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// `a` before `b`; `None` always last, whatever the direction.
fn by<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A row's value in the sort column, taken out of the row once before sorting: the sort then
/// compares small keys side by side instead of two rows of the store each time.
#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    /// Batch, then line (the File column).
    File(u32, usize),
    /// Line.
    Line(usize),
    /// Symbol or side (`None`: missing).
    Text(Option<&'a str>),
    /// The kernel's action.
    Action(Option<HarvestAction>),
    /// R_net or K.
    Num(Option<f64>),
    /// The verdict.
    Verdict(Verdict),
}

impl<'a> Key<'a> {
    /// Row `row` (at `at`)'s key for `column`.
    fn of(at: RowRef, row: &'a ReviewRow, column: Column) -> Self {
        match column {
            Column::File => Key::File(at.batch, row.line),
            Column::Line => Key::Line(row.line),
            Column::Symbol => Key::Text((!row.symbol.is_empty()).then_some(row.symbol.as_str())),
            Column::Side => Key::Text(row.side.map(|s| s.as_str())),
            Column::Action => Key::Action(row.action),
            Column::RNet => Key::Num(row.r_net),
            Column::K => Key::Num(row.kill_score),
            Column::Verdict => Key::Verdict(row.verdict),
        }
    }

    /// `self` against `other` (a key of the same column); missing values last either way.
    fn cmp(self, other: Self, descending: bool) -> Ordering {
        let d = descending;
        match (self, other) {
            (Key::File(ba, la), Key::File(bb, lb)) => by(Some((ba, la)), Some((bb, lb)), d),
            (Key::Line(a), Key::Line(b)) => by(Some(a), Some(b), d),
            (Key::Text(a), Key::Text(b)) => by(a, b, d),
            (Key::Action(a), Key::Action(b)) => by(a, b, d),
            (Key::Num(a), Key::Num(b)) => by(a, b, d),
            (Key::Verdict(a), Key::Verdict(b)) => by(Some(a), Some(b), d),
            // Keys of different columns are never compared.
            _ => Ordering::Equal,
        }
    }
}

/// Row `a` against row `b` in `sort` order (ties: equal; the sort is stable, in file order).
#[cfg(test)]
fn compare(store: &Store, a: RowRef, b: RowRef, sort: Sort) -> Ordering {
    let (Some((_, ra)), Some((_, rb))) = (store.row(a), store.row(b)) else {
        return Ordering::Equal;
    };
    Key::of(a, ra, sort.column).cmp(Key::of(b, rb, sort.column), sort.descending)
}

/// The rows that pass `filter`, in `sort` order (ties in file order).
///
/// ```
/// use harvest_kernel::{Tolerance, Verdict};
/// use harvest_features::reviewer::verify::review_text;
/// use harvest_features::reviewer::{select, Filter, Sort, Store};
/// let mut s = Store::default();
/// let id = s.add("x", None, Tolerance::default());
/// s.get_mut(id).unwrap().push(review_text("{oops\n{\"position\": 1}\n", &Tolerance::default()).0);
/// let f = Filter { verdict: Some(Verdict::Invalid), ..Filter::default() };
/// assert_eq!(select(&s, &f, Sort::default()).len(), 2);
/// ```
pub fn select(store: &Store, filter: &Filter, sort: Sort) -> Vec<RowRef> {
    let symbol_lc = filter.symbol.trim();
    let passing = store.batches.iter().enumerate().flat_map(|(bi, b)| {
        b.rows.iter().enumerate().filter_map(move |(ri, r)| {
            filter.matches(r, symbol_lc).then_some((
                RowRef {
                    batch: bi as u32,
                    row: ri as u32,
                },
                r,
            ))
        })
    });
    if sort == Sort::default() {
        return passing.map(|(at, _)| at).collect();
    }
    let mut keyed: Vec<(Key, RowRef)> = passing
        .map(|(at, r)| (Key::of(at, r, sort.column), at))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(b.0, sort.descending));
    keyed.into_iter().map(|(_, at)| at).collect()
}

/// One page of a list of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Page shown, from 0 (clamped to the last page).
    pub page: usize,
    /// Pages in all (1 for an empty list).
    pub pages: usize,
    /// First row index on the page.
    pub start: usize,
    /// One past the last row index on the page.
    pub end: usize,
    /// Rows in all.
    pub total: usize,
}

/// A pager button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageMove {
    /// The first page.
    First,
    /// One back.
    Prev,
    /// One on.
    Next,
    /// The last page.
    Last,
}

impl PageMove {
    /// The buttons, in order.
    pub const ALL: [PageMove; 4] = [
        PageMove::First,
        PageMove::Prev,
        PageMove::Next,
        PageMove::Last,
    ];

    /// Its key (test ids `review-page-<key>`).
    pub fn key(self) -> &'static str {
        match self {
            PageMove::First => "first",
            PageMove::Prev => "prev",
            PageMove::Next => "next",
            PageMove::Last => "last",
        }
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            PageMove::First => "«",
            PageMove::Prev => "‹ Previous",
            PageMove::Next => "Next ›",
            PageMove::Last => "»",
        }
    }

    /// What a screen reader says for it.
    pub fn aria_label(self) -> &'static str {
        match self {
            PageMove::First => "First page",
            PageMove::Prev => "Previous page",
            PageMove::Next => "Next page",
            PageMove::Last => "Last page",
        }
    }
}

impl PageInfo {
    /// The page `m` leads to from this one.
    ///
    /// ```
    /// use harvest_features::reviewer::{page_info, PageMove};
    /// let p = page_info(302, 1, 100);
    /// assert_eq!((p.go(PageMove::Prev), p.go(PageMove::Next), p.go(PageMove::Last)), (0, 2, 3));
    /// ```
    pub fn go(&self, m: PageMove) -> usize {
        let last = self.pages.saturating_sub(1);
        match m {
            PageMove::First => 0,
            PageMove::Prev => self.page.saturating_sub(1),
            PageMove::Next => (self.page + 1).min(last),
            PageMove::Last => last,
        }
    }

    /// Whether `m`'s button does nothing here (it is disabled).
    pub fn stays(&self, m: PageMove) -> bool {
        match m {
            PageMove::First | PageMove::Prev => self.page == 0,
            PageMove::Next | PageMove::Last => self.page + 1 >= self.pages,
        }
    }
}

/// Page `page` (clamped) of `total` rows, `per_page` a page.
///
/// ```
/// use harvest_features::reviewer::page_info;
/// let p = page_info(302, 3, 100);
/// assert_eq!((p.page, p.pages, p.start, p.end), (3, 4, 300, 302));
/// assert_eq!(page_info(302, 99, 100).page, 3);
/// assert_eq!(page_info(0, 0, 100).pages, 1);
/// ```
pub fn page_info(total: usize, page: usize, per_page: usize) -> PageInfo {
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = page.min(pages - 1);
    let start = (page * per_page).min(total);
    let end = (start + per_page).min(total);
    PageInfo {
        page,
        pages,
        start,
        end,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reviewer::verify::review_text;
    use harvest_kernel::Tolerance;

    const SAMPLE: &str = include_str!("../../../../assets/sample-proposals.jsonl");

    fn store() -> Store {
        let mut s = Store::default();
        let id = s.add("sample", None, Tolerance::default());
        s.get_mut(id)
            .unwrap()
            .push(review_text(SAMPLE, &Tolerance::default()).0);
        let id = s.add("bad", None, Tolerance::default());
        s.get_mut(id)
            .unwrap()
            .push(review_text("{oops\n\n[1]\n", &Tolerance::default()).0);
        s
    }

    fn lines(s: &Store, refs: &[RowRef]) -> Vec<(u32, usize)> {
        refs.iter()
            .map(|&r| (r.batch, s.row(r).unwrap().1.line))
            .collect()
    }

    #[test]
    fn filters_combine() {
        let s = store();
        let all = select(&s, &Filter::default(), Sort::default());
        assert_eq!(all.len(), 304);
        let mism = Filter {
            verdict: Some(Verdict::Mismatch),
            ..Filter::default()
        };
        let got = lines(&s, &select(&s, &mism, Sort::default()));
        let want: Vec<_> = [17, 42, 77, 105, 150, 188, 230, 266]
            .into_iter()
            .map(|l| (0, l))
            .collect();
        assert_eq!(got, want);
        let invalid = Filter {
            verdict: Some(Verdict::Invalid),
            ..Filter::default()
        };
        assert_eq!(
            lines(&s, &select(&s, &invalid, Sort::default())),
            [(0, 120), (0, 240), (1, 1), (1, 3)]
        );
        let missing = Filter {
            action: ActionFilter::Missing,
            ..Filter::default()
        };
        assert_eq!(select(&s, &missing, Sort::default()).len(), 4);
        let btc = Filter {
            symbol: " btc ".into(),
            ..Filter::default()
        };
        let n_btc = select(&s, &btc, Sort::default()).len();
        assert!(n_btc > 40 && n_btc < 60, "{n_btc}");
        let kill = Filter {
            code: Some(ReasonCode::KillScoreTriggered),
            ..Filter::default()
        };
        let k = select(&s, &kill, Sort::default());
        assert!(!k.is_empty());
        for r in &k {
            assert_eq!(
                s.row(*r).unwrap().1.action,
                Some(HarvestAction::FullCloseProposed)
            );
        }
        let both = Filter {
            action: ActionFilter::Is(HarvestAction::FullCloseProposed),
            ..kill.clone()
        };
        assert_eq!(select(&s, &both, Sort::default()).len(), k.len());
        assert!(both.is_active() && !Filter::default().is_active());
        assert!(!Filter {
            symbol: "  ".into(),
            ..Filter::default()
        }
        .is_active());
    }

    #[test]
    fn sorting_by_any_column_both_ways_with_missing_values_last() {
        let s = store();
        for col in Column::ALL {
            for descending in [false, true] {
                let sort = Sort {
                    column: col,
                    descending,
                };
                let got = select(&s, &Filter::default(), sort);
                assert_eq!(got.len(), 304);
                for w in got.windows(2) {
                    assert_ne!(
                        compare(&s, w[0], w[1], sort),
                        Ordering::Greater,
                        "{col:?} {descending}"
                    );
                }
            }
        }
        let by_r = select(
            &s,
            &Filter::default(),
            Sort {
                column: Column::RNet,
                descending: true,
            },
        );
        let r: Vec<Option<f64>> = by_r.iter().map(|&x| s.row(x).unwrap().1.r_net).collect();
        assert!(r[0] >= r[1]);
        assert!(r.last().unwrap().is_none(), "INVALID rows (no R_net) last");
        assert!(r[0].is_some());
        let by_file_desc = select(
            &s,
            &Filter::default(),
            Sort {
                column: Column::File,
                descending: true,
            },
        );
        assert_eq!(lines(&s, &by_file_desc[..2]), [(1, 3), (1, 1)]);
        assert_eq!(lines(&s, &by_file_desc[303..]), [(0, 1)]);
    }

    #[test]
    fn sorting_matches_a_plain_stable_sort_of_the_rows() {
        let s = store();
        let all = select(&s, &Filter::default(), Sort::default());
        let row = |r: &RowRef| s.row(*r).unwrap().1;
        // Missing values last in both directions; ties keep file order (a stable sort).
        let num = |v: Option<f64>, descending: bool| match v {
            Some(x) if descending => (0, -x),
            Some(x) => (0, x),
            None => (1, 0.0),
        };
        for descending in [false, true] {
            let sort = Sort {
                column: Column::K,
                descending,
            };
            let mut want = all.clone();
            want.sort_by(|a, b| {
                num(row(a).kill_score, descending)
                    .partial_cmp(&num(row(b).kill_score, descending))
                    .unwrap()
            });
            assert_eq!(select(&s, &Filter::default(), sort), want, "K {descending}");
            let sort = Sort {
                column: Column::Symbol,
                descending,
            };
            let mut want = all.clone();
            want.sort_by(|a, b| {
                let (x, y) = (&row(a).symbol, &row(b).symbol);
                match (x.is_empty(), y.is_empty()) {
                    (false, false) if descending => y.cmp(x),
                    (false, false) => x.cmp(y),
                    (e, f) => e.cmp(&f),
                }
            });
            assert_eq!(
                select(&s, &Filter::default(), sort),
                want,
                "symbol {descending}"
            );
        }
    }

    #[test]
    fn header_clicks_and_filter_values() {
        let s = Sort::default().clicked(Column::K);
        assert_eq!((s.column, s.descending), (Column::K, false));
        assert!(s.clicked(Column::K).descending);
        assert!(!s.clicked(Column::K).clicked(Column::K).descending);
        assert_eq!(s.clicked(Column::Line).column, Column::Line);
        for a in [
            ActionFilter::Any,
            ActionFilter::Missing,
            ActionFilter::Is(HarvestAction::Partial50),
        ] {
            assert_eq!(ActionFilter::from_value(a.value()), a);
        }
        assert_eq!(ActionFilter::from_value("junk"), ActionFilter::Any);
        assert_eq!(verdict_from_str("MISMATCH"), Some(Verdict::Mismatch));
        assert_eq!(verdict_from_str(""), None);
        let keys: std::collections::HashSet<_> = Column::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys.len(), Column::ALL.len());
    }

    #[test]
    fn header_arrows_and_pager_moves() {
        let s = Sort {
            column: Column::K,
            descending: true,
        };
        assert_eq!(
            (s.aria(Column::K), s.indicator(Column::K)),
            ("descending", " ▼")
        );
        assert_eq!(
            (s.aria(Column::RNet), s.indicator(Column::RNet)),
            ("none", "")
        );
        let up = s.clicked(Column::RNet);
        assert_eq!(
            (up.aria(Column::RNet), up.indicator(Column::RNet)),
            ("ascending", " ▲")
        );
        assert_eq!(Column::shown(false).len(), 7);
        assert!(!Column::shown(false).contains(&Column::File));
        // (total, page) -> (first, prev, next, last), and which buttons are disabled.
        let cases = [
            ((302, 0), [0, 0, 1, 3], [true, true, false, false]),
            ((302, 2), [0, 1, 3, 3], [false, false, false, false]),
            ((302, 3), [0, 2, 3, 3], [false, false, true, true]),
            ((0, 0), [0, 0, 0, 0], [true, true, true, true]),
            ((100, 0), [0, 0, 0, 0], [true, true, true, true]),
        ];
        for ((total, page), to, off) in cases {
            let p = page_info(total, page, 100);
            for (i, m) in PageMove::ALL.into_iter().enumerate() {
                assert_eq!(p.go(m), to[i], "{total} {page} {m:?}");
                assert_eq!(p.stays(m), off[i], "{total} {page} {m:?}");
            }
        }
        let keys: std::collections::HashSet<_> = PageMove::ALL.iter().map(|m| m.key()).collect();
        assert_eq!(keys.len(), 4);
        assert_eq!(PageMove::First.aria_label(), "First page");
    }

    #[test]
    fn paging() {
        assert_eq!(
            page_info(100, 0, 100),
            PageInfo {
                page: 0,
                pages: 1,
                start: 0,
                end: 100,
                total: 100
            }
        );
        assert_eq!(page_info(101, 1, 100).end, 101);
        assert_eq!(page_info(5, 0, 0).pages, 5);
        let p = page_info(100_000, 999, PAGE_SIZE);
        assert_eq!((p.start, p.end, p.pages), (99_900, 100_000, 1000));
    }
}
