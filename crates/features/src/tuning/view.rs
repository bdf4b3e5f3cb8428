//! The dashboard's theta-tuning view as plain data: which axes the action map offers, mapping a
//! pointer to a map cell and the cell to words, the map's resolution while dragging, saved theta
//! sets (localStorage form), and the A/B comparison's rows.
//!
//! Pure and natively tested. Every number comes from [`crate::tuning`], [`crate::charts`] or the
//! kernel: nothing here re-implements a formula or a grid. The wasm UI (`ui::tuning`) only
//! calls it.

use crate::charts::{axis_title, fmt_axis_value, fmt_k, fmt_price, fmt_r, ActionMap, PlotRect};
use crate::explorer::params::theta_range;
use crate::explorer::{parse_number, InputField, SliderRange, UiState};
use crate::format::format_sig;
use crate::tuning::{
    robustness, robustness_along, AbReport, AxisMargin, Outcome, ThetaChange, ThetaImportError,
};
use harvest_kernel::{Axis, HarvestInput, Theta, ThetaField};

// =============================================================================================
// Axes.

/// The axes the action map offers: the five inputs, then the tunables worth sweeping.
pub const MAP_AXES: [Axis; 15] = [
    Axis::Pnl,
    Axis::PTrend,
    Axis::Sigma,
    Axis::Ts,
    Axis::AgeSec,
    Axis::Theta(ThetaField::KillThreshold),
    Axis::Theta(ThetaField::T1R),
    Axis::Theta(ThetaField::T2R),
    Axis::Theta(ThetaField::T3R),
    Axis::Theta(ThetaField::LockR),
    Axis::Theta(ThetaField::KRegimeFlip),
    Axis::Theta(ThetaField::KSigmaSpike),
    Axis::Theta(ThetaField::KTsDrop),
    Axis::Theta(ThetaField::KAgePenalty),
    Axis::Theta(ThetaField::CostBps),
];

/// The map's axes when the view opens: PnL across, σ up.
pub const DEFAULT_AXES: (Axis, Axis) = (Axis::Pnl, Axis::Sigma);

/// One of [`MAP_AXES`] by its key (`pnl`, `sigma`, `kill_threshold`, …).
///
/// ```
/// use harvest_kernel::{Axis, ThetaField};
/// use harvest_features::tuning::view::map_axis;
/// assert_eq!(map_axis("sigma"), Some(Axis::Sigma));
/// assert_eq!(map_axis("kill_threshold"), Some(Axis::Theta(ThetaField::KillThreshold)));
/// assert_eq!(map_axis("u1"), None); // audit-only tunables are not offered
/// ```
pub fn map_axis(key: &str) -> Option<Axis> {
    MAP_AXES.into_iter().find(|a| a.key() == key)
}

/// The option text of an axis in the dropdowns, e.g. `"PnL (quote)"`, `"kill_threshold (K)"`.
pub fn axis_option(axis: Axis) -> String {
    axis_title(axis)
}

/// The axes after picking `new` for x (`for_x`) or y: picking the other axis's value swaps them,
/// so the map never has the same axis twice.
///
/// ```
/// use harvest_kernel::Axis;
/// use harvest_features::tuning::view::pick_axis;
/// assert_eq!(pick_axis((Axis::Pnl, Axis::Sigma), true, Axis::Ts), (Axis::Ts, Axis::Sigma));
/// assert_eq!(pick_axis((Axis::Pnl, Axis::Sigma), true, Axis::Sigma), (Axis::Sigma, Axis::Pnl));
/// assert_eq!(pick_axis((Axis::Pnl, Axis::Sigma), false, Axis::Pnl), (Axis::Sigma, Axis::Pnl));
/// ```
pub fn pick_axis(axes: (Axis, Axis), for_x: bool, new: Axis) -> (Axis, Axis) {
    let (x, y) = axes;
    match (for_x, new) {
        (true, n) if n == y => (y, x),
        (true, n) => (n, y),
        (false, n) if n == x => (y, x),
        (false, n) => (x, n),
    }
}

/// Moves the explorer's state along `axis` to `v` (a click on the map): inputs through the
/// state's own validation, tunables as given (the kernel's validation shows inline). The value is
/// rounded to 4 significant digits, so a click gives a readable number.
///
/// # Errors
/// The state's message when the kernel refuses the input value; the state is unchanged then.
///
/// ```
/// use harvest_kernel::{Axis, ThetaField};
/// use harvest_features::explorer::UiState;
/// use harvest_features::tuning::view::set_axis;
/// let mut s = UiState::default();
/// set_axis(&mut s, Axis::Sigma, 0.0123456).unwrap();
/// assert_eq!(s.market.sigma, 0.01235);
/// set_axis(&mut s, Axis::Theta(ThetaField::KillThreshold), 0.5).unwrap();
/// assert_eq!(s.theta.kill_threshold, 0.5);
/// assert!(set_axis(&mut s, Axis::Sigma, -1.0).is_err());
/// ```
pub fn set_axis(state: &mut UiState, axis: Axis, v: f64) -> Result<(), String> {
    let v = parse_number(&format_sig(v, 4)).unwrap_or(v);
    let field = match axis {
        Axis::Pnl => InputField::Pnl,
        Axis::PTrend => InputField::PTrend,
        Axis::Sigma => InputField::Sigma,
        Axis::Ts => InputField::Ts,
        Axis::AgeSec => InputField::AgeSec,
        Axis::Theta(f) => {
            if !v.is_finite() {
                return Err(format!(
                    "{}: {} is not a finite number",
                    f.key(),
                    crate::format::Num(v)
                ));
            }
            state.theta.set(f, v);
            return Ok(());
        }
    };
    state.set(field, v).map_err(|e| e.to_string())
}

// =============================================================================================
// The map under the pointer.

/// The cell `(i, j)` (column from the left, row from the bottom, as [`ActionMap::cell`]) under
/// the pointer at `(px, py)` CSS pixels from the canvas's top-left corner, given the plot
/// rectangle the cells were blitted into; `None` outside it.
///
/// ```
/// use harvest_features::charts::PlotRect;
/// use harvest_features::tuning::view::cell_at;
/// let r = PlotRect { x: 50, y: 20, w: 100, h: 100 };
/// assert_eq!(cell_at(r, 10, 10, 50.0, 20.0), Some((0, 9))); // top-left: the highest row
/// assert_eq!(cell_at(r, 10, 10, 149.9, 119.9), Some((9, 0)));
/// assert_eq!(cell_at(r, 10, 10, 49.0, 50.0), None);
/// ```
pub fn cell_at(rect: PlotRect, nx: usize, ny: usize, px: f64, py: f64) -> Option<(usize, usize)> {
    let (fx, fy) = fraction_in(rect, px, py)?;
    if nx == 0 || ny == 0 {
        return None;
    }
    let i = ((fx * nx as f64) as usize).min(nx - 1);
    let from_top = ((fy * ny as f64) as usize).min(ny - 1);
    Some((i, ny - 1 - from_top))
}

