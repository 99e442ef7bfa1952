//! `validateConnectionPool` (rules CP-*), for `inboundConnectionPool` and per-port pools.

use super::fields::{boolean, enum_name, int, range_of, set};
use super::values::{parse_go_duration, validate_duration};
use super::webhook::Ctx;
use crate::diagnostic::Code;
use crate::yaml::Node;

pub fn validate_connection_pool(ctx: &mut Ctx, pool: &Node, path: &str) {
    let http = set(pool, "http");
    let tcp = set(pool, "tcp");
    if http.is_none() && tcp.is_none() {
        ctx.error(Code::ConnectionPool, path, pool.range, "connection pool must have at least one field").hint =
            Some("set `tcp` and/or `http` settings, or remove the empty connection pool".into());
        return;
    }
    if let Some(h) = http {
        let hp = format!("{path}.http");
        for (key, msg) in [
            ("http1MaxPendingRequests", "http1 max pending requests must be non-negative"),
            ("http2MaxRequests", "http2 max requests must be non-negative"),
            ("maxRequestsPerConnection", "max requests per connection must be non-negative"),
            ("maxRetries", "max retries must be non-negative"),
        ] {
            negative(ctx, h, key, &hp, msg);
        }
        duration(ctx, h, "idleTimeout", &hp, false);
        if enum_name(h, "h2UpgradePolicy", "DEFAULT") == "UPGRADE" && boolean(h, "useClientProtocol") {
            ctx.error(
                Code::ConnectionPool,
                format!("{hp}.useClientProtocol"),
                range_of(h, "useClientProtocol"),
                "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
            );
        }
        negative(ctx, h, "maxConcurrentStreams", &hp, "max concurrent streams must be non-negative");
        if let Some(ka) = set(h, "http2KeepAlive") {
            let kp = format!("{hp}.http2KeepAlive");
            for (key, msg) in [
                ("interval", "http2 keepalive interval is required"),
                ("timeout", "http2 keepalive timeout is required"),
            ] {
                if set(ka, key).is_none() {
                    ctx.error(Code::ConnectionPool, format!("{kp}.{key}"), range_of(ka, key), msg);
                } else {
                    duration(ctx, ka, key, &kp, false);
                }
            }
        }
    }
    if let Some(t) = tcp {
        let tp = format!("{path}.tcp");
        negative(ctx, t, "maxConnections", &tp, "max connections must be non-negative");
        duration(ctx, t, "connectTimeout", &tp, false);
        duration(ctx, t, "maxConnectionDuration", &tp, false);
        // `0s` disables the idle timeout: Istio skips values under one whole millisecond.
        duration(ctx, t, "idleTimeout", &tp, true);
        if let Some(ka) = set(t, "tcpKeepalive") {
            let kp = format!("{tp}.tcpKeepalive");
            duration(ctx, ka, "time", &kp, false);
            duration(ctx, ka, "interval", &kp, false);
        }
    }
}

fn negative(ctx: &mut Ctx, node: &Node, key: &str, path: &str, msg: &str) {
    if int(node, key) < 0 {
        ctx.error(Code::ConnectionPool, format!("{path}.{key}"), range_of(node, key), msg);
    }
}

/// `ValidateDuration` on a set duration field; undecodable values were reported by decoding.
fn duration(ctx: &mut Ctx, node: &Node, key: &str, path: &str, skip_sub_ms: bool) {
    let Some(text) = set(node, key).and_then(Node::as_str) else { return };
    let Ok(nanos) = parse_go_duration(text) else { return };
    if skip_sub_ms && nanos / 1_000_000 == 0 {
        return;
    }
    if let Err(e) = validate_duration(nanos) {
        let hint = if e.contains("precision") {
            "round to whole milliseconds, e.g. `2ms` instead of `1.5ms`"
        } else {
            "use at least `1ms`"
        };
        ctx.error(Code::ConnectionPool, format!("{path}.{key}"), range_of(node, key), e).hint = Some(hint.into());
    }
}
