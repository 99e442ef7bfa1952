//! The documentation of every field of the Sidecar's schema (`validate/schema.rs`), in our words,
//! from Istio's API reference (`networking/v1alpha3/sidecar.proto` of istio/api and the pages
//! generated from it), with the link to the field's entry there. A test checks that every field
//! of the schema's tables has one, so the tables and this text cannot drift apart.

use crate::validate::schema::{Field, Message};

/// One field's documentation.
pub struct FieldDoc {
    /// `Message.json` (the message's short name as istio.io names it, dots kept).
    pub key: &'static str,
    /// One line, for completion lists.
    pub summary: &'static str,
    /// What hover adds (may be empty).
    pub detail: &'static str,
}

const fn d(key: &'static str, summary: &'static str, detail: &'static str) -> FieldDoc {
    FieldDoc { key, summary, detail }
}

pub const FIELDS: &[FieldDoc] = &[
    d("Sidecar.workloadSelector", "Selects the pods (or VM workloads) this Sidecar applies to, by labels.", "Without it the Sidecar applies to every workload of its namespace that no Sidecar with a selector takes (one such Sidecar per namespace; the one in the root namespace is the mesh-wide default). A selector applies only to workloads of the Sidecar's own namespace."),
    d("Sidecar.ingress", "Listeners for inbound traffic to the workload.", "When set, istiod builds inbound listeners from these entries instead of from the ports of the Services that select the workload."),
    d("Sidecar.egress", "Listeners for outbound traffic: which services (hosts) the proxy can reach, on which ports.", "When absent, the proxy imports every service and VirtualService visible to its namespace (`*/*`). Only the last listener may omit `port` (the catch-all)."),
    d("Sidecar.inboundConnectionPool", "Connection pool settings for all inbound connections to the workload.", "Per-port settings in `ingress[].connectionPool` override it; a DestinationRule's settings are not used for inbound traffic when either is set."),
    d("Sidecar.outboundTrafficPolicy", "What the proxy does with traffic to hosts it does not import: pass it through or block it.", "When absent, the mesh's `outboundTrafficPolicy` (MeshConfig) applies; its default is `ALLOW_ANY`."),
    d("WorkloadSelector.labels", "Labels a workload must all have (exact values, no wildcards) for the Sidecar to apply.", "Matched against the labels of the pods (or WorkloadEntries) of the Sidecar's namespace."),
    d("IstioIngressListener.port", "The port the workload receives traffic on (number, protocol, name).", "Required. The port number is the port on which the listener accepts traffic; `targetPort` is not allowed here."),
    d("IstioIngressListener.bind", "The IP (or Unix socket) the inbound listener binds to.", "Defaults to the workload's IP addresses."),
    d("IstioIngressListener.captureMode", "How traffic reaches this listener: `DEFAULT`, `IPTABLES` or `NONE`.", "`DEFAULT` takes the capture mode of the environment (iptables interception unless the proxy says otherwise); `NONE` needs a `bind` the application calls directly."),
    d("IstioIngressListener.defaultEndpoint", "Where inbound traffic is forwarded: `127.0.0.1:PORT`, `0.0.0.0:PORT`, `[::1]:PORT`, `[::]:PORT` or `unix://path`.", "When empty, traffic goes to the workload's IP on the listener's port."),
    d("IstioIngressListener.tls", "TLS settings of the inbound listener (terminates TLS at the proxy).", "Only takes effect without Istio mutual TLS on this port; `ISTIO_MUTUAL` and `AUTO_PASSTHROUGH` are not allowed."),
    d("IstioIngressListener.connectionPool", "Connection pool settings for connections to this port (over `inboundConnectionPool`).", ""),
    d("IstioEgressListener.port", "The port of the outbound listener; without it, the listener is the catch-all for every port.", "Only services that have this port are imported through this listener."),
    d("IstioEgressListener.bind", "The IP or Unix socket the outbound listener binds to.", "When set, the listener is not a wildcard listener: only traffic the application sends to this address reaches it."),
    d("IstioEgressListener.captureMode", "How outbound traffic reaches this listener: `DEFAULT`, `IPTABLES` or `NONE`.", ""),
    d("IstioEgressListener.hosts", "The services this listener imports, as `namespace/dnsName`.", "The namespace part is a namespace name, `*` (any namespace), `.` (the Sidecar's own namespace) or `~` (none); the dnsName is a hostname, `*`, or a wildcard such as `*.example.com`. A `~` before the namespace excludes the matching hosts from the listener. Hosts are matched literally: a short name such as `reviews` imports nothing. Services must be exported to the Sidecar's namespace."),
    d("OutboundTrafficPolicy.mode", "`ALLOW_ANY` passes unknown traffic through; `REGISTRY_ONLY` blocks hosts not imported.", "An omitted mode is `REGISTRY_ONLY` (the enum's first value) when `outboundTrafficPolicy` is set."),
    d("OutboundTrafficPolicy.egressProxy", "Deprecated: a proxy for traffic to unknown hosts under `ALLOW_ANY`. istiod ignores it.", ""),
    d("Destination.host", "The service the egress proxy forwards to.", ""),
    d("Destination.subset", "A subset of that service (from its DestinationRule).", ""),
    d("Destination.port", "The port of that service.", ""),
    d("PortSelector.number", "A port number.", ""),
    d("SidecarPort.number", "The port number (1-65535; 0 with a Unix socket `bind`).", ""),
    d("SidecarPort.protocol", "The protocol: HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS, ...", "Decides whether istiod builds an HTTP or a TCP listener for the port; an unknown protocol is treated as TCP."),
    d("SidecarPort.name", "A label for the port (a DNS label).", ""),
    d("SidecarPort.targetPort", "Not allowed on Sidecar ports.", "The field exists in the message but istiod's validation rejects it on ingress listeners and ignores it elsewhere."),
    d("ConnectionPoolSettings.tcp", "Settings common to HTTP and TCP connections.", ""),
    d("ConnectionPoolSettings.http", "HTTP connection pool settings.", ""),
    d("ConnectionPoolSettings.TCPSettings.maxConnections", "Maximum number of connections to a host.", "Default 2^32-1."),
    d("ConnectionPoolSettings.TCPSettings.connectTimeout", "TCP connection timeout (a duration, at least 1ms).", "Default 10s."),
    d("ConnectionPoolSettings.TCPSettings.tcpKeepalive", "SO_KEEPALIVE settings of the socket.", ""),
    d("ConnectionPoolSettings.TCPSettings.maxConnectionDuration", "The longest a connection may live (a duration, at least 1ms).", "Unset: no limit."),
    d("ConnectionPoolSettings.TCPSettings.idleTimeout", "How long a TCP connection may be idle before it is closed.", "Default 1h; 0s disables it."),
    d("ConnectionPoolSettings.TCPSettings.TcpKeepalive.probes", "Keepalive probes sent before the connection is considered dead.", ""),
    d("ConnectionPoolSettings.TCPSettings.TcpKeepalive.time", "Idle time before keepalive probes start.", ""),
    d("ConnectionPoolSettings.TCPSettings.TcpKeepalive.interval", "Time between keepalive probes.", ""),
    d("ConnectionPoolSettings.HTTPSettings.http1MaxPendingRequests", "Maximum requests queued while waiting for a connection.", "Default 2^32-1."),
    d("ConnectionPoolSettings.HTTPSettings.http2MaxRequests", "Maximum active requests to a host.", "Default 2^32-1."),
    d("ConnectionPoolSettings.HTTPSettings.maxRequestsPerConnection", "Maximum requests per connection (1 disables keep-alive).", "0: unlimited."),
    d("ConnectionPoolSettings.HTTPSettings.maxRetries", "Maximum outstanding retries to a host.", "Default 2^32-1."),
    d("ConnectionPoolSettings.HTTPSettings.idleTimeout", "How long an HTTP connection may be idle before it is closed.", "Default 1h."),
    d("ConnectionPoolSettings.HTTPSettings.h2UpgradePolicy", "Whether HTTP/1.1 connections are upgraded to HTTP/2.", ""),
    d("ConnectionPoolSettings.HTTPSettings.useClientProtocol", "Use the client's protocol (HTTP/1.1 or HTTP/2) towards the upstream.", ""),
    d("ConnectionPoolSettings.HTTPSettings.maxConcurrentStreams", "Maximum concurrent streams per HTTP/2 connection.", ""),
    d("ConnectionPoolSettings.HTTPSettings.http2KeepAlive", "HTTP/2 keepalive pings.", ""),
    d("ConnectionPoolSettings.HTTPSettings.HTTP2KeepAlive.interval", "Time between HTTP/2 PING frames.", ""),
    d("ConnectionPoolSettings.HTTPSettings.HTTP2KeepAlive.timeout", "How long to wait for a PING response.", ""),
    d("ServerTLSSettings.httpsRedirect", "Redirect HTTP requests to HTTPS (gateways only).", ""),
    d("ServerTLSSettings.mode", "How TLS is terminated: SIMPLE, MUTUAL, PASSTHROUGH, OPTIONAL_MUTUAL ...", "`ISTIO_MUTUAL` and `AUTO_PASSTHROUGH` are not allowed on a Sidecar's ingress listener."),
    d("ServerTLSSettings.serverCertificate", "Path of the server certificate file.", ""),
    d("ServerTLSSettings.privateKey", "Path of the private key file.", ""),
    d("ServerTLSSettings.caCertificates", "Path of the CA certificates used to verify clients.", ""),
    d("ServerTLSSettings.caCrl", "Path of the certificate revocation list.", ""),
    d("ServerTLSSettings.credentialName", "Secret holding the key and certificates (gateways only).", ""),
    d("ServerTLSSettings.credentialNames", "One or two secrets holding keys and certificates (gateways only).", ""),
    d("ServerTLSSettings.caCertCredentialName", "Secret holding the CA certificates.", ""),
    d("ServerTLSSettings.tlsCertificates", "One or two certificate/key pairs given as files.", ""),
    d("ServerTLSSettings.subjectAltNames", "Allowed subject alternative names of client certificates.", ""),
    d("ServerTLSSettings.verifyCertificateSpki", "Allowed SPKI hashes of client certificates.", ""),
    d("ServerTLSSettings.verifyCertificateHash", "Allowed hashes of client certificates.", ""),
    d("ServerTLSSettings.minProtocolVersion", "Lowest TLS version accepted.", ""),
    d("ServerTLSSettings.maxProtocolVersion", "Highest TLS version accepted.", ""),
    d("ServerTLSSettings.cipherSuites", "Cipher suites accepted (OpenSSL names).", ""),
    d("ServerTLSSettings.ecdhCurves", "ECDH curves accepted.", ""),
    d("ServerTLSSettings.insecureSkipVerify", "Skip verifying the client certificate.", ""),
    d("ServerTLSSettings.TLSCertificate.serverCertificate", "Path of the server certificate file.", ""),
    d("ServerTLSSettings.TLSCertificate.privateKey", "Path of the private key file.", ""),
    d("ServerTLSSettings.TLSCertificate.caCertificates", "Path of the CA certificates.", ""),
];

