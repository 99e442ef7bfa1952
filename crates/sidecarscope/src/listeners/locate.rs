//! Source links: turns each [`SourceRef`]'s resource and field path into a file and a range
//! (line/column and UTF-16 offsets), once, when the result leaves the core.

use super::types::{ListenerSet, Origin, SourceRef};
use crate::load::Input;
use crate::report::Range;

impl ListenerSet {
    /// Fills `file` and `range` of every source link from the input the set was generated from.
    pub fn locate(&mut self, input: &Input) {
        let mut origins: Vec<&mut Origin> = Vec::new();
        for l in self.listeners.iter_mut().chain(self.static_listeners.iter_mut()) {
            origins.push(&mut l.origin);
            origins.extend(l.filter_chains.iter_mut().map(|c| &mut c.origin));
        }
        for v in self.routes.iter_mut().flat_map(|r| r.virtual_hosts.iter_mut()) {
            origins.push(&mut v.origin);
            origins.extend(v.routes.iter_mut().map(|r| &mut r.origin));
        }
        origins.extend(self.skipped.iter_mut().map(|s| &mut s.origin));
        // `LineIndex` converts an offset in O(log lines + line length) (and returns the byte
        // offset itself as the UTF-16 offset of an ASCII file), so each link costs little however
        // large the file: nothing here may scan the whole text, as this runs once per proxy.
        for o in origins {
            for s in &mut o.sources {
                locate(input, s);
            }
        }
    }
}

fn locate(input: &Input, s: &mut SourceRef) {
    let Some(r) = s.index.and_then(|i| input.resources.get(i)) else { return };
    let src = input.source(r.source);
    s.file = Some(src.name.clone());
    s.range = Some(Range::of(src, r.range_at(&s.path)));
}
