//! The records table: sortable headers (buttons, so the keyboard can sort), one page of rows
//! (with the details of MISMATCH and INVALID records) and the pager above and below, all as
//! markup from [`harvest_features::reviewer`]. The view handles the clicks: a row (or its line button)
//! opens the record in the explorer; headers and pager buttons by `data-act`.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::{
    header_html, page_info, pager_html, rows_html, RowHtml, PAGE_SIZE,
};

/// The table of every loaded record that passes the filters.
#[component]
pub fn RecordTable() -> impl IntoView {
    let rc = ReviewCtx::get();
    let multi = Memo::new(move |_| {
        rc.version.track();
        rc.store.with_value(|s| s.batches.len() > 1)
    });
    let info = Memo::new(move |_| page_info(rc.selection.with(Vec::len), rc.page.get(), PAGE_SIZE));
    let body = Memo::new(move |_| {
        rc.version.track();
        let p = info.get();
        let multi = multi.get();
        rc.selection.with(|sel| {
            rc.store.with_value(|st| {
                let rows: Vec<RowHtml> = sel
                    .get(p.start..p.end)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|&at| {
                        st.row(at).map(|(batch, row)| RowHtml {
                            batch,
                            index: at.row as usize,
                            row,
                        })
                    })
                    .collect();
                rows_html(&rows, multi)
            })
        })
    });
    let head = move || header_html(rc.sort.get(), multi.get());
    let pager = move |bottom: bool| move || pager_html(&info.get(), bottom);
    view! {
        <section class="card records" aria-label="Records">
            <nav class="pager" aria-label="Pages of records" inner_html=pager(false)></nav>
            <div class="table-wrap">
                <table class="records-table" data-testid="review-table">
                    <caption class="sr-only">
                        "Reviewed records. Click a row to open it in the explorer; MISMATCH and INVALID rows are followed by their details."
                    </caption>
                    <thead inner_html=head></thead>
                    <tbody inner_html=move || body.get()></tbody>
                </table>
            </div>
            <nav class="pager" aria-label="Pages of records (bottom)" inner_html=pager(true)></nav>
        </section>
    }
}
