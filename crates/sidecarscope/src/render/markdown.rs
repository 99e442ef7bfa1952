//! Findings as Markdown, ready to paste into a bug report: the input, fenced, then each
//! finding with its position, code, resource and help (the playground's "Copy as Markdown",
//! the CLI's `--output markdown`, the wasm module's `format: "markdown"`).

use crate::load::Input;
use crate::report::{JsonDiagnostic, Summary};

/// The Markdown for one text (the playground's editor), its findings and (when known) a link
/// that reopens it.
pub fn report(text: &str, diagnostics: &[JsonDiagnostic], summary: &Summary, link: Option<&str>) -> String {
    write(&[("", text)], diagnostics, summary, link)
}

/// The Markdown for an input of any number of files: with more than one, each file's text comes
/// under its name and each position names its file.
pub fn input_report(input: &Input, diagnostics: &[JsonDiagnostic], summary: &Summary) -> String {
    let sources: Vec<(&str, &str)> = input.sources.iter().map(|s| (s.name.as_str(), s.text.as_str())).collect();
    write(&sources, diagnostics, summary, None)
}

fn write(sources: &[(&str, &str)], diagnostics: &[JsonDiagnostic], summary: &Summary, link: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("### Sidecarscope\n\n");
    let named = sources.len() > 1;
    for (name, text) in sources {
        if named {
            out.push_str(&format!("{}\n\n", code_span(name)));
        }
        let fence = fence_for(text);
        out.push_str(&format!("{fence}yaml\n{text}"));
        if !text.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{fence}\n\n"));
    }
    out.push_str(&format!("**Findings:** {}\n\n", counts(summary)));
    for d in diagnostics {
        let p = &d.range.start;
        let file = if named { format!("{}:", d.file.replace('`', "'")) } else { String::new() };
        out.push_str(&format!(
            "- `{file}{}:{}` **{}** `{}` {}: {}",
            p.line,
            p.column,
            d.severity.as_str(),
            d.code,
            d.name,
            inline(&d.message)
        ));
        let mut meta = Vec::new();
        if let Some(r) = &d.resource {
            // Names come from the input (or a crafted share link): escaped like messages.
            meta.push(inline(&format!("{} {}/{}", r.kind, r.namespace, r.name)));
        }
        if !d.path.is_empty() {
            meta.push(code_span(&d.path));
        }
        if let Some(c) = d.istio_code {
            meta.push(c.to_string());
        }
        if !meta.is_empty() {
            out.push_str(&format!(" ({})", meta.join(", ")));
        }
        out.push('\n');
        if let Some(h) = &d.hint {
            out.push_str(&format!("  - help: {}\n", inline(h)));
        }
    }
    if let Some(link) = link {
        out.push_str(&format!("\n[Open in the Sidecarscope playground]({link})\n"));
    }
    out
}

/// "2 errors, 1 warning" (and infos when there are any), or "no problems".
pub fn counts(s: &Summary) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = if s.errors + s.warnings + s.infos == 0 {
        vec!["no problems".to_string()]
    } else {
        vec![plural(s.errors, "error", "errors"), plural(s.warnings, "warning", "warnings")]
    };
    if s.infos > 0 {
        parts.push(plural(s.infos, "info", "infos"));
    }
    // Left out by the resources' suppression annotations, as `sidecarscope analyze` counts.
    if s.suppressed > 0 {
        parts.push(format!("{} suppressed", s.suppressed));
    }
    parts.join(", ")
}

/// A backtick fence longer than any backtick run in the text, so the text cannot close it.
fn fence_for(text: &str) -> String {
    "`".repeat((longest_backtick_run(text) + 1).max(3))
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A code span that no backtick in `s` can close (CommonMark: a longer fence, padded with spaces
/// when `s` starts or ends with a backtick); newlines folded. A field path holds the input's map
/// keys, which may hold anything.
fn code_span(s: &str) -> String {
    let folded: String = s.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    let fence = "`".repeat(longest_backtick_run(&folded) + 1);
    let pad = if folded.starts_with('`') || folded.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{folded}{pad}{fence}")
}

/// One line of Markdown text: newlines folded, and characters that would start markup
/// (HTML tags, links, emphasis) escaped so a message renders as written.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' | '>' | '[' | ']' | '*' | '_' | '`' | '\\' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_of_an_invalid_sidecar() {
        let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: a\n  namespace: ns\nspec:\n  egress:\n  - hosts: [reviews]\n";
        let input = crate::load::load_text("input.yaml", text);
        let mut diags = crate::validate::validate(&input);
        crate::report::sort(&mut diags);
        let r = crate::report::diagnostics_report(&input, &diags);
        let md = report(text, &r.diagnostics, &r.summary, Some("https://example.invalid/#v1/x"));
        assert!(md.contains("```yaml\napiVersion"), "{md}");
        assert!(md.contains("**Findings:** 1 error, 0 warnings"), "{md}");
        assert!(md.contains("- `8:13` **error** `SC1050` egress-host-format:"), "{md}");
        assert!(md.contains("(Sidecar ns/a, `spec.egress[0].hosts[0]`, IST0106)"), "{md}");
        assert!(md.ends_with("(https://example.invalid/#v1/x)\n"));
    }

    #[test]
    fn fences_outlast_backticks_in_the_input() {
        assert_eq!(fence_for("a: b"), "```");
        assert_eq!(fence_for("a: ````b"), "`````");
    }

    #[test]
    fn resource_names_and_paths_cannot_inject_markup() {
        let text = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: \"<img src=x onerror=alert(1)>\"\n  namespace: \"[x](javascript:alert(1))\"\n  labels:\n    \"a`b\": \"<b>\"\nspec:\n  egress:\n  - hosts: [reviews]\n";
        let input = crate::load::load_text("input.yaml", text);
        let mut diags = crate::validate::validate(&input);
        crate::report::sort(&mut diags);
        let r = crate::report::diagnostics_report(&input, &diags);
        let md = report(text, &r.diagnostics, &r.summary, None);
        let findings = md.split("**Findings:**").nth(1).unwrap();
        assert!(findings.contains("Sidecar \\[x\\](javascript:alert(1))/\\<img src=x onerror=alert(1)\\>"), "{md}");
        // Every '<' of the findings is escaped (a '[' outside code spans too: the label above).
        assert!(!findings.replace("\\<", "").contains('<'), "{md}");
        assert_eq!(code_span("metadata.labels[\"a`b\"]"), "``metadata.labels[\"a`b\"]``");
        assert_eq!(code_span("`a"), "`` `a ``");
        assert_eq!(code_span("spec.egress[0]"), "`spec.egress[0]`");
        assert_eq!(code_span("a```b"), "````a```b````");
    }

    #[test]
    fn messages_cannot_inject_markup() {
        assert_eq!(inline("<img src=x onerror=alert(1)>\n[a](b)"), "\\<img src=x onerror=alert(1)\\> \\[a\\](b)");
    }
}
