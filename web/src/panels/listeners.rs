//! Listeners: the table of `istioctl proxy-config listeners` (`listeners::table::rows`, in
//! istioctl's order) for the chosen proxy. Each row names the YAML that produced it (a click
//! selects it in the editor, from `ListenerSet::locate`'s ranges) and expands to its listener and
//! filter chain: why each exists, its match, TLS, destination and, for RDS, the virtual hosts.
//! Details are built on demand: a mesh can give a proxy thousands of rows.

use std::cell::RefCell;
use std::collections::BTreeSet;

use sidecarscope::listeners::table::{self, Row};
use sidecarscope::listeners::{Action, ChainTls, Direction, Listener, ListenerSet, RouteAction, SourceRef};

use super::effective::{card, notes};
use crate::analysis::{self, Analysis, Model};
use crate::dom::{self, link, para, plural, El};

thread_local! {
    /// The listeners shown and their rows, for details and "Copy".
    static SHOWN: RefCell<Option<(ListenerSet, Vec<Row>)>> = const { RefCell::new(None) };
    /// Rows the user expanded (listener name, chain index): they stay open while typing.
    static EXPANDED: RefCell<BTreeSet<(String, usize)>> = const { RefCell::new(BTreeSet::new()) };
}

pub fn body(a: &Analysis, model: &Model) -> El {
    let Some(proxy) = &a.proxy else {
        SHOWN.with(|s| *s.borrow_mut() = None);
        return super::no_proxy(a);
    };
    let set = analysis::listeners(model, proxy);
    let rows = table::rows(&set);
    let out = El::cls("div", "lst");

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
    out.push(El::cls("div", "lst-summary").child(El::cls("p", "eff-meta").text(&summary)).child(
        El::cls("button", "link-button").attr("type", "button").attr("data-copy", "").text("Copy as istioctl text"),
    ));

    let head = El::new("tr");
    for h in table::HEADER.iter().copied().chain(["FROM"]) {
        head.push(El::new("th").attr("scope", "col").text(h));
    }
    let tbody = El::new("tbody");
    let mut reopen = Vec::new();
    EXPANDED.with(|x| {
        let x = x.borrow();
        for (i, r) in rows.iter().enumerate() {
            let tr = row(i, r, &set);
            if x.contains(&(r.listener.clone(), r.chain)) {
                reopen.push((tr.0.clone(), i));
            }
            tbody.push(tr);
        }
    });
    // Focusable: it scrolls sideways on a narrow screen, and the keyboard must reach it.
    out.push(
        El::cls("div", "table-wrap")
            .attr("tabindex", "0")
            .attr("role", "region")
            .attr("aria-label", "Listeners")
            .child(El::cls("table", "lst-table").child(El::new("thead").child(head)).child(tbody)),
    );

    if !set.skipped.is_empty() {
        let ul = El::cls("ul", "plain skipped");
        for s in &set.skipped {
            let li = El::new("li").child(El::cls("span", "mono").text(&s.name)).text(": ").code_spans(&s.reason);
            if let Some(src) = sources(&s.origin.sources) {
                li.push(src);
            }
            ul.push(li);
        }
        out.push(card("lst-skipped", "Not generated").child(ul));
    }
    if !set.notes.is_empty() {
        out.push(card("lst-notes", "Notes").child(notes(&set.notes)));
    }
    let out_el = out;
    SHOWN.with(|s| *s.borrow_mut() = Some((set, rows)));
    for (tr, i) in reopen {
        expand(&tr, i);
    }
    out_el
}

fn row(i: usize, r: &Row, set: &ListenerSet) -> El {
    let tr = El::cls("tr", "lst-row").attr("data-row", &i.to_string());
    let toggle = El::cls("button", "disclosure")
        .attr("type", "button")
        .attr("aria-expanded", "false")
        .attr("aria-label", &format!("Details of {} port {} {}", r.addresses, r.port, r.destination))
        .text("\u{25b8}");
    tr.push(El::cls("td", "mono nowrap").child(toggle).text(&r.addresses));
    tr.push(El::cls("td", "mono nowrap").text(&r.port.to_string()));
    tr.push(El::cls("td", "mono wrap").breakable(&r.chain_match));
    tr.push(El::cls("td", "mono wrap").breakable(&r.destination));
    let from = El::cls("td", "from");
    let src = find(set, &r.listener).and_then(|l| {
        let c = l.filter_chains.get(r.chain)?;
        c.origin.sources.iter().chain(&l.origin.sources).find(|s| s.range.is_some())
    });
    match src {
        Some(s) => from.push(source_link(s).attr("title", &source_title(s))),
        None => from.push(El::cls("span", "builtin").text("built in")),
    }
    tr.child(from)
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

fn source_link(s: &SourceRef) -> El {
    match range(s) {
        Some(r) => link(&s.resource, r),
        None => El::cls("span", "mono").text(&s.resource),
    }
}

/// "From: Sidecar ns/name spec.egress[0], Service ns/name" as links.
fn sources(list: &[SourceRef]) -> Option<El> {
    if list.is_empty() {
        return None;
    }
    let p = El::cls("p", "sources").text("From: ");
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            p.push(El::new("span").text(", "));
        }
        let label = if s.path.is_empty() { s.resource.clone() } else { format!("{} {}", s.resource, s.path) };
        p.push(match range(s) {
            Some(r) => link(&label, r),
            None => El::cls("span", "mono").text(&label),
        });
    }
    Some(p)
}

