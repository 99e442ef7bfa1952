//! Trace: a call in (destination `address:port`, or a service's `hostname:port`; Host or SNI,
//! protocol, TLS, inbound), and where the chosen proxy sends it out: listener, filter chain,
//! route and cluster, each step with why (`sidecarscope::trace`), linked to the YAML behind it.

use std::cell::RefCell;
use std::net::IpAddr;

use leptos::prelude::*;
use sidecarscope::trace::{self, Call, Trace};
use sidecarscope::ListenerSet;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::model::{Model, Target};
use crate::Ctx;
use sidecarscope_web_common::share;
use sidecarscope_web_common::ui::{code_spans, link};

thread_local! {
    /// The trace shown, for "Copy as text".
    static SHOWN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The call's form, from the state (a share link may have set it; "New" resets it); every
/// change updates the state and traces again. Events are handled once, on the form.
#[component]
pub fn TraceForm() -> impl IntoView {
    let state = expect_context::<Ctx>();
    let t = state.trace;
    let text = move |id: &'static str,
                     field: &'static str,
                     placeholder: &'static str,
                     get: fn(&share::TraceForm) -> String| {
        view! { <input id=id type="text" spellcheck="false" autocomplete="off" data-field=field placeholder=placeholder prop:value=move || t.with(get)/> }
    };
    let select = move |id: &'static str,
                       field: &'static str,
                       options: &'static [(&'static str, &'static str)],
                       get: fn(&share::TraceForm) -> &'static str| {
        // Each option's `selected` property, not the select's `value` (set before its options exist).
        let options = options
            .iter()
            .map(|(v, label)| view! { <option value=*v prop:selected=move || t.with(get) == *v>{*label}</option> })
            .collect_view();
        view! { <select id=id data-field=field>{options}</select> }
    };
    let suggestions = move || {
        state.suggestions.with(|s| s.iter().map(|i| view! { <option value=i.clone()></option> }).collect_view())
    };
    view! {
        <form class="trace-form" on:input=move |ev| on_event(state, &ev) on:change=move |ev| on_event(state, &ev)
            on:submit=move |ev| on_event(state, &ev)>
            <label class="wide">"Destination"
                <input id="trace-to" type="text" spellcheck="false" autocomplete="off" data-field="to"
                    placeholder="reviews.default.svc.cluster.local:9080 or 10.0.0.12:9080" list="trace-suggestions"
                    prop:value=move || t.with(|t| t.to.clone())/>
                <datalist id="trace-suggestions">{suggestions}</datalist>
            </label>
            <label class="wide">"Host / SNI"{text("trace-host", "host", "optional: Host header or SNI", |t| t.host.clone())}</label>
            <label>"Protocol"{select("trace-protocol", "protocol", &[("HTTP", "HTTP/1.1"), ("HTTP2", "HTTP/2"), ("TCP", "TCP")],
                |t| match t.protocol.as_str() { "HTTP2" => "HTTP2", "TCP" => "TCP", _ => "HTTP" })}</label>
            <label>"TLS"{select("trace-tls", "tls", &[("plaintext", "plaintext"), ("tls", "TLS from the app"), ("mtls", "Istio mTLS")],
                |t| match t.tls.as_str() { "tls" => "tls", "mtls" => "mtls", _ => "plaintext" })}</label>
            <label class="check">
                <input id="trace-inbound" type="checkbox" data-field="inbound" prop:checked=move || t.with(|t| t.inbound)/>
                "Inbound (a peer calls this proxy)"
            </label>
            <label class="wide">"Path"{text("trace-path", "path", "HTTP path: /api/v2?x=1 (default /)", |t| t.path.clone())}</label>
            <label>"Method"{text("trace-method", "method", "GET", |t| t.method.clone())}</label>
            <label class="wide">"Headers"{text("trace-headers", "headers", "name=value, ... e.g. x-user=alice", |t| t.headers.clone())}</label>
        </form>
    }
}

