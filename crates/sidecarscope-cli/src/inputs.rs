//! Reading the paths the user gave: files, directories (recursively: .yaml, .yml, .json),
//! `-` or nothing for standard input.
//!
//! A file that cannot be read does not stop the others: it becomes a problem of its own
//! (`SC0009`, the command exits with code 2 at the end) and the rest is checked. A directory
//! walk follows each real directory once (by device and inode, so symbolic links to `.` or to a
//! parent are no loop), reads each real file once, and reads only regular files: a FIFO, socket
//! or device named `*.yaml` is skipped with a warning (`SC0010`), since reading it could block
//! forever or never end. Every read stops at the size limit itself (`Read::take`), whatever
//! size the file reports (a character device reports 0).

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use sidecarscope::diagnostic::Code;
use sidecarscope::SourceFile;

/// Files larger than this are refused (see the README's limits).
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// What the paths gave: the sources, in order, and the problems of some of them (each such
/// source has an empty text and is named as the user would recognise it).
#[derive(Default)]
pub struct Inputs {
    pub files: Vec<SourceFile>,
    /// (index in `files`, code, message).
    pub problems: Vec<(usize, Code, String)>,
}

impl Inputs {
    fn problem(&mut self, name: String, code: Code, message: String) {
        self.problems.push((self.files.len(), code, message));
        self.files.push(SourceFile::new(name, String::new()));
    }
    fn read(&mut self, name: String, result: Result<SourceFile, String>) {
        match result {
            Ok(f) => self.files.push(f),
            Err(message) => self.problem(name, Code::UnreadableFile, message),
        }
    }
}

/// Reads the paths. `Err` only for a problem with the arguments themselves (a directory with no
/// YAML or JSON file in it).
pub fn read_inputs(paths: &[PathBuf]) -> Result<Inputs, String> {
    let mut out = Inputs::default();
    if paths.is_empty() || (paths.len() == 1 && paths[0].as_os_str() == "-") {
        out.read("<stdin>".into(), read_stdin());
        return Ok(out);
    }
    // Real directories and files already read, by (device, inode).
    let mut seen = Seen::default();
    for p in paths {
        if p.as_os_str() == "-" {
            out.read("<stdin>".into(), read_stdin());
            continue;
        }
        let name = p.display().to_string();
        match std::fs::metadata(p) {
            Err(e) => out.problem(name.clone(), Code::UnreadableFile, format!("cannot read: {}", io_reason(&e))),
            Ok(meta) if meta.is_dir() => {
                let before = out.files.len();
                seen.first_visit(p, &meta);
                walk(p, &mut out, &mut seen);
                if out.files.len() == before {
                    return Err(format!("{name}: directory has no .yaml, .yml or .json files"));
                }
            }
            // A path given by itself is read whatever it is (`/dev/stdin`, `<(kubectl ...)`),
            // up to the limit.
            Ok(_) => out.read(name.clone(), read_file(p)),
        }
    }
    Ok(out)
}

/// Identities of real files and directories.
#[derive(Default)]
struct Seen {
    #[cfg(unix)]
    ids: HashSet<(u64, u64)>,
    #[cfg(not(unix))]
    paths: HashSet<PathBuf>,
}

impl Seen {
    /// True the first time this real file or directory is met.
    #[cfg(unix)]
    fn first_visit(&mut self, _path: &Path, meta: &Metadata) -> bool {
        use std::os::unix::fs::MetadataExt;
        self.ids.insert((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    fn first_visit(&mut self, path: &Path, _meta: &Metadata) -> bool {
        self.paths.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

fn is_yaml_name(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}

/// What kind of special file this is, for the warning.
fn special_kind(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    let _ = meta;
    "not a regular file"
}

fn walk(dir: &Path, out: &mut Inputs, seen: &mut Seen) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let name = dir.display().to_string();
            out.problem(name.clone(), Code::UnreadableFile, format!("cannot read directory: {}", io_reason(&e)));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.display().to_string();
        // Follows symbolic links: a link to a directory is walked (once), to a file read (once).
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                if is_yaml_name(&p) {
                    let why = if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                        format!("a symbolic link to nothing ({})", io_reason(&e))
                    } else {
                        io_reason(&e)
                    };
                    out.problem(name.clone(), Code::UnreadableFile, format!("cannot read: {why}"));
                }
                continue;
            }
        };
        if meta.is_dir() {
            if seen.first_visit(&p, &meta) {
                walk(&p, out, seen);
            }
        } else if !is_yaml_name(&p) {
            continue;
        } else if !meta.is_file() {
            let what = special_kind(&meta);
            out.problem(name.clone(), Code::SkippedFile, format!("skipped: it is {what}, not a regular file"));
        } else if seen.first_visit(&p, &meta) {
            out.read(name, read_file(&p));
        }
    }
}

fn read_file(p: &Path) -> Result<SourceFile, String> {
    let name = p.display().to_string();
    let file = File::open(p).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    // A regular file's reported size refuses it before reading; the read itself is bounded
    // whatever the size says (devices and pipes report 0).
    if let Ok(meta) = file.metadata() {
        if meta.is_file() && meta.len() > MAX_INPUT_BYTES {
            return Err(format!("file is {} bytes; the limit is {} bytes", meta.len(), MAX_INPUT_BYTES));
        }
    }
    let bytes = read_bounded(file).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("input exceeds the limit of {MAX_INPUT_BYTES} bytes"));
    }
    decode(name, bytes)
}

/// Reads at most one byte more than the limit.
fn read_bounded(r: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read_stdin() -> Result<SourceFile, String> {
    let bytes = read_bounded(std::io::stdin().lock()).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("input exceeds the limit of {MAX_INPUT_BYTES} bytes"));
    }
    decode("<stdin>".into(), bytes)
}

fn decode(name: String, bytes: Vec<u8>) -> Result<SourceFile, String> {
    if bytes.contains(&0) {
        return Err("looks like a binary file (it contains NUL bytes), not YAML or JSON".to_string());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..at]);
            let line = text.matches('\n').count() + 1;
            Err(format!("invalid UTF-8 at byte {at} (line {line}); YAML and JSON input must be UTF-8"))
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
