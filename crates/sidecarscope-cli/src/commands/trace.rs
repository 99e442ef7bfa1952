//! `sidecarscope trace`: follows one call through the proxy's listeners to the filter chain,
//! route and cluster it reaches, with the reason for each step.

use clap::ValueEnum;
use sidecarscope::trace::render_text;
use sidecarscope::{CallSpec, Spelling};

use crate::common::{self, fail, InputArgs, ProxyArgs};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  sidecarscope trace mesh.yaml --namespace prod-us1 --labels app=ratings --to 10.0.0.30:9080 --host productpage\n  sidecarscope trace mesh.yaml --namespace default --to 1.2.3.4:443 --protocol TLS --sni api.example.com\n  sidecarscope trace mesh.yaml --workload prod-us1/ratings --inbound --to :9080 --tls mtls\n  sidecarscope trace mesh.yaml --namespace default --to 10.0.0.30:80 --protocol HTTP --host reviews --path /api/v2 --header x-user=alice"
)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub proxy: ProxyArgs,
    /// Where the call goes: ADDRESS:PORT (`[::1]:80` for IPv6; `:PORT` for an inbound call).
    #[arg(long, value_name = "ADDRESS:PORT")]
    pub to: String,
    /// The HTTP Host header (and the SNI of a TLS call without --sni).
    #[arg(long, value_name = "H")]
    pub host: Option<String>,
    /// The TLS server name; implies --tls tls unless --tls is given.
    #[arg(long, value_name = "S")]
    pub sni: Option<String>,
    /// The call's protocol; TLS means TCP over TLS.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Protocol::Tcp)]
    pub protocol: Protocol,
    /// The call's transport: plaintext, TLS from the application, or Istio mTLS from a peer proxy.
    #[arg(long, value_enum)]
    pub tls: Option<Transport>,
    /// The call arrives at the workload (virtualInbound) instead of leaving it.
    #[arg(long)]
    pub inbound: bool,
    /// The HTTP request path, with any query string (default `/`).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// The HTTP request method (default GET).
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// A request header NAME=VALUE (repeatable); use --host for the Host header.
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub headers: Vec<String>,
    /// The ALPN a TLS client offers (default: the simulator's for the protocol and transport).
    #[arg(long, value_name = "A")]
    pub alpn: Option<String>,
    /// The certificate an mTLS client presents: `mesh` (Istio's workload certificate) or `other`;
    /// default: the one the matched chain asks for.
    #[arg(long, value_enum)]
    pub client_cert: Option<ClientCert>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Protocol {
    #[value(name = "HTTP")]
    Http,
    #[value(name = "HTTP2")]
    Http2,
    #[value(name = "TCP")]
    Tcp,
    #[value(name = "TLS")]
    Tls,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Transport {
    Plaintext,
    Tls,
    Mtls,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ClientCert {
    Mesh,
    Other,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// `ADDRESS:PORT`, `[v6]:PORT`, or `:PORT` / `PORT` when the address may be left out.
fn parse_to(to: &str, address_optional: bool) -> Result<(Option<String>, u32), String> {
    let bad = || {
        format!(
            "--to {to:?} is not ADDRESS:PORT (e.g. 10.0.0.5:9080, [fd00::1]:80{})",
            if address_optional { ", or :9080" } else { "" }
        )
    };
    let (addr, port) = if let Some(rest) = to.strip_prefix('[') {
        let (a, p) = rest.split_once("]:").ok_or_else(bad)?;
        (a.to_string(), p)
    } else {
        match to.rsplit_once(':') {
            Some((a, p)) if !a.contains(':') => (a.to_string(), p),
            None if address_optional => (String::new(), to),
            _ => return Err(bad()),
        }
    };
    let port: u32 = port.parse().ok().filter(|p| *p <= 65535).ok_or_else(bad)?;
    if addr.is_empty() {
        return if address_optional { Ok((None, port)) } else { Err(bad()) };
    }
    if !sidecarscope::go::net::is_ip_address(&addr) {
        return Err(format!(
            "--to {to:?}: {addr:?} is not an IP address (listeners match destination IPs, as iptables hands them over)"
        ));
    }
    Ok((Some(addr), port))
}

pub fn run(args: Args) -> u8 {
    let (address, port) = match parse_to(&args.to, args.inbound) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let spec = CallSpec {
        address,
        port: f64::from(port),
        protocol: Some(
            match args.protocol {
                Protocol::Http => "HTTP",
                Protocol::Http2 => "HTTP2",
                Protocol::Tcp => "TCP",
                Protocol::Tls => "TLS",
            }
            .into(),
        ),
        tls: args.tls.map(|t| {
            match t {
                Transport::Plaintext => "plaintext",
                Transport::Tls => "tls",
                Transport::Mtls => "mtls",
            }
            .into()
        }),
        host: args.host,
        sni: args.sni,
        direction: Some(if args.inbound { "inbound" } else { "outbound" }.into()),
        path: args.path,
        method: args.method,
        headers: args.headers,
        alpn: args.alpn,
        mesh_cert: args.client_cert.map(|c| matches!(c, ClientCert::Mesh)),
    };
    let call = match spec.to_call(Spelling::Flags) {
        Ok(call) => call,
        Err(e) => return fail(e),
    };
    let (ws, proxy) = match common::proxy_workspace(&args.input, &args.proxy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let result = match ws.trace(&proxy, &call) {
        Ok(result) => result,
        Err(e) => return fail(e),
    };
    match args.output {
        Output::Text => common::print_text(&render_text(&result)),
        Output::Json => common::print_json(&result),
    }
    common::exit_after_output(&ws)
}