/// The axis values under the pointer (not snapped to a cell centre), for a click that moves the
/// point there; `None` outside the plot rectangle.
///
/// ```
/// use harvest_features::charts::{action_map, ActionMapSpec, PlotRect};
/// use harvest_kernel::{Axis, HarvestInput};
/// use harvest_features::tuning::view::value_at;
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::PTrend, Axis::Ts, 10, 10));
/// let r = PlotRect { x: 0, y: 0, w: 100, h: 100 };
/// let (x, _) = value_at(r, &map, 50.0, 0.0).unwrap();
/// assert!((x - 0.5).abs() < 1e-12); // p_trend spans 0 … 1
/// ```
pub fn value_at(rect: PlotRect, map: &ActionMap, px: f64, py: f64) -> Option<(f64, f64)> {
    let (fx, fy) = fraction_in(rect, px, py)?;
    let s = &map.spec;
    Some((
        s.x_range.0 + fx * (s.x_range.1 - s.x_range.0),
        s.y_range.1 - fy * (s.y_range.1 - s.y_range.0),
    ))
}

fn fraction_in(rect: PlotRect, px: f64, py: f64) -> Option<(f64, f64)> {
    if rect.w <= 0 || rect.h <= 0 || !px.is_finite() || !py.is_finite() {
        return None;
    }
    let fx = (px - f64::from(rect.x)) / f64::from(rect.w);
    let fy = (py - f64::from(rect.y)) / f64::from(rect.h);
    ((0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy)).then_some((fx, fy))
}

/// What a map cell shows on hover, one line each: its inputs, the action, R_net and K against
/// the threshold.
///
/// ```
/// use harvest_features::charts::{action_map, ActionMapSpec};
/// use harvest_kernel::{Axis, HarvestInput};
/// use harvest_features::tuning::view::cell_lines;
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 10, 10));
/// let lines = cell_lines(&map, 0, 9).unwrap();
/// assert!(lines[0].starts_with("PnL "), "{lines:?}");
/// assert!(lines[0].contains(" · σ "));
/// assert_eq!(lines[1], "FULL_CLOSE_PROPOSED"); // σ at the top of its range kills
/// assert!(lines[2].starts_with("R_net ") && lines[2].contains("≥ 0.6"), "{lines:?}");
/// assert!(cell_lines(&map, 10, 0).is_none());
/// ```
pub fn cell_lines(map: &ActionMap, i: usize, j: usize) -> Option<[String; 3]> {
    let c = map.cell(i, j)?;
    let s = &map.spec;
    let (x, y) = (s.x_at(i), s.y_at(j));
    let op = if c.k >= map.threshold { "≥" } else { "<" };
    Some([
        format!(
            "{} {} · {} {}",
            s.x.label(),
            fmt_axis_value(s.x, x),
            s.y.label(),
            fmt_axis_value(s.y, y)
        ),
        c.action.to_string(),
        format!(
            "R_net {} · K {} {op} {}",
            fmt_r(c.r_net),
            fmt_k(c.k),
            fmt_k(map.threshold)
        ),
    ])
}

// =============================================================================================
// Resolution.

/// Cells per side while a slider moves (the map is at least this fine unless a frame is slow).
pub const DRAG_SIDE: usize = 100;
/// Cells per side once the sliders rest.
pub const FULL_SIDE: usize = 200;
/// Coarsest side, however slow the frames.
pub const MIN_SIDE: usize = 32;
/// Time one frame of the map may take while dragging, ms (a 60 Hz frame is 16.7 ms).
pub const FRAME_BUDGET_MS: f64 = 12.0;

/// The side for the next frame while dragging: the last frame took `frame_ms` at `side` cells a
/// side; the cell count scales with the square of the side, so the side scales with the square
/// root of the time ratio. Never above [`DRAG_SIDE`], never below [`MIN_SIDE`].
///
/// ```
/// use harvest_features::tuning::view::{drag_side, DRAG_SIDE, MIN_SIDE};
/// assert_eq!(drag_side(100, 3.0), DRAG_SIDE); // fast: stay at 100
/// assert_eq!(drag_side(100, 48.0), 50); // 4× too slow: half the side
/// assert_eq!(drag_side(50, 3.0), DRAG_SIDE); // fast again: back up
/// assert_eq!(drag_side(100, 1e6), MIN_SIDE);
/// assert_eq!(drag_side(64, f64::NAN), 64);
/// ```
pub fn drag_side(side: usize, frame_ms: f64) -> usize {
    if !(frame_ms.is_finite() && frame_ms > 0.0) {
        return side.clamp(MIN_SIDE, DRAG_SIDE);
    }
    let scaled = side as f64 * (FRAME_BUDGET_MS / frame_ms).sqrt();
    (scaled.floor() as usize).clamp(MIN_SIDE, DRAG_SIDE)
}

/// The resolution line under the map, e.g.
/// `"100 × 100 cells · 1.4 ms compute + 2.1 ms paint · refining…"`.
///
/// ```
/// use harvest_features::tuning::view::resolution_text;
/// assert_eq!(resolution_text(200, 200, 4.04, 3.0, false), "200 × 200 cells · 4 ms compute + 3 ms paint");
/// assert!(resolution_text(100, 100, 1.0, 1.0, true).ends_with("· refining…"));
/// ```
pub fn resolution_text(
    nx: usize,
    ny: usize,
    compute_ms: f64,
    paint_ms: f64,
    coarse: bool,
) -> String {
    format!(
        "{nx} × {ny} cells · {} ms compute + {} ms paint{}",
        format_sig(compute_ms.max(0.0), 2),
        format_sig(paint_ms.max(0.0), 2),
        if coarse { " · refining…" } else { "" }
    )
}

// =============================================================================================
// Robustness.

/// The robustness lines of `input`: per input axis ([`robustness`]) and for `kill_threshold`,
/// the axis label and its sentences ("σ can rise 78.6 % (+0.007859, to 0.01786) before
/// FULL_CLOSE_PROPOSED").
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::view::robustness_lines;
/// let lines = robustness_lines(&HarvestInput::default());
/// assert_eq!(lines.len(), 6);
/// let sigma = &lines.iter().find(|(l, _)| *l == "σ").unwrap().1;
/// assert!(sigma.iter().any(|s| s == "σ can rise 78.6 % (+0.007859, to 0.01786) before FULL_CLOSE_PROPOSED"));
/// ```
pub fn robustness_lines(input: &HarvestInput) -> Vec<(&'static str, Vec<String>)> {
    let mut all: Vec<AxisMargin> = robustness(input);
    all.push(robustness_along(
        input,
        Axis::Theta(ThetaField::KillThreshold),
    ));
    all.iter()
        .map(|m| (m.axis.label(), m.sentences()))
        .collect()
}

