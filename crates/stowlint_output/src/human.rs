//! The human report: a rustc-style header, the source snippet drawn by miette, `help:` and
//! `note:` lines, and a closing summary.

use std::fmt::{self, Write as _};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Report, Summary, escape_controls, path_shown};
use crate::engine::{Diagnostic, Severity};
use crate::model::{SourceFile, Span};

/// Fixed so reports (and their snapshots) do not depend on the terminal.
pub const WIDTH: usize = 100;

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub color: bool,
}

#[must_use]
pub fn render(report: &Report, opts: Options) -> String {
    super::to_string(|w| write(report, opts, w))
}

/// Findings rendered at once, shared among the cores, before they are written: enough to keep
/// the cores busy, few enough that a large report is never held in memory whole.
const WINDOW: usize = 2048;

/// [`render`], written to `w` a window of findings at a time, each window rendered on all
/// cores (snippets are the costly part of a large report).
pub fn write(report: &Report, opts: Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_findings(report, opts, w)?;
    let mut out = summary_line(&report.summary(), opts);
    out.push('\n');
    w.write_all(out.as_bytes())
}

/// [`write`] without the closing summary line (`check --quiet`): the findings only.
pub fn write_findings(
    report: &Report,
    opts: Options,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_context_lines(1)
        .with_links(false)
        .without_syntax_highlighting();
    let per_worker = WINDOW.div_ceil(crate::par::workers(WINDOW));
    let mut files = report.files().peekable();
    while files.peek().is_some() {
        // A window: files read back until it holds enough findings.
        let mut window: Vec<super::FileReport> = Vec::new();
        let mut found = 0;
        while found < WINDOW
            && let Some(file) = files.next()
        {
            found += file.diagnostics.len();
            window.push(file);
        }
        let items: Vec<(Option<&SourceFile>, &Diagnostic)> = window
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(move |d| (f.source.as_deref(), d)))
            .collect();
        let parts: Vec<&[(Option<&SourceFile>, &Diagnostic)]> = items.chunks(per_worker).collect();
        let rendered = crate::par::map(&parts, |_, part| {
            let mut out = String::new();
            for &(source, d) in *part {
                render_one(&mut out, source, d, &handler, opts);
                out.push('\n');
            }
            out
        });
        for part in rendered {
            w.write_all(part.as_bytes())?;
        }
    }
    Ok(())
}

fn render_one(
    out: &mut String,
    source: Option<&SourceFile>,
    d: &Diagnostic,
    handler: &GraphicalReportHandler,
    opts: Options,
) {
    let head = paint(
        &format!("{}[{}]", d.severity, d.code),
        severity_style(d.severity),
        opts,
    );
    let _ = writeln!(out, "{head}: {}", bold(&escape_controls(&d.message), opts));

    let source = source.filter(|s| !s.text.is_empty());
    let mut snippet_rendered = false;
    if let Some(source) = source {
        let view = View::new(d, source);
        let mut text = String::new();
        if handler.render_report(&mut text, &view).is_ok() {
            // miette opens with the message line (`× ...`); ours is the header above.
            if let Some((_, rest)) = text.split_once('\n') {
                out.push_str(rest.trim_end_matches('\n'));
                out.push('\n');
                snippet_rendered = true;
            }
        }
    }
    if !snippet_rendered {
        // Nothing to show (an unreadable file): the location alone.
        let _ = writeln!(
            out,
            "  {} {}:{}",
            paint("-->", Style::Dim, opts),
            path_shown(&d.file),
            d.location
        );
        if let Some(help) = &d.help {
            let help = escape_controls(help);
            let _ = writeln!(out, "  {} {help}", paint("help:", Style::Help, opts));
        }
    }
    for r in d.related.iter().filter(|r| !drawn_inline(d, r)) {
        let _ = writeln!(
            out,
            "  {} {}:{}: {}",
            paint("note:", Style::Note, opts),
            path_shown(&r.file),
            r.location,
            escape_controls(&r.message)
        );
    }
}

/// `Found 2 errors, 1 warning, 0 infos in 3 files.` or `All checked: ...`; never green when
/// nothing was linted or a path could not be read.
#[must_use]
pub fn summary_line(s: &Summary, opts: Options) -> String {
    let files = plural(s.files, "file", "files");
    if s.failed_paths > 0 {
        let paths = plural(s.failed_paths, "path", "paths");
        let line = format!(
            "Run failed: {paths} could not be read (see above); {}, {}, {} in {files} linted.",
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings"),
            plural(s.infos, "info", "infos"),
        );
        return bold(&line, opts);
    }
    if s.errors + s.warnings + s.infos == 0 {
        if s.files == 0 {
            return "Nothing linted: no Dockerfile, compose file or Kubernetes manifest was found."
                .to_string();
        }
        return format!("All checked: no findings in {files}.");
    }
    let line = format!(
        "Found {}, {}, {} in {files}.",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "infos"),
    );
    bold(&line, opts)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[derive(Clone, Copy)]
