//! Header actions: copy link, reset everything.

use leptos::prelude::*;

use crate::browser;
use crate::context::Ctx;
use harvest_features::explorer::UiState;

/// Copy link and reset all.
#[component]
pub fn Toolbar() -> impl IntoView {
    let ctx = Ctx::get();
    let (copied, set_copied) = signal(None::<String>);
    let copy_link = move |_| {
        // Write the URL now rather than after the debounce.
        ctx.state.with_untracked(browser::persist);
        let href = browser::location_href();
        browser::copy_text(&href);
        set_copied.set(Some(href));
    };
    view! {
        <div class="toolbar">
            <button type="button" data-testid="copy-link" on:click=copy_link>
                "Copy link"
            </button>
            <button
                type="button"
                data-testid="reset-all"
                title="Every input and tunable back to its default"
                on:click=move |_| {
                    ctx.state.set(UiState::default());
                    set_copied.set(None);
                }
            >
                "Reset all"
            </button>
            {move || {
                copied
                    .get()
                    .map(|href| {
                        view! {
                            <input
                                class="share"
                                readonly=true
                                data-testid="share-url"
                                aria-label="Link to this state"
                                prop:value=href
                                on:focus:target=move |ev| ev.target().select()
                            />
                        }
                    })
            }}
        </div>
    }
}
