//! A column's header: a button that sorts by it (again: the other way), `aria-sort` and an
//! arrow on the sorted one.

use leptos::prelude::*;

use crate::reviewer::context::ReviewCtx;
use harvest_features::reviewer::Column;

/// The header of `column`.
#[component]
pub fn SortHeader(
    /// The column.
    column: Column,
) -> impl IntoView {
    let rc = ReviewCtx::get();
    view! {
        <th
            scope="col"
            class=format!("col-{}", column.key())
            aria-sort=move || rc.sort.get().aria(column)
        >
            <button
                type="button"
                class="sort"
                data-testid=format!("review-sort-{}", column.key())
                title=format!("Sort by {}", column.label())
                on:click=move |_| rc.set_sort(|s| s.clicked(column))
            >
                {column.label()}
                <span class="sort-ind" aria-hidden="true">
                    {move || rc.sort.get().indicator(column)}
                </span>
            </button>
        </th>
    }
}
