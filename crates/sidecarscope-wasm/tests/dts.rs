//! `src/sidecarscope.d.ts` against the Rust declarations it mirrors, read from the core's source
//! with `syn`: every type reachable from the API's results has a declaration; every interface
//! has exactly the fields serde writes (names after `rename_all`/`rename`, `?` exactly for
//! `skip_serializing_if`, `| null` exactly for a plain `Option`, the right referenced types);
//! every string union has exactly the enum's serialized names. This catches drift that the
//! fixture results (tests/wasm-package) cannot: a variant or optional field no fixture produces.
//! Runs natively: `cargo test -p sidecarscope-wasm --test dts`.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;
use syn::{Attribute, Fields, GenericArgument, Item, PathArguments, Type};

const CORE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sidecarscope/src");
const DTS: &str = include_str!("../src/sidecarscope.d.ts");
/// What the API returns (TS name = Rust name, except `Diagnostic` = `JsonDiagnostic`).
const ROOTS: &[&str] = &[
    "DiagnosticsReport",
    "Workload",
    "Resolution",
    "ListenerSet",
    "Trace",
    "EditorCompletions",
    "EditorHover",
    "EditorLocation",
    "EditorFix",
    "ImpactReport",
    "SuggestReport",
];
/// Fields the adapter adds to a core type (`WorkloadWithRange` in src/lib.rs).
const ADDED: &[(&str, &str)] = &[("Workload", "range")];
/// Declarations of arguments and helpers, with no Rust counterpart.
const TS_ONLY: &[&str] = &[
    "SourceText",
    "SourceInput",
    "ProxyOptions",
    "WorkloadProxySpec",
    "NamespaceProxySpec",
    "ProxySpec",
    "CallSpec",
    "AnalyzeOptions",
    "InputOptions",
    "ValidateOptions",
    "ProxyRequestOptions",
    "FindingsFormat",
    "ProxyTextFormat",
    "ListenersFormat",
    "JsonValue",
    "ProtocolName",
    "WorkloadKind",
    "ListenerFilterName",
    "EditorPosition",
    "EditorRange",
    "ImpactOptions",
    "ImpactFormat",
    "TrafficText",
    "SuggestOptions",
    "SuggestFormat",
];
/// Wrappers that serialize as their content.
const TRANSPARENT: &[&str] = &["Option", "Vec", "Shared", "Box", "Arc", "BTreeMap", "HashMap"];

fn ts_name(rust: &str) -> &str {
    if rust == "JsonDiagnostic" {
        "Diagnostic"
    } else {
        rust
    }
}

#[derive(Debug)]
struct RField {
    name: String,
    optional: bool,
    nullable: bool,
    /// Named types inside the field's type (through Option, Vec, maps...).
    refs: Vec<String>,
}

#[derive(Debug)]
enum RKind {
    Struct(Vec<RField>),
    /// Unit variants only: the serialized names.
    Strings(BTreeSet<String>),
    /// `#[serde(tag = ..)]`: per variant, the tag value and fields.
    Tagged(String, Vec<(String, Vec<RField>)>),
    /// Externally tagged with data: unit variants as strings, newtype variants as `{ name: T }`.
    External(BTreeSet<String>, BTreeSet<String>),
    /// A hand-written `Serialize` or an untagged enum: not mirrored field by field.
    Custom,
}

#[derive(Debug)]
struct RType {
    file: PathBuf,
    kind: RKind,
}

fn serde_args(attrs: &[Attribute]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            let key = m.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let value = m.value().ok().and_then(|v| v.parse::<syn::LitStr>().ok()).map(|l| l.value());
            out.push((key, value));
            Ok(())
        });
    }
    out
}

fn serde_value(attrs: &[Attribute], key: &str) -> Option<String> {
    serde_args(attrs).into_iter().find(|(k, _)| k == key).and_then(|(_, v)| v)
}

