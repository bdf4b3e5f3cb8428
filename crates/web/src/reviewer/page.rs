//! The reviewer view: loading on top, then the loaded files, the counts, the filters and the
//! records table. Files can be dropped anywhere on it.

use leptos::prelude::*;

use crate::browser;
use crate::nav::Nav;
use crate::reviewer::batches::Batches;
use crate::reviewer::context::ReviewCtx;
use crate::reviewer::counts::CountsBar;
use crate::reviewer::filters::Filters;
use crate::reviewer::job_status::JobStatusBar;
use crate::reviewer::jobs::Job;
use crate::reviewer::load_panel::LoadPanel;
use crate::reviewer::messages::Messages;
use crate::reviewer::record_table::RecordTable;
use crate::reviewer::tolerance::ToleranceControl;
use harvest_features::nav::View;

/// The whole reviewer view (hidden while another view shows). It provides [`ReviewCtx`].
#[component]
pub fn ReviewPage() -> impl IntoView {
    let rc = ReviewCtx::provide(Nav::get());
    let (dragging, set_dragging) = signal(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        for f in browser::files::files_of(ev.data_transfer().and_then(|d| d.files())) {
            rc.enqueue(Job::File(f));
        }
    };
    view! {
        <section
            data-testid="review-view"
            class="review"
            class:dragging=move || dragging.get()
            hidden=move || rc.nav.view.get() != View::Review
            aria-label="Reviewer"
            on:dragover=move |ev| {
                ev.prevent_default();
                set_dragging.set(true);
            }
            on:dragleave=move |_| set_dragging.set(false)
            on:drop=on_drop
        >
            <div class="review-top">
                <LoadPanel />
                <ToleranceControl />
            </div>
            <Messages />
            <JobStatusBar />
            <p class="card review-empty" data-testid="review-empty" hidden=move || rc.has_batches()>
                "Nothing loaded yet. Load the sample, pick or drop a file, or paste records: proposals (with their "
                <code>"audit"</code>
                ") are recomputed and compared field by field; input records are computed."
            </p>
            <div class="review-body" hidden=move || !rc.has_batches()>
                <Batches />
                <CountsBar />
                <Filters />
                <RecordTable />
            </div>
        </section>
    }
}
