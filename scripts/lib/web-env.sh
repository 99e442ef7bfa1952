# Sourced by the web scripts: the repository root, and a PATH on which npm's binaryen
# (wasm-opt 132) comes first. Debian's binaryen (108) breaks current wasm-bindgen output.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen crate pinned in web/Cargo.toml (and so in Cargo.lock).
WASM_BINDGEN_VERSION=0.2.130
cd "$ROOT"