// =============================================================================================
// Theta sets.

/// localStorage key of the saved theta sets.
pub const THETA_SETS_KEY: &str = "harvest-lab.theta-sets.v1";
/// Longest name of a theta set, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// A set name as saved: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
///
/// # Errors
/// A message saying what is wrong with the name.
///
/// ```
/// use harvest_features::tuning::view::clean_name;
/// assert_eq!(clean_name("  strict kill "), Ok("strict kill".to_string()));
/// assert!(clean_name("   ").is_err());
/// assert!(clean_name(&"x".repeat(61)).is_err());
/// ```
pub fn clean_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    if n.is_empty() {
        return Err("Give the theta set a name first.".to_string());
    }
    if n.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "The name is {} characters long; at most {MAX_NAME_CHARS} are allowed.",
            n.chars().count()
        ));
    }
    if n.chars().any(char::is_control) {
        return Err("The name contains control characters.".to_string());
    }
    Ok(n.to_string())
}

/// The saved theta sets, by name (sorted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThetaSets {
    sets: Vec<(String, Theta)>,
}

impl ThetaSets {
    /// Reads the storage form ([`ThetaSets::to_storage`]): for each set a line `@ <name>`, then
    /// its `theta.harvest.<key>=<value>` lines. Each theta is read with the strict
    /// [`import_theta`](crate::tuning::import_theta); a set that fails is skipped and described
    /// in the returned problems (the others load).
    ///
    /// ```
    /// use harvest_features::tuning::view::ThetaSets;
    /// let text = "@ a\ntheta.harvest.kill_threshold=0.5\n@ b\ntheta.harvest.kill=1\n";
    /// let (sets, problems) = ThetaSets::parse(text);
    /// assert_eq!(sets.names(), ["a"]);
    /// assert!(problems[0].contains("“b”") && problems[0].contains("kill"), "{problems:?}");
    /// assert_eq!(ThetaSets::parse("").0.len(), 0);
    /// ```
    pub fn parse(text: &str) -> (ThetaSets, Vec<String>) {
        let mut sets = ThetaSets::default();
        let mut problems = Vec::new();
        // (name, body) per set; text before the first `@` may only be comments.
        let mut blocks: Vec<(&str, String)> = Vec::new();
        let mut stray = false;
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("@ ") {
                blocks.push((name, String::new()));
            } else if let Some((_, body)) = blocks.last_mut() {
                body.push_str(line);
                body.push('\n');
            } else {
                let l = line.trim();
                stray |= !(l.is_empty() || l.starts_with('#'));
            }
        }
        if stray {
            problems.push(
                "Part of the saved theta sets could not be read (no “@ name” line before it)."
                    .to_string(),
            );
        }
        for (name, body) in blocks {
            let theta = crate::tuning::import_theta(&body).map_err(|errs| join_errors(&errs));
            match (clean_name(name), theta) {
                (Ok(n), Ok(t)) => {
                    sets.put(n, t);
                }
                (Err(e), _) | (_, Err(e)) => problems.push(format!(
                    "Saved theta set “{}” was skipped: {e}",
                    shorten(name)
                )),
            }
        }
        (sets, problems)
    }

    /// The storage form: a comment line, then per set `@ <name>` and its 22
    /// `theta.harvest.<key>=<value>` lines ([`theta_to_lines`](crate::tuning::theta_to_lines):
    /// every value reads back exactly).
    pub fn to_storage(&self) -> String {
        let mut out = String::from("# Harvest Lab theta sets: \"@ <name>\", then its tunables\n");
        for (n, t) in &self.sets {
            out.push_str("@ ");
            out.push_str(n);
            out.push('\n');
            out.push_str(&crate::tuning::theta_to_lines(t));
        }
        out
    }

    /// The names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.sets.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The theta saved under `name`.
    pub fn get(&self, name: &str) -> Option<Theta> {
        self.sets.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    /// Saves `theta` under `name` ([`clean_name`]); returns the saved name and whether it
    /// replaced a set of that name.
    ///
    /// # Errors
    /// A bad name, or a theta the kernel refuses (every problem named): nothing is saved.
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// use harvest_features::tuning::view::ThetaSets;
    /// let mut s = ThetaSets::default();
    /// assert_eq!(s.save(" b ", Theta::default()), Ok(("b".to_string(), false)));
    /// assert_eq!(s.save("a", Theta::default()), Ok(("a".to_string(), false)));
    /// assert_eq!(s.save("b", Theta { kill_threshold: 0.5, ..Theta::default() }), Ok(("b".to_string(), true)));
    /// assert_eq!(s.names(), ["a", "b"]);
    /// assert!(s.save("c", Theta { sigma_ref: 0.0, ..Theta::default() }).unwrap_err().contains("sigma_ref"));
    /// let (back, problems) = ThetaSets::parse(&s.to_storage());
    /// assert_eq!((back, problems.len()), (s, 0));
    /// ```
    pub fn save(&mut self, name: &str, theta: Theta) -> Result<(String, bool), String> {
        let n = clean_name(name)?;
        let errs = theta.validate_all();
        if !errs.is_empty() {
            let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
            return Err(format!(
                "This theta is invalid, so it was not saved: {}",
                msgs.join("; ")
            ));
        }
        let replaced = self.put(n.clone(), theta);
        Ok((n, replaced))
    }

    /// Deletes the set named `name`; whether there was one.
    pub fn delete(&mut self, name: &str) -> bool {
        let before = self.sets.len();
        self.sets.retain(|(n, _)| n != name);
        self.sets.len() != before
    }

    fn put(&mut self, name: String, theta: Theta) -> bool {
        match self.sets.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
            Ok(i) => {
                self.sets[i].1 = theta;
                true
            }
            Err(i) => {
                self.sets.insert(i, (name, theta));
                false
            }
        }
    }
}

