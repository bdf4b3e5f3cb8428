//! A sparkline of values in [0, 1] (the Live view's K history) as SVG geometry: pure data the
//! page draws as an inline `<svg>` (one small polyline per table row; a canvas each would cost
//! more than it draws).

/// The geometry of one sparkline, in user units of a `width × height` viewBox.
#[derive(Debug, Clone, PartialEq)]
pub struct Sparkline {
    /// `points` of the polyline: `"x,y x,y …"` (empty without values).
    pub points: String,
    /// y of the threshold line (e.g. `kill_threshold`).
    pub threshold_y: f64,
    /// The last point (the current value), if any.
    pub last: Option<(f64, f64)>,
    /// Whether the last value is at or above the threshold.
    pub above: bool,
}

/// Lays `values` (clamped to [0, 1]; non-finite ones skipped) out left to right over `width`,
/// 0 at the bottom and 1 at the top with `pad` units kept free at both edges:
/// `x_i = pad + i · (width − 2·pad) / (n − 1)`, `y = pad + (1 − v) · (height − 2·pad)`.
/// One value is drawn at the right edge.
///
/// ```
/// use harvest_features::charts::sparkline;
/// let s = sparkline(&[0.0, 0.5, 1.0], 0.6, 100.0, 20.0, 0.0);
/// assert_eq!(s.points, "0,20 50,10 100,0");
/// assert_eq!(s.threshold_y, 8.0);
/// assert_eq!(s.last, Some((100.0, 0.0)));
/// assert!(s.above);
/// ```
pub fn sparkline(values: &[f64], threshold: f64, width: f64, height: f64, pad: f64) -> Sparkline {
    let vals: Vec<f64> = values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(0.0, 1.0))
        .collect();
    let y = |v: f64| pad + (1.0 - v) * (height - 2.0 * pad);
    let n = vals.len();
    let x = |i: usize| {
        if n <= 1 {
            width - pad
        } else {
            pad + i as f64 * (width - 2.0 * pad) / (n - 1) as f64
        }
    };
    let r = |v: f64| (v * 100.0).round() / 100.0;
    let points: Vec<String> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{},{}", r(x(i)), r(y(*v))))
        .collect();
    Sparkline {
        points: points.join(" "),
        threshold_y: r(y(threshold.clamp(0.0, 1.0))),
        last: vals.last().map(|v| (r(x(n - 1)), r(y(*v)))),
        above: vals.last().is_some_and(|v| *v >= threshold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_table() {
        // (values, threshold, points, last, above)
        type Case<'a> = (&'a [f64], f64, &'a str, Option<(f64, f64)>, bool);
        let cases: [Case; 5] = [
            (&[], 0.6, "", None, false),
            (&[0.25], 0.6, "99,16", Some((99.0, 16.0)), false),
            (&[0.0, 1.0], 0.5, "1,21 99,1", Some((99.0, 1.0)), true),
            (
                &[2.0, f64::NAN, -1.0],
                0.6,
                "1,1 99,21",
                Some((99.0, 21.0)),
                false,
            ),
            (
                &[0.6, 0.6, 0.6],
                0.6,
                "1,9 50,9 99,9",
                Some((99.0, 9.0)),
                true,
            ),
        ];
        for (values, th, points, last, above) in cases {
            let s = sparkline(values, th, 100.0, 22.0, 1.0);
            assert_eq!(s.points, points, "{values:?}");
            assert_eq!(s.last, last, "{values:?}");
            assert_eq!(s.above, above, "{values:?}");
        }
    }
}
