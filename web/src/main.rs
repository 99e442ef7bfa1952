//! The Sidecarscope playground: a Leptos client-side app over the core crate.
//! See web/README.md for the layout, the URL formats and the embed API.

mod analysis;
mod app;
mod browser;
mod embed;
mod examples;
mod js;
mod markdown;
mod panels;
mod share;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
