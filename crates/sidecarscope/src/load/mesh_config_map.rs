//! The mesh ConfigMap: `data.mesh` is MeshConfig as a YAML string inside the outer YAML.
//! We parse that string and map every position inside it back to the outer file.

use super::Resource;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;
use crate::text::TextRange;
use crate::yaml::{self, Node, ScalarStyle};

/// The name of Istio's mesh ConfigMap.
pub const MESH_CONFIGMAP_NAME: &str = "istio";

/// Parses `data.mesh` of the mesh ConfigMap. `Ok(None)` when it is absent or empty.
pub fn mesh_config_node(resource: &Resource, source: &SourceFile) -> Result<Option<Node>, Box<Diagnostic>> {
    let Some(value) = resource.node.at(&["data", "mesh"]) else { return Ok(None) };
    let Some(scalar) = value.as_scalar() else {
        return Err(Box::new(resource.diagnostic(
            Code::MeshConfig,
            "data.mesh must be a string holding MeshConfig YAML",
            "data.mesh",
            value.range,
        )));
    };
    let inner: &str = &scalar.value;
    let map = OffsetMap::new(source, value.range, scalar.style, inner);
    let doc = yaml::parse_single(inner);
    if let Some(err) = doc.error {
        let r = TextRange::new(map.map(err.range.start), map.map(err.range.end));
        return Err(Box::new(resource.diagnostic(
            Code::MeshConfig,
            format!("data.mesh is not valid YAML: {}", err.message),
            "data.mesh",
            r,
        )));
    }
    let Some(mut root) = doc.root else { return Ok(None) };
    if root.as_map().is_none() {
        return Err(Box::new(resource.diagnostic(
            Code::MeshConfig,
            "data.mesh must be a YAML mapping (MeshConfig)",
            "data.mesh",
            value.range,
        )));
    }
    root.remap(&|o| map.map(o));
    Ok(Some(root))
}

/// Maps byte offsets in a scalar's value to byte offsets in the outer text.
struct OffsetMap {
    /// (inner offset of a line start, outer offset of the same character), sorted.
    lines: Vec<(u32, u32)>,
    fallback: u32,
}

impl OffsetMap {
    fn new(source: &SourceFile, range: TextRange, style: ScalarStyle, inner: &str) -> Self {
        let outer = source.slice(range);
        let fallback = range.start;
        match style {
            ScalarStyle::Literal => {
                Self::literal(source, range, inner).unwrap_or(OffsetMap { lines: vec![], fallback })
            }
            ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let quote = u32::from(style != ScalarStyle::Plain);
                // Exact only when the value is written verbatim on one line (no escapes).
                if outer.get(quote as usize..quote as usize + inner.len()) == Some(inner) {
                    OffsetMap { lines: vec![(0, range.start + quote)], fallback }
                } else {
                    OffsetMap { lines: vec![], fallback }
                }
            }
            ScalarStyle::Folded => OffsetMap { lines: vec![], fallback },
        }
    }

    /// A literal block: inner line k is outer content line k with the indentation removed.
    fn literal(source: &SourceFile, range: TextRange, inner: &str) -> Option<Self> {
        let idx = source.line_index();
        // saphyr's span of a block scalar starts at its content; older versions started at the
        // `|` indicator, so accept both.
        let at = idx.line_of(range.start);
        let first = if source.slice(range).starts_with('|') { at + 1 } else { at };
        // Indentation: that of the first non-blank content line.
        let mut indent = None;
        for l in first..idx.line_count() {
            let r = idx.line_range(&source.text, l);
            let line = source.slice(r);
            if !line.trim().is_empty() {
                indent = Some(line.len() - line.trim_start_matches(' ').len());
                break;
            }
        }
        let indent = indent? as u32;
        let mut lines = Vec::new();
        let mut inner_off = 0u32;
        for (k, inner_line) in inner.split('\n').enumerate() {
            let outer_line = first + k;
            if outer_line >= idx.line_count() {
                break;
            }
            let start = idx.line_start(outer_line);
            let r = idx.line_range(&source.text, outer_line);
            let outer_line_start = (start + indent).min(r.end.max(start));
            lines.push((inner_off, outer_line_start));
            inner_off += inner_line.len() as u32 + 1;
        }
        Some(OffsetMap { lines, fallback: range.start })
    }

    fn map(&self, inner: u32) -> u32 {
        match self.lines.binary_search_by_key(&inner, |(i, _)| *i) {
            Ok(k) => self.lines[k].1,
            Err(0) => self.fallback,
            Err(k) => {
                let (i, o) = self.lines[k - 1];
                o + (inner - i)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_text, ResourceKind};

    #[test]
    fn positions_inside_data_mesh_map_to_the_outer_file() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |-\n    rootNamespace: istio-config\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n";
        let input = load_text("mesh.yaml", text);
        let cm = input.of_kind(ResourceKind::MeshConfigMap).next().unwrap();
        let node = mesh_config_node(cm, &input.sources[0]).unwrap().unwrap();
        let mode = node.at(&["outboundTrafficPolicy", "mode"]).unwrap();
        assert_eq!(input.sources[0].slice(mode.range), "REGISTRY_ONLY");
        let lc = input.sources[0].line_col(mode.range.start);
        assert_eq!((lc.line, lc.column), (10, 13));
        let root_ns = node.get("rootNamespace").unwrap();
        assert_eq!(input.sources[0].slice(root_ns.range), "istio-config");
    }

    #[test]
    fn single_line_quoted_mesh() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {mesh: \"rootNamespace: foo\"}\n";
        let input = load_text("mesh.yaml", text);
        let cm = input.of_kind(ResourceKind::MeshConfigMap).next().unwrap();
        let node = mesh_config_node(cm, &input.sources[0]).unwrap().unwrap();
        assert_eq!(input.sources[0].slice(node.get("rootNamespace").unwrap().range), "foo");
    }
}
