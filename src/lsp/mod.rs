//! The language server (`stowlint server`): diagnostics as you type, suppressions and quick
//! fixes as code actions, rule docs on hover. JSON-RPC over stdio.
//!
//! One thread reads frames ([`transport`]); the main thread owns the documents and lints.
//! Changes are coalesced: a document is linted at most [`DEBOUNCE`] after its first pending
//! change, with the latest text, and requests see fresh results (pending lints run first).

mod actions;
mod analysis;
mod convert;
mod transport;

pub use analysis::{Settings, settings_for};

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lt;
use serde_json::Value;

use analysis::{Analysis, Overlay, WorkspaceFacts};
use transport::{Incoming, Writer};

use crate::engine::Severity;
use crate::model::SourceFile;

/// How long changes are collected before a lint.
pub const DEBOUNCE: Duration = Duration::from_millis(15);

/// Serve on stdin/stdout until `exit` or the end of input; the process exit code.
#[must_use]
pub fn serve_stdio() -> u8 {
    let stdout = std::io::stdout();
    serve(std::io::stdin(), stdout.lock())
}

/// Serve on any pair of streams (tests use pipes).
pub fn serve<R: Read + Send + 'static, W: Write>(input: R, output: W) -> u8 {
    let (rx, reader) = transport::spawn_reader(input);
    let code = run(&rx, Server::new(Writer::new(output)));
    // The server returns on `exit` or the end of input, and the reader stops right after
    // passing either on: waiting for it leaves no thread behind (a fuzzer found one).
    drop(rx);
    if let Some(reader) = reader {
        let _ = reader.join();
    }
    code
}

fn run<W: Write>(rx: &std::sync::mpsc::Receiver<transport::Incoming>, mut server: Server<W>) -> u8 {
    loop {
        let incoming = match server.lint_deadline() {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(deadline) => rx.recv_timeout(deadline.saturating_duration_since(Instant::now())),
        };
        match incoming {
            Ok(Incoming::Message(msg)) => {
                if let Some(code) = server.handle(msg) {
                    return code;
                }
            }
            Ok(Incoming::Invalid { id, code, message }) => {
                eprintln!("stowlint server: {message}");
                server.out.send_raw_error(&id, code, &message);
            }
            Err(RecvTimeoutError::Timeout) => server.lint_pending(),
            Ok(Incoming::Eof) | Err(RecvTimeoutError::Disconnected) => {
                return u8::from(!server.shutdown);
            }
        }
    }
}

struct Document {
    uri: lt::Uri,
    version: i32,
    text: String,
    /// Absolute path for `file:` URIs; a made-up name for others (decides the file kind).
    path: PathBuf,
    on_disk: bool,
    analysis: Option<Analysis>,
}

struct Server<W: Write> {
    out: Writer<W>,
    docs: HashMap<String, Document>,
    roots: Vec<PathBuf>,
    pending: BTreeSet<String>,
    /// The document edited last: linted first of the pending ones, so the one the user types
    /// in gets its diagnostics before those its facts refresh.
    edited: Option<String>,
    pending_since: Option<Instant>,
    facts: WorkspaceFacts,
    initialized: bool,
    shutdown: bool,
}

/// Open documents, as context for linting another one.
struct OpenDocs<'a>(&'a HashMap<String, Document>);

impl Overlay for OpenDocs<'_> {
    fn open_text(&self, path: &Path) -> Option<&str> {
        self.0
            .values()
            .find(|d| d.on_disk && d.path == path)
            .map(|d| d.text.as_str())
    }

    fn open_fact_documents(&self) -> Vec<(&Path, &str)> {
        self.0
            .values()
            .filter(|d| d.on_disk && crate::discover::may_hold_claim_facts(&d.text))
            .map(|d| (d.path.as_path(), d.text.as_str()))
            .collect()
    }
}

impl<W: Write> Server<W> {
    fn new(out: Writer<W>) -> Self {
        Self {
            out,
            docs: HashMap::new(),
            roots: Vec::new(),
            pending: BTreeSet::new(),
            edited: None,
            pending_since: None,
            facts: WorkspaceFacts::default(),
            initialized: false,
            shutdown: false,
        }
    }

    fn lint_deadline(&self) -> Option<Instant> {
        self.pending_since.map(|t| t + DEBOUNCE)
    }