fn on_event(state: Ctx, ev: &web_sys::Event) {
    if ev.type_() == "submit" {
        ev.prevent_default();
        return;
    }
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let Some(field) = el.get_attribute("data-field") else { return };
    let get = |name: &str| js_sys::Reflect::get(&el, &name.into()).ok();
    let value = get("value").and_then(|v| v.as_string()).unwrap_or_default();
    // Text fields follow each keystroke (`input`); selects and the checkbox their `change`.
    let is_text = el.get_attribute("type").as_deref() == Some("text");
    if is_text != (ev.type_() == "input") {
        return;
    }
    state.trace.update(|t| match field.as_str() {
        "to" => t.to = value,
        "host" => t.host = value,
        "protocol" => t.protocol = value,
        "tls" => t.tls = value,
        "inbound" => t.inbound = get("checked").and_then(|v| v.as_bool()).unwrap_or(false),
        "path" => t.path = value,
        "method" => t.method = value,
        "headers" => t.headers = value,
        _ => {}
    });
    state.trace_changed();
}

/// The call the form describes, with the service the destination named (if it named one).
#[derive(Debug)]
struct Parsed {
    call: Call,
    /// `hostname` when the destination was a service's hostname, resolved to its address.
    service: Option<String>,
}

fn parse(form: &share::TraceForm, model: &Model) -> Result<Parsed, String> {
    let to = form.to.trim();
    let (addr, port) = match to.rsplit_once(':') {
        Some((a, p)) if !a.ends_with(':') || a.starts_with('[') => (a.trim_start_matches('[').trim_end_matches(']'), p),
        _ => ("", to),
    };
    let port: u32 = port
        .trim()
        .parse()
        .ok()
        .filter(|p| (1..=65535).contains(p))
        .ok_or_else(|| format!("\u{201c}{to}\u{201d} has no port: write address:port, hostname:port or a port"))?;
    let mut host = (!form.host.trim().is_empty()).then(|| form.host.trim().to_string());
    let mut service = None;
    let address = if addr.is_empty() {
        None
    } else if let Ok(ip) = addr.parse::<IpAddr>() {
        // What an HTTP client sends when called by address: `Host: 10.0.0.30:9080`.
        if host.is_none() {
            host = Some(match ip {
                IpAddr::V4(_) => format!("{addr}:{port}"),
                IpAddr::V6(_) => format!("[{addr}]:{port}"),
            });
        }
        Some(addr.to_string())
    } else {
        // A hostname: the service's address, as DNS (or Istio's DNS proxy) would give it.
        let reg = model.registry();
        let found = reg.services.iter().find(|s| s.hostname == addr).or_else(|| {
            let prefix = format!("{addr}.");
            reg.services.iter().find(|s| s.hostname.starts_with(&prefix) && s.hostname.ends_with(".svc.cluster.local"))
        });
        match found {
            Some(s) => {
                service = Some(s.hostname.clone());
                if host.is_none() {
                    host = Some(format!("{}:{port}", s.hostname));
                }
                s.addresses.iter().find(|a| a.parse::<IpAddr>().is_ok()).cloned()
            }
            None => {
                if host.is_none() {
                    host = Some(format!("{addr}:{port}"));
                }
                None
            }
        }
    };
    // The form's fields as the core's call spec, whose checks and texts apply. The form's own
    // default is HTTP (its empty protocol), where a call spec without one is TCP, as in the CLI
    // and the wasm module; a TLS call's SNI is the host without its port; an outbound call may
    // go by its port alone.
    let tls = if form.tls.is_empty() { "plaintext" } else { form.tls.as_str() };
    let sni = match tls {
        "plaintext" => None,
        _ => host.clone().map(|h| {
            h.rsplit_once(':').filter(|(_, p)| p.parse::<u32>().is_ok()).map(|(h, _)| h.to_string()).unwrap_or(h)
        }),
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let spec = sidecarscope::CallSpec {
        address,
        port: f64::from(port),
        protocol: Some(if form.protocol.is_empty() { "HTTP".to_string() } else { form.protocol.clone() }),
        tls: Some(tls.to_string()),
        host,
        sni,
        direction: Some(if form.inbound { "inbound" } else { "outbound" }.to_string()),
        path: opt(&form.path),
        method: opt(&form.method),
        headers: form.headers.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_string).collect(),
        ..sidecarscope::CallSpec::default()
    };
    Ok(Parsed { call: spec.to_call_with(sidecarscope::Spelling::Fields, false)?, service })
}

