//! `exportTo`: which namespaces may see a service, VirtualService or DestinationRule.
//! Entries are `*` (everyone), `.` (own namespace), `~` (no one) or namespace names.

use std::collections::BTreeSet;

use serde::Serialize;

/// An effective exportTo set (the resource's own value, or the MeshConfig default).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct ExportTo(pub BTreeSet<String>);

/// Where a service or VirtualService is indexed for sidecars, as Istio's `initServiceRegistry`
/// and `initVirtualServices` do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exported {
    /// Contains `*`: visible everywhere (other entries ignored).
    Public,
    /// Contains `~` (and not `*`): visible nowhere through the namespace indexes.
    Hidden,
    /// These namespaces (the own namespace for `.`).
    To(Vec<String>),
}

impl ExportTo {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> ExportTo {
        ExportTo(items.into_iter().map(Into::into).collect())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn contains(&self, s: &str) -> bool {
        self.0.contains(s)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The index placement for a resource in `own_ns`.
    pub fn exported(&self, own_ns: &str) -> Exported {
        if self.contains("*") {
            return Exported::Public;
        }
        if self.contains("~") {
            return Exported::Hidden;
        }
        let mut out: Vec<String> = Vec::new();
        for e in &self.0 {
            let ns = if e == "." { own_ns } else { e.as_str() };
            if !out.iter().any(|o| o == ns) {
                out.push(ns.to_string());
            }
        }
        Exported::To(out)
    }

    /// Istio `PushContext.IsServiceVisible` for a service in `own_ns` seen from `ns`.
    /// Unlike the index, `{~, ns2}` is visible to `ns2` here (only exactly `{~}` hides).
    pub fn service_visible(&self, own_ns: &str, ns: &str) -> bool {
        if self.len() == 1 && self.contains("~") {
            return false;
        }
        self.contains("*") || (self.contains(".") && own_ns == ns) || self.contains(ns)
    }

    /// Whether the index placement makes the resource visible to `ns`.
    pub fn indexed_for(&self, own_ns: &str, ns: &str) -> bool {
        match self.exported(own_ns) {
            Exported::Public => true,
            Exported::Hidden => false,
            Exported::To(list) => list.iter().any(|n| n == ns),
        }
    }

    /// The set written as users write it: `[*]`, `[., ns2]`.
    pub fn describe(&self) -> String {
        format!("[{}]", self.0.iter().cloned().collect::<Vec<_>>().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_visibility() {
        let private = ExportTo::new(["."]);
        assert_eq!(private.exported("ns1"), Exported::To(vec!["ns1".into()]));
        assert!(private.service_visible("ns1", "ns1"));
        assert!(!private.service_visible("ns1", "ns2"));
        let hidden_but = ExportTo::new(["~", "ns2"]);
        assert_eq!(hidden_but.exported("ns1"), Exported::Hidden);
        assert!(hidden_but.service_visible("ns1", "ns2"));
        assert!(!ExportTo::new(["~"]).service_visible("ns1", "ns1"));
        assert_eq!(ExportTo::new(["*", "~"]).exported("ns1"), Exported::Public);
    }
}