    /// `Some(exit code)` when the client says `exit`.
    fn handle(&mut self, msg: Message) -> Option<u8> {
        match msg {
            Message::Request(req) => self.request(req),
            Message::Notification(note) => return self.notification(note),
            Message::Response(_) => {}
        }
        None
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        if req.method == "initialize" {
            self.initialize(req);
            return;
        }
        if !self.initialized {
            self.error(id, ErrorCode::ServerNotInitialized, "initialize first");
            return;
        }
        if self.shutdown {
            self.error(id, ErrorCode::InvalidRequest, "the server is shutting down");
            return;
        }
        match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                self.out.send(Response::new_ok(id, Value::Null));
            }
            "textDocument/codeAction" => match serde_json::from_value(req.params) {
                Ok(params) => {
                    let result = self.code_actions(&params);
                    self.out.send(Response::new_ok(id, result));
                }
                Err(e) => self.error(id, ErrorCode::InvalidParams, &e.to_string()),
            },
            "textDocument/hover" => match serde_json::from_value(req.params) {
                Ok(params) => {
                    let result = self.hover(&params);
                    self.out.send(Response::new_ok(id, result));
                }
                Err(e) => self.error(id, ErrorCode::InvalidParams, &e.to_string()),
            },
            method => {
                let message = format!("unknown method `{method}`");
                self.error(id, ErrorCode::MethodNotFound, &message);
            }
        }
    }

    fn error(&mut self, id: RequestId, code: ErrorCode, message: &str) {
        self.out
            .send(Response::new_err(id, code as i32, message.to_string()));
    }

    #[allow(deprecated, reason = "rootUri/rootPath: older clients send only these")]
    fn initialize(&mut self, req: Request) {
        let params: lt::InitializeParams =
            serde_json::from_value(req.params.clone()).unwrap_or_default();
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| convert::uri_to_path(&f.uri))
            .collect();
        if roots.is_empty() {
            roots.extend(params.root_uri.as_ref().and_then(convert::uri_to_path));
        }
        if roots.is_empty() {
            roots.extend(params.root_path.as_ref().map(PathBuf::from));
        }
        self.roots = roots;
        self.initialized = true;
        let capabilities = lt::ServerCapabilities {
            text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
                lt::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lt::TextDocumentSyncKind::FULL),
                    save: Some(lt::TextDocumentSyncSaveOptions::SaveOptions(
                        lt::SaveOptions {
                            include_text: Some(false),
                        },
                    )),
                    ..Default::default()
                },
            )),
            hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
            code_action_provider: Some(lt::CodeActionProviderCapability::Options(
                lt::CodeActionOptions {
                    code_action_kinds: Some(vec![lt::CodeActionKind::QUICKFIX]),
                    ..Default::default()
                },
            )),
            workspace: Some(lt::WorkspaceServerCapabilities {
                workspace_folders: Some(lt::WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lt::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..Default::default()
        };
        let result = lt::InitializeResult {
            capabilities,
            server_info: Some(lt::ServerInfo {
                name: "stowlint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        self.out.send(Response::new_ok(req.id, result));
    }

    fn notification(&mut self, note: Notification) -> Option<u8> {
        match note.method.as_str() {
            "exit" => return Some(u8::from(!self.shutdown)),
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(note.params)
                {
                    let doc = p.text_document;
                    self.open(doc.uri, doc.version, doc.text, &doc.language_id);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) =
                    serde_json::from_value::<lt::DidChangeTextDocumentParams>(note.params)
                {
                    self.change(&p);
                }
            }
            "textDocument/didSave" => {
                if let Ok(p) = serde_json::from_value::<lt::DidSaveTextDocumentParams>(note.params)
                {
                    let key = p.text_document.uri.as_str().to_string();
                    if let Some(doc) = self.docs.get_mut(&key)
                        && let Some(text) = p.text
                    {
                        doc.text = text;
                    }
                    self.facts.invalidate();
                    self.touched(&key, None);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(note.params)
                {
                    self.close(&p.text_document.uri);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                self.facts.invalidate();
                self.pending.extend(self.docs.keys().cloned());
                self.pending_since.get_or_insert_with(Instant::now);
            }
            "workspace/didChangeWorkspaceFolders" => {
                if let Ok(p) =
                    serde_json::from_value::<lt::DidChangeWorkspaceFoldersParams>(note.params)
                {
                    let removed: Vec<PathBuf> = p
                        .event
                        .removed
                        .iter()
                        .filter_map(|f| convert::uri_to_path(&f.uri))
                        .collect();
                    self.roots.retain(|r| !removed.contains(r));
                    self.roots.extend(
                        p.event
                            .added
                            .iter()
                            .filter_map(|f| convert::uri_to_path(&f.uri)),
                    );
                    self.facts.invalidate();
                }
            }
            // `initialized`, `$/cancelRequest`, `$/setTrace`, unknown notifications: nothing
            // to do (requests are answered in order, so there is nothing to cancel).
            _ => {}
        }
        None
    }

    fn open(&mut self, uri: lt::Uri, version: i32, text: String, language_id: &str) {
        let (path, on_disk) = match convert::uri_to_path(&uri) {
            Some(p) if p.is_absolute() => (crate::model::lexical(&p), true),
            _ => (made_up_path(&uri, language_id), false),
        };
        let key = uri.as_str().to_string();
        self.docs.insert(
            key.clone(),
            Document {
                uri,
                version,
                text,
                path,
                on_disk,
                analysis: None,
            },
        );
        // An open document is linted at once: the user is waiting to see it.
        self.lint(&key);
        self.refresh_dependents(&key, None);
    }

    fn change(&mut self, p: &lt::DidChangeTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.get_mut(&key) else {
            return;
        };
        // Full sync: the last change holds the whole text. A client that sends ranges anyway
        // gets them applied.
        let old = std::mem::take(&mut doc.text);
        doc.text = convert::apply_changes(&old, &p.content_changes);
        doc.version = p.text_document.version;
        self.touched(&key, Some(&old));
    }

    /// A document changed: lint it soon, and the documents whose facts it may change.
    fn touched(&mut self, key: &str, old_text: Option<&str>) {
        if !self.docs.contains_key(key) {
            return;
        }
        self.pending.insert(key.to_string());
        self.edited = Some(key.to_string());
        self.pending_since.get_or_insert_with(Instant::now);
        self.refresh_dependents(key, old_text);
    }

    /// Claims and autoscalers feed other manifests; Dockerfiles feed compose files.
    fn refresh_dependents(&mut self, key: &str, old_text: Option<&str>) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let feeds = crate::discover::may_hold_claim_facts(&doc.text)
            || old_text.is_some_and(crate::discover::may_hold_claim_facts)
            || crate::discover::classify(&doc.path) == crate::parse::detect::NameClass::Dockerfile;
        if !feeds {
            return;
        }
        let others: Vec<String> = self.docs.keys().filter(|k| *k != key).cloned().collect();
        if !others.is_empty() {
            self.pending.extend(others);
            self.pending_since.get_or_insert_with(Instant::now);
        }
    }

    fn close(&mut self, uri: &lt::Uri) {
        let key = uri.as_str().to_string();
        let Some(doc) = self.docs.remove(&key) else {
            return;
        };
        self.pending.remove(&key);
        self.publish(uri.clone(), Vec::new(), None);
        // Its editor text no longer stands in for the disk.
        if crate::discover::may_hold_claim_facts(&doc.text) {
            self.pending.extend(self.docs.keys().cloned());
            self.pending_since.get_or_insert_with(Instant::now);
        }
    }

    fn lint_pending(&mut self) {
        let mut keys = std::mem::take(&mut self.pending);
        self.pending_since = None;
        if let Some(edited) = self.edited.take()
            && keys.remove(&edited)
        {
            self.lint(&edited);
        }
        for key in keys {
            self.lint(&key);
        }
    }

    fn root_of(&self, path: &Path) -> Option<PathBuf> {
        self.roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .cloned()
    }

    /// Lint one document and publish its diagnostics.
    fn lint(&mut self, key: &str) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let root = if doc.on_disk {
            self.root_of(&doc.path)
        } else {
            None
        };
        let overlay = OpenDocs(&self.docs);
        let facts = &mut self.facts;
        // A bug in a parser or rule must cost one document's diagnostics, not the session.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analysis::analyze(
                &doc.path,
                &doc.text,
                doc.on_disk,
                root.as_deref(),
                &overlay,
                facts,
            )
        }));
        let Ok(analysis) = result else {
            eprintln!("stowlint server: internal error while linting {key}");
            return;
        };
        let diagnostics = to_lsp_diagnostics(&analysis, &doc.uri);
        let (uri, version) = (doc.uri.clone(), doc.version);
        if let Some(doc) = self.docs.get_mut(key) {
            doc.analysis = Some(analysis);
        }
        self.publish(uri, diagnostics, Some(version));
    }

    fn publish(&mut self, uri: lt::Uri, diagnostics: Vec<lt::Diagnostic>, version: Option<i32>) {
        let params = lt::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.out.send(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ));
    }

    /// The document with fresh results (pending lints run first).
    fn fresh(&mut self, uri: &lt::Uri) -> Option<&Document> {
        if !self.pending.is_empty() {
            self.lint_pending();
        }
        let key = uri.as_str();
        if self.docs.get(key).is_some_and(|d| d.analysis.is_none()) {
            self.lint(key);
        }
        self.docs.get(key)
    }

    fn code_actions(&mut self, p: &lt::CodeActionParams) -> Vec<lt::CodeActionOrCommand> {
        let wants_quickfix = p.context.only.as_ref().is_none_or(|kinds| {
            kinds
                .iter()
                .any(|k| k.as_str() == "quickfix" || k.as_str().is_empty())
        });
        if !wants_quickfix {
            return Vec::new();
        }
        let Some(doc) = self.fresh(&p.text_document.uri) else {
            return Vec::new();
        };
        let Some(analysis) = &doc.analysis else {
            return Vec::new();
        };
        let Some(file) = analysis.file() else {
            return Vec::new();
        };
        let source = &file.source;
        let (from, to) = (
            convert::offset(source, p.range.start),
            convert::offset(source, p.range.end),
        );
        let lsp = to_lsp_diagnostics(analysis, &doc.uri);
        let mut out = Vec::new();
        let mut titles = std::collections::HashSet::new();
        for (d, ld) in analysis.diagnostics.iter().zip(lsp) {
            if d.span.end() < from || d.span.start() > to {
                continue;
            }
            for action in actions::actions(file, d) {
                // Two findings of one rule on one line offer one suppression.
                let edits: Vec<lt::TextEdit> = action
                    .edits
                    .iter()
                    .map(|e| lt::TextEdit {
                        range: lt::Range::new(
                            convert::position(source, source.pos(e.range.start)),
                            convert::position(source, source.pos(e.range.end)),
                        ),
                        new_text: e.text.clone(),
                    })
                    .collect();
                if !titles.insert((action.title.clone(), format!("{edits:?}"))) {
                    continue;
                }
                #[allow(
                    clippy::mutable_key_type,
                    reason = "lsp-types keys edits by Uri; its cache cell does not affect Hash"
                )]
                let changes = HashMap::from([(doc.uri.clone(), edits)]);
                out.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                    title: action.title,
                    kind: Some(lt::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![ld.clone()]),
                    edit: Some(lt::WorkspaceEdit {
                        changes: Some(changes),
                        ..Default::default()
                    }),
                    is_preferred: action.preferred.then_some(true),
                    ..Default::default()
                }));
            }
        }
        out
    }

    fn hover(&mut self, p: &lt::HoverParams) -> Option<lt::Hover> {
        let at = &p.text_document_position_params;
        let doc = self.fresh(&at.text_document.uri)?;
        let analysis = doc.analysis.as_ref()?;
        // Text that is none of ours still shows docs for the rules its comments name.
        let fallback;
        let source = match analysis.file() {
            Some(f) => &f.source,
            None => {
                fallback = SourceFile::new(&doc.path, doc.text.clone());
                &fallback
            }
        };
        let offset = convert::offset(source, at.position);
        let (markdown, range) = actions::hover(source, &analysis.diagnostics, offset)?;
        Some(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(lt::Range::new(
                convert::position(source, source.pos(range.start)),
                convert::position(source, source.pos(range.end)),
            )),
        })
    }
}

