//! Layer 3 of the verdict: Istio's validator (`ValidateSidecar` in
//! `pkg/config/validation/validation.go`, plus the webhook's metadata checks). Rule ids in
//! comments (S-EMPTY, E-HOST-DUP, ...) are those of `spec/validation.md`.

use std::collections::{HashMap, HashSet};

use super::fields::{boolean, enum_name, int, int_of, list, range_of, set, string, strings};
use super::pool::validate_connection_pool;
use super::tls::validate_tls_options;
use super::values::{
    go_atoi, go_quote, is_dns1123_label, is_ip_address, split_host_port, validate_fqdn, validate_ip_address,
    validate_partial_wildcard, validate_port, validate_port_name, validate_protocol, validate_unix_address,
    validate_wildcard_domain,
};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::load::Resource;
use crate::protocol::Protocol;
use crate::text::TextRange;
use crate::yaml::Node;

const UNIX_PREFIX: &str = "unix://";

/// Collects the validator's findings for one Sidecar.
pub struct Ctx<'a> {
    pub resource: &'a Resource,
    pub out: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(resource: &'a Resource) -> Self {
        Ctx { resource, out: Vec::new() }
    }
    pub fn error(
        &mut self,
        code: Code,
        path: impl Into<String>,
        range: TextRange,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(self.resource.diagnostic(code, msg, path, range).with_severity(Severity::Error));
        self.out.last_mut().unwrap()
    }
    pub fn warning(
        &mut self,
        code: Code,
        path: impl Into<String>,
        range: TextRange,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(self.resource.diagnostic(code, msg, path, range).with_severity(Severity::Warning));
        self.out.last_mut().unwrap()
    }
}

/// The webhook's metadata checks (M-*): the first failure stops validation.
pub fn validate_metadata(ctx: &mut Ctx) -> bool {
    let r = ctx.resource;
    let checks: [(&str, String); 4] = [
        (
            "istio.io/dry-run",
            format!(
                "{}/{} has unsupported annotation istio.io/dry-run, please remove the annotation",
                r.namespace, r.name
            ),
        ),
        (
            "internal.istio.io/webhook-always-reject",
            "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting".into(),
        ),
        (
            "internal.istio.io/parent-namespace",
            "\"internal.istio.io/parent-namespace\" annotation found, this may not be set by users".into(),
        ),
        (
            "internal.istio.io/parents",
            "\"internal.istio.io/parents\" annotation found, this may not be set by users".into(),
        ),
    ];
    for (key, message) in checks {
        if r.annotation(key).is_some() {
            let annotations = r.node.at(&["metadata", "annotations"]).unwrap();
            let range = annotations.entry(key).map_or(annotations.range, |e| e.key.range);
            let hint = if key == "istio.io/dry-run" {
                "only AuthorizationPolicy supports dry-run; the annotation's value does not matter"
            } else {
                "this annotation is reserved for Istio itself"
            };
            ctx.error(Code::ForbiddenAnnotation, format!("metadata.annotations[{key}]"), range, message).hint =
                Some(hint.into());
            return false;
        }
    }
    true
}

/// M-TOP-LEVEL-FIELDS: the webhook's and istioctl's check of the resource's top-level keys.
pub fn validate_top_level_fields(ctx: &mut Ctx) {
    let r = ctx.resource;
    for e in r.node.as_map().unwrap_or(&[]) {
        let Some(key) = e.key.scalar_text() else { continue };
        if !matches!(key, "apiVersion" | "kind" | "metadata" | "spec" | "status") {
            let msg = format!("unknown field {} on {} resource {}/{}", go_quote(key), r.kind_name, r.namespace, r.name);
            let hint = super::values::did_you_mean(key, &["apiVersion", "kind", "metadata", "spec", "status"])
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    "a resource has only apiVersion, kind, metadata, spec and status at the top level".into()
                });
            ctx.error(Code::UnknownTopLevelField, key, e.key.range, msg).hint = Some(hint);
        }
    }
}

