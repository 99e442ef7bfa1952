//! Listeners: the table of `istioctl proxy-config listeners` (`listeners::table::rows`, in
//! istioctl's order) for the chosen proxy. Each row names the YAML that produced it (a click
//! selects it in the editor, from `ListenerSet::locate`'s ranges) and expands to its listener and
//! filter chain: why each exists, its match, TLS, destination and, for RDS, the virtual hosts.
//! Details are built on demand: a mesh can give a proxy thousands of rows.

use std::cell::RefCell;
use std::collections::BTreeSet;

use leptos::prelude::*;
use sidecarscope::listeners::table::{self, Row};
use sidecarscope::listeners::{Action, ChainTls, Direction, Listener, ListenerSet, RouteAction, SourceRef};

use super::effective::{card, notes};
use crate::model::{self, Model, Target};
use sidecarscope_web_common::ui::{breakable, closest, code_spans, link, para, plural};

/// Rows the user expanded (listener name, chain index): they stay open while typing.
pub type Expanded = RwSignal<BTreeSet<(String, usize)>>;

thread_local! {
    /// The listeners shown and their rows, for details and "Copy".
    static SHOWN: RefCell<Option<(ListenerSet, Vec<Row>)>> = const { RefCell::new(None) };
}

pub fn body(a: &Target, model: &Model, expanded: Expanded) -> AnyView {
    let Some(proxy) = &a.proxy else {
        SHOWN.with(|s| *s.borrow_mut() = None);
        return super::no_proxy(a);
    };
    let set = model::listeners(model, proxy);
    let rows = table::rows(&set);

    let chains: usize = set.listeners.iter().map(|l| l.filter_chains.len()).sum();
    let sidecar = match &set.sidecar {
        Some(s) => format!("Sidecar {}/{}", s.namespace, s.name),
        None => "no Sidecar".to_string(),
    };
    let summary = format!(
        "{} from istiod ({}) and {} from the bootstrap \u{b7} {sidecar} \u{b7} interception {} \u{b7} outbound {}",
        plural(set.listeners.len(), "listener", "listeners"),
        plural(chains, "filter chain", "filter chains"),
        set.static_listeners.len(),
        set.interception_mode,
        set.outbound_traffic_policy
    );
    let head = table::HEADER.iter().copied().chain(["FROM"]).map(|h| view! { <th scope="col">{h}</th> }).collect_view();
    let trs = rows.iter().enumerate().map(|(i, r)| row(i, r, &set, expanded)).collect_view();
    let skipped = (!set.skipped.is_empty()).then(|| {
        let items = set
            .skipped
            .iter()
            .map(|s| {
                view! { <li><span class="mono">{s.name.clone()}</span>": "{code_spans(&s.reason)}{sources(&s.origin.sources)}</li> }
            })
            .collect_view();
        card("lst-skipped", "Not generated", view! { <ul class="plain skipped">{items}</ul> }.into_any())
    });
    let notes = (!set.notes.is_empty()).then(|| card("lst-notes", "Notes", notes(&set.notes)));
    SHOWN.with(|s| *s.borrow_mut() = Some((set, rows)));
    // The table wrapper is focusable: it scrolls sideways on a narrow screen, and the keyboard
    // must reach it.
    view! {
        <div class="lst">
            <div class="lst-summary">
                <p class="eff-meta">{summary}</p>
                <button class="link-button" type="button" data-copy="">"Copy as istioctl text"</button>
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Listeners">
                <table class="lst-table"><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>
            </div>
            {skipped}
            {notes}
        </div>
    }
    .into_any()
}