pub fn body(a: &Target, model: &Model, form: &share::TraceForm, suggestions: RwSignal<Vec<String>>) -> AnyView {
    SHOWN.with(|s| *s.borrow_mut() = None);
    let list = super::trace_hints::suggestions(model);
    if suggestions.with_untracked(|s| *s != list) {
        suggestions.set(list);
    }
    let Some(proxy) = &a.proxy else { return super::no_proxy(a) };
    if form.to.trim().is_empty() {
        return view! { <p class="empty">"Enter where the application calls: a service's hostname:port (its address comes from the input), an IP address:port, or just a port. The trace follows the call through this proxy's listeners."</p> }.into_any();
    }
    let parsed = match parse(form, model) {
        Ok(p) => p,
        Err(e) => return view! { <p class="empty">{e}</p> }.into_any(),
    };
    let (set, t) = model.ws.session().listeners_and_trace(proxy, &parsed.call);
    SHOWN.with(|s| *s.borrow_mut() = Some(trace::render_text(&t)));
    // What the input says of the destination (`trace_hints`), above the result.
    let note = super::trace_hints::note(form, model, parsed.service.as_deref(), parsed.call.address.as_deref());
    result(&set, &t, parsed.service.as_deref(), note)
}

fn result(set: &ListenerSet, t: &Trace, service: Option<&str>, note: Option<AnyView>) -> AnyView {
    let ok = t.error.is_none() && !matches!(t.cluster.as_deref(), Some("BlackHoleCluster") | None);
    let address = match (service, &t.call.address) {
        (Some(s), Some(addr)) => Some(
            view! { <p class="eff-meta">{format!("{s} has address {addr} in the input; the call goes there.")}</p> },
        ),
        _ => None,
    };
    let listener = t.listener.as_deref().and_then(|n| set.listeners.iter().find(|l| l.name == n));
    let chain = listener.zip(t.filter_chain_index).and_then(|(l, i)| l.filter_chains.get(i));
    let steps = t
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // The listener step links to the YAML behind the listener, the chain step to the
            // chain's. The route step links to the VirtualService's `http[]` entry.
            let sources = match i {
                0 => listener.map(|l| &l.origin.sources),
                1 => chain.map(|c| &c.origin.sources),
                _ if s.what.starts_with("route ") => t.matched_route.as_ref().map(|r| &r.sources),
                _ => None,
            };
            let source = sources.and_then(|o| o.iter().find(|s| s.range.is_some())).map(|src| {
                let r = src.range.as_ref().map(|r| (r.start.utf16, r.end.utf16)).unwrap_or_default();
                view! { <span class="step-source">"from "{link(src.resource.clone(), r, None)}</span> }
            });
            view! {
                <li><span class="step-what mono">{s.what.clone()}</span><span class="why">{code_spans(&s.why)}</span>{source}</li>
            }
        })
        .collect_view();
    view! {
        <div class=if ok { "trace-result ok" } else { "trace-result fail" }>
            {note}
            <div class="trace-summary">
                <span class="trace-icon" aria-hidden="true">{if ok { "\u{2714}" } else { "\u{2716}" }}</span>
                <span class="trace-summary-text">{t.summary.clone()}</span>
            </div>
            {address}
            <ol class="trace-steps">{steps}</ol>
            <button class="link-button" type="button" data-copy="">"Copy as text"</button>
        </div>
    }
    .into_any()
}