/// `ValidateSidecar`.
pub fn validate_sidecar(ctx: &mut Ctx, spec: &Node) {
    let ws = set(spec, "workloadSelector");
    // S-WS-EMPTY-KEY, S-WS-WILDCARD: all label errors, then stop.
    if let Some(labels) = ws.and_then(|w| w.get_set("labels")).and_then(Node::as_map) {
        let mut bad = false;
        for e in labels {
            let k = e.key.scalar_text().unwrap_or("");
            let v = e.value.scalar_text().unwrap_or("");
            let path = format!("spec.workloadSelector.labels.{k}");
            if k.is_empty() {
                ctx.error(
                    Code::InvalidSelector,
                    &path,
                    e.key.range,
                    format!("empty key is not supported in selector: {}", go_quote(&format!("{k}={v}"))),
                );
                bad = true;
            } else if k.contains('*') || v.contains('*') {
                let range = if k.contains('*') { e.key.range } else { e.value.range };
                ctx.error(
                    Code::InvalidSelector,
                    &path,
                    range,
                    format!("wildcard is not supported in selector: {}", go_quote(&format!("{k}={v}"))),
                )
                .hint = Some("label selectors match exact values; list each value in its own Sidecar".into());
                bad = true;
            }
        }
        if bad {
            return;
        }
    }
    // S-WS-NOLABELS
    let mut selector_warning = None;
    if let Some(ws) = ws {
        let no_labels = ws.get_set("labels").and_then(Node::as_map).is_none_or(|m| m.is_empty());
        if no_labels {
            selector_warning = Some(
                ctx.resource
                    .diagnostic(
                        Code::SelectorWithoutLabels,
                        "sidecar: workload selector specified without labels, will be applied to all services in namespace",
                        "spec.workloadSelector",
                        range_of(spec, "workloadSelector"),
                    )
                    .with_severity(Severity::Warning)
                    .with_hint("remove `workloadSelector` to make this the namespace default explicitly, or add the labels of the workloads it is for"),
            );
        }
    }
    // S-EMPTY
    let ingress = list(spec, "ingress");
    let egress = list(spec, "egress");
    if ingress.is_empty()
        && egress.is_empty()
        && set(spec, "outboundTrafficPolicy").is_none()
        && set(spec, "inboundConnectionPool").is_none()
    {
        let misplaced = ["metadata", "status"].into_iter().find(|k| ctx.resource.node.at(&[k, "spec"]).is_some());
        ctx.error(Code::EmptyConfiguration, "spec", spec.range, "sidecar: empty configuration provided").hint = Some(match misplaced {
            Some(parent) => format!(
                "`spec` is indented under `{parent}`, so the resource has no spec (and `{parent}.spec` is an unknown field); move `spec:` to the top level, at the column of `{parent}:`"
            ),
            None => "a Sidecar must configure at least one of ingress, egress, outboundTrafficPolicy or inboundConnectionPool".into(),
        });
        return;
    }
    ctx.out.extend(selector_warning);

    let mut ports = HashSet::new();
    for (i, l) in ingress.iter().enumerate() {
        validate_ingress(ctx, l, &format!("spec.ingress[{i}]"), &mut ports);
    }
    if let Some(pool) = set(spec, "inboundConnectionPool") {
        validate_connection_pool(ctx, pool, "spec.inboundConnectionPool");
    }
    let mut ports = HashSet::new();
    let mut sockets = HashSet::new();
    let last = egress.len().saturating_sub(1);
    let portless = egress.iter().filter(|l| !l.is_null() && set(l, "port").is_none()).count();
    for (i, l) in egress.iter().enumerate() {
        validate_egress(ctx, l, &format!("spec.egress[{i}]"), (i == last, portless), &mut ports, &mut sockets);
    }
    if let Some(otp) = set(spec, "outboundTrafficPolicy") {
        validate_outbound_traffic_policy(ctx, otp);
    }
}

