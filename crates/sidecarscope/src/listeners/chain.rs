//! Filter chain options while listeners are assembled (Istio `filterChainOpts`): the match
//! criteria, Istio's rules for comparing them (`isMatchAll`, `conflictsWith`) and the Envoy
//! `FilterChainMatch` they become (`toFilterChainMatch`).

use std::net::IpAddr;

use super::types::{Action, ChainMatch, FilterChain, Origin};

#[derive(Debug, Clone)]
pub(crate) struct ChainOpts {
    pub sni_hosts: Vec<String>,
    pub cidrs: Vec<String>,
    pub alpn: Vec<String>,
    pub transport: Option<&'static str>,
    pub action: Action,
    pub origin: Origin,
}

impl ChainOpts {
    pub fn new(action: Action, origin: Origin) -> ChainOpts {
        ChainOpts { sni_hosts: Vec::new(), cidrs: Vec::new(), alpn: Vec::new(), transport: None, action, origin }
    }

    /// Istio `filterChainOpts.isMatchAll`.
    pub fn is_match_all(&self) -> bool {
        (self.sni_hosts.is_empty() || self.sni_hosts.iter().any(|h| h == "*"))
            && self.alpn.is_empty()
            && self.transport.is_none()
            && self.cidrs.is_empty()
    }

    /// Istio `filterChainOpts.conflictsWith`: same transport, same ALPN list, same SNI set
    /// (ignoring `*`) and same masked CIDR set (ignoring `0.0.0.0`).
    pub fn conflicts_with(&self, other: &ChainOpts) -> bool {
        if self.transport != other.transport || self.alpn != other.alpn {
            return false;
        }
        fn sni(v: &[String]) -> Vec<&str> {
            let mut s: Vec<&str> = v.iter().map(String::as_str).filter(|h| *h != "*").collect();
            s.sort_unstable();
            s.dedup();
            s
        }
        if sni(&self.sni_hosts) != sni(&other.sni_hosts) {
            return false;
        }
        let cidrs = |v: &[String]| {
            let mut s: Vec<String> =
                v.iter().filter_map(|c| masked(c)).filter(|c| !c.starts_with("0.0.0.0/")).collect();
            s.sort_unstable();
            s.dedup();
            s
        };
        cidrs(&self.cidrs) == cidrs(&other.cidrs)
    }

    /// Istio `toFilterChainMatch` (nothing for a match-all chain).
    pub fn to_match(&self) -> ChainMatch {
        if self.is_match_all() {
            return ChainMatch::default();
        }
        let mut server_names = Vec::new();
        if !self.sni_hosts.iter().any(|h| h == "*") {
            server_names = self.sni_hosts.clone();
            server_names.sort();
        }
        let mut cidrs = self.cidrs.clone();
        cidrs.sort();
        let prefix_ranges = cidrs.iter().filter_map(|c| as_cidr(c)).filter(|c| !c.starts_with("0.0.0.0/")).collect();
        ChainMatch {
            destination_port: None,
            prefix_ranges,
            server_names,
            transport_protocol: self.transport.map(str::to_string),
            application_protocols: self.alpn.clone(),
        }
    }

    pub fn into_chain(self) -> FilterChain {
        let m = self.to_match();
        FilterChain::new("", m, self.action, self.origin)
    }
}

/// Istio `util.ConvertAddressToCidr`: an address becomes `/32` (`/128`); a CIDR stays as written.
pub(crate) fn as_cidr(s: &str) -> Option<String> {
    match s.split_once('/') {
        Some((ip, bits)) => {
            let ip: IpAddr = ip.parse().ok()?;
            let bits: u8 = bits.parse().ok()?;
            Some(format!("{ip}/{bits}"))
        }
        None => {
            let ip: IpAddr = s.parse().ok()?;
            Some(format!("{ip}/{}", if ip.is_ipv4() { 32 } else { 128 }))
        }
    }
}

/// Go `netip.Prefix.Masked().String()`.
fn masked(s: &str) -> Option<String> {
    let c = as_cidr(s)?;
    let (ip, bits) = c.split_once('/')?;
    let bits: u32 = bits.parse().ok()?;
    let ip: IpAddr = ip.parse().ok()?;
    Some(match ip {
        IpAddr::V4(v4) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
            format!("{}/{bits}", std::net::Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits.min(128)) };
            format!("{}/{bits}", std::net::Ipv6Addr::from(u128::from(v6) & mask))
        }
    })
}

/// Whether `address` is inside `cidr` (`a.b.c.d/len`), with the prefix length (for ranking).
pub fn cidr_contains(cidr: &str, address: &str) -> Option<u32> {
    let (net, bits) = cidr.split_once('/')?;
    let bits: u32 = bits.parse().ok()?;
    match (net.parse::<IpAddr>().ok()?, address.parse::<IpAddr>().ok()?) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
            (u32::from(n) & mask == u32::from(a) & mask).then_some(bits)
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits.min(128)) };
            (u128::from(n) & mask == u128::from(a) & mask).then_some(bits)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_compare_masked() {
        assert_eq!(masked("1.2.3.4/8").as_deref(), Some("1.0.0.0/8"));
        assert_eq!(as_cidr("10.0.0.1").as_deref(), Some("10.0.0.1/32"));
        assert_eq!(cidr_contains("10.0.0.0/8", "10.2.3.4"), Some(8));
        assert_eq!(cidr_contains("10.0.0.0/8", "11.2.3.4"), None);
    }
}
