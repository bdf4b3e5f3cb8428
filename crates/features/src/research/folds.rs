//! Walk-forward folds: the research period split into equal stretches of time (segments); each
//! fold chooses on in-sample segments and is judged on the next one, never on anything earlier.
//!
//! With `folds` out-of-sample folds and `train` segments of training there are
//! `folds + train` segments. Fold k (from 0) is judged on segment `train + k`; its in-sample
//! window is the `train` segments before it (rolling) or every segment before it (anchored).
//! The final choice, the one handed off, is made the same way on the window ending at the end
//! of the data.

use serde::{Deserialize, Serialize};

/// How the in-sample window moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// A window of `train` segments just before the fold.
    #[default]
    Rolling,
    /// Everything from the first segment up to the fold.
    Anchored,
}

impl Scheme {
    /// Parses `rolling` or `anchored` (any case).
    pub fn parse(s: &str) -> Option<Scheme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rolling" => Some(Scheme::Rolling),
            "anchored" => Some(Scheme::Anchored),
            _ => None,
        }
    }

    /// The spelling `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Rolling => "rolling",
            Scheme::Anchored => "anchored",
        }
    }
}

/// One fold: the segments it chooses on and the one it is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fold {
    /// Fold number from 0.
    pub index: usize,
    /// First in-sample segment.
    pub is_from: usize,
    /// One past the last in-sample segment (= the out-of-sample segment).
    pub is_to: usize,
    /// The out-of-sample segment (`None` for the final choice, judged on nothing).
    pub oos: Option<usize>,
}

/// The segments' time bounds and the folds over them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldPlan {
    /// Segment k is `[bounds[k], bounds[k + 1])`, epoch s.
    pub bounds: Vec<i64>,
    /// The out-of-sample folds, in time order.
    pub folds: Vec<Fold>,
    /// The window the handed-off theta is chosen on.
    pub last: Fold,
    /// Rolling or anchored.
    pub scheme: Scheme,
    /// Segments a rolling window spans (the first anchored window too).
    pub train: usize,
}

impl FoldPlan {
    /// `folds + train` equal segments of `[start, end)` (epoch s; `end > start`).
    ///
    /// ```
    /// use harvest_features::research::{FoldPlan, Scheme};
    /// let p = FoldPlan::new(0, 600, 5, 1, Scheme::Rolling);
    /// assert_eq!(p.bounds, vec![0, 100, 200, 300, 400, 500, 600]);
    /// assert_eq!((p.folds[0].is_from, p.folds[0].is_to, p.folds[0].oos), (0, 1, Some(1)));
    /// assert_eq!((p.last.is_from, p.last.is_to), (5, 6));
    /// let a = FoldPlan::new(0, 600, 5, 1, Scheme::Anchored);
    /// assert_eq!((a.folds[4].is_from, a.folds[4].is_to, a.folds[4].oos), (0, 5, Some(5)));
    /// ```
    pub fn new(start: i64, end: i64, folds: usize, train: usize, scheme: Scheme) -> FoldPlan {
        let train = train.max(1);
        let segments = folds + train;
        let span = (end - start).max(1) as i128;
        let bounds = (0..=segments)
            .map(|k| start + (span * k as i128 / segments as i128) as i64)
            .collect();
        let window = |to: usize| match scheme {
            Scheme::Rolling => to.saturating_sub(train),
            Scheme::Anchored => 0,
        };
        let fold_list = (0..folds)
            .map(|k| {
                let oos = train + k;
                Fold {
                    index: k,
                    is_from: window(oos),
                    is_to: oos,
                    oos: Some(oos),
                }
            })
            .collect();
        FoldPlan {
            bounds,
            folds: fold_list,
            last: Fold {
                index: folds,
                is_from: window(segments),
                is_to: segments,
                oos: None,
            },
            scheme,
            train,
        }
    }

    /// Segments in all.
    pub fn segments(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// The segment of time `t`, if inside the period.
    pub fn segment_of(&self, t: i64) -> Option<usize> {
        let k = self.bounds.partition_point(|&b| b <= t);
        (k >= 1 && k < self.bounds.len()).then(|| k - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_period_without_gaps() {
        let p = FoldPlan::new(1_500_000_000, 1_571_302_800, 5, 2, Scheme::Rolling);
        assert_eq!(p.segments(), 7);
        assert_eq!(p.bounds[0], 1_500_000_000);
        assert_eq!(p.bounds[7], 1_571_302_800);
        for w in p.bounds.windows(2) {
            assert!(w[0] < w[1]);
        }
        assert_eq!(p.segment_of(1_500_000_000), Some(0));
        assert_eq!(p.segment_of(1_571_302_799), Some(6));
        assert_eq!(p.segment_of(1_571_302_800), None);
        assert_eq!(p.segment_of(0), None);
        for f in &p.folds {
            // Never trains on or after the segment it is judged on.
            assert_eq!(f.is_to, f.oos.unwrap());
            assert_eq!(f.is_to - f.is_from, 2);
        }
    }

    #[test]
    fn anchored_windows_grow() {
        let p = FoldPlan::new(0, 1000, 4, 1, Scheme::Anchored);
        let sizes: Vec<usize> = p.folds.iter().map(|f| f.is_to - f.is_from).collect();
        assert_eq!(sizes, vec![1, 2, 3, 4]);
        assert_eq!((p.last.is_from, p.last.is_to), (0, 5));
    }
}