fn validate_ingress(ctx: &mut Ctx, l: &Node, path: &str, ports: &mut HashSet<i128>) {
    if l.is_null() {
        ctx.error(Code::IngressPortRequired, path, l.range, "sidecar: ingress may not be null");
        return;
    }
    let Some(port) = set(l, "port") else {
        ctx.error(
            Code::IngressPortRequired,
            format!("{path}.port"),
            range_of(l, "port"),
            "sidecar: port is required for ingress listeners",
        )
        .hint = Some("Istio skips the other checks of this listener until it has a port".into());
        return;
    };
    let number = int(port, "number");
    let pp = format!("{path}.port");
    if int(port, "targetPort") > 0 {
        ctx.error(
            Code::TargetPort,
            format!("{pp}.targetPort"),
            range_of(port, "targetPort"),
            "targetPort has no impact on Sidecars",
        )
        .hint = Some("targetPort is deprecated; remove it".into());
    }
    check_port_name(ctx, port, &pp);
    check_protocol(ctx, port, &pp);
    if let Err(e) = validate_port(number as i64) {
        ctx.error(Code::PortRange, format!("{pp}.number"), range_of(port, "number"), e).hint =
            (number == 0).then(|| "ingress listeners need a port number in 1..65535 (only egress listeners can use port 0 with a Unix socket)".into());
    }
    let bind = string(l, "bind");
    if !bind.is_empty() {
        if let Err(e) = validate_ip_address(bind) {
            let hint = if bind.starts_with(UNIX_PREFIX) {
                "ingress listeners bind to IP addresses only; Unix sockets are for egress listeners (port 0)"
            } else {
                "bind takes a single IP address, without a port or prefix length"
            };
            ctx.error(Code::InvalidBind, format!("{path}.bind"), range_of(l, "bind"), e).hint = Some(hint.into());
        }
    }
    if !ports.insert(number) {
        ctx.error(
            Code::DuplicatePort,
            format!("{pp}.number"),
            range_of(port, "number"),
            "sidecar: ports on IP bound listeners must be unique",
        )
        .hint = Some(format!(
            "another ingress listener already uses port {number}; Istio compares port numbers only, whatever the bind"
        ));
    }
    check_default_endpoint(ctx, l, path);
    let protocol = Protocol::parse(string(port, "protocol"));
    if let Some(tls) = set(l, "tls") {
        check_ingress_tls(ctx, tls, port, protocol, &format!("{path}.tls"));
    }
    if let Some(pool) = set(l, "connectionPool") {
        validate_connection_pool(ctx, pool, &format!("{path}.connectionPool"));
        if set(pool, "http").is_some() && !protocol.is_some_and(|p| p.is_http()) {
            let proto = string(port, "protocol");
            let msg = format!(
                "sidecar: HTTP connection pool settings are configured for port {number} ({}) but its protocol is not HTTP ({proto}); only TCP settings will apply",
                go_quote(string(port, "name"))
            );
            ctx.warning(
                Code::HttpPoolOnNonHttpPort,
                format!("{path}.connectionPool.http"),
                range_of(pool, "http"),
                msg,
            )
            .hint = Some(
                "set the port's protocol to HTTP, HTTP2, GRPC, GRPC-WEB or HTTP_PROXY, or move these limits to `tcp`"
                    .into(),
            );
        }
    }
}

fn check_port_name(ctx: &mut Ctx, port: &Node, pp: &str) {
    let name = string(port, "name");
    if !name.is_empty() {
        if let Err(e) = validate_port_name(name) {
            ctx.error(Code::InvalidPortName, format!("{pp}.name"), range_of(port, "name"), e).hint = Some(
                "a port name is at most 63 letters, digits and '-', starting and ending with a letter or digit".into(),
            );
        }
    }
}

fn check_protocol(ctx: &mut Ctx, port: &Node, pp: &str) {
    let protocol = string(port, "protocol");
    if let Err(e) = validate_protocol(protocol) {
        let hint = match protocol.to_ascii_lowercase().as_str() {
            "hbone" | "doublehbone" => "HBONE is internal to Istio's ambient mode and cannot be set on a Sidecar port".to_string(),
            _ => "supported: HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY, TCP, TLS, UDP, MONGO, REDIS, MYSQL (any case), or empty for protocol sniffing".to_string(),
        };
        ctx.error(Code::UnsupportedProtocol, format!("{pp}.protocol"), range_of(port, "protocol"), e).hint = Some(hint);
    }
}

