//! The grid of a research job: 1–3 tunables, each with evenly spaced values ([`SweepAxis`]),
//! their cells in a fixed order (the first axis fastest), a cell's theta and its neighbours.

use serde::Serialize;

use crate::replay::SweepAxis;
use harvest_kernel::{Theta, ThetaField};

/// Most cells of a grid (the product of its axes' counts).
pub const MAX_CELLS: usize = 10_000;

/// Why a grid was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// No axis or more than three.
    #[error("{0} grid axes: research takes 1 to 3 tunables (give --grid once for each)")]
    Axes(usize),
    /// A tunable twice.
    #[error("{} is given twice: each grid axis must be a different tunable", .0.key())]
    Repeated(ThetaField),
    /// Too many cells.
    #[error("{0} cells: a grid may have at most {MAX_CELLS}")]
    TooBig(usize),
}

/// The tunables varied and their values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// The axes, the first varying fastest.
    pub axes: Vec<SweepAxis>,
}

impl Grid {
    /// A grid of `axes`.
    ///
    /// # Errors
    /// [`GridError`]: none or more than three axes, a tunable twice, more than [`MAX_CELLS`].
    ///
    /// ```
    /// use harvest_features::replay::SweepAxis;
    /// use harvest_features::research::Grid;
    /// let g = Grid::new(vec![
    ///     SweepAxis::parse("kill_threshold=0.4:0.8:5").unwrap(),
    ///     SweepAxis::parse("T1_R=1:3:3").unwrap(),
    /// ]).unwrap();
    /// assert_eq!(g.cells(), 15);
    /// assert_eq!(g.coords(7), vec![2, 1]);
    /// assert_eq!(g.values(7), vec![0.6000000000000001, 2.0]);
    /// ```
    pub fn new(axes: Vec<SweepAxis>) -> Result<Grid, GridError> {
        if axes.is_empty() || axes.len() > 3 {
            return Err(GridError::Axes(axes.len()));
        }
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.field == a.field) {
                return Err(GridError::Repeated(a.field));
            }
        }
        let cells = axes.iter().map(|a| a.n.max(1)).product::<usize>();
        if cells > MAX_CELLS {
            return Err(GridError::TooBig(cells));
        }
        Ok(Grid { axes })
    }

    /// Cells in all.
    pub fn cells(&self) -> usize {
        self.axes.iter().map(|a| a.n.max(1)).product()
    }

    /// The value index on each axis of cell `k`.
    pub fn coords(&self, k: usize) -> Vec<usize> {
        let mut rest = k;
        self.axes
            .iter()
            .map(|a| {
                let n = a.n.max(1);
                let c = rest % n;
                rest /= n;
                c
            })
            .collect()
    }

    /// The cell at `coords`.
    pub fn index(&self, coords: &[usize]) -> usize {
        let mut k = 0;
        for (a, &c) in self.axes.iter().zip(coords).rev() {
            k = k * a.n.max(1) + c;
        }
        k
    }

    /// The tunables' values of cell `k`, one per axis.
    pub fn values(&self, k: usize) -> Vec<f64> {
        self.axes
            .iter()
            .zip(self.coords(k))
            .map(|(a, c)| a.value(c))
            .collect()
    }

    /// `base` with cell `k`'s values.
    pub fn theta(&self, base: &Theta, k: usize) -> Theta {
        self.axes
            .iter()
            .zip(self.values(k))
            .fold(*base, |t, (a, v)| t.with(a.field, v))
    }

    /// The cells next to `k` (one step or less on every axis, `k` itself left out).
    ///
    /// ```
    /// use harvest_features::replay::SweepAxis;
    /// use harvest_features::research::Grid;
    /// let g = Grid::new(vec![
    ///     SweepAxis::parse("kill_threshold=0.4:0.8:3").unwrap(),
    ///     SweepAxis::parse("T1_R=1:3:3").unwrap(),
    /// ]).unwrap();
    /// assert_eq!(g.neighbours(4).len(), 8); // the centre
    /// assert_eq!(g.neighbours(0), vec![1, 3, 4]); // a corner
    /// ```
    pub fn neighbours(&self, k: usize) -> Vec<usize> {
        let at = self.coords(k);
        let d = self.axes.len();
        let mut out = Vec::new();
        for m in 0..3usize.pow(d as u32) {
            let mut c = Vec::with_capacity(d);
            let mut code = m;
            let mut ok = true;
            for (i, a) in self.axes.iter().enumerate() {
                let step = (code % 3) as isize - 1;
                code /= 3;
                let v = at[i] as isize + step;
                if v < 0 || v >= a.n.max(1) as isize {
                    ok = false;
                }
                c.push(v.max(0) as usize);
            }
            if ok {
                let j = self.index(&c);
                if j != k {
                    out.push(j);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The cell whose values are nearest `theta`'s on every axis (for marking the default).
    pub fn nearest(&self, theta: &Theta) -> usize {
        let coords: Vec<usize> = self
            .axes
            .iter()
            .map(|a| {
                let v = theta.get(a.field);
                (0..a.n.max(1))
                    .min_by(|&x, &y| (a.value(x) - v).abs().total_cmp(&(a.value(y) - v).abs()))
                    .unwrap_or(0)
            })
            .collect();
        self.index(&coords)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g3() -> Grid {
        Grid::new(vec![
            SweepAxis::parse("kill_threshold=0.4:0.8:3").unwrap(),
            SweepAxis::parse("T1_R=1:3:4").unwrap(),
            SweepAxis::parse("lock_R=1:2:2").unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn coords_and_index_are_inverse() {
        let g = g3();
        assert_eq!(g.cells(), 24);
        for k in 0..g.cells() {
            assert_eq!(g.index(&g.coords(k)), k);
        }
        assert_eq!(g.coords(1), vec![1, 0, 0]);
        assert_eq!(g.coords(3), vec![0, 1, 0]);
        assert_eq!(g.coords(12), vec![0, 0, 1]);
    }

    #[test]
    fn neighbours_in_three_dimensions() {
        let g = g3();
        // An inner cell on the first two axes, an edge on the third: 3·3·2 − 1.
        let k = g.index(&[1, 1, 0]);
        assert_eq!(g.neighbours(k).len(), 17);
        assert!(!g.neighbours(k).contains(&k));
    }

    #[test]
    fn refuses_bad_grids() {
        let a = SweepAxis::parse("kill_threshold=0.4:0.8:3").unwrap();
        assert_eq!(Grid::new(vec![]), Err(GridError::Axes(0)));
        assert_eq!(Grid::new(vec![a; 4]), Err(GridError::Axes(4)));
        assert_eq!(
            Grid::new(vec![a, a]),
            Err(GridError::Repeated(ThetaField::KillThreshold))
        );
        let big = SweepAxis::parse("T1_R=1:3:64").unwrap();
        let c = SweepAxis::parse("lock_R=1:3:64").unwrap();
        assert_eq!(
            Grid::new(vec![a, big, c]),
            Err(GridError::TooBig(3 * 64 * 64))
        );
    }

    #[test]
    fn theta_of_a_cell() {
        let g = g3();
        let t = g.theta(&Theta::default(), g.index(&[2, 3, 1]));
        assert_eq!(t.get(ThetaField::KillThreshold), 0.8);
        assert_eq!(t.get(ThetaField::T1R), 3.0);
        assert_eq!(t.get(ThetaField::LockR), 2.0);
        assert_eq!(g.nearest(&t), g.index(&[2, 3, 1]));
    }
}