enum Style {
    Error,
    Warning,
    Info,
    Help,
    Note,
    Dim,
    Bold,
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => Style::Error,
        Severity::Warning => Style::Warning,
        Severity::Info => Style::Info,
    }
}

fn paint(text: &str, style: Style, opts: Options) -> String {
    if !opts.color {
        return text.to_string();
    }
    // The same ANSI colors miette's theme uses for its severities.
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Info => "1;36",
        Style::Help => "36",
        Style::Note => "1;34",
        Style::Dim => "2",
        Style::Bold => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn bold(text: &str, opts: Options) -> String {
    paint(text, Style::Bold, opts)
}

/// A diagnostic as miette sees it. Its message is empty: the header is written by us.
struct View<'a> {
    severity: miette::Severity,
    help: Option<std::borrow::Cow<'a, str>>,
    labels: Vec<LabeledSpan>,
    source: IndexedSource<'a>,
}

impl<'a> View<'a> {
    fn new(d: &'a Diagnostic, source: &'a SourceFile) -> Self {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(d.name().to_string()),
            source_span(d.span, source),
        )];
        labels.extend(d.related.iter().filter(|r| drawn_inline(d, r)).map(|r| {
            LabeledSpan::new_with_span(
                Some(escape_controls(&r.message).into_owned()),
                source_span(r.span, source),
            )
        }));
        Self {
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            help: d.help.as_deref().map(escape_controls),
            labels,
            source: IndexedSource::new(source, path_shown(&source.path)),
        }
    }
}

/// Related locations drawn in the snippet: same file, and not far above the primary span.
/// miette draws snippets in file order and names the first one in its header, so a label far
/// above would hide where the finding is; those become `note:` lines instead.
fn drawn_inline(d: &Diagnostic, r: &crate::engine::Related) -> bool {
    r.file == d.file
        && (r.span.start() >= d.span.start()
            || d.location.start.line.saturating_sub(r.location.start.line) <= 2)
}

/// A span miette can draw: clamped to the text.
fn source_span(span: Span, source: &SourceFile) -> SourceSpan {
    let len = source.text.len();
    let start = span.start().min(len);
    let end = span.end().clamp(start, len);
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("View")
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// miette's own `SourceCode` for strings scans the file from the start for every label; this
/// one finds lines with the file's [`LineIndex`](crate::model::LineIndex) and slices only the
/// lines around the span.
pub struct IndexedSource<'a> {
    file: &'a SourceFile,
    /// The file's text with control characters other than line breaks and tabs replaced by
    /// `?` byte for byte (offsets unchanged): an escape sequence in a file must not reach the
    /// terminal that shows its snippet.
    text: std::borrow::Cow<'a, str>,
    /// The name shown in the snippet header.
    name: String,
    /// The last lines of a file that ends with a newline, plus a space standing for the empty
    /// line after it: miette draws no line that has no character, so a point at the very end
    /// (a YAML error at end of input) would lose its marker.
    tail: Option<(usize, String)>,
}

