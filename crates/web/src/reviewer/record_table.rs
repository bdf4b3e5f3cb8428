//! The records table: sortable headers ([`SortHeader`]: buttons, so the keyboard can sort), one
//! page of rows and the [`Pager`] above and below.
//!
//! The rows are the page's slots, keyed by their place on the page: paging or sorting changes
//! what each [`RecordRow`] shows (the texts and attributes that differ) instead of building 100
//! rows of elements again (with rows keyed by record, creating and removing some 1,300 elements
//! a page dominated the browser profile of paging).

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::pager::Pager;
use crate::reviewer::record_row::RecordRow;
use crate::reviewer::sort_header::SortHeader;
use harvest_features::reviewer::{page_rows, Column};

/// The table of every loaded record that passes the filters.
#[component]
pub fn RecordTable() -> impl IntoView {
    let rc = ReviewCtx::get();
    let rows = Memo::new(move |_| {
        rc.version.track();
        let page = rc.page_info.get();
        rc.selection
            .with(|sel| rc.store.with_value(|st| page_rows(st, sel, &page)))
    });
    view! {
        <section class="card records" aria-label="Records">
            <Pager bottom=false />
            <div class="table-wrap">
                <table class="records-table" data-testid="review-table">
                    <caption class="sr-only">
                        "Reviewed records. Click a row to open it in the explorer; MISMATCH and INVALID rows are followed by their details."
                    </caption>
                    <thead>
                        <tr>
                            <For each=move || Column::shown(rc.multi.get()) key=|c| *c let:column>
                                <SortHeader column=column />
                            </For>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || 0..rows.with(Vec::len) key=|place| *place let:place>
                            <RecordRow rows=rows place=place />
                        </For>
                    </tbody>
                </table>
            </div>
            <Pager bottom=true />
        </section>
    }
}