fn serde_has(attrs: &[Attribute], key: &str) -> bool {
    serde_args(attrs).iter().any(|(k, _)| k == key)
}

fn derives_serialize(attrs: &[Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut yes = false;
        let _ = a.parse_nested_meta(|m| {
            yes |= m.path.segments.last().is_some_and(|s| s.ident == "Serialize");
            Ok(())
        });
        yes
    })
}

fn words(ident: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in ident.split('_').filter(|p| !p.is_empty()) {
        let mut cur = String::new();
        for ch in part.chars() {
            if ch.is_uppercase() && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(ch.to_ascii_lowercase());
        }
        out.push(cur);
    }
    out
}

/// serde's `rename_all` for a field (snake_case ident) or variant (PascalCase ident).
fn rename(ident: &str, rule: Option<&str>) -> String {
    let w = words(ident);
    let cap = |s: &String| s[..1].to_uppercase() + &s[1..];
    match rule {
        None => ident.to_string(),
        Some("camelCase") => w.iter().enumerate().map(|(i, s)| if i == 0 { s.clone() } else { cap(s) }).collect(),
        Some("PascalCase") => w.iter().map(cap).collect(),
        Some("lowercase") => ident.to_lowercase(),
        Some("UPPERCASE") => ident.to_uppercase(),
        Some("snake_case") => w.join("_"),
        Some("SCREAMING_SNAKE_CASE") => w.join("_").to_uppercase(),
        Some("kebab-case") => w.join("-"),
        Some(r) => panic!("rename_all = {r:?} is not handled by this test"),
    }
}

fn type_refs(ty: &Type, out: &mut Vec<String>) {
    match ty {
        Type::Path(p) => {
            for seg in &p.path.segments {
                if let PathArguments::AngleBracketed(args) = &seg.arguments {
                    for a in &args.args {
                        if let GenericArgument::Type(t) = a {
                            type_refs(t, out);
                        }
                    }
                }
            }
            let last = p.path.segments.last().unwrap().ident.to_string();
            if !TRANSPARENT.contains(&last.as_str()) {
                out.push(last);
            }
        }
        Type::Reference(r) => type_refs(&r.elem, out),
        _ => {}
    }
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn fields(fs: &Fields, rule: Option<&str>) -> Vec<RField> {
    fs.iter()
        .filter(|f| !serde_has(&f.attrs, "skip") && !serde_has(&f.attrs, "skip_serializing"))
        .map(|f| {
            let ident = f.ident.as_ref().expect("named fields").to_string();
            let optional = serde_has(&f.attrs, "skip_serializing_if");
            let mut refs = Vec::new();
            type_refs(&f.ty, &mut refs);
            RField {
                name: serde_value(&f.attrs, "rename").unwrap_or_else(|| rename(&ident, rule)),
                optional,
                nullable: is_option(&f.ty) && !optional,
                refs,
            }
        })
        .collect()
}

fn rust_types() -> BTreeMap<String, Vec<RType>> {
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    walk(Path::new(CORE), &mut files);
    let mut out: BTreeMap<String, Vec<RType>> = BTreeMap::new();
    for file in files {
        let ast = syn::parse_file(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for item in ast.items {
            let (name, kind) = match item {
                Item::Struct(s) if derives_serialize(&s.attrs) => {
                    let rule = serde_value(&s.attrs, "rename_all");
                    let kind = if serde_has(&s.attrs, "transparent") {
                        RKind::Custom
                    } else {
                        RKind::Struct(fields(&s.fields, rule.as_deref()))
                    };
                    (s.ident.to_string(), kind)
                }
                Item::Struct(s) => (s.ident.to_string(), RKind::Custom),
                Item::Enum(e) if derives_serialize(&e.attrs) => {
                    let rule = serde_value(&e.attrs, "rename_all");
                    let name_of = |v: &syn::Variant| {
                        serde_value(&v.attrs, "rename").unwrap_or_else(|| rename(&v.ident.to_string(), rule.as_deref()))
                    };
                    let kind = if serde_has(&e.attrs, "untagged") {
                        RKind::Custom
                    } else if let Some(tag) = serde_value(&e.attrs, "tag") {
                        RKind::Tagged(
                            tag,
                            e.variants
                                .iter()
                                .map(|v| {
                                    (name_of(v), fields(&v.fields, serde_value(&v.attrs, "rename_all").as_deref()))
                                })
                                .collect(),
                        )
                    } else if e.variants.iter().all(|v| v.fields.is_empty()) {
                        RKind::Strings(e.variants.iter().map(name_of).collect())
                    } else {
                        let units = e.variants.iter().filter(|v| v.fields.is_empty()).map(name_of).collect();
                        let data = e.variants.iter().filter(|v| !v.fields.is_empty()).map(name_of).collect();
                        RKind::External(units, data)
                    };
                    (e.ident.to_string(), kind)
                }
                _ => continue,
            };
            out.entry(name).or_default().push(RType { file: file.clone(), kind });
        }
    }
    out
}

/// The declaration of `name` used from `from` (same file first, when two types share a name).
fn lookup<'a>(types: &'a BTreeMap<String, Vec<RType>>, name: &str, from: &Path) -> Option<&'a RType> {
    let c = types.get(name)?;
    c.iter().find(|t| t.file == from).or(if c.len() == 1 { c.first() } else { None })
}