fn join_errors(errs: &[ThetaImportError]) -> String {
    errs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        s.chars().take(40).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

/// A file name for an exported theta set: the set's name with anything but letters, digits,
/// `-` and `_` made `-`, then the extension (`theta` when there is no name).
///
/// ```
/// use harvest_features::tuning::view::export_file_name;
/// assert_eq!(export_file_name("strict kill 0.5", "json"), "strict-kill-0-5.json");
/// assert_eq!(export_file_name(" ", "theta"), "theta.theta");
/// ```
pub fn export_file_name(name: &str, ext: &str) -> String {
    let stem: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = if stem.is_empty() { "theta" } else { &stem };
    format!("{stem}.{ext}")
}

// =============================================================================================
// A/B comparison.

/// Which positions A and B are compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetChoice {
    /// The spec's replay steps ([`scenario_positions`](crate::tuning::scenario_positions)).
    #[default]
    Scenarios,
    /// A grid around the current input ([`grid_positions`](crate::tuning::grid_positions)).
    Grid,
    /// The records loaded in the reviewer.
    Reviewer,
}

impl SetChoice {
    /// Every choice, in menu order.
    pub const ALL: [SetChoice; 3] = [SetChoice::Scenarios, SetChoice::Grid, SetChoice::Reviewer];

    /// Stable key (the `<option>` value).
    pub fn key(self) -> &'static str {
        match self {
            SetChoice::Scenarios => "scenarios",
            SetChoice::Grid => "grid",
            SetChoice::Reviewer => "reviewer",
        }
    }

    /// Parses [`SetChoice::key`].
    ///
    /// ```
    /// use harvest_features::tuning::view::SetChoice;
    /// for c in SetChoice::ALL {
    ///     assert_eq!(SetChoice::from_key(c.key()), Some(c));
    /// }
    /// ```
    pub fn from_key(key: &str) -> Option<SetChoice> {
        SetChoice::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The menu text.
    pub fn label(self) -> &'static str {
        match self {
            SetChoice::Scenarios => "the spec's replay steps (16)",
            SetChoice::Grid => "a grid around the current point (2340)",
            SetChoice::Reviewer => "the reviewer's loaded records",
        }
    }
}

/// One outcome in a few words: `"PARTIAL_25 · SL 100.2 · K 0.503"` (`SL stays` when no stop
/// is proposed).
///
/// ```
/// use harvest_kernel::HarvestAction;
/// use harvest_features::tuning::Outcome;
/// use harvest_features::tuning::view::outcome_text;
/// let o = Outcome { action: HarvestAction::Partial25, new_sl: Some(100.2), kill_score: 0.5034, killed: false, r_net: 2.1 };
/// assert_eq!(outcome_text(&o), "PARTIAL_25 · SL 100.2 · K 0.503");
/// ```
pub fn outcome_text(o: &Outcome) -> String {
    format!(
        "{} · SL {} · K {}",
        o.action,
        o.new_sl.map_or_else(|| "stays".to_string(), fmt_price),
        fmt_k(o.kill_score)
    )
}

/// A differing tunable: `"kill_threshold 0.6 → 0.5"`.
///
/// ```
/// use harvest_features::tuning::ThetaChange;
/// use harvest_features::tuning::view::theta_change_text;
/// let c = ThetaChange { key: "kill_threshold", a: 0.6, b: 0.5 };
/// assert_eq!(theta_change_text(&c), "kill_threshold 0.6 → 0.5");
/// ```
pub fn theta_change_text(c: &ThetaChange) -> String {
    format!("{} {} → {}", c.key, format_sig(c.a, 6), format_sig(c.b, 6))
}

/// One changed position as the A/B list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AbRow {
    /// Index of the position in the compared set.
    pub index: usize,
    /// The position's label (`"5. σ storm: step 1"`, `"R 2, σ 0.01, …"`, `"file.jsonl:12 BTCUSDT"`).
    pub label: String,
    /// What changed: `"action, new_sl, kill"`.
    pub kinds: String,
    /// Under A ([`outcome_text`]).
    pub a: String,
    /// Under B.
    pub b: String,
}

/// The first `max` changed positions of `report`, labelled from `labels` (the set's labels,
/// same order as the compared inputs; `"#<n>"` when missing).
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::tuning::{compare_thetas, scenario_positions};
/// use harvest_features::tuning::view::ab_rows;
/// let set = scenario_positions();
/// let b = Theta { kill_threshold: 0.55, ..Theta::default() };
/// let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
/// let rows = ab_rows(&r, &set.labels, 10);
/// assert_eq!(rows.len(), r.counts.changed);
/// assert!(rows[0].kinds.contains("action"));
/// assert!(rows[0].b.starts_with("FULL_CLOSE_PROPOSED"), "{:?}", rows[0]);
/// ```
pub fn ab_rows(report: &AbReport, labels: &[String], max: usize) -> Vec<AbRow> {
    report
        .changes
        .iter()
        .take(max)
        .map(|(i, d)| AbRow {
            index: *i,
            label: labels
                .get(*i)
                .cloned()
                .unwrap_or_else(|| format!("#{}", i + 1)),
            kinds: d.kinds().join(", "),
            a: outcome_text(&d.a),
            b: outcome_text(&d.b),
        })
        .collect()
}

/// The explorer state that shows position `input` under theta `theta` (B), for "open in the
/// explorer".
///
/// ```
/// use harvest_kernel::{scenarios, Theta};
/// use harvest_features::tuning::view::open_state;
/// let input = &scenarios()[5].steps[0].input;
/// let b = Theta { kill_threshold: 0.95, ..Theta::default() };
/// let s = open_state(input, b);
/// assert_eq!(s.theta, b);
/// assert_eq!(s.market.sigma, input.market_state.sigma);
/// ```
pub fn open_state(input: &HarvestInput, theta: Theta) -> UiState {
    let mut i = input.clone();
    i.theta = Some(theta);
    UiState::from_input(&i)
}

// =============================================================================================
// HTML for the view's text-heavy parts (one `inner_html` each keeps the wasm small).

pub use crate::reviewer::esc;

/// `<li>` items (escaped), e.g. for error lists.
///
/// ```
/// use harvest_features::tuning::view::li_html;
/// assert_eq!(li_html(&["a<b".to_string()]), "<li>a&lt;b</li>");
/// ```
pub fn li_html(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("<li>{}</li>", esc(i)))
        .collect()
}

/// The robustness list's items: the axis in bold, then its sentences.
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::view::{robustness_html, robustness_lines};
/// let h = robustness_html(&robustness_lines(&HarvestInput::default()));
/// assert_eq!(h.matches("<li>").count(), 6);
/// assert!(h.contains("<li><b>σ</b>σ can fall to 0"));
/// assert!(h.contains("; σ can rise 78.6 % (+0.007859, to 0.01786) before FULL_CLOSE_PROPOSED</li>"));
/// ```
pub fn robustness_html(lines: &[(&str, Vec<String>)]) -> String {
    lines
        .iter()
        .map(|(axis, s)| format!("<li><b>{}</b>{}</li>", esc(axis), esc(&s.join("; "))))
        .collect()
}

