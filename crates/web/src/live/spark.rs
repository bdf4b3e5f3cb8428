//! A K history as an inline SVG sparkline with the kill threshold (geometry from
//! [`harvest_features::charts::sparkline`]).

use leptos::prelude::*;

use harvest_features::charts::sparkline;

/// Width and height of the sparkline's viewBox (CSS pixels).
const SIZE: (f64, f64) = (120.0, 26.0);

/// The sparkline of `values` in [0, 1] with a dashed line at `threshold`.
#[component]
pub fn Spark(values: Vec<f64>, threshold: f64) -> impl IntoView {
    let s = sparkline(&values, threshold, SIZE.0, SIZE.1, 2.0);
    let label = format!(
        "K over the last {} records{}",
        values.len(),
        values
            .last()
            .map(|k| format!(", now {}", harvest_features::format::fixed(*k, 3)))
            .unwrap_or_default()
    );
    let title = label.clone();
    view! {
        <svg
            class="live-spark"
            class:above=s.above
            data-testid="live-spark"
            data-points=values.len()
            viewBox=format!("0 0 {} {}", SIZE.0, SIZE.1)
            width=SIZE.0
            height=SIZE.1
            role="img"
            aria-label=label
        >
            <title>{title}</title>
            <line class="th" x1="0" x2=SIZE.0 y1=s.threshold_y y2=s.threshold_y />
            <polyline class="k" points=s.points />
            {s.last.map(|(x, y)| view! { <circle class="now" cx=x cy=y r="2.5" /> })}
        </svg>
    }
}
