//! Writes the fuzzing seed corpus: the `input` of every test case and every example.
//! Usage: `seed-corpus <cases-dir> <examples-dir> <out-dir>`.

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = Path::new(&args[3]);
    std::fs::create_dir_all(out).unwrap();
    let mut n = 0;
    let mut add = |text: &str| {
        let hash = text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
        std::fs::write(out.join(format!("{hash:016x}")), text).unwrap();
        n += 1;
    };
    for dir in walk(Path::new(&args[1])) {
        let text = std::fs::read_to_string(&dir).unwrap();
        let doc = sidecarscope::yaml::parse_single(&text);
        match doc.root.as_ref().and_then(|r| r.get("input")).and_then(|n| n.as_str()) {
            Some(input) => add(input),
            None => add(&text), // a raw input, e.g. a regression
        }
    }
    for f in walk(Path::new(&args[2])) {
        add(&std::fs::read_to_string(f).unwrap());
    }
    println!("{n} seed inputs in {}", out.display());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out.sort();
    out
}