/// A name that tells the file's kind, for documents not on disk (`untitled:`): from the URI's
/// last segment when it says something, else from the language id. It lies under a folder
/// that does not exist, so nothing beside it (`.env`) is ever read.
fn made_up_path(uri: &lt::Uri, language_id: &str) -> PathBuf {
    let last = uri
        .as_str()
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("")
        .to_string();
    let by_name = PathBuf::from(&last);
    let name = if !last.is_empty()
        && crate::discover::classify(&by_name) != crate::parse::detect::NameClass::Skip
    {
        last
    } else {
        match language_id {
            "dockerfile" => "Dockerfile".into(),
            "dockercompose" | "yaml.docker-compose" => "compose.yaml".into(),
            "quadlet" | "podman-quadlet" => "untitled.container".into(),
            "github-actions-workflow" => ".github/workflows/untitled.yml".into(),
            _ => "untitled.yaml".into(),
        }
    };
    PathBuf::from("<unsaved>").join(name)
}

fn to_lsp_diagnostics(analysis: &Analysis, uri: &lt::Uri) -> Vec<lt::Diagnostic> {
    let Some(file) = analysis.file() else {
        return Vec::new();
    };
    let source = &file.source;
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let related: Vec<lt::DiagnosticRelatedInformation> = d
                .related
                .iter()
                .filter_map(|r| {
                    let other = analysis.source(&r.file)?;
                    let uri = if r.file == source.path {
                        uri.clone()
                    } else {
                        convert::path_to_uri(&r.file)?
                    };
                    Some(lt::DiagnosticRelatedInformation {
                        location: lt::Location::new(uri, convert::range(other, r.span)),
                        message: r.message.clone(),
                    })
                })
                .collect();
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            lt::Diagnostic {
                range: convert::range(source, d.span),
                severity: Some(match d.severity {
                    Severity::Error => lt::DiagnosticSeverity::ERROR,
                    Severity::Warning => lt::DiagnosticSeverity::WARNING,
                    Severity::Info => lt::DiagnosticSeverity::INFORMATION,
                }),
                code: Some(lt::NumberOrString::String(d.code.to_string())),
                code_description: lt::Uri::from_str(&crate::output::docs::rule_url(
                    d.code.as_str(),
                ))
                .ok()
                .map(|href| lt::CodeDescription { href }),
                source: Some("stowlint".into()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: None,
            }
        })
        .collect()
}
