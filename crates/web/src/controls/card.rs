//! A card of the page: a `<section>` named by its heading, with a hint under the heading.

use leptos::prelude::*;

/// `<section class="card {class}">` named by its `<h2 id={id}>{title}</h2>`, the `hint` (if any)
/// as a paragraph under it, then its children.
#[component]
pub fn Card(
    /// Its class beside `card`.
    class: &'static str,
    /// The `id` of its heading (the section is labelled by it).
    id: &'static str,
    /// Its heading.
    title: &'static str,
    /// A line under the heading saying what the card does.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// What it holds.
    children: Children,
) -> impl IntoView {
    view! {
        <section class=format!("card {class}") aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {children()}
        </section>
    }
}
