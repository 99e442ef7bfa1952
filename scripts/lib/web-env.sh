# Sourced by the web scripts: the repository root, and a PATH on which npm's binaryen
# (wasm-opt 132) comes first. Debian's binaryen (108) breaks current wasm-bindgen output.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen crate pinned in web/Cargo.toml (and so in Cargo.lock).
WASM_BINDGEN_VERSION=0.2.130
cd "$ROOT"

# The release build of the playground (trunk build/serve --release), for size: the first load
# has a 450 KB budget (scripts/bundle-size). Measured on the wasm, gzipped:
# - std rebuilt with `optimize_for_size` (smaller sort and formatting code) and panics that
#   abort at once (`-Cpanic=immediate-abort`: no panic messages, locations or formatting),
#   through cargo's -Zbuild-std: about 36 KB. Unstable features of the pinned stable toolchain
#   (RUSTC_BOOTSTRAP=1), so they need the rust-src component (scripts/setup-web adds it).
# - Leptos' `erase_components` (components type-erased, fewer monomorphized views): 9 KB.
# Only for the `playground` profile (index.html): other builds share no artifacts with it.
playground_release_env() {
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort --cfg erase_components"
}