#[derive(Debug, Default)]
struct TsDecls {
    /// Interface name -> field -> (optional, type text).
    interfaces: BTreeMap<String, BTreeMap<String, (bool, String)>>,
    /// Type alias name -> right-hand side.
    aliases: BTreeMap<String, String>,
}

fn ts_decls() -> TsDecls {
    let code = Regex::new(r"(?s)/\*.*?\*/").unwrap().replace_all(DTS, "");
    let code = Regex::new(r"(?m)//.*$").unwrap().replace_all(&code, "").to_string();
    let mut d = TsDecls::default();
    let iface = Regex::new(r"(?s)export interface (\w+)(?: extends \w+)? \{(.*?)\n\}").unwrap();
    let field = Regex::new(r"^\s*(\w+)(\??): (.+);$").unwrap();
    for c in iface.captures_iter(&code) {
        let fields = c[2]
            .lines()
            .filter_map(|l| field.captures(l))
            .map(|f| (f[1].to_string(), (&f[2] == "?", f[3].to_string())))
            .collect();
        d.interfaces.insert(c[1].to_string(), fields);
    }
    for c in Regex::new(r"(?s)export type (\w+) =(.*?);\n").unwrap().captures_iter(&code) {
        d.aliases.insert(c[1].to_string(), c[2].trim().to_string());
    }
    d
}