fn check_default_endpoint(ctx: &mut Ctx, l: &Node, path: &str) {
    let ep = string(l, "defaultEndpoint");
    if ep.is_empty() {
        return;
    }
    let p = format!("{path}.defaultEndpoint");
    let range = range_of(l, "defaultEndpoint");
    if let Some(rest) = ep.strip_prefix(UNIX_PREFIX) {
        if let Err(e) = validate_unix_address(rest) {
            ctx.error(Code::InvalidDefaultEndpoint, &p, range, e);
        }
        return;
    }
    let (host, port) = match split_host_port(ep) {
        Ok(hp) => hp,
        Err(e) => {
            ctx.error(Code::InvalidDefaultEndpoint, &p, range, e).hint =
                Some("write `127.0.0.1:<port>`, `[::1]:<port>`, `0.0.0.0:<port>` or `unix://<path>`".into());
            (String::new(), String::new())
        }
    };
    if !host.is_empty() && !matches!(host.as_str(), "127.0.0.1" | "0.0.0.0" | "::1" | "::") {
        ctx.error(
            Code::InvalidDefaultEndpoint,
            &p,
            range,
            "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset",
        )
        .hint = Some(format!("Istio compares the host as a literal string: `{host}` is not one of 127.0.0.1, 0.0.0.0, ::1, ::"));
    }
    match go_atoi(&port) {
        Err(e) => {
            ctx.error(
                Code::InvalidDefaultEndpoint,
                &p,
                range,
                format!("sidecar: defaultEndpoint port ({port}) is not a number: {e}"),
            );
        }
        Ok(n) => {
            if let Err(e) = validate_port(n) {
                ctx.error(Code::InvalidDefaultEndpoint, &p, range, e);
            }
        }
    }
}

fn check_ingress_tls(ctx: &mut Ctx, tls: &Node, port: &Node, protocol: Option<Protocol>, tp: &str) {
    let unsupported = "Sidecar ingress TLS supports mode SIMPLE, MUTUAL or OPTIONAL_MUTUAL with serverCertificate/privateKey/caCertificates files";
    if !list(tls, "subjectAltNames").is_empty() {
        ctx.error(
            Code::IngressTls,
            format!("{tp}.subjectAltNames"),
            range_of(tls, "subjectAltNames"),
            "sidecar: subjectAltNames is not supported in ingress tls",
        );
    }
    if boolean(tls, "httpsRedirect") {
        ctx.error(
            Code::IngressTls,
            format!("{tp}.httpsRedirect"),
            range_of(tls, "httpsRedirect"),
            "sidecar: httpsRedirect is not supported",
        );
    }
    if !string(tls, "credentialName").is_empty() {
        ctx.error(
            Code::IngressTls,
            format!("{tp}.credentialName"),
            range_of(tls, "credentialName"),
            "sidecar: credentialName is not currently supported",
        )
        .hint = Some(unsupported.into());
    }
    if !list(tls, "credentialNames").is_empty() {
        ctx.error(
            Code::IngressTls,
            format!("{tp}.credentialNames"),
            range_of(tls, "credentialNames"),
            "sidecar: credentialNames is not currently supported",
        )
        .hint = Some(unsupported.into());
    }
    if !list(tls, "tlsCertificates").is_empty() {
        ctx.error(
            Code::IngressTls,
            format!("{tp}.tlsCertificates"),
            range_of(tls, "tlsCertificates"),
            "sidecar: tls_certificates is not currently supported",
        )
        .hint = Some(unsupported.into());
    }
    let mode = enum_name(tls, "mode", "PASSTHROUGH");
    if matches!(mode, "ISTIO_MUTUAL" | "AUTO_PASSTHROUGH") {
        ctx.error(
            Code::IngressTls,
            format!("{tp}.mode"),
            range_of(tls, "mode"),
            format!("configuration is invalid: cannot set mode to {mode} in sidecar ingress tls"),
        )
        .hint = Some(
            "use SIMPLE or MUTUAL; mesh mTLS on inbound traffic is configured by PeerAuthentication, not here".into(),
        );
    }
    if !protocol.is_some_and(|p| p.is_tls()) {
        let range = port.get("protocol").map_or(range_of(tls, "mode"), |n| n.range);
        let written = string(port, "protocol");
        let hint = if written.is_empty() {
            "the port has no protocol (sniffing); set `protocol: HTTPS` or `protocol: TLS`".to_string()
        } else {
            format!("the port's protocol is {written}; TLS settings need HTTPS or TLS")
        };
        ctx.error(
            Code::IngressTls,
            format!("{}.protocol", tp.trim_end_matches(".tls").to_string() + ".port"),
            range,
            "server cannot have TLS settings for non HTTPS/TLS ports",
        )
        .hint = Some(hint);
    }
    validate_tls_options(ctx, tls, tp);
}

