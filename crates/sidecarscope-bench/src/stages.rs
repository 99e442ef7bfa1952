//! The stages measured, exactly as a front end calls them, so that the native harness, criterion
//! and the wasm harness run the same code. Each stage after `load` starts from a loaded
//! [`Input`] (load is measured on its own and is the yardstick of every ratio) and returns a
//! checksum of its output, which the harnesses compare between native and wasm.

use std::collections::BTreeMap;

use sidecarscope::{Input, ListenerGenerator, Proxy, Registry, Resolver};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// YAML text → `Input` (`load_text`).
    Load,
    /// `validate` (every Sidecar, Istio's three layers).
    Validate,
    /// `analyze` (validate plus every mesh check).
    Analyze,
    /// `Registry::build`, `workloads`, then `Resolver::resolve_workload` for each workload.
    ResolveAll,
    /// `Registry::build`, `workloads`, then the listeners (with source links) of each workload.
    ListenersAll,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Stage::Load, Stage::Validate, Stage::Analyze, Stage::ResolveAll, Stage::ListenersAll];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Validate => "validate",
            Stage::Analyze => "analyze",
            Stage::ResolveAll => "resolve-all",
            Stage::ListenersAll => "listeners-all",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|z| z.name() == s)
    }

    pub fn index(self) -> u32 {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) as u32
    }

    /// Runs the stage once on `text` (for `Load`) or on `input` (the others).
    pub fn run(self, text: &str, input: &Input) -> u64 {
        match self {
            Stage::Load => load(text),
            Stage::Validate => validate(input),
            Stage::Analyze => analyze(input),
            Stage::ResolveAll => resolve_all(input),
            Stage::ListenersAll => listeners_all(input),
        }
    }
}

pub fn load(text: &str) -> u64 {
    let input = sidecarscope::load_text("mesh.yaml", text);
    (input.resources.len() + input.diagnostics.len()) as u64
}

pub fn validate(input: &Input) -> u64 {
    sidecarscope::validate(input).len() as u64
}

pub fn analyze(input: &Input) -> u64 {
    sidecarscope::analyze(input).len() as u64
}

pub fn resolve_all(input: &Input) -> u64 {
    let reg = Registry::build(input);
    let mut resolver = Resolver::new(&reg);
    let mut sum = 0u64;
    for w in sidecarscope::workloads(input) {
        let r = resolver.resolve_workload(&w);
        sum += (r.egress.iter().map(|l| l.services.len()).sum::<usize>()
            + r.scope_services.len()
            + r.destination_rules.len()
            + r.ingress.len()) as u64;
    }
    sum
}

pub fn listeners_all(input: &Input) -> u64 {
    let reg = Registry::build(input);
    let env = BTreeMap::new();
    let mut generator = ListenerGenerator::new(&reg, &env);
    let mut sum = 0u64;
    for w in sidecarscope::workloads(input) {
        let mut set = generator.generate(&Proxy::for_workload(&w));
        set.locate(input);
        sum += (set.listeners.iter().map(|l| l.filter_chains.len()).sum::<usize>() + set.routes.len()) as u64;
    }
    sum
}

/// The size of the work resolve does: workloads, and the services imported by all of them
/// (the sum over workloads of the services of their egress listeners).
pub fn resolve_work(input: &Input) -> (usize, usize) {
    let reg = Registry::build(input);
    let mut resolver = Resolver::new(&reg);
    let ws = sidecarscope::workloads(input);
    let imported =
        ws.iter().map(|w| resolver.resolve_workload(w).egress.iter().map(|l| l.services.len()).sum::<usize>()).sum();
    (ws.len(), imported)
}
