//! The records table: sortable headers ([`SortHeader`]: buttons, so the keyboard can sort), one
//! page of rows ([`RecordRow`], keyed so a row that stays on the page is kept) and the
//! [`Pager`] above and below.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::pager::Pager;
use crate::reviewer::record_row::RecordRow;
use crate::reviewer::sort_header::SortHeader;
use harvest_features::reviewer::{page_keys, Column};

/// The table of every loaded record that passes the filters.
#[component]
pub fn RecordTable() -> impl IntoView {
    let rc = ReviewCtx::get();
    let keys = Memo::new(move |_| {
        rc.version.track();
        let page = rc.page_info.get();
        rc.selection
            .with(|sel| rc.store.with_value(|st| page_keys(st, sel, &page)))
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
                        <For each=move || keys.get() key=|k| *k let:key>
                            <RecordRow key=key />
                        </For>
                    </tbody>
                </table>
            </div>
            <Pager bottom=true />
        </section>
    }
}