fn validate_egress(
    ctx: &mut Ctx,
    l: &Node,
    path: &str,
    (is_last, portless): (bool, usize),
    ports: &mut HashSet<i128>,
    sockets: &mut HashSet<String>,
) {
    if l.is_null() {
        ctx.error(Code::EgressHostsRequired, path, l.range, "egress listener may not be null");
        return;
    }
    match set(l, "port") {
        None => {
            // E-CATCHALL-LAST; bind and captureMode of a portless listener are not checked.
            if !is_last {
                ctx.error(
                    Code::CatchAllNotLast,
                    path,
                    l.range,
                    "sidecar: the egress listener with empty port should be the last listener in the list",
                )
                .hint = Some(if portless > 1 {
                    format!("{portless} egress listeners have no `port`, and only the last may: merge their hosts into one listener without `port`, at the end, or give the others a port")
                } else {
                    "a listener without `port` catches all other traffic; move it to the end of `egress`".into()
                });
            }
        }
        Some(port) => {
            let pp = format!("{path}.port");
            let number = int(port, "number");
            if int(port, "targetPort") > 0 {
                ctx.error(
                    Code::TargetPort,
                    format!("{pp}.targetPort"),
                    range_of(port, "targetPort"),
                    "targetPort has no impact on Sidecars",
                )
                .hint = Some("targetPort is deprecated; remove it".into());
            }
            check_port_name(ctx, port, &pp);
            let bind = string(l, "bind");
            check_protocol(ctx, port, &pp);
            if number == 0 {
                let bind_range = range_of(l, "bind");
                match bind.strip_prefix(UNIX_PREFIX) {
                    None => {
                        ctx.error(Code::UnixSocketListener, format!("{path}.bind"), bind_range, "sidecar: ports with 0 value must have a unix domain socket bind address")
                            .hint = Some("port 0 means a Unix domain socket listener: set `bind: unix:///path/to/socket` (or `unix://@name`), or give a port number".into());
                    }
                    Some(rest) => {
                        if let Err(e) = validate_unix_address(rest) {
                            ctx.error(Code::UnixSocketListener, format!("{path}.bind"), bind_range, e);
                        }
                    }
                }
                if enum_name(l, "captureMode", "DEFAULT") == "IPTABLES" {
                    ctx.error(
                        Code::UnixSocketListener,
                        format!("{path}.captureMode"),
                        range_of(l, "captureMode"),
                        "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners",
                    );
                }
                if !sockets.insert(bind.to_string()) {
                    ctx.error(
                        Code::UnixSocketListener,
                        format!("{path}.bind"),
                        bind_range,
                        "sidecar: unix domain socket values for listeners must be unique",
                    );
                }
            } else {
                if let Err(e) = validate_port(number as i64) {
                    ctx.error(Code::PortRange, format!("{pp}.number"), range_of(port, "number"), e);
                }
                if !bind.is_empty() {
                    if let Err(e) = validate_ip_address(bind) {
                        let hint = if bind.starts_with(UNIX_PREFIX) {
                            "a Unix socket bind needs port number 0"
                        } else {
                            "bind takes a single IP address, without a port or prefix length"
                        };
                        ctx.error(Code::InvalidBind, format!("{path}.bind"), range_of(l, "bind"), e).hint =
                            Some(hint.into());
                    }
                }
                if !ports.insert(number) {
                    ctx.error(Code::DuplicatePort, format!("{pp}.number"), range_of(port, "number"), "sidecar: ports on IP bound listeners must be unique")
                        .hint = Some(format!("another egress listener already uses port {number}; Istio compares port numbers only, whatever the bind"));
                }
            }
        }
    }
    let hosts = strings(l, "hosts");
    if hosts.is_empty() {
        ctx.error(
            Code::EgressHostsRequired,
            format!("{path}.hosts"),
            range_of(l, "hosts"),
            "sidecar: egress listener must contain at least one host",
        )
        .hint = Some(
            "list the services this listener imports, e.g. `./*` for the Sidecar's own namespace or `istio-system/*`"
                .into(),
        );
        return;
    }
    // E-HOST-DUP and E-HOST-STARSTAR, then the format of each host.
    let mut seen: HashMap<String, HashSet<String>> = HashMap::new();
    // The namespaces written as `.` (the Sidecar's own).
    let mut dotted: HashSet<&str> = HashSet::new();
    for (j, node, host) in hosts {
        let hp = format!("{path}.hosts[{j}]");
        if let Some((ns, dns)) = host.split_once('/') {
            if !ns.starts_with('~') {
                let dot = ns == ".";
                let ns = if dot { ctx.resource.namespace.as_str() } else { ns };
                if dot {
                    dotted.insert(ns);
                }
                let names = seen.entry(ns.to_string()).or_default();
                let dup = if dns != "*" { names.contains(dns) || names.contains("*") } else { !names.is_empty() };
                if dup {
                    let what =
                        if dns == "*" { format!("names namespace `{ns}`") } else { format!("covers `{ns}/{dns}`") };
                    let dot_note = if dot {
                        format!(" (`.` is this Sidecar's own namespace, `{ns}`)")
                    } else if dotted.contains(ns) && ns == "istio-system" {
                        // Istio's validation reads `.` as the Sidecar's namespace; but a Sidecar
                        // of the mesh root namespace serves as every namespace's default, and
                        // there `./*` means each workload's own namespace.
                        " (`./*`, read as this Sidecar's namespace). If istio-system is the mesh root namespace and this Sidecar is the mesh-wide default, `./*` there means each workload's own namespace, so this entry is not redundant for other namespaces; Istio's validation warns all the same".to_string()
                    } else {
                        String::new()
                    };
                    ctx.warning(
                        Code::DuplicateEgressHost,
                        &hp,
                        node.range,
                        format!("duplicated egress host: {host}"),
                    )
                    .hint = Some(format!("an earlier host of this listener already {what}{dot_note}"));
                }
                names.insert(dns.to_string());
            }
        }
        validate_egress_host(ctx, host, &hp, node.range);
    }
    if seen.get("*").is_some_and(|s| s.contains("*")) && seen.len() != 1 {
        ctx.warning(
            Code::StarStarWithOtherHosts,
            format!("{path}.hosts"),
            range_of(l, "hosts"),
            "`*/*` host select all resources, no other hosts can be added",
        )
        .hint = Some("`*/*` already imports every namespace; the other hosts add nothing".into());
    }
}

