//! The report in words and a table: the verdict (out-of-sample figures against the baselines,
//! PBO, DSR, plateau or spike, as `harvest research` prints them), the hand-off, and one row a
//! fold (the choice, in-sample against out-of-sample, OOS/IS, its out-of-sample rank, the base
//! theta and P1's trailing stop alone out of sample).

use leptos::prelude::*;

use crate::research::context::ResearchCtx;
use harvest_features::research::view::{fold_rows, handoff_line, FoldRow};

/// Verdict, hand-off and the fold table (hidden until a report exists).
#[component]
pub fn ResearchResults(
    /// The panel's state.
    r: ResearchCtx,
) -> impl IntoView {
    let with_report = move |f: &dyn Fn(&harvest_features::research::ResearchReport) -> String| {
        r.version.track();
        r.report
            .with_value(|rep| rep.as_ref().map(f))
            .unwrap_or_default()
    };
    let verdict = move || {
        r.version.track();
        r.report
            .with_value(|rep| rep.as_ref().map(|rep| rep.verdict.clone()))
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
    };
    let rows = move || {
        r.version.track();
        r.report
            .with_value(|rep| rep.as_ref().map(fold_rows))
            .unwrap_or_default()
    };
    let heading = move || {
        with_report(&|rep| {
            format!(
                "{} on {} ({} folds, {} scheme, {} cells tried)",
                rep.settings.objective.label(),
                rep.symbols
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                rep.folds.len(),
                rep.settings.scheme.as_str(),
                rep.trials
            )
        })
    };
    let has = move || {
        r.version.track();
        r.report.with_value(Option::is_some)
    };
    view! {
        <div class="research-results" hidden=move || !has()>
            <h3 data-testid="research-heading">{heading}</h3>
            <ul class="research-verdict" data-testid="research-verdict">
                <For each=verdict key=|(i, v)| (*i, v.clone()) let:v>
                    <li>{v.1}</li>
                </For>
            </ul>
            <p data-testid="research-handoff">
                <strong>"Hand-off: "</strong>
                {move || with_report(&handoff_line)}
            </p>
            <div class="table-scroll">
                <table class="replay-table research-folds" data-testid="research-fold-table">
                    <caption>"Walk-forward folds: the choice made in-sample, judged on the next segment"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Fold"</th>
                            <th scope="col">"In sample"</th>
                            <th scope="col">"Out of sample"</th>
                            <th scope="col">"Choice"</th>
                            <th scope="col">"IS"</th>
                            <th scope="col">"OOS"</th>
                            <th scope="col">"OOS/IS"</th>
                            <th scope="col">"Rank"</th>
                            <th scope="col">"Base OOS"</th>
                            <th scope="col">"Trail OOS"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|f: &FoldRow| f.clone() let:f>
                            <tr data-testid="research-fold">
                                <th scope="row">{f.fold.clone()}</th>
                                <td>{f.in_sample.clone()}</td>
                                <td>{f.out_of_sample.clone()}</td>
                                <td>{f.choice.clone()}</td>
                                <td>{f.is.clone()}</td>
                                <td>{f.oos.clone()}</td>
                                <td>{f.ratio.clone()}</td>
                                <td>{f.rank.clone()}</td>
                                <td>{f.base.clone()}</td>
                                <td>{f.trail.clone()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </div>
    }
}