/// The values of enums, with one line each.
pub const ENUM_VALUES: &[(&str, &str)] = &[
    (
        "REGISTRY_ONLY",
        "Only hosts the proxy imports (services, ServiceEntries) are reachable; other traffic is blocked.",
    ),
    ("ALLOW_ANY", "Traffic to unknown hosts passes through the proxy unchanged."),
    ("DEFAULT", "The default of the environment."),
    ("IPTABLES", "Traffic is captured by iptables rules."),
    ("NONE", "No capture: the application must call the listener's bind address."),
    ("DO_NOT_UPGRADE", "Never upgrade HTTP/1.1 connections to HTTP/2."),
    ("UPGRADE", "Upgrade HTTP/1.1 connections to HTTP/2."),
    ("TLS_AUTO", "Envoy's default TLS version."),
    ("PASSTHROUGH", "Forward the TLS connection as it is (routing by SNI)."),
    ("SIMPLE", "Standard TLS: the proxy presents its certificate."),
    ("MUTUAL", "TLS with client certificates checked."),
    ("AUTO_PASSTHROUGH", "SNI-based passthrough without a VirtualService (gateways)."),
    ("ISTIO_MUTUAL", "Istio's own mutual TLS certificates."),
    ("OPTIONAL_MUTUAL", "Client certificates checked when presented."),
];