/// `ValidateNamespaceSlashWildcardHostname` in sidecar mode (E-HOST-*).
fn validate_egress_host(ctx: &mut Ctx, host: &str, path: &str, range: TextRange) {
    let Some((ns, dns)) = host.split_once('/') else {
        ctx.error(Code::EgressHostFormat, path, range, "host must be of form namespace/dnsName").hint = Some(match host {
            "." => "`.` is a namespace, not a host: `./*` imports every service of the Sidecar's own namespace".to_string(),
            "*" => "a host needs a namespace: `*/*` imports every service of every namespace".to_string(),
            "~" => "`~/*` imports nothing (a listener that captures no traffic for any host)".to_string(),
            _ => format!("prefix the namespace: `*/{host}` for any namespace, `./{host}` for the Sidecar's own namespace, `~/{host}` to exclude it"),
        });
        return;
    };
    if ns.is_empty() || dns.is_empty() {
        ctx.error(Code::EgressHostFormat, path, range, "config namespace and dnsName in host entry cannot be empty");
    }
    let bare = ns.strip_prefix('~').unwrap_or(ns);
    if !bare.is_empty() && bare != "*" && bare != "." && !is_dns1123_label(bare) {
        ctx.error(Code::EgressHostFormat, path, range, format!("invalid namespace value {} in sidecar", go_quote(ns)));
    }
    if dns != "*" && !dns.contains('.') {
        // The service's namespace when the entry names one (`.`: the Sidecar's own).
        let svc_ns = match ns.strip_prefix('~').unwrap_or(ns) {
            "." => ctx.resource.namespace.clone(),
            "*" | "" => "<namespace>".to_string(),
            n => n.to_string(),
        };
        ctx.error(Code::EgressHostFormat, path, range, "short names (non FQDN) are not allowed").hint = Some(format!(
            "write the fully qualified name, e.g. `{ns}/{dns}.{svc_ns}.svc.cluster.local`, or `{ns}/*` for every service of the namespace"
        ));
    }
    if let Err(e) = validate_wildcard_domain(dns) {
        // Istio adds this message twice unless the name is an IP address (a quirk we copy).
        let times = if is_ip_address(dns) { 1 } else { 2 };
        for _ in 0..times {
            ctx.error(Code::EgressHostFormat, path, range, e.clone());
        }
        if let Some(d) = ctx.out.last_mut() {
            d.hint = Some(if is_ip_address(dns) {
                "egress hosts are DNS names, not IP addresses; use a ServiceEntry for an IP".into()
            } else {
                "Istio reports this message twice for Sidecar hosts".into()
            });
        }
    }
    if let Err(e) = validate_partial_wildcard(dns) {
        ctx.error(Code::EgressHostFormat, path, range, e).hint =
            Some("a wildcard must be the whole left-most label: `*.example.com`".into());
    }
}