/// The `<option>`s of the saved theta sets (names escaped); a disabled placeholder when there
/// is none.
///
/// ```
/// use harvest_features::tuning::view::options_html;
/// assert_eq!(options_html(&["a&b"]), r#"<option value="a&amp;b">a&amp;b</option>"#);
/// assert!(options_html(&[]).starts_with("<option value=\"\" disabled>"));
/// ```
pub fn options_html(names: &[&str]) -> String {
    if names.is_empty() {
        return "<option value=\"\" disabled>No saved sets yet</option>".to_string();
    }
    names
        .iter()
        .map(|n| {
            let e = esc(n);
            format!("<option value=\"{e}\">{e}</option>")
        })
        .collect()
}

/// The map tooltip's content: the action in bold, then the inputs, then R_net and K.
pub fn tooltip_html(lines: &[String; 3]) -> String {
    format!(
        "<b>{}</b><span>{}</span><span>{}</span>",
        esc(&lines[1]),
        esc(&lines[0]),
        esc(&lines[2])
    )
}

/// The A/B results once A is pinned: the tunables that differ (`ab-theta-diff`), the summary
/// with the net sentence and the changed count (`ab-summary`, `ab-changed-count`), and a table
/// with one `ab-row` per listed change, each with an "Open" button carrying `data-index` (the
/// position's index in the set). `more` positions changed beyond the listed rows.
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::tuning::{compare_thetas, scenario_positions};
/// use harvest_features::tuning::view::{ab_html, ab_rows};
/// let set = scenario_positions();
/// let b = Theta { kill_threshold: 0.55, ..Theta::default() };
/// let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
/// let h = ab_html(&r, &set.name, &ab_rows(&r, &set.labels, 100));
/// assert!(h.contains("kill_threshold 0.6 → 0.55"));
/// assert!(h.contains(r#"<strong data-testid="ab-changed-count">1</strong> of 16 positions"#));
/// assert_eq!(h.matches(r#"data-testid="ab-row""#).count(), 1);
/// assert!(h.contains("B proposes 1 more full close and 1 fewer hold than A."));
/// ```
pub fn ab_html(report: &AbReport, set_name: &str, rows: &[AbRow]) -> String {
    let c = &report.counts;
    let diff = if report.theta_diff.is_empty() {
        "A and B are the same theta: move a theta slider to edit B.".to_string()
    } else {
        let parts: Vec<String> = report.theta_diff.iter().map(theta_change_text).collect();
        format!("B differs from A in {}.", parts.join(", "))
    };
    let summary = c.summary();
    let invalid = if c.invalid > 0 {
        format!(
            " {} could not be compared (the kernel rejects their inputs).",
            c.invalid
        )
    } else {
        String::new()
    };
    let mut h = format!(
        "<p data-testid=\"ab-theta-diff\">{}</p>\
         <div class=\"ab-summary\" data-testid=\"ab-summary\"><p class=\"net\">{}</p>\
         <p>Changed: <strong data-testid=\"ab-changed-count\">{}</strong> of {} positions ({}): \
         action {}, stop {} ({} added, {} removed), K trigger {} ({} newly, {} no longer).{}</p>\
         <p>{}</p></div>",
        esc(&diff),
        esc(&c.net_sentence()),
        c.changed,
        c.positions,
        esc(set_name),
        c.action_changed,
        c.sl_changed,
        c.sl_added,
        c.sl_removed,
        c.kill_changed,
        c.newly_killed,
        c.no_longer_killed,
        esc(&invalid),
        esc(summary.get(1).map_or("", String::as_str)),
    );
    if !rows.is_empty() {
        h.push_str(
            "<div class=\"ab-scroll\"><table class=\"ab-table\"><thead><tr><th>Position</th>\
             <th>Changes</th><th>A</th><th>B</th><th></th></tr></thead><tbody>",
        );
        for r in rows {
            h.push_str(&format!(
                "<tr data-testid=\"ab-row\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td><button type=\"button\" data-testid=\"ab-open\" data-act=\"open\" data-index=\"{}\" \
                 title=\"Open this position in the explorer with theta B\">Open</button></td></tr>",
                esc(&r.label),
                esc(&r.kinds),
                esc(&r.a),
                esc(&r.b),
                r.index
            ));
        }
        h.push_str("</tbody></table></div>");
    }
    if c.changed > rows.len() {
        h.push_str(&format!(
            "<p class=\"hint\">… and {} more (the first {} are listed).</p>",
            c.changed - rows.len(),
            rows.len()
        ));
    }
    h
}

// =============================================================================================
// The sliders (static markup; the dashboard keeps their values in step with the state).

/// One slider of the tuning view: an input of the explorer or a tunable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliderField {
    /// PnL, p_trend, σ, TS or age (in the state's shown units: age in hours).
    Input(InputField),
    /// A sweepable tunable.
    Theta(ThetaField),
}

impl SliderField {
    /// The sliders, in order: the five map inputs, then the tunables of [`MAP_AXES`].
    pub fn all() -> Vec<SliderField> {
        MAP_AXES
            .iter()
            .map(|a| match *a {
                Axis::Pnl => SliderField::Input(InputField::Pnl),
                Axis::PTrend => SliderField::Input(InputField::PTrend),
                Axis::Sigma => SliderField::Input(InputField::Sigma),
                Axis::Ts => SliderField::Input(InputField::Ts),
                Axis::AgeSec => SliderField::Input(InputField::AgeSec),
                Axis::Theta(f) => SliderField::Theta(f),
            })
            .collect()
    }