pub fn copy_text() -> Option<String> {
    SHOWN.with(|s| s.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    fn model(id: &str) -> (Target, Model) {
        model::read(sidecarscope_web_common::examples::find(id).unwrap().text, &Default::default())
    }

    #[test]
    fn hostnames_resolve_to_the_service_address() {
        let (_, m) = model("ratings-uds");
        let form = share::TraceForm { to: "productpage.prod-us1.svc.cluster.local:9080".into(), ..Default::default() };
        let p = parse(&form, &m).unwrap();
        assert_eq!(p.call.address.as_deref(), Some("10.0.0.30"));
        assert_eq!(p.call.host.as_deref(), Some("productpage.prod-us1.svc.cluster.local:9080"));
        assert_eq!(p.service.as_deref(), Some("productpage.prod-us1.svc.cluster.local"));
        let short = share::TraceForm { to: "productpage.prod-us1:9080".into(), ..Default::default() };
        assert_eq!(parse(&short, &m).unwrap().call.address.as_deref(), Some("10.0.0.30"));
    }

    #[test]
    fn addresses_ports_and_mistakes() {
        let (_, m) = model("ratings-uds");
        let p = |to: &str| parse(&share::TraceForm { to: to.into(), ..Default::default() }, &m);
        let by_ip = p("10.1.2.3:80").unwrap().call;
        assert_eq!((by_ip.address.as_deref(), by_ip.host.as_deref()), (Some("10.1.2.3"), Some("10.1.2.3:80")));
        assert_eq!(p("9080").unwrap().call.port, 9080);
        assert_eq!(p(":9080").unwrap().call.address, None);
        assert_eq!(p("[fd00::1]:443").unwrap().call.address.as_deref(), Some("fd00::1"));
        assert!(p("10.1.2.3").is_err());
        assert!(p("x:99999").is_err());
    }

    #[test]
    fn the_path_selects_the_route() {
        let (_, m) = model::read(CANARY, &Default::default());
        let set = sidecarscope::listeners_with(
            m.registry(),
            m.ws.input(),
            &sidecarscope::Proxy::new("default"),
            &Default::default(),
        );
        let call = |path: &str| {
            let form = share::TraceForm {
                to: "10.0.0.40:80".into(),
                host: "api".into(),
                path: path.into(),
                ..Default::default()
            };
            trace::trace(&set, &parse(&form, &m).unwrap().call)
        };
        let canary = call("/api/x");
        assert_eq!(
            (canary.route.as_deref(), canary.cluster.as_deref()),
            (Some("canary"), Some("outbound|80|v2|api.default.svc.cluster.local"))
        );
        let stable = call("/");
        assert_eq!(
            (stable.route.as_deref(), stable.cluster.as_deref()),
            (Some("stable"), Some("outbound|80|v1|api.default.svc.cluster.local"))
        );
        let bad = share::TraceForm { to: "10.0.0.40:80".into(), headers: "x-user".into(), ..Default::default() };
        assert!(parse(&bad, &m).unwrap_err().contains("NAME=VALUE"));
    }

    const CANARY: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: default}\nspec:\n  clusterIP: 10.0.0.40\n  ports: [{name: http, port: 80}]\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: api, namespace: default}\nspec:\n  hosts: [api]\n  http:\n  - name: canary\n    match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: api, subset: v2}}]\n  - name: stable\n    route: [{destination: {host: api, subset: v1}}]\n";

    #[test]
    fn a_call_reaches_its_cluster() {
        let (a, m) = model("ratings-uds");
        let form = share::TraceForm { to: "productpage.prod-us1.svc.cluster.local:9080".into(), ..Default::default() };
        let p = parse(&form, &m).unwrap();
        let set = model::listeners(&m, a.proxy.as_ref().unwrap());
        let t = trace::trace(&set, &p.call);
        assert_eq!(
            t.cluster.as_deref(),
            Some("outbound|9080||productpage.prod-us1.svc.cluster.local"),
            "{}",
            trace::render_text(&t)
        );
        // By address: the Host header is the address, which the route's domains list too.
        let by_ip = parse(&share::TraceForm { to: "10.0.0.30:9080".into(), ..Default::default() }, &m).unwrap();
        assert_eq!(trace::trace(&set, &by_ip.call).cluster, t.cluster);
    }
}
