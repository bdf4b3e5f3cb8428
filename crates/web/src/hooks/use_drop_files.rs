//! A drop zone for files: while files are dragged over it, `dragging` is true (the view shows
//! it); a drop hands the dropped files, in order, to the caller.

use leptos::prelude::*;

use crate::browser::files::files_of;

/// The drop zone's state and its three handlers (`dragover`, `dragleave`, `drop`).
#[derive(Clone, Copy)]
pub struct DropZone {
    /// Whether files are being dragged over the zone.
    pub dragging: ReadSignal<bool>,
    set_dragging: WriteSignal<bool>,
    on_files: Callback<Vec<web_sys::File>>,
}

impl DropZone {
    /// `dragover`: accept the drop, show the zone as a target.
    pub fn over(&self, ev: leptos::ev::DragEvent) {
        ev.prevent_default();
        self.set_dragging.set(true);
    }

    /// `dragleave`.
    pub fn leave(&self) {
        self.set_dragging.set(false);
    }

    /// `drop`: the files, to `on_files`.
    pub fn drop(&self, ev: leptos::ev::DragEvent) {
        ev.prevent_default();
        self.set_dragging.set(false);
        self.on_files
            .run(files_of(ev.data_transfer().and_then(|d| d.files())));
    }
}

/// A drop zone whose drops go to `on_files`.
pub fn use_drop_files(on_files: impl Fn(Vec<web_sys::File>) + Send + Sync + 'static) -> DropZone {
    let (dragging, set_dragging) = signal(false);
    DropZone {
        dragging,
        set_dragging,
        on_files: Callback::new(on_files),
    }
}
