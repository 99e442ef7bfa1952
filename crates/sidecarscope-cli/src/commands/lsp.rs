//! `sidecarscope lsp`: a language server on stdin/stdout (rust-analyzer's `lsp-server`
//! scaffold: JSON-RPC framing and the initialize/shutdown handshake; synchronous, one thread
//! handles the messages in order). The open documents and the files given as arguments (the
//! rest of the mesh: Services, workloads, ServiceEntries) are the sources of one `Workspace`,
//! which keeps parsed documents across edits, so an edit re-parses only what changed. Its
//! findings are `analyze`'s, with the CLI's codes, messages and ranges; completion, hover,
//! definition, references and quick fixes are the core's `ide` layer. Positions are LSP's
//! (line, UTF-16 column), converted by the core's `LineIndex`.

use std::path::PathBuf;
use std::str::FromStr;

use clap::Args as ClapArgs;
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Completion, GotoDefinition, HoverRequest, References, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    CompletionItemKind, CompletionList, CompletionOptions, CompletionParams, CompletionResponse, CompletionTextEdit,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    Documentation, GotoDefinitionParams, GotoDefinitionResponse, HoverContents, HoverParams, HoverProviderCapability,
    Location, MarkupContent, MarkupKind, NumberOrString, OneOf, Position, PublishDiagnosticsParams, ReferenceParams,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, Uri, WorkspaceEdit,
};
use serde_json::Value;
use sidecarscope::ide::{self, CompletionKind, FilePosition};
use sidecarscope::text::TextRange;
use sidecarscope::workspace::check_namespace;
use sidecarscope::{Diagnostic, Options, Severity, SourceFile, SourceId, Workspace};

use crate::common::{EXIT_INPUT, EXIT_OK};

#[derive(ClapArgs)]
pub struct Args {
    /// Files or directories with the rest of the mesh (Services, workloads, ServiceEntries,
    /// VirtualServices), read once at start; open documents replace their text.
    pub paths: Vec<PathBuf>,
    /// Namespace for resources without metadata.namespace (as `kubectl apply -n`).
    #[arg(long, default_value = "default")]
    pub default_namespace: String,
}

/// One source of the workspace: a file given as argument, or a document the editor opened.
struct Doc {
    /// The editor's URI while it is open.
    uri: Option<Uri>,
    name: String,
    text: String,
    /// The text read at start (a file given as argument), to go back to when it is closed.
    disk: Option<String>,
}

struct Server {
    docs: Vec<Doc>,
    ws: Workspace,
    /// `analyze`'s findings for the sources as they are (published, and the findings code
    /// actions are asked about, without analysing again at every move of the cursor).
    findings: Vec<Diagnostic>,
}