/// Istio's short name of a schema message (`ConnectionPoolSettings.TCPSettings`).
pub fn message_name(msg: &Message) -> &'static str {
    msg.proto.strip_prefix("istio.networking.v1alpha3.").unwrap_or(msg.proto)
}

/// The documentation of a field of a message.
pub fn field_doc(msg: &Message, field: &Field) -> Option<&'static FieldDoc> {
    let name = message_name(msg);
    FIELDS.iter().find(|d| {
        d.key.len() == name.len() + 1 + field.json.len()
            && d.key.starts_with(name)
            && d.key.ends_with(field.json)
            && d.key.as_bytes()[name.len()] == b'.'
    })
}

/// The page of istio.io's reference that documents a message, and the field's anchor there
/// (`#IstioEgressListener-hosts`: the message, dots as dashes, then the protobuf field name).
pub fn reference_url(msg: &Message, field: &Field) -> String {
    let name = message_name(msg);
    let page = if name.starts_with("ConnectionPoolSettings") {
        "destination-rule"
    } else if name.starts_with("ServerTLSSettings") {
        "gateway"
    } else if name == "Destination" || name == "PortSelector" {
        "virtual-service"
    } else {
        "sidecar"
    };
    format!(
        "https://istio.io/latest/docs/reference/config/networking/{page}/#{}-{}",
        name.replace('.', "-"),
        field.proto
    )
}

/// The one-line documentation of an enum value.
pub fn enum_value_doc(value: &str) -> &'static str {
    ENUM_VALUES.iter().find(|(v, _)| *v == value).map_or("", |(_, d)| d)
}