/// A row of the table, and its details while it is expanded (built when opened: a mesh can
/// give a proxy thousands of rows).
fn row(i: usize, r: &Row, set: &ListenerSet, expanded: Expanded) -> AnyView {
    let key = (r.listener.clone(), r.chain);
    let open = Signal::derive(move || expanded.with(|x| x.contains(&key)));
    let src = find(set, &r.listener).and_then(|l| {
        let c = l.filter_chains.get(r.chain)?;
        c.origin.sources.iter().chain(&l.origin.sources).find(|s| s.range.is_some())
    });
    let from = match src {
        Some(s) => source_link(s, Some(source_title(s))),
        None => view! { <span class="builtin">"built in"</span> }.into_any(),
    };
    let label = format!("Details of {} port {} {}", r.addresses, r.port, r.destination);
    view! {
        <tr class=move || if open.get() { "lst-row open" } else { "lst-row" } data-row=i.to_string()>
            <td class="mono nowrap">
                <button class="disclosure" type="button" aria-expanded=move || open.get().to_string() aria-label=label>
                    {move || if open.get() { "\u{25be}" } else { "\u{25b8}" }}
                </button>
                {r.addresses.clone()}
            </td>
            <td class="mono nowrap">{r.port.to_string()}</td>
            <td class="mono wrap">{breakable(&r.chain_match)}</td>
            <td class="mono wrap">{breakable(&r.destination)}</td>
            <td class="from">{from}</td>
        </tr>
        {move || open.get().then(|| {
            let d = SHOWN.with(|s| s.borrow().as_ref().and_then(|(set, rows)| rows.get(i).map(|r| detail(set, r))));
            view! { <tr class="lst-detail"><td colspan="5">{d}</td></tr> }
        })}
    }
    .into_any()
}

fn find<'a>(set: &'a ListenerSet, name: &str) -> Option<&'a Listener> {
    set.listeners.iter().chain(&set.static_listeners).find(|l| l.name == name)
}

fn range(s: &SourceRef) -> Option<(u32, u32)> {
    s.range.as_ref().map(|r| (r.start.utf16, r.end.utf16))
}

fn source_title(s: &SourceRef) -> String {
    if s.path.is_empty() {
        format!("Select {} in the editor", s.resource)
    } else {
        format!("Select {} {} in the editor", s.resource, s.path)
    }
}

fn source_link(s: &SourceRef, title: Option<String>) -> AnyView {
    match range(s) {
        Some(r) => link(s.resource.clone(), r, title),
        None => view! { <span class="mono">{s.resource.clone()}</span> }.into_any(),
    }
}

/// "From: Sidecar ns/name spec.egress[0], Service ns/name" as links.
fn sources(list: &[SourceRef]) -> Option<AnyView> {
    if list.is_empty() {
        return None;
    }
    let items = list
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = if s.path.is_empty() { s.resource.clone() } else { format!("{} {}", s.resource, s.path) };
            let item = match range(s) {
                Some(r) => link(label, r, None),
                None => view! { <span class="mono">{label}</span> }.into_any(),
            };
            view! { {(i > 0).then(|| view! { <span>", "</span> })}{item} }
        })
        .collect_view();
    Some(view! { <p class="sources">"From: "{items}</p> }.into_any())
}

/// Row clicks toggle the row's details (links inside are handled before).
pub fn on_click(ev: &web_sys::Event, expanded: Expanded) {
    let Some(tr) = closest(ev, "tr.lst-row") else { return };
    let Some(i) = tr.get_attribute("data-row").and_then(|v| v.parse::<usize>().ok()) else { return };
    let key =
        SHOWN.with(|s| s.borrow().as_ref().and_then(|(_, rows)| rows.get(i).map(|r| (r.listener.clone(), r.chain))));
    let Some(key) = key else { return };
    expanded.update(|x| {
        if !x.remove(&key) {
            x.insert(key);
        }
    });
}

