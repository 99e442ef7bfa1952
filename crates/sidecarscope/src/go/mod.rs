//! Go's standard library, as far as Istio's checks and messages depend on it: what Go accepts
//! and the exact error texts it writes. Each module is named after the Go package it follows;
//! every function cites the Go function it reproduces.
//!
//! * [`strconv`]: `strconv.Quote` (Istio's `%q` in messages) and `strconv.Atoi`;
//! * [`time`]: `time.ParseDuration` and the `time` package's own quoting in its errors;
//! * [`net`]: `netip.ParseAddr` (is it an IP address?) and `net.SplitHostPort`;
//! * [`strings`]: `strings.ToLower` (simple case mapping).

pub mod net;
pub mod strconv;
pub mod strings;
pub mod time;