    /// The key in `data-field` and in the test ids (`tune-<key>`): the state's input key or the
    /// tunable's JSON key.
    pub fn key(self) -> &'static str {
        match self {
            SliderField::Input(f) => f.spec().key,
            SliderField::Theta(f) => f.key(),
        }
    }

    /// Parses [`SliderField::key`].
    ///
    /// ```
    /// use harvest_features::tuning::view::SliderField;
    /// for f in SliderField::all() {
    ///     assert_eq!(SliderField::from_key(f.key()), Some(f));
    /// }
    /// assert_eq!(SliderField::from_key("entry"), None);
    /// ```
    pub fn from_key(key: &str) -> Option<SliderField> {
        SliderField::all().into_iter().find(|f| f.key() == key)
    }

    /// The slider's range (shown units) and value in `state`.
    pub fn range_value(self, state: &UiState) -> (SliderRange, f64) {
        match self {
            SliderField::Input(f) => (state.slider(f), state.get(f) / f.spec().scale),
            SliderField::Theta(f) => (theta_range(f), state.theta.get(f)),
        }
    }

    /// Sets the slider's value `v` (shown units) in `state`: an input through the state's own
    /// validation (the error names it), a tunable as given (the kernel's validation shows).
    ///
    /// # Errors
    /// The state's message; `state` is unchanged then.
    ///
    /// ```
    /// use harvest_features::explorer::{InputField, UiState};
    /// use harvest_features::tuning::view::SliderField;
    /// let mut s = UiState::default();
    /// SliderField::Input(InputField::AgeSec).slide(&mut s, 2.0).unwrap();
    /// assert_eq!(s.age_sec, 7200.0);
    /// assert!(SliderField::Input(InputField::Sigma).slide(&mut s, -1.0).is_err());
    /// ```
    pub fn slide(self, state: &mut UiState, v: f64) -> Result<(), String> {
        match self {
            SliderField::Input(f) => state.set(f, v * f.spec().scale).map_err(|e| e.to_string()),
            SliderField::Theta(f) => {
                state.theta.set(f, v);
                Ok(())
            }
        }
    }

    /// Sets the value typed in the slider's box (shown units).
    ///
    /// # Errors
    /// The state's message (naming the field, what was typed and the allowed range).
    pub fn type_text(self, state: &mut UiState, text: &str) -> Result<(), String> {
        match self {
            SliderField::Input(f) => state.set_text(f, text).map_err(|e| e.to_string()),
            SliderField::Theta(f) => state.set_theta_text(f, text).map_err(|e| e.to_string()),
        }
    }
}

/// The sliders as HTML (the explorer's field markup): for each, a range input `tune-<key>` and
/// a number box `tune-<key>-number` (both with `data-field`), a note `tune-<key>-note` and an
/// error `tune-<key>-error`; a headline `tune-now` and the theta heading `tune-theta-head`.
///
/// ```
/// use harvest_features::tuning::view::sliders_html;
/// let h = sliders_html();
/// assert!(h.contains(r#"data-testid="tune-kill_threshold""#));
/// assert!(h.contains(r#"data-testid="tune-age_sec-number""#));
/// assert_eq!(h.matches(r#"type="range""#).count(), 15);
/// ```
pub fn sliders_html() -> String {
    let mut h = String::from(
        "<section class=\"card tune-controls\" aria-label=\"Point and theta\"><h2>Point</h2>\
         <p class=\"tune-now\" data-testid=\"tune-now\"></p>",
    );
    for f in SliderField::all() {
        if f == SliderField::Theta(ThetaField::KillThreshold) {
            h.push_str("<h2 data-testid=\"tune-theta-head\">Theta</h2>");
        }
        let key = f.key();
        let (label, unit, help) = match f {
            SliderField::Input(i) => {
                let s = i.spec();
                (
                    s.label,
                    s.unit,
                    format!("{} ({}; allowed: {})", s.help, s.path, s.allowed),
                )
            }
            SliderField::Theta(t) => {
                let p = t.spec();
                (
                    p.key,
                    if p.unit.is_empty() { "×" } else { p.unit },
                    format!(
                        "{} (default {}; sensible: {})",
                        p.help,
                        crate::explorer::fmt_num(Theta::default().get(t)),
                        p.sensible.describe()
                    ),
                )
            }
        };
        let (label, help) = (esc(label), esc(&help));
        h.push_str(&format!(
            "<div class=\"field\" data-row=\"{key}\"><div class=\"field-head\">\
             <label for=\"tune-{key}\" title=\"{help}\">{label}</label>\
             <span class=\"tip\" tabindex=\"0\" role=\"note\" aria-label=\"{help}\" data-tip=\"{help}\">?</span></div>\
             <div class=\"field-body\"><input type=\"range\" id=\"tune-{key}\" data-testid=\"tune-{key}\" data-field=\"{key}\" aria-describedby=\"tune-{key}-err\">\
             <input type=\"text\" inputmode=\"decimal\" autocomplete=\"off\" spellcheck=\"false\" class=\"num\" data-testid=\"tune-{key}-number\" data-field=\"{key}\" aria-label=\"{label} value\">\
             <span class=\"unit\">{}</span></div>\
             <p class=\"note\" data-testid=\"tune-{key}-note\"></p>\
             <p class=\"err\" id=\"tune-{key}-err\" data-testid=\"tune-{key}-error\" role=\"alert\" hidden></p></div>",
            esc(unit)
        ));
    }
    h.push_str(
        "<p class=\"hint\">Side, entry, stop, P1 and the other tunables are in the Explorer: both \
         views share one state.</p></section>",
    );
    h
}

