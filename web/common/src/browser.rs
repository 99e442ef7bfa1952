//! Small wrappers over the browser: localStorage, the URL, timing. Failures (storage disabled,
//! quota exceeded, private mode) are quiet: the playground works without them.

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

pub fn document() -> web_sys::Document {
    window().document().expect("a document")
}

/// Calls `f` once after `ms` milliseconds; the handle cancels it ([`clear_timeout`]).
pub fn set_timeout(f: impl FnOnce() + 'static, ms: i32) -> Option<i32> {
    let f = wasm_bindgen::closure::Closure::once_into_js(f);
    window().set_timeout_with_callback_and_timeout_and_arguments_0(wasm_bindgen::JsCast::unchecked_ref(&f), ms).ok()
}

pub fn clear_timeout(handle: Option<i32>) {
    if let Some(h) = handle {
        window().clear_timeout_with_handle(h);
    }
}

pub fn storage_get(key: &str) -> Option<String> {
    window().local_storage().ok()??.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: &str) {
    if let Ok(Some(s)) = window().local_storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn storage_remove(key: &str) {
    if let Ok(Some(s)) = window().local_storage() {
        let _ = s.remove_item(key);
    }
}

/// The fragment, without `#`.
pub fn fragment() -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.strip_prefix('#').unwrap_or(&hash).to_string()
}

/// Replaces the fragment without adding a history entry (or removes it, for `None`).
pub fn replace_fragment(fragment: Option<&str>) {
    let loc = window().location();
    let path = loc.pathname().unwrap_or_default();
    let search = loc.search().unwrap_or_default();
    let url = match fragment {
        Some(f) => format!("{path}{search}#{f}"),
        None => format!("{path}{search}"),
    };
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The page's address without query or fragment, for share links.
pub fn base_url() -> String {
    let loc = window().location();
    format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default())
}

pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

pub fn set_root_attribute(name: &str, value: Option<&str>) {
    if let Some(root) = document().document_element() {
        let _ = match value {
            Some(v) => root.set_attribute(name, v),
            None => root.remove_attribute(name),
        };
    }
}
