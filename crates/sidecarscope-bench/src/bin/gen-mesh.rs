//! Writes a synthetic mesh (issue 8): `gen-mesh --size small|medium|large [-o FILE]`, or
//! `gen-mesh --namespaces N --services M` for another shape. Deterministic.

use std::io::Write;
use std::process::ExitCode;

use sidecarscope_bench::generate::{generate, generate_shape, Size};

const USAGE: &str = "usage: gen-mesh (--size small|medium|large | --namespaces N --services M) [-o FILE]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut size = None;
    let (mut namespaces, mut services) = (None, None);
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned();
        match a.as_str() {
            "--size" => {
                size = value().and_then(|v| Size::parse(&v)).or_else(|| bad("--size takes small, medium or large"))
            }
            "--namespaces" => {
                namespaces =
                    value().and_then(|v| v.parse::<usize>().ok()).or_else(|| bad("--namespaces takes a number"))
            }
            "--services" => {
                services = value().and_then(|v| v.parse::<usize>().ok()).or_else(|| bad("--services takes a number"))
            }
            "-o" | "--output" => out = value(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("gen-mesh: unknown argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let text = match (size, namespaces, services) {
        (Some(s), None, None) => generate(s),
        (None, Some(n), Some(m)) if n > 1 && m > 1 => generate_shape(n, m),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let written = match out {
        Some(path) => std::fs::write(&path, &text).map_err(|e| format!("{path}: {e}")),
        None => std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-mesh: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bad<T>(msg: &str) -> Option<T> {
    eprintln!("gen-mesh: {msg}");
    std::process::exit(2)
}
