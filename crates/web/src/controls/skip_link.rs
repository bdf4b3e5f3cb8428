//! "Skip to the content": the page's first Tab stop, shown when focused; it moves the focus past
//! the header (tabs, toolbar) to the view. A click handler, not a `#fragment` jump: the page's
//! hash is its state (a jump would replace the inputs).

use leptos::prelude::*;

/// The skip link to `target` (focusable with `tabindex="-1"`).
#[component]
pub fn SkipLink(
    /// Where the focus goes.
    target: NodeRef<leptos::html::Div>,
) -> impl IntoView {
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if let Some(el) = target.get_untracked() {
            let _ = el.focus();
        }
    };
    view! {
        <a class="skip-link" href="#content" data-testid="skip-link" on:click=skip>
            "Skip to the content"
        </a>
    }
}
