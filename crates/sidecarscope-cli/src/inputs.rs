//! Reading the paths the user gave: files, directories (recursively: .yaml, .yml, .json),
//! `-` or nothing for standard input. Every failure is a clear message and exit code 2.

use std::io::Read;
use std::path::{Path, PathBuf};

use sidecarscope::SourceFile;

/// Files larger than this are refused before reading (see the README's limits).
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    if paths.is_empty() || (paths.len() == 1 && paths[0].as_os_str() == "-") {
        return read_stdin().map(|s| vec![s]);
    }
    let mut files = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            files.push(read_stdin()?);
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: cannot read: {}", p.display(), io_reason(&e)))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            if found.is_empty() {
                return Err(format!("{}: directory has no .yaml, .yml or .json files", p.display()));
            }
            for f in found {
                files.push(read_file(&f)?);
            }
        } else {
            files.push(read_file(p)?);
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read directory: {}", dir.display(), io_reason(&e)))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            out.push(p);
        }
    }
    Ok(())
}

fn read_file(p: &Path) -> Result<SourceFile, String> {
    let name = p.display().to_string();
    let meta = std::fs::metadata(p).map_err(|e| format!("{name}: cannot read: {}", io_reason(&e)))?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!("{name}: file is {} bytes; the limit is {} bytes", meta.len(), MAX_INPUT_BYTES));
    }
    let bytes = std::fs::read(p).map_err(|e| format!("{name}: cannot read: {}", io_reason(&e)))?;
    decode(name, bytes)
}

fn read_stdin() -> Result<SourceFile, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("<stdin>: cannot read: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("<stdin>: input exceeds the limit of {MAX_INPUT_BYTES} bytes"));
    }
    decode("<stdin>".into(), bytes)
}

fn decode(name: String, bytes: Vec<u8>) -> Result<SourceFile, String> {
    if bytes.contains(&0) {
        return Err(format!("{name}: looks like a binary file (it contains NUL bytes), not YAML or JSON"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..at]);
            let line = text.matches('\n').count() + 1;
            Err(format!("{name}:{line}: invalid UTF-8 at byte {at}; YAML and JSON input must be UTF-8"))
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
