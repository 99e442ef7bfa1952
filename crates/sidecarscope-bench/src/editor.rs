//! The editor's questions on a generated mesh (issue 22): completion and hover in the team
//! namespace `storefront`'s default Sidecar, on a warm workspace (what an editor holds between
//! keys) and after an edit (a key typed: the changed document parsed again, the registry built
//! again, then the question), against a full `analyze` of the same text.

use sidecarscope::ide::{complete, hover, FilePosition};
use sidecarscope::{Options, SourceFile, SourceId, Workspace};

/// The places asked about, as byte offsets into the mesh's text.
pub struct Places {
    /// The start of an egress host entry (nothing typed yet: every namespace and host is offered).
    pub host_start: u32,
    /// Inside an egress host entry (hover: what it imports).
    pub host: u32,
    /// The Sidecar's name (hover: the workloads it governs).
    pub sidecar_name: u32,
}

impl Places {
    /// The places in a mesh made by `generate` (`None` for a text without the storefront
    /// namespace's default Sidecar).
    pub fn find(text: &str) -> Option<Places> {
        let sidecar = text.find("kind: Sidecar\nmetadata:\n  name: default\n  namespace: storefront\n")?;
        let name = sidecar + text[sidecar..].find("name: default")? + "name: ".len();
        let entry = sidecar + text[sidecar..].find("- \"istio-system/*\"")? + "- \"".len();
        let host = sidecar + text[sidecar..].find("\"users/users.users.svc.cluster.local\"")? + 3;
        Some(Places { host_start: entry as u32, host: host as u32, sidecar_name: name as u32 })
    }
}

pub fn workspace(text: &str) -> Workspace {
    Workspace::new(vec![SourceFile::new("mesh.yaml", text)], Options::default())
}

fn at(offset: u32) -> FilePosition {
    FilePosition { source: SourceId(0), offset }
}

/// The full analysis of the text, from scratch (what the editor's findings cost).
pub fn analyze(text: &str) -> u64 {
    workspace(text).analyze().diagnostics.len() as u64
}

/// Completion at the start of a host entry.
pub fn complete_host(ws: &Workspace, places: &Places) -> u64 {
    complete(ws, at(places.host_start)).items.len() as u64
}

pub fn hover_host(ws: &Workspace, places: &Places) -> u64 {
    hover(ws, at(places.host)).map_or(0, |h| h.markdown.len() as u64)
}

pub fn hover_sidecar(ws: &Workspace, places: &Places) -> u64 {
    hover(ws, at(places.sidecar_name)).map_or(0, |h| h.markdown.len() as u64)
}

/// Two versions of the text that differ by one character, typed in a comment line before the
/// Sidecar: each edit switches from one to the other. Both have the same length, so the places
/// found in one are those of the other.
pub fn edits(text: &str, places: &Places) -> [String; 2] {
    let at = text[..places.sidecar_name as usize].rfind("kind: Sidecar").unwrap_or(0);
    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut a = text.to_string();
    a.insert_str(line, "# a\n");
    let mut b = text.to_string();
    b.insert_str(line, "# b\n");
    [a, b]
}

/// An edit (the source's text replaced by `text`, as an editor sends it), then `question`.
pub fn after_edit(ws: &mut Workspace, text: &str, question: impl Fn(&Workspace) -> u64) -> u64 {
    ws.set_text(0, "mesh.yaml", text);
    question(ws)
}
