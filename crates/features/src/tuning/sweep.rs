//! The sweep: the action map of two axes as a table, one row per cell ([`sweep`], [`Sweep::to_csv`]).

use serde::Serialize;

use crate::charts::{action_map, ActionMap, ActionMapSpec};
use harvest_kernel::{profit_lock, Axis, HarvestAction, HarvestInput};

/// The action map of two axes with the proposed stop of each cell: what `harvest sweep` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The charts' action map ([`action_map`]): actions, R_net and K per cell.
    pub map: ActionMap,
    /// The proposed stop per cell, in the order of `map.cells`.
    pub new_sl: Vec<Option<f64>>,
}

/// One row of a [`Sweep`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SweepRow {
    /// The x value (cell centre).
    pub x: f64,
    /// The y value (cell centre).
    pub y: f64,
    /// The final action.
    pub action: HarvestAction,
    /// R_net.
    #[serde(rename = "R_net")]
    pub r_net: f64,
    /// Kill score K.
    pub kill_score: f64,
    /// The proposed stop.
    pub new_sl: Option<f64>,
}

/// The action map of `input` over `spec` ([`action_map`], which sanitizes the spec) plus each
/// cell's proposed stop. The stop is the kernel's [`profit_lock`] at the cell's R_net, under the
/// input's theta with the cell's theta axes set: exactly what [`evaluate`] gives there (the swept
/// inputs never move side, entry or the current stop).
///
/// ```
/// use harvest_features::charts::ActionMapSpec;
/// use harvest_kernel::{Axis, HarvestInput};
/// use harvest_features::tuning::sweep;
/// let input = HarvestInput::default();
/// let s = sweep(&input, ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 20, 10));
/// assert_eq!(s.rows().count(), 200);
/// assert!(s.rows().any(|r| r.new_sl.is_some()));
/// ```
pub fn sweep(input: &HarvestInput, spec: ActionMapSpec) -> Sweep {
    let map = action_map(input, spec);
    let spec = map.spec;
    let base = input.theta.unwrap_or_default();
    let pos = &input.position;
    let mut new_sl = Vec::with_capacity(map.cells.len());
    for j in 0..spec.ny {
        for i in 0..spec.nx {
            let Some(cell) = map.cell(i, j) else {
                continue;
            };
            // Same order as the map: y first, then x.
            let mut theta = base;
            if let Axis::Theta(f) = spec.y {
                theta.set(f, spec.y_at(j));
            }
            if let Axis::Theta(f) = spec.x {
                theta.set(f, spec.x_at(i));
            }
            new_sl.push(profit_lock(
                pos.side,
                pos.entry_price,
                pos.current_sl,
                cell.r_net,
                &theta,
            ));
        }
    }
    Sweep { map, new_sl }
}

impl Sweep {
    /// The rows, bottom row first, left to right (the order of `map.cells`).
    pub fn rows(&self) -> impl Iterator<Item = SweepRow> + '_ {
        let spec = self.map.spec;
        self.map
            .cells
            .iter()
            .zip(&self.new_sl)
            .enumerate()
            .map(move |(k, (c, sl))| SweepRow {
                x: spec.x_at(k % spec.nx.max(1)),
                y: spec.y_at(k / spec.nx.max(1)),
                action: c.action,
                r_net: c.r_net,
                kill_score: c.k,
                new_sl: *sl,
            })
    }

    /// The CSV header: the two axis keys, then `action,R_net,kill_score,new_sl`.
    pub fn csv_header(&self) -> String {
        format!(
            "{},{},action,R_net,kill_score,new_sl",
            self.map.spec.x.key(),
            self.map.spec.y.key()
        )
    }

    /// One CSV line (no newline): numbers in full precision, an empty `new_sl` when the stop stays.
    pub fn csv_row(row: &SweepRow) -> String {
        use crate::csv_text::Cell::Plain;
        let num = crate::format::shortest;
        let sl = row.new_sl.map(num).unwrap_or_default();
        let (x, y, r, k) = (num(row.x), num(row.y), num(row.r_net), num(row.kill_score));
        crate::csv_text::row(&[
            Plain(&x),
            Plain(&y),
            Plain(row.action.as_str()),
            Plain(&r),
            Plain(&k),
            Plain(&sl),
        ])
    }

    /// The whole table as CSV, header first, one line per cell.
    ///
    /// ```
    /// use harvest_features::charts::ActionMapSpec;
    /// use harvest_kernel::{Axis, HarvestInput};
    /// use harvest_features::tuning::sweep;
    /// let input = HarvestInput::default();
    /// let csv = sweep(&input, ActionMapSpec::around(&input, Axis::Sigma, Axis::Ts, 2, 2)).to_csv();
    /// assert!(csv.starts_with("sigma,ts,action,R_net,kill_score,new_sl\n"));
    /// assert_eq!(csv.lines().count(), 5);
    /// ```
    pub fn to_csv(&self) -> String {
        let mut out = self.csv_header();
        out.push('\n');
        for r in self.rows() {
            out.push_str(&Self::csv_row(&r));
            out.push('\n');
        }
        out
    }
}