fn literals(ts: &str) -> BTreeSet<String> {
    Regex::new(r#""([^"]*)""#).unwrap().captures_iter(ts).map(|c| c[1].to_string()).collect()
}

/// Checks one field list against TS fields; `added` fields may exist only in TS.
fn check_fields(
    what: &str,
    rust: &[RField],
    ts: &BTreeMap<String, (bool, String)>,
    added: &[&str],
    types: &BTreeMap<String, Vec<RType>>,
    file: &Path,
    problems: &mut Vec<String>,
) {
    let rnames: BTreeSet<&str> = rust.iter().map(|f| f.name.as_str()).collect();
    for f in rust {
        let Some((optional, ty)) = ts.get(&f.name) else {
            problems.push(format!("{what}.{}: in Rust, missing in the .d.ts", f.name));
            continue;
        };
        if *optional != f.optional {
            problems.push(format!(
                "{what}.{}: `?` in the .d.ts is {optional}, Rust skip_serializing_if is {}",
                f.name, f.optional
            ));
        }
        let ts_null = ty.split('|').any(|p| p.trim() == "null");
        if ts_null != f.nullable && ty != "JsonValue" {
            problems.push(format!(
                "{what}.{}: `| null` in the .d.ts is {ts_null}, Rust plain Option is {}",
                f.name, f.nullable
            ));
        }
        for r in &f.refs {
            match lookup(types, r, file).map(|t| &t.kind) {
                Some(RKind::Custom) | None => {}
                Some(RKind::Strings(names)) if !ty.contains(ts_name(r)) => {
                    if literals(ty) != *names {
                        problems.push(format!(
                            "{what}.{}: inline values {:?}, Rust {r} has {names:?}",
                            f.name,
                            literals(ty)
                        ));
                    }
                }
                Some(_) if !Regex::new(&format!(r"\b{}\b", ts_name(r))).unwrap().is_match(ty) => {
                    problems.push(format!("{what}.{}: Rust type mentions {r}, the .d.ts type is `{ty}`", f.name));
                }
                Some(_) => {}
            }
        }
    }
    for name in ts.keys().filter(|n| !rnames.contains(n.as_str()) && !added.contains(&n.as_str())) {
        problems.push(format!("{what}.{name}: in the .d.ts, not serialized by Rust"));
    }
}

/// `{ kind: "rds"; routeConfig: string }` -> fields.
fn object_fields(obj: &str) -> BTreeMap<String, (bool, String)> {
    let field = Regex::new(r"(\w+)(\??): ([^;]+)").unwrap();
    obj.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(';')
        .filter_map(|f| field.captures(f.trim()))
        .map(|c| (c[1].to_string(), (&c[2] == "?", c[3].trim().to_string())))
        .collect()
}

#[test]
fn dts_mirrors_the_rust_types() {
    let types = rust_types();
    let ts = ts_decls();
    let mut problems = Vec::new();
    let object_re = Regex::new(r"\{[^{}]*\}").unwrap();
    let unit_re = Regex::new(r#"(?:^|\|)\s*"([^"]+)""#).unwrap();
    let data_re = Regex::new(r"\{\s*(\w+):").unwrap();
    // Every type reachable from the results, with the file it is used from.
    let mut todo: Vec<(String, PathBuf)> = ROOTS.iter().map(|r| (r.to_string(), types[*r][0].file.clone())).collect();
    let mut seen = BTreeSet::new();
    while let Some((name, from)) = todo.pop() {
        let Some(t) = lookup(&types, &name, &from) else { continue };
        if !seen.insert((name.clone(), t.file.clone())) {
            continue;
        }
        let tsn = ts_name(&name).to_string();
        match &t.kind {
            RKind::Struct(fs) => {
                match ts.interfaces.get(&tsn) {
                    None => problems.push(format!("{name}: no `export interface {tsn}` in the .d.ts")),
                    Some(tf) => {
                        let added: Vec<&str> = ADDED.iter().filter(|(t, _)| *t == tsn).map(|(_, f)| *f).collect();
                        check_fields(&tsn, fs, tf, &added, &types, &t.file, &mut problems);
                    }
                }
                todo.extend(fs.iter().flat_map(|f| f.refs.iter().map(|r| (r.clone(), t.file.clone()))));
            }
            RKind::Strings(names) => {
                // A union type of its own, or inlined where used (checked there).
                if let Some(alias) = ts.aliases.get(&tsn) {
                    if literals(alias) != *names {
                        problems.push(format!("type {tsn}: .d.ts {:?}, Rust {names:?}", literals(alias)));
                    }
                }
            }
            RKind::Tagged(tag, variants) => {
                let Some(alias) = ts.aliases.get(&tsn) else {
                    problems.push(format!("{name}: no `export type {tsn}` in the .d.ts"));
                    continue;
                };
                let objects: Vec<BTreeMap<String, (bool, String)>> =
                    object_re.find_iter(alias).map(|m| object_fields(m.as_str())).collect();
                for (v, fs) in variants {
                    let Some(obj) = objects.iter().find(|o| o.get(tag).is_some_and(|(_, t)| t == &format!("\"{v}\"")))
                    else {
                        problems.push(format!("type {tsn}: no member with {tag}: \"{v}\""));
                        continue;
                    };
                    check_fields(&format!("{tsn}[{v}]"), fs, obj, &[tag.as_str()], &types, &t.file, &mut problems);
                    todo.extend(fs.iter().flat_map(|f| f.refs.iter().map(|r| (r.clone(), t.file.clone()))));
                }
                if objects.len() != variants.len() {
                    problems.push(format!(
                        "type {tsn}: {} members in the .d.ts, {} variants in Rust",
                        objects.len(),
                        variants.len()
                    ));
                }
            }
            RKind::External(units, data) => {
                let Some(alias) = ts.aliases.get(&tsn) else {
                    problems.push(format!("{name}: no `export type {tsn}` in the .d.ts"));
                    continue;
                };
                let ts_units: BTreeSet<String> = unit_re.captures_iter(alias).map(|c| c[1].to_string()).collect();
                let ts_data: BTreeSet<String> = data_re.captures_iter(alias).map(|c| c[1].to_string()).collect();
                if &ts_units != units || &ts_data != data {
                    problems.push(format!("type {tsn}: .d.ts {ts_units:?} + {ts_data:?}, Rust {units:?} + {data:?}"));
                }
            }
            RKind::Custom => {}
        }
    }
    // Nothing in the .d.ts that Rust does not have (arguments and helpers aside).
    let reached: BTreeSet<String> = seen.iter().map(|(n, _)| ts_name(n).to_string()).collect();
    for n in ts.interfaces.keys().chain(ts.aliases.keys()) {
        if !reached.contains(n) && !TS_ONLY.contains(&n.as_str()) && !matches!(n.as_str(), "CallTls" | "CallDirection")
        {
            problems.push(format!("{n}: declared in the .d.ts but no result type uses it"));
        }
    }
    assert!(seen.len() > 40, "only {} types reached", seen.len());
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// The string sets that are `&'static str` constants in Rust rather than enums.
#[test]
fn string_sets_match_the_core() {
    let ts = ts_decls();
    let src = |p: &str| std::fs::read_to_string(format!("{CORE}/{p}")).unwrap();
    let body = |text: &str, start: &str| -> String {
        let i = text.find(start).unwrap_or_else(|| panic!("{start} not found"));
        let end = text[i..].find("\n    }\n").map_or(text.len(), |e| i + e);
        text[i..end].to_string()
    };
    let lits = |s: &str| -> BTreeSet<String> {
        Regex::new(r#"=> "([^"]+)""#).unwrap().captures_iter(s).map(|c| c[1].to_string()).collect()
    };

    let mut protocols = lits(&body(&src("protocol.rs"), "pub fn as_str(&self) -> &'static str"));
    protocols.insert("auto".into()); // registry::protocol_name
    assert_eq!(literals(&ts.aliases["ProtocolName"]), protocols, "ProtocolName");

    let interception = lits(&body(&src("proxy/facts.rs"), "pub fn name(self) -> &'static str"));
    assert_eq!(literals(&ts.interfaces["ListenerSet"]["interceptionMode"].1), interception, "interceptionMode");

    let filters: BTreeSet<String> = Regex::new(r#"pub const \w+: &str = "(envoy\.filters\.listener\.[^"]+)";"#)
        .unwrap()
        .captures_iter(&src("listeners/types.rs"))
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(literals(&ts.aliases["ListenerFilterName"]), filters, "ListenerFilterName");

    let workload_kinds: BTreeSet<String> = Regex::new(r"ResourceKind::(\w+)")
        .unwrap()
        .captures_iter(&body(&src("load/mod.rs"), "pub fn is_workload(self)"))
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(literals(&ts.aliases["WorkloadKind"]), workload_kinds, "WorkloadKind");
}