/// Row clicks toggle the row's details (links inside are handled before).
pub fn on_click(ev: &web_sys::Event) {
    let Some(tr) = dom::closest(ev, "tr.lst-row") else { return };
    let Some(i) = tr.get_attribute("data-row").and_then(|v| v.parse::<usize>().ok()) else { return };
    let open = tr.next_element_sibling().is_some_and(|n| n.class_name() == "lst-detail");
    let key =
        SHOWN.with(|s| s.borrow().as_ref().and_then(|(_, rows)| rows.get(i).map(|r| (r.listener.clone(), r.chain))));
    let Some(key) = key else { return };
    if open {
        if let Some(n) = tr.next_element_sibling() {
            n.remove();
        }
        set_expanded(&tr, false);
        EXPANDED.with(|x| x.borrow_mut().remove(&key));
    } else {
        expand(&tr, i);
        EXPANDED.with(|x| x.borrow_mut().insert(key));
    }
}

fn set_expanded(tr: &web_sys::Element, open: bool) {
    if let Ok(Some(b)) = tr.query_selector("button.disclosure") {
        let _ = b.set_attribute("aria-expanded", if open { "true" } else { "false" });
        b.set_text_content(Some(if open { "\u{25be}" } else { "\u{25b8}" }));
    }
    let _ = tr.set_attribute("class", if open { "lst-row open" } else { "lst-row" });
}

fn expand(tr: &web_sys::Element, i: usize) {
    let detail = SHOWN.with(|s| {
        let s = s.borrow();
        let (set, rows) = s.as_ref()?;
        let r = rows.get(i)?;
        Some(detail(set, r))
    });
    if let Some(d) = detail {
        let _ = tr.after_with_node_1(&El::cls("tr", "lst-detail").child(El::new("td").attr("colspan", "5").child(d)).0);
        set_expanded(tr, true);
    }
}

fn detail(set: &ListenerSet, r: &Row) -> El {
    let out = El::cls("div", "lst-detail-body");
    let Some(l) = find(set, &r.listener) else { return out };
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
    out.push(El::new("h4").text("Listener ").child(El::cls("code", "").text(&l.name)));
    out.push(El::cls("p", "eff-meta").text(&meta));
    out.push(para("why", &l.origin.reason));
    if let Some(s) = sources(&l.origin.sources) {
        out.push(s);
    }

    let Some(c) = l.filter_chains.get(r.chain) else { return out };
    let name = if c.name.is_empty() { format!("#{}", r.chain + 1) } else { c.name.clone() };
    out.push(El::new("h4").text("Filter chain ").child(El::cls("code", "").text(&name)).text(if c.default {
        " (the default chain)"
    } else {
        ""
    }));
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
    out.push(El::cls("p", "eff-meta").text(&format!("match {} \u{b7} {tls}", table::match_text(&c.chain_match))));
    out.push(El::cls("p", "mono").text(&action));
    out.push(para("why", &c.origin.reason));
    if let Some(s) = sources(&c.origin.sources) {
        out.push(s);
    }
    if let Action::Rds { route_config } = &c.action {
        if let Some(rc) = set.route(route_config) {
            const MAX: usize = 25;
            out.push(El::new("h4").text(&format!(
                "Route config {} ({})",
                rc.name,
                plural(rc.virtual_hosts.len(), "virtual host", "virtual hosts")
            )));
            let ul = El::cls("ul", "plain vhosts");
            for v in rc.virtual_hosts.iter().take(MAX) {
                let domains = if v.domains.len() > 4 {
                    format!("{} \u{2026} ({} domains)", v.domains[..3].join(", "), v.domains.len())
                } else {
                    v.domains.join(", ")
                };
                let to = match v.routes.as_slice() {
                    [r] => match &r.action {
                        RouteAction::Route { clusters, .. } if clusters.len() == 1 => clusters[0].cluster.clone(),
                        RouteAction::DirectResponse { status, .. } => format!("{status} ({})", r.name),
                        _ => "1 route".into(),
                    },
                    rs => plural(rs.len(), "route", "routes"),
                };
                let li = El::new("li").child(El::cls("span", "mono").text(&format!("{domains} \u{2192} {to}")));
                if let Some(s) = v.origin.sources.iter().find(|s| s.range.is_some()) {
                    li.push(El::new("span").text(" "));
                    li.push(source_link(s).attr("title", &source_title(s)));
                }
                ul.push(li);
            }
            if rc.virtual_hosts.len() > MAX {
                ul.push(El::new("li").text(&format!("and {} more", rc.virtual_hosts.len() - MAX)));
            }
            out.push(ul);
        }
    }
    out
}

/// The table as `istioctl proxy-config listeners` prints it.
pub fn copy_text() -> Option<String> {
    SHOWN.with(|s| s.borrow().as_ref().map(|(set, _)| table::render(set)))
}