fn detail(set: &ListenerSet, r: &Row) -> AnyView {
    let Some(l) = find(set, &r.listener) else { return view! { <div class="lst-detail-body"></div> }.into_any() };
    let direction = match l.direction {
        Direction::Outbound => "outbound",
        Direction::Inbound => "inbound",
        Direction::Unspecified => "static (from the bootstrap)",
    };
    let at = if l.port == 0 { format!("Unix socket {}", l.address) } else { format!("{}:{}", l.address, l.port) };
    let binds =
        if l.bind_to_port { "binds its address" } else { "takes connections handed over by original destination" };
    let mut meta = format!(
        "{direction} \u{b7} {at} \u{b7} {binds} \u{b7} {}",
        plural(l.filter_chains.len(), "filter chain", "filter chains")
    );
    let filters: Vec<&str> =
        l.listener_filters.iter().map(|f| f.name.trim_start_matches("envoy.filters.listener.")).collect();
    if !filters.is_empty() {
        meta.push_str(&format!(" \u{b7} listener filters: {}", filters.join(", ")));
    }
    let listener = view! {
        <h4>"Listener "<code class="">{l.name.clone()}</code></h4>
        <p class="eff-meta">{meta}</p>
        {para("why", &l.origin.reason)}
        {sources(&l.origin.sources)}
    };
    let chain = l.filter_chains.get(r.chain).map(|c| {
        let name = if c.name.is_empty() { format!("#{}", r.chain + 1) } else { c.name.clone() };
        let tls = match c.tls {
            None => "no TLS",
            Some(ChainTls::IstioMutual) => "terminates Istio mTLS",
            Some(ChainTls::Simple) => "terminates TLS (SIMPLE)",
            Some(ChainTls::Mutual) => "terminates TLS (MUTUAL)",
            Some(ChainTls::OptionalMutual) => "terminates TLS (OPTIONAL_MUTUAL)",
        };
        let action = match &c.action {
            Action::Rds { route_config } => format!("HTTP, routes from RDS route config {route_config}"),
            Action::InlineRoute { virtual_host, prefix, cluster, .. } => {
                format!("HTTP, inline route {virtual_host}: prefix {prefix} to {cluster}")
            }
            Action::TcpProxy { cluster, protocol_filter, replaced_by_filter } => {
                match (protocol_filter, replaced_by_filter) {
                    (Some(f), true) => format!("TCP, {f} (in place of a TCP proxy to {cluster})"),
                    (Some(f), false) => format!("TCP proxy to {cluster}, behind {f}"),
                    (None, _) => format!("TCP proxy to {cluster}"),
                }
            }
        };
        let routes = match &c.action {
            Action::Rds { route_config } => set.route(route_config).map(|rc| {
                const MAX: usize = 25;
                let items = rc
                    .virtual_hosts
                    .iter()
                    .take(MAX)
                    .map(|v| {
                        let domains = if v.domains.len() > 4 {
                            format!("{} \u{2026} ({} domains)", v.domains[..3].join(", "), v.domains.len())
                        } else {
                            v.domains.join(", ")
                        };
                        let to = match v.routes.as_slice() {
                            [r] => match &r.action {
                                RouteAction::Route { clusters, .. } if clusters.len() == 1 => {
                                    clusters[0].cluster.clone()
                                }
                                RouteAction::DirectResponse { status, .. } => format!("{status} ({})", r.name),
                                _ => "1 route".into(),
                            },
                            rs => plural(rs.len(), "route", "routes"),
                        };
                        let src = v.origin.sources.iter().find(|s| s.range.is_some()).map(|s| {
                            view! { <span>" "</span>{source_link(s, Some(source_title(s)))} }
                        });
                        view! { <li><span class="mono">{format!("{domains} \u{2192} {to}")}</span>{src}</li> }
                    })
                    .collect_view();
                let more = (rc.virtual_hosts.len() > MAX)
                    .then(|| view! { <li>{format!("and {} more", rc.virtual_hosts.len() - MAX)}</li> });
                view! {
                    <h4>{format!("Route config {} ({})", rc.name, plural(rc.virtual_hosts.len(), "virtual host", "virtual hosts"))}</h4>
                    <ul class="plain vhosts">{items}{more}</ul>
                }
            }),
            _ => None,
        };
        view! {
            <h4>"Filter chain "<code class="">{name}</code>{if c.default { " (the default chain)" } else { "" }}</h4>
            <p class="eff-meta">{format!("match {} \u{b7} {tls}", table::match_text(&c.chain_match))}</p>
            <p class="mono">{action}</p>
            {para("why", &c.origin.reason)}
            {sources(&c.origin.sources)}
            {routes}
        }
    });
    view! { <div class="lst-detail-body">{listener}{chain}</div> }.into_any()
}

/// The table as `istioctl proxy-config listeners` prints it.
pub fn copy_text() -> Option<String> {
    SHOWN.with(|s| s.borrow().as_ref().map(|(set, _)| table::render(set)))
}