/// The tuning view's main column as static HTML (the dashboard fills in the dynamic parts and
/// handles every event with one delegated listener per kind; `data-act` names a button's
/// action). Cards: the action map (`map-x`, `map-y`, `action-map`, `map-tooltip`,
/// `map-cell-count`), robustness and sensitivity (`robustness`, `sensitivity`), A/B (`ab-pin`,
/// `ab-unpin`, `ab-reset-b`, `ab-set`, `ab-results`) and theta sets (`theta-set-name`,
/// `theta-set-save`, `theta-set-list`, `theta-set-load`, `theta-set-delete`, `theta-text`,
/// `theta-export-json`, `theta-export-lines`, `theta-set-download`, `theta-import`,
/// `theta-import-file`, `theta-status`).
///
/// ```
/// use harvest_features::tuning::view::main_html;
/// let h = main_html();
/// for id in ["map-x", "map-y", "action-map", "map-tooltip", "map-cell-count", "robustness",
///            "sensitivity", "ab-pin", "ab-set", "ab-results", "theta-set-name", "theta-set-save",
///            "theta-set-list", "theta-set-load", "theta-set-delete", "theta-import-text",
///            "theta-export-json", "theta-export-lines"] {
///     assert_eq!(h.matches(&format!("data-testid=\"{id}\"")).count(), 1, "{id}");
/// }
/// assert_eq!(h.matches("<option value=\"kill_threshold\">").count(), 2); // x and y
/// ```
pub fn main_html() -> String {
    let axis_opts = |(lo, hi): (usize, usize)| -> String {
        MAP_AXES[lo..hi]
            .iter()
            .map(|a| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    a.key(),
                    esc(&axis_option(*a))
                )
            })
            .collect()
    };
    let axes = format!(
        "<optgroup label=\"Inputs\">{}</optgroup><optgroup label=\"Theta\">{}</optgroup>",
        axis_opts((0, Axis::INPUTS.len())),
        axis_opts((Axis::INPUTS.len(), MAP_AXES.len()))
    );
    let sets: String = SetChoice::ALL
        .iter()
        .map(|c| format!("<option value=\"{}\">{}</option>", c.key(), esc(c.label())))
        .collect();
    format!(
        r#"<section class="card tune-map" aria-label="Action map"><div class="tune-head"><h2>Action map</h2><label>x <select data-testid="map-x" data-axis="x">{axes}</select></label><label>y <select data-testid="map-y" data-axis="y">{axes}</select></label></div><div class="map-wrap"><canvas data-testid="action-map" role="img" aria-label="Action map"></canvas><div class="map-tip" data-testid="map-tooltip" role="tooltip" hidden></div></div><p class="hint"><span data-testid="map-cell-count"></span> · the line is K = kill_threshold, the ring is the current point; hover a cell for its numbers, click to move the point there.</p></section><section class="card tune-sens" aria-label="Robustness and sensitivity"><h2>Robustness</h2><p class="hint">How far each input (and kill_threshold) can move, the rest fixed, before the proposed action changes.</p><ul class="robust" data-testid="robustness"></ul><h2>Sensitivity</h2><p class="hint">K (R_net for PnL) against each input with the others fixed: dashed lines are the thresholds, the dot is the current value, the strip along the bottom is the action.</p><canvas data-testid="sensitivity" role="img" aria-label="Sensitivity of K and R_net to each input" style="height:340px"></canvas></section><section class="card tune-ab" aria-label="A/B theta comparison"><h2>A/B theta comparison</h2><div class="tune-row"><button type="button" data-testid="ab-pin" data-act="pin">Pin current theta as A</button><button type="button" data-testid="ab-unpin" data-act="unpin" disabled>Unpin A</button><button type="button" data-testid="ab-reset-b" data-act="reset-b" title="Put theta A back into the sliders" disabled>Set B = A</button><label>Positions <select data-testid="ab-set">{sets}</select></label></div><p class="hint">Pin the current theta as A; the theta sliders (here or in the Explorer) then edit B, and every position whose action, proposed stop or K trigger changes under B is listed.</p><div data-testid="ab-results"></div></section><section class="card tune-sets" aria-label="Theta sets"><h2>Theta sets</h2><p class="hint">Saved in this browser (localStorage). Load puts a set into the theta sliders (theta B when A is pinned).</p><div class="tune-row"><input type="text" data-testid="theta-set-name" aria-label="Name of the theta set" placeholder="Name, e.g. stricter kill" maxlength="{MAX_NAME_CHARS}"><button type="button" data-testid="theta-set-save" data-act="save">Save current theta</button></div><div class="tune-row"><select data-testid="theta-set-list" aria-label="Saved theta sets" size="4"></select><div class="tune-col"><button type="button" data-testid="theta-set-load" data-act="load">Load</button><button type="button" data-testid="theta-set-delete" data-act="delete">Delete</button></div></div><h2>Export / import</h2><textarea data-testid="theta-text" aria-label="Theta as JSON or theta.harvest lines" rows="7" spellcheck="false" placeholder="theta.harvest.kill_threshold=0.5   or   {{&quot;kill_threshold&quot;: 0.5}}"></textarea><div class="tune-row"><button type="button" data-testid="theta-export-json" data-act="json">Export JSON</button><button type="button" data-testid="theta-export-lines" data-act="lines">Export lines</button><button type="button" data-testid="theta-set-download" data-act="download">Download</button><button type="button" data-testid="theta-import-text" data-act="import">Import</button><label class="file">File… <input type="file" accept=".json,.theta,.txt,.properties,application/json,text/plain" data-testid="theta-import-file"></label></div><div data-testid="theta-status"></div></section>"#
    )
}

