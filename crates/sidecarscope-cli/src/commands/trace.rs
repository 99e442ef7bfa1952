//! `sidecarscope trace`: follows one call through the proxy's listeners to the filter chain,
//! route and cluster it reaches, with the reason for each step.

use clap::ValueEnum;
use sidecarscope::trace::{render_text, trace, Call, CallDirection, CallProtocol, CallTls};
use sidecarscope::ListenerGenerator;

use crate::common::{self, fail, InputArgs, ProxyArgs};

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  sidecarscope trace mesh.yaml --namespace prod-us1 --labels app=ratings --to 10.0.0.30:9080 --host productpage\n  sidecarscope trace mesh.yaml --namespace default --to 1.2.3.4:443 --protocol TLS --sni api.example.com\n  sidecarscope trace mesh.yaml --workload prod-us1/ratings --inbound --to :9080 --tls mtls")]
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
pub enum Output {
    Text,
    Json,
}

/// `ADDRESS:PORT`, `[v6]:PORT`, or `:PORT` / `PORT` when the address may be left out.
fn parse_to(to: &str, address_optional: bool) -> Result<(Option<String>, u32), String> {
    let bad = || format!("--to {to:?} is not ADDRESS:PORT (e.g. 10.0.0.5:9080, [fd00::1]:80{})", if address_optional { ", or :9080" } else { "" });
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
    if !sidecarscope::validate::values::is_ip_address(&addr) {
        return Err(format!("--to {to:?}: {addr:?} is not an IP address (listeners match destination IPs, as iptables hands them over)"));
    }
    Ok((Some(addr), port))
}

pub fn run(args: Args) -> u8 {
    let (address, port) = match parse_to(&args.to, args.inbound) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let (protocol, default_tls) = match args.protocol {
        Protocol::Http => (CallProtocol::Http, CallTls::Plaintext),
        Protocol::Http2 => (CallProtocol::Http2, CallTls::Plaintext),
        Protocol::Tcp => (CallProtocol::Tcp, CallTls::Plaintext),
        Protocol::Tls => (CallProtocol::Tcp, CallTls::Tls),
    };
    let tls = match args.tls {
        Some(Transport::Plaintext) => CallTls::Plaintext,
        Some(Transport::Tls) => CallTls::Tls,
        Some(Transport::Mtls) => CallTls::Mtls,
        None if args.sni.is_some() => CallTls::Tls,
        None => default_tls,
    };
    if tls == CallTls::Plaintext && args.sni.is_some() {
        return fail("--sni needs a TLS call (--tls tls or --protocol TLS)");
    }
    let (input, registry, proxy, env) = match common::load_proxy(&args.input, &args.proxy) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let set = ListenerGenerator::new(&registry, &input, &env).generate(&proxy);
    let call = Call {
        address,
        port,
        protocol,
        tls,
        host: args.host,
        sni: args.sni,
        direction: if args.inbound { CallDirection::Inbound } else { CallDirection::Outbound },
    };
    let result = trace(&set, &call);
    match args.output {
        Output::Text => common::print_text(&render_text(&result)),
        Output::Json => common::print_json(&result),
    }
    common::exit_after_output(&input)
}
