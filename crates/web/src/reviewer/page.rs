//! The reviewer view: loading on top, then the loaded files, the counts, the filters and the
//! records table. Files can be dropped anywhere on it. Its events are handled here, once, by
//! delegation ([`actions`](crate::reviewer::actions)).

use leptos::prelude::*;

use crate::nav::Nav;
use crate::reviewer::actions;
use crate::reviewer::batches::Batches;
use crate::reviewer::context::ReviewCtx;
use crate::reviewer::counts::CountsBar;
use crate::reviewer::filters::Filters;
use crate::reviewer::job_status::JobStatusBar;
use crate::reviewer::load_panel::LoadPanel;
use crate::reviewer::record_table::RecordTable;
use crate::reviewer::tolerance::ToleranceControl;
use harvest_features::reviewer::View;

/// The whole reviewer view (hidden while another view shows). It provides [`ReviewCtx`].
#[component]
pub fn ReviewPage() -> impl IntoView {
    let rc = ReviewCtx::provide(Nav::get());
    let (dragging, set_dragging) = signal(false);
    let has_records = move || {
        rc.version.track();
        rc.store.with_value(|s| !s.batches.is_empty())
    };
    view! {
        <section
            data-testid="review-view"
            class="review"
            class:dragging=move || dragging.get()
            hidden=move || rc.nav.view.get() != View::Review
            aria-label="Reviewer"
            on:click=move |ev| actions::click(rc, &ev)
            on:change=move |ev| actions::change(rc, &ev)
            on:input=move |ev| actions::input(rc, &ev)
            on:dragover=move |ev| {
                ev.prevent_default();
                set_dragging.set(true);
            }
            on:dragleave=move |_| set_dragging.set(false)
            on:drop=move |ev| {
                set_dragging.set(false);
                actions::drop_files(rc, &ev);
            }
        >
            <div class="review-top">
                <LoadPanel />
                <ToleranceControl />
            </div>
            <JobStatusBar />
            <p class="card review-empty" data-testid="review-empty" hidden=has_records>
                "Nothing loaded yet. Load the sample, pick or drop a file, or paste records: proposals (with their "
                <code>"audit"</code>
                ") are recomputed and compared field by field; input records are computed."
            </p>
            <div class="review-body" hidden=move || !has_records()>
                <Batches />
                <CountsBar />
                <Filters />
                <RecordTable />
            </div>
        </section>
    }
}