pub fn run(args: Args) -> u8 {
    if let Err(e) = check_namespace(&args.default_namespace) {
        eprintln!("sidecarscope: error: --default-namespace {e}");
        return EXIT_INPUT;
    }
    let mut docs = Vec::new();
    if !args.paths.is_empty() {
        match crate::inputs::read_inputs(&args.paths) {
            Ok(read) => docs.extend(read.files.into_iter().map(|f| Doc {
                uri: None,
                name: f.name.clone(),
                disk: Some(f.text.clone()),
                text: f.text,
            })),
            Err(e) => {
                eprintln!("sidecarscope: error: {e}");
                return EXIT_INPUT;
            }
        }
    }
    let options = Options { default_namespace: args.default_namespace, retain_documents: true, ..Options::default() };
    let mut server = Server { docs, ws: Workspace::new(Vec::new(), options), findings: Vec::new() };
    server.sync();
    let (connection, io_threads) = Connection::stdio();
    let result = serve(&connection, &mut server);
    drop(connection);
    let joined = io_threads.join();
    match (result, joined) {
        (Ok(()), Ok(())) => EXIT_OK,
        (Err(e), _) => {
            eprintln!("sidecarscope lsp: {e}");
            EXIT_INPUT
        }
        (_, Err(e)) => {
            eprintln!("sidecarscope lsp: {e}");
            EXIT_INPUT
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["/".into(), ":".into(), " ".into(), "-".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

fn serve(connection: &Connection, server: &mut Server) -> Result<(), String> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "sidecarscope".into(), version: Some(sidecarscope::VERSION.into()) },
    });
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection.initialize_finish(id, init).map_err(|e| e.to_string())?;
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                let response = server.request(req);
                connection.sender.send(Message::Response(response)).map_err(|e| e.to_string())?;
            }
            Message::Notification(note) => {
                for out in server.notification(note) {
                    connection.sender.send(Message::Notification(out)).map_err(|e| e.to_string())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The file name of a URI (`file:///a/b%20c.yaml` is `/a/b c.yaml`), as the CLI names files.
fn uri_name(uri: &Uri) -> String {
    let s = uri.as_str();
    let Some(path) = s.strip_prefix("file://") else { return s.to_string() };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `file://` and the path, percent-encoded outside RFC 3986's unreserved characters and `/`.
fn file_uri(path: &str) -> String {
    let mut out = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn same_file(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

impl Server {
    /// Hands the workspace the sources as they are now (unchanged documents are not parsed again).
    fn sync(&mut self) {
        let sources = self.docs.iter().map(|d| SourceFile::new(d.name.clone(), d.text.clone())).collect();
        self.ws.set_sources(sources);
        self.findings = self.ws.analyze().diagnostics;
    }

    fn index_of(&self, uri: &Uri) -> Option<usize> {
        self.docs.iter().position(|d| d.uri.as_ref() == Some(uri))
    }

    fn open(&mut self, uri: Uri, text: String) {
        let name = uri_name(&uri);
        match self.docs.iter().position(|d| d.uri.is_none() && same_file(&d.name, &name)) {
            Some(i) => {
                self.docs[i].uri = Some(uri);
                self.docs[i].text = text;
            }
            None => self.docs.push(Doc { uri: Some(uri), name, text, disk: None }),
        }
    }

    fn close(&mut self, uri: &Uri) {
        let Some(i) = self.index_of(uri) else { return };
        match self.docs[i].disk.clone() {
            Some(disk) => {
                self.docs[i].uri = None;
                self.docs[i].text = disk;
            }
            None => {
                self.docs.remove(i);
            }
        }
    }

    fn notification(&mut self, note: Notification) -> Vec<Notification> {
        let mut closed = None;
        match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(note.params) else { return Vec::new() };
                self.open(p.text_document.uri, p.text_document.text);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(note.params) else {
                    return Vec::new();
                };
                // Full synchronisation: the last change holds the whole text.
                let (Some(i), Some(change)) =
                    (self.index_of(&p.text_document.uri), p.content_changes.into_iter().last())
                else {
                    return Vec::new();
                };
                self.docs[i].text = change.text;
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(note.params) else {
                    return Vec::new();
                };
                self.close(&p.text_document.uri);
                closed = Some(p.text_document.uri);
            }
            _ => return Vec::new(),
        }
        self.sync();
        let mut out = self.diagnostics();
        if let Some(uri) = closed {
            out.push(publish(uri, Vec::new()));
        }
        out
    }

    /// `publishDiagnostics` for every open document: an edit of one may change the findings
    /// of another (a Service removed, a selector changed).
    fn diagnostics(&self) -> Vec<Notification> {
        let input = self.ws.input();
        self.docs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Some((i, d.uri.clone()?)))
            .map(|(i, uri)| {
                let src = &input.sources[i];
                let diags = self.findings.iter().filter(|d| d.source.0 as usize == i).map(|d| lsp_diagnostic(src, d));
                publish(uri, diags.collect())
            })
            .collect()
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match self.answer(req) {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code, message),
        }
    }

    fn position(&self, uri: &Uri, p: Position) -> Result<FilePosition, (i32, String)> {
        let i = self.index_of(uri).ok_or_else(|| (INVALID_PARAMS, format!("{} is not open", uri.as_str())))?;
        let src = &self.ws.input().sources[i];
        let offset = src.line_index().offset_of_utf16_position(&src.text, p.line, p.character);
        Ok(FilePosition { source: SourceId(i as u32), offset })
    }

    fn range(&self, source: SourceId, range: TextRange) -> lsp_types::Range {
        lsp_range(&self.ws.input().sources[source.0 as usize], range)
    }

    /// The URI of a source: the editor's for an open document, else a `file://` URI of its path.
    fn uri(&self, source: SourceId) -> Option<Uri> {
        let d = self.docs.get(source.0 as usize)?;
        if let Some(uri) = &d.uri {
            return Some(uri.clone());
        }
        let path = std::fs::canonicalize(&d.name).ok()?;
        Uri::from_str(&file_uri(&path.to_string_lossy())).ok()
    }

    fn locations(&self, targets: Vec<ide::Target>) -> Vec<Location> {
        targets
            .into_iter()
            .filter_map(|t| Some(Location { uri: self.uri(t.source)?, range: self.range(t.source, t.range) }))
            .collect()
    }

    fn answer(&mut self, req: Request) -> Result<Value, (i32, String)> {
        let bad = |e: serde_json::Error| (INVALID_PARAMS, e.to_string());
        match req.method.as_str() {
            Completion::METHOD => {
                let p: CompletionParams = serde_json::from_value(req.params).map_err(bad)?;
                let tdp = p.text_document_position;
                let pos = self.position(&tdp.text_document.uri, tdp.position)?;
                let c = ide::complete(&self.ws, pos);
                let range = self.range(pos.source, c.range);
                let items = c
                    .items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| lsp_types::CompletionItem {
                        kind: Some(completion_kind(item.kind)),
                        detail: (!item.detail.is_empty()).then_some(item.detail),
                        documentation: (!item.documentation.is_empty()).then_some(Documentation::MarkupContent(
                            MarkupContent { kind: MarkupKind::Markdown, value: item.documentation },
                        )),
                        text_edit: Some(CompletionTextEdit::Edit(lsp_types::TextEdit { range, new_text: item.insert })),
                        filter_text: Some(item.label.clone()),
                        // Our order (schema order, namespaces before hosts), not the client's alphabet.
                        sort_text: Some(format!("{i:05}")),
                        label: item.label,
                        ..lsp_types::CompletionItem::default()
                    })
                    .collect();
                Ok(json(&CompletionResponse::List(CompletionList { is_incomplete: false, items })))
            }
            HoverRequest::METHOD => {
                let p: HoverParams = serde_json::from_value(req.params).map_err(bad)?;
                let tdp = p.text_document_position_params;
                let pos = self.position(&tdp.text_document.uri, tdp.position)?;
                Ok(match ide::hover(&self.ws, pos) {
                    None => Value::Null,
                    Some(h) => json(&lsp_types::Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: h.markdown,
                        }),
                        range: Some(self.range(pos.source, h.range)),
                    }),
                })
            }
            GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = serde_json::from_value(req.params).map_err(bad)?;
                let tdp = p.text_document_position_params;
                let pos = self.position(&tdp.text_document.uri, tdp.position)?;
                let locations = self.locations(ide::definition(&self.ws, pos));
                Ok(json(&GotoDefinitionResponse::Array(locations)))
            }
            References::METHOD => {
                let p: ReferenceParams = serde_json::from_value(req.params).map_err(bad)?;
                let tdp = p.text_document_position;
                let pos = self.position(&tdp.text_document.uri, tdp.position)?;
                Ok(json(&self.locations(ide::references(&self.ws, pos))))
            }
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document.uri;
                let start = self.position(&uri, p.range.start)?;
                let end = self.position(&uri, p.range.end)?;
                let src = &self.ws.input().sources[start.source.0 as usize];
                let actions: Vec<CodeActionOrCommand> = ide::code_actions(
                    &self.ws,
                    start.source,
                    TextRange::new(start.offset, end.offset.max(start.offset)),
                )
                .into_iter()
                .map(|a| {
                    let edits = a
                        .edits
                        .iter()
                        .map(|e| lsp_types::TextEdit { range: lsp_range(src, e.range), new_text: e.new_text.clone() })
                        .collect();
                    CodeActionOrCommand::CodeAction(lsp_types::CodeAction {
                        title: a.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![lsp_diagnostic(src, &a.diagnostic)]),
                        edit: Some(WorkspaceEdit {
                            changes: Some([(uri.clone(), edits)].into_iter().collect()),
                            ..WorkspaceEdit::default()
                        }),
                        is_preferred: Some(true),
                        ..lsp_types::CodeAction::default()
                    })
                })
                .collect();
                Ok(json(&actions))
            }
            m => Err((METHOD_NOT_FOUND, format!("unknown request {m}"))),
        }
    }
}