/// `text` with every control character but a line break or a tab (a CR only before a line
/// feed) replaced by `?`, one per byte, so every offset still points where it did.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let unsafe_at = |i: usize| {
        let b = bytes[i];
        (b < 0x20 && b != b'\n' && b != b'\t' && !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
            || b == 0x7f
    };
    let has_other = text
        .chars()
        .any(|c| !c.is_ascii() && super::is_unsafe_char(c));
    if !has_other && !(0..bytes.len()).any(unsafe_at) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c.is_ascii() {
            out.push(if unsafe_at(i) { '?' } else { c });
        } else if super::is_unsafe_char(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How many lines the padded tail keeps: more than any context a report asks for.
const TAIL_LINES: usize = 8;

impl<'a> IndexedSource<'a> {
    #[must_use]
    pub fn new(file: &'a SourceFile, name: String) -> Self {
        let text = printable(&file.text);
        let tail = text.ends_with('\n').then(|| {
            let first = file.index.line_count().saturating_sub(TAIL_LINES).max(1);
            let start = file.index.line_start(first);
            (start, format!("{} ", &text[start..]))
        });
        Self {
            file,
            text,
            name,
            tail,
        }
    }

    fn slice(&self, start: usize, end: usize, at_eof: bool) -> &[u8] {
        let text = self.text.as_bytes();
        match &self.tail {
            Some((tail_start, tail)) if at_eof && start >= *tail_start => tail
                .as_bytes()
                .get(start - tail_start..)
                .unwrap_or_default(),
            _ => text.get(start..end).unwrap_or_default(),
        }
    }
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.text;
        let index = &self.file.index;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let start_pos = self.file.pos(start);
        // The last byte of the span decides its last line: a span ending in a newline ends on
        // the line that newline closes.
        let end_line = self.file.pos(end.saturating_sub(1).max(start)).line;
        let first = start_pos.line.saturating_sub(context_lines_before).max(1);
        let last = (end_line + context_lines_after).min(index.line_count());
        // Like miette's own sources: without leading context, the data starts at the span.
        let (data_start, column) = if context_lines_before == 0 {
            (start, start_pos.column - 1)
        } else {
            (index.line_start(first), 0)
        };
        let data_end = if last < index.line_count() {
            index.line_start(last + 1)
        } else {
            text.len()
        };
        // Only a span reaching the end of input needs the stand-in for the line after it.
        let data = self.slice(data_start, data_end, end == text.len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(data_start.into(), data.len()),
            first - 1,
            column,
            last - first + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Project;

    #[test]
    fn indexed_source_slices_the_lines_around_a_span() {
        let file = SourceFile::new("a.yaml", "one\ntwo\nthree\nfour\nfive\n".to_string());
        let src = IndexedSource::new(&file, "a.yaml".into());
        // `three`, one line of context each side.
        let c = src
            .read_span(&SourceSpan::new(8.into(), 5), 1, 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.data(), b"two\nthree\nfour\n");
        assert_eq!(c.line(), 1);
        assert_eq!(c.column(), 0);
        assert_eq!(c.line_count(), 3);
        assert_eq!(c.span().offset(), 4);
        let c = src
            .read_span(&SourceSpan::new(10.into(), 1), 0, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.line(), c.column()), (2, 2));
        assert!(src.read_span(&SourceSpan::new(30.into(), 1), 1, 1).is_err());
        // The end of input gets a stand-in character so miette can draw a marker there.
        let c = src
            .read_span(&SourceSpan::new(24.into(), 0), 1, 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.data(), b"five\n ");
        assert_eq!((c.line(), c.line_count()), (4, 2));
    }

    fn diagnostic(file: &str, span: Span, severity: Severity) -> Diagnostic {
        Diagnostic {
            code: crate::engine::Code::ContainerRuntimeSocket,
            severity,
            message: "service ci mounts the runtime socket".into(),
            help: Some("use a socket proxy".into()),
            file: file.into(),
            span,
            location: crate::model::Location::default(),
            related: Vec::new(),
            subject: None,
        }
    }

    #[test]
    fn related_locations_are_labels_here_and_notes_elsewhere() {
        let text = "services:\n  ci:\n    volumes:\n      - /var/run/docker.sock:/sock\n";
        let file = SourceFile::new("compose.yaml", text.to_string());
        let start = text.find("/var").unwrap_or_default();
        let target = text.find("/sock").unwrap_or_default();
        let mut d = diagnostic(
            "compose.yaml",
            file.span(start..start + 20),
            Severity::Warning,
        );
        d.label(file.span(target..target + 5), "reachable here");
        d.related("other.yaml", file.span(0..8), "declared here");
        let project = Project::new(vec![crate::model::FileModel::new(file, None)]);
        let mut diags = [d];
        crate::engine::locate(&project, &mut diags);
        // Not in the project: located as if other.yaml began like compose.yaml.
        diags[0].related[1].location = project.files[0].source.location(diags[0].related[1].span);
        let out = render(&Report::new(&diags, &project), Options::default());
        assert!(out.starts_with("warning[SL102]: service ci mounts the runtime socket\n"));
        assert!(out.contains("[compose.yaml:4:9]"), "{out}");
        assert!(out.contains("container-runtime-socket"), "{out}");
        assert!(out.contains("reachable here"), "{out}");
        assert!(out.contains("  help: use a socket proxy\n"), "{out}");
        assert!(
            out.contains("  note: other.yaml:1:1: declared here\n"),
            "{out}"
        );
        assert!(out.ends_with("Found 0 errors, 1 warning, 0 infos in 1 file.\n"));
    }

    #[test]
    fn a_diagnostic_without_source_shows_its_location() {
        let project = Project::default();
        let diags = [diagnostic("gone.yaml", Span::default(), Severity::Info)];
        let out = render(&Report::new(&diags, &project), Options::default());
        assert!(
            out.starts_with(
                "info[SL102]: service ci mounts the runtime socket\n  --> gone.yaml:0:0\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn summary_lines() {
        let opts = Options::default();
        let s = Summary {
            files: 3,
            errors: 2,
            warnings: 1,
            infos: 0,
            failed_paths: 0,
        };
        assert_eq!(
            summary_line(&s, opts),
            "Found 2 errors, 1 warning, 0 infos in 3 files."
        );
        let s = Summary {
            files: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s, opts),
            "All checked: no findings in 1 file."
        );
        let nothing = summary_line(&Summary::default(), opts);
        assert!(nothing.starts_with("Nothing linted"), "{nothing}");
        let failed = Summary {
            failed_paths: 1,
            ..Summary::default()
        };
        assert!(summary_line(&failed, opts).starts_with("Run failed: 1 path could not be read"));
    }
}
