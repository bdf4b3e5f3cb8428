//! An element's CSS size as a signal, kept up to date by a `ResizeObserver`: it changes when the
//! window is resized, when the element is shown after being hidden (0 × 0 while hidden) and
//! when the layout around it changes. The observer is disconnected on cleanup.

use leptos::prelude::*;
use leptos::tachys::html::element::ElementType;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The CSS size (`clientWidth`, `clientHeight`) of `target` once mounted, `(0, 0)` before.
pub fn use_element_size<E>(target: NodeRef<E>) -> ReadSignal<(i32, i32)>
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + AsRef<web_sys::Element> + 'static,
{
    let (size, set_size) = signal((0, 0));
    let measure = move || {
        if let Some(el) = target.get_untracked() {
            let el: &web_sys::Element = el.as_ref();
            let now = (el.client_width(), el.client_height());
            if size.try_get_untracked() != Some(now) {
                set_size.try_set(now);
            }
        }
    };
    let callback = Closure::<dyn Fn()>::new(measure);
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
    let kept = StoredValue::new_local((observer, callback));
    Effect::new(move |_| {
        if let Some(el) = target.get() {
            kept.with_value(|(o, _)| {
                if let Some(o) = o {
                    o.observe(el.as_ref());
                }
            });
            measure();
        }
    });
    on_cleanup(move || {
        kept.with_value(|(o, _)| {
            if let Some(o) = o {
                o.disconnect();
            }
        });
    });
    size
}