const INVALID_PARAMS: i32 = -32602;
const METHOD_NOT_FOUND: i32 = -32601;

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Notification {
    let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
    Notification::new(PublishDiagnostics::METHOD.to_string(), params)
}

fn lsp_range(src: &SourceFile, range: TextRange) -> lsp_types::Range {
    let pos = |offset: u32| {
        let (line, character) = src.line_index().utf16_position(&src.text, offset);
        Position { line, character }
    };
    lsp_types::Range { start: pos(range.start), end: pos(range.end) }
}

/// A finding as the CLI reports it: its code, Istio's message, our hint on the next line.
fn lsp_diagnostic(src: &SourceFile, d: &Diagnostic) -> lsp_types::Diagnostic {
    let severity = match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    let message = match &d.hint {
        Some(hint) => format!("{}\nhint: {hint}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: lsp_range(src, d.range),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.id().to_string())),
        source: Some("sidecarscope".into()),
        message,
        data: Some(serde_json::json!({ "path": d.path, "name": d.code.name() })),
        ..lsp_types::Diagnostic::default()
    }
}

fn completion_kind(k: CompletionKind) -> CompletionItemKind {
    match k {
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::EnumValue => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Namespace => CompletionItemKind::MODULE,
        CompletionKind::Host => CompletionItemKind::REFERENCE,
        CompletionKind::Label => CompletionItemKind::PROPERTY,
        CompletionKind::Port => CompletionItemKind::VALUE,
    }
}