fn validate_outbound_traffic_policy(ctx: &mut Ctx, otp: &Node) {
    let base = "spec.outboundTrafficPolicy";
    // O-DYNAMIC-DNS can only be reached with a numeric enum, which decoding rejects before.
    if int_of(otp, "mode") == Some(3) {
        ctx.error(
            Code::OutboundTrafficPolicy,
            format!("{base}.mode"),
            range_of(otp, "mode"),
            "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource",
        );
        return;
    }
    let Some(proxy) = set(otp, "egressProxy") else { return };
    let pp = format!("{base}.egressProxy");
    if enum_name(otp, "mode", "REGISTRY_ONLY") != "ALLOW_ANY" {
        ctx.error(
            Code::OutboundTrafficPolicy,
            &pp,
            range_of(otp, "egressProxy"),
            "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode",
        )
        .hint = Some(if set(otp, "mode").is_none() {
            "`mode` is unset, which inside an explicit outboundTrafficPolicy means REGISTRY_ONLY: add `mode: ALLOW_ANY`"
                .into()
        } else {
            "an egress proxy handles traffic to unknown destinations, which only ALLOW_ANY lets out".into()
        });
        return;
    }
    let host = string(proxy, "host");
    let host_range = range_of(proxy, "host");
    if let Err(e) = validate_fqdn(host) {
        ctx.error(Code::OutboundTrafficPolicy, format!("{pp}.host"), host_range, e);
    }
    let Some(port) = set(proxy, "port") else {
        ctx.error(
            Code::OutboundTrafficPolicy,
            format!("{pp}.port"),
            range_of(proxy, "port"),
            "sidecar: egress_proxy port must be non-nil",
        )
        .hint = Some("add `port: {number: <port>}`".into());
        return;
    };
    // validateDestination
    if host == "*" {
        ctx.error(Code::OutboundTrafficPolicy, format!("{pp}.host"), host_range, "invalid destination host *");
    } else if let Err(e) = validate_wildcard_domain(host) {
        ctx.error(Code::OutboundTrafficPolicy, format!("{pp}.host"), host_range, e);
    }
    let subset = string(proxy, "subset");
    if !subset.is_empty() && !is_dns1123_label(subset) {
        ctx.error(
            Code::OutboundTrafficPolicy,
            format!("{pp}.subset"),
            range_of(proxy, "subset"),
            format!("subset name is invalid: {subset}"),
        );
    }
    if let Err(e) = validate_port(int(port, "number") as i64) {
        ctx.error(Code::OutboundTrafficPolicy, format!("{pp}.port.number"), range_of(port, "number"), e);
    }
}
