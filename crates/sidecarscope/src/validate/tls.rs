//! `validateTLSOptions` (rules T-*), the server TLS option rules shared with Gateways.

use super::fields::{enum_name, list, range_of, string, strings};
use super::values::is_valid_cipher_suite;
use super::webhook::Ctx;
use crate::diagnostic::Code;
use crate::yaml::Node;

pub fn validate_tls_options(ctx: &mut Ctx, tls: &Node, tp: &str) {
    let mode = enum_name(tls, "mode", "PASSTHROUGH");
    let at = |k: &str| format!("{tp}.{k}");
    let min = enum_name(tls, "minProtocolVersion", "TLS_AUTO");
    let ciphers = strings(tls, "cipherSuites");
    if matches!(min, "TLSV1_0" | "TLSV1_1") && ciphers.is_empty() {
        ctx.warning(
            Code::TlsOptionsWarning,
            at("minProtocolVersion"),
            range_of(tls, "minProtocolVersion"),
            "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.",
        );
    }
    let mut invalid: Vec<&str> = Vec::new();
    let mut valid_seen = std::collections::HashSet::new();
    let mut duplicate: Vec<&str> = Vec::new();
    for (_, _, c) in &ciphers {
        if !is_valid_cipher_suite(c) {
            invalid.push(c);
        } else if !valid_seen.insert(*c) {
            duplicate.push(c);
        }
    }
    for (list_, what) in [(&mut invalid, "invalid"), (&mut duplicate, "duplicate")] {
        if !list_.is_empty() {
            list_.sort();
            list_.dedup();
            ctx.warning(
                Code::TlsOptionsWarning,
                at("cipherSuites"),
                range_of(tls, "cipherSuites"),
                format!("ignoring {what} cipher suites: [{}]", list_.join(" ")),
            );
        }
    }
    let has = |k: &str| !string(tls, k).is_empty();
    let has_list = |k: &str| !list(tls, k).is_empty();
    if mode == "ISTIO_MUTUAL" {
        let mut any = false;
        for (key, what, present) in [
            ("serverCertificate", "server certificate", has("serverCertificate")),
            ("privateKey", "private key", has("privateKey")),
            ("caCertificates", "CA bundle", has("caCertificates")),
            ("tlsCertificates", "tlsCertificates", has_list("tlsCertificates")),
            ("credentialName", "credentialName", has("credentialName")),
            ("credentialNames", "credentialNames", has_list("credentialNames")),
        ] {
            if present {
                any = true;
                ctx.error(
                    Code::TlsOptions,
                    at(key),
                    range_of(tls, key),
                    format!("ISTIO_MUTUAL TLS cannot have associated {what}"),
                );
            }
        }
        if any {
            return;
        }
    }
    if matches!(mode, "PASSTHROUGH" | "AUTO_PASSTHROUGH")
        && (has("caCrl")
            || has("serverCertificate")
            || has("privateKey")
            || has("caCertificates")
            || has_list("tlsCertificates")
            || has("credentialName")
            || has_list("credentialNames"))
    {
        let hint = if enum_name(tls, "mode", "").is_empty() {
            "`mode` is unset, which means PASSTHROUGH; did you mean `mode: SIMPLE`?"
        } else {
            "certificates only apply to SIMPLE, MUTUAL and OPTIONAL_MUTUAL"
        };
        ctx.warning(
            Code::TlsOptionsWarning,
            at("mode"),
            range_of(tls, "mode"),
            format!("{mode} mode does not use certificates, they will be ignored"),
        )
        .hint = Some(hint.into());
    }
    let sources = [
        has("serverCertificate") && has("privateKey"),
        has("credentialName"),
        has_list("credentialNames"),
        has_list("tlsCertificates"),
    ];
    if sources.iter().filter(|b| **b).count() > 1 {
        ctx.error(Code::TlsOptions, tp, tls.range, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified");
    }
    let terminating = matches!(mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL");
    if terminating && (has("credentialName") || has_list("credentialNames")) {
        return;
    }
    if matches!(mode, "MUTUAL" | "OPTIONAL_MUTUAL") && !has("caCertificates") {
        ctx.error(
            Code::TlsOptions,
            at("caCertificates"),
            range_of(tls, "caCertificates"),
            "MUTUAL TLS requires a client CA bundle",
        )
        .hint = Some(
            "set `caCertificates` to the file of CA certificates that client certificates are verified against".into(),
        );
    }
    if terminating {
        let prefix = if mode == "SIMPLE" { "SIMPLE" } else { "MUTUAL" };
        let certs = list(tls, "tlsCertificates");
        if certs.len() > 2 {
            ctx.warning(
                Code::TlsOptionsWarning,
                at("tlsCertificates"),
                range_of(tls, "tlsCertificates"),
                format!("{prefix} TLS can support up to 2 server certificates"),
            );
        }
        if certs.is_empty() {
            if !has("serverCertificate") {
                ctx.error(
                    Code::TlsOptions,
                    at("serverCertificate"),
                    range_of(tls, "serverCertificate"),
                    format!("{prefix} TLS requires a server certificate"),
                );
            }
            if !has("privateKey") {
                ctx.error(
                    Code::TlsOptions,
                    at("privateKey"),
                    range_of(tls, "privateKey"),
                    format!("{prefix} TLS requires a private key"),
                );
            }
        } else {
            for (i, c) in certs.iter().enumerate() {
                let cp = format!("{tp}.tlsCertificates[{i}]");
                if string(c, "serverCertificate").is_empty() {
                    ctx.error(
                        Code::TlsOptions,
                        format!("{cp}.serverCertificate"),
                        c.range,
                        format!("{prefix} TLS requires a server certificate"),
                    );
                }
                if string(c, "privateKey").is_empty() {
                    ctx.error(
                        Code::TlsOptions,
                        format!("{cp}.privateKey"),
                        c.range,
                        format!("{prefix} TLS requires a private key"),
                    );
                }
            }
        }
    }
    if has("caCrl") {
        if has("credentialName") {
            ctx.error(
                Code::TlsOptions,
                at("caCrl"),
                range_of(tls, "caCrl"),
                "CRL is not supported with credentialName. CRL has to be specified in the credential",
            );
        }
        if mode == "SIMPLE" {
            ctx.error(Code::TlsOptions, at("caCrl"), range_of(tls, "caCrl"), "CRL is not supported with SIMPLE TLS");
        }
    }
}
