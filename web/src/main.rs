//! The Sidecarscope playground's shell: a Leptos client-side app over the core crate (the
//! editor, the mesh analysis, Problems). The other panels and the editor's help are a second
//! wasm module, loaded on first use (web/deferred). See web/README.md for the layout, the URL formats and the embed API.

mod analysis;
mod app;
mod markdown;
mod panels;

pub use sidecarscope_web_common::{browser, embed, examples, js, json, share, ui};

fn main() {
    // Release builds abort on panic at once, without a message (scripts/lib/web-env.sh).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // The first text may come from a share link, which the browser inflates (async).
    wasm_bindgen_futures::spawn_local(async {
        let initial = app::initial().await;
        leptos::mount::mount_to_body(move || app::app(initial));
    });
}
