//! The reviewer view: loading on top, then the loaded files, the counts, the filters and the
//! records table. Files can be dropped anywhere on it.

use leptos::prelude::*;

use crate::hooks::use_drop_files;
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
    let zone = use_drop_files(move |files| {
        for f in files {
            rc.enqueue(Job::File(f));
        }
    });
    view! {
        <section
            data-testid="review-view"
            class="review"
            class:dragging=move || zone.dragging.get()
            hidden=move || rc.nav.view.get() != View::Review
            aria-label="Reviewer"
            on:dragover=move |ev| zone.over(ev)
            on:dragleave=move |_| zone.leave()
            on:drop=move |ev| zone.drop(ev)
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