/// The theta sets' status line and the import's problems, as HTML (`theta-set-msg`,
/// `theta-import-errors`).
///
/// ```
/// use harvest_features::tuning::view::status_html;
/// let h = status_html(false, "Import refused:", &["a <b>".to_string()]);
/// assert!(h.contains(r#"<p class="err" role="status" data-testid="theta-set-msg">Import refused:</p>"#));
/// assert!(h.contains(r#"<ul class="err" data-testid="theta-import-errors"><li>a &lt;b&gt;</li></ul>"#));
/// ```
pub fn status_html(ok: bool, msg: &str, problems: &[String]) -> String {
    let mut h = String::new();
    if !msg.is_empty() {
        h.push_str(&format!(
            "<p class=\"{}\" role=\"status\" data-testid=\"theta-set-msg\">{}</p>",
            if ok { "ok" } else { "err" },
            esc(msg)
        ));
    }
    if !problems.is_empty() {
        h.push_str(&format!(
            "<ul class=\"err\" data-testid=\"theta-import-errors\">{}</ul>",
            li_html(problems)
        ));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{action_map, ActionMapSpec};
    use crate::tuning::{compare_thetas, grid_positions, GridSpec};

    #[test]
    fn the_map_axes_start_with_the_inputs() {
        // main_html groups the dropdowns by this split.
        assert_eq!(MAP_AXES[..Axis::INPUTS.len()], Axis::INPUTS);
        assert!(MAP_AXES[Axis::INPUTS.len()..]
            .iter()
            .all(|a| matches!(a, Axis::Theta(_))));
    }

    #[test]
    fn every_map_axis_round_trips_and_has_a_title() {
        for a in MAP_AXES {
            assert_eq!(map_axis(a.key()), Some(a));
            assert!(!axis_option(a).is_empty());
        }
        assert_ne!(DEFAULT_AXES.0, DEFAULT_AXES.1);
    }

    #[test]
    fn pick_axis_never_gives_the_same_axis_twice() {
        for x in MAP_AXES {
            for y in MAP_AXES.into_iter().filter(|&y| y != x) {
                for n in MAP_AXES {
                    for for_x in [true, false] {
                        let (a, b) = pick_axis((x, y), for_x, n);
                        assert_ne!(a, b);
                        assert_eq!(if for_x { a } else { b }, n);
                    }
                }
            }
        }
    }

    #[test]
    fn every_pixel_of_the_plot_maps_to_the_cell_painted_there() {
        // The blit puts row ny−1 at the top: the pixel row from the top is ny−1−j.
        let input = HarvestInput::default();
        let map = action_map(
            &input,
            ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 7, 5),
        );
        let r = PlotRect {
            x: 3,
            y: 4,
            w: 70,
            h: 50,
        };
        for py in 4..54 {
            for px in 3..73 {
                let (i, j) = cell_at(r, 7, 5, f64::from(px) + 0.5, f64::from(py) + 0.5).unwrap();
                assert_eq!(i, ((px - 3) / 10) as usize);
                assert_eq!(4 - j, ((py - 4) / 10) as usize);
                // The value under the pointer lies in that cell.
                let (x, y) = value_at(r, &map, f64::from(px) + 0.5, f64::from(py) + 0.5).unwrap();
                let s = &map.spec;
                let dx = (s.x_range.1 - s.x_range.0) / 7.0;
                let dy = (s.y_range.1 - s.y_range.0) / 5.0;
                assert!((x - s.x_at(i)).abs() <= dx / 2.0 + 1e-9);
                assert!((y - s.y_at(j)).abs() <= dy / 2.0 + 1e-9);
            }
        }
        for (px, py) in [(2.9, 10.0), (73.0, 10.0), (10.0, 54.0), (f64::NAN, 5.0)] {
            assert_eq!(cell_at(r, 7, 5, px, py), None);
        }
        assert_eq!(
            cell_at(
                PlotRect {
                    x: 0,
                    y: 0,
                    w: 0,
                    h: 10
                },
                7,
                5,
                0.0,
                0.0
            ),
            None
        );
        assert_eq!(cell_at(r, 0, 5, 10.0, 10.0), None);
    }

    #[test]
    fn cell_lines_agree_with_the_kernel() {
        let input = HarvestInput::default();
        let map = action_map(
            &input,
            ActionMapSpec::around(
                &input,
                Axis::Sigma,
                Axis::Theta(ThetaField::KillThreshold),
                9,
                9,
            ),
        );
        for j in 0..9 {
            for i in 0..9 {
                let mut probe = input.clone();
                Axis::Theta(ThetaField::KillThreshold).set(&mut probe, map.spec.y_at(j));
                probe.market_state.sigma = map.spec.x_at(i);
                let e = probe.evaluate();
                let lines = cell_lines(&map, i, j).unwrap();
                assert_eq!(lines[1], e.action.to_string());
                assert!(lines[2].contains(&format!("K {}", fmt_k(e.kill_score))));
            }
        }
    }

    #[test]
    fn drag_side_keeps_the_frame_budget() {
        for side in [MIN_SIDE, 50, DRAG_SIDE] {
            for ms in [0.5, 5.0, 12.0, 20.0, 100.0, 1000.0] {
                let s = drag_side(side, ms);
                assert!((MIN_SIDE..=DRAG_SIDE).contains(&s));
                // Predicted time at the new side (time ∝ cells) is within budget unless floored.
                let predicted = ms * (s * s) as f64 / (side * side) as f64;
                assert!(
                    predicted <= FRAME_BUDGET_MS + 1e-9 || s == MIN_SIDE,
                    "{side} {ms} → {s}"
                );
            }
        }
    }

    #[test]
    fn theta_sets_skip_what_they_cannot_read() {
        let (s, p) = ThetaSets::parse("junk\n");
        assert!(s.is_empty() && p.len() == 1);
        let (s, p) = ThetaSets::parse(
            "# c\n@ ok\n\n@  \ntheta.harvest.u1=1\n@ range\ntheta.harvest.sigma_ref=0\n@ empty\n",
        );
        assert!(
            s.is_empty(),
            "an empty body, an empty name, a bad value: {s:?}"
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p
            .iter()
            .any(|m| m.contains("“range”") && m.contains("sigma_ref")));
        let (s, p) = ThetaSets::parse("@ ok\ntheta.harvest.u1=1\n");
        assert!(p.is_empty());
        let mut s = s;
        assert_eq!(s.get("ok").map(|t| t.u1), Some(1.0));
        assert!(s.delete("ok"));
        assert!(!s.delete("ok"));
        assert!(ThetaSets::parse(&s.to_storage()).0.is_empty());
    }

    #[test]
    fn theta_sets_keep_every_tunable_exactly() {
        let mut t = Theta::default();
        for (k, f) in ThetaField::ALL.into_iter().enumerate() {
            let r = theta_range(f);
            t.set(f, r.min + (r.max - r.min) * (0.1 + 0.01 * k as f64) / 3.0);
        }
        // Keep T1 < T2 < T3.
        (t.t1_r, t.t2_r, t.t3_r) = (1.1, 2.3, 3.7);
        assert!(t.is_valid(), "{:?}", t.validate_all());
        let mut s = ThetaSets::default();
        s.save("odd", t).unwrap();
        let (back, p) = ThetaSets::parse(&s.to_storage());
        assert!(p.is_empty());
        assert_eq!(back.get("odd"), Some(t));
    }

    #[test]
    fn ab_rows_label_every_changed_position() {
        let base = HarvestInput::default();
        let set = grid_positions(&base, &GridSpec::default()).unwrap();
        let b = Theta {
            kill_threshold: 0.5,
            t1_r: 1.5,
            ..Theta::default()
        };
        let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
        assert!(r.counts.changed > 10);
        let rows = ab_rows(&r, &set.labels, usize::MAX);
        assert_eq!(rows.len(), r.counts.changed);
        for row in &rows {
            assert_eq!(row.label, set.labels[row.index]);
            assert!(!row.kinds.is_empty());
        }
        assert_eq!(ab_rows(&r, &[], 3).len(), 3);
        assert!(ab_rows(&r, &[], 3)[0].label.starts_with('#'));
        let s = open_state(&set.inputs[rows[0].index], b);
        assert_eq!(s.to_input().evaluate().action, r.changes[0].1.b.action);
    }

    #[test]
    fn ab_html_escapes_labels_and_lists_the_first_rows() {
        let set = grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap();
        let b = Theta {
            kill_threshold: 0.5,
            ..Theta::default()
        };
        let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
        let mut rows = ab_rows(&r, &set.labels, 5);
        rows[0].label = "<script>x</script> & co".to_string();
        let h = ab_html(&r, "grid <1>", &rows);
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt; &amp; co"));
        assert!(h.contains("(grid &lt;1&gt;)"));
        assert_eq!(h.matches("data-testid=\"ab-row\"").count(), 5);
        assert!(h.contains(&format!(
            "data-act=\"open\" data-index=\"{}\"",
            rows[4].index
        )));
        assert!(h.contains(&format!("… and {} more", r.counts.changed - 5)));
        let same = compare_thetas(&b, &b, &set.inputs).unwrap();
        let h = ab_html(&same, "grid", &[]);
        assert!(h.contains("same theta") && !h.contains("<table"));
        assert!(h.contains("same action as A for every position"));
    }

    #[test]
    fn set_labels_give_the_true_sizes() {
        use crate::tuning::scenario_positions;
        let n = scenario_positions().len().to_string();
        assert!(SetChoice::Scenarios.label().contains(&format!("({n})")));
        let n = GridSpec::default().len().to_string();
        assert!(SetChoice::Grid.label().contains(&format!("({n})")));
    }

    #[test]
    fn robustness_lines_name_every_axis() {
        let lines = robustness_lines(&HarvestInput::default());
        let labels: Vec<&str> = lines.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            ["PnL", "p_trend", "σ", "TS", "age", "kill_threshold"]
        );
        assert!(lines.iter().all(|(_, s)| !s.is_empty()));
    }
}
