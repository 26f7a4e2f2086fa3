//! The mount strings every container runtime shares, read once for every format: the `-v`
//! syntax `SRC:DST[:OPTS]` (compose's short syntax, `docker run -v`, `podman run -v`, Quadlet
//! `Volume=`, a CI job's `volumes:`), the `--mount` syntax `type=bind,source=...,target=...`
//! (Quadlet `Mount=`, a dev container's `mounts`), `--tmpfs PATH[:OPTS]`, and the `docker run`
//! flags that carry them in a command line (`runArgs`, a CI job's `options`).
//!
//! Each format says how a byte range of the string maps to the file and how it reads a source
//! (a [`Dialect`]); the strings themselves are read here.

use std::ops::Range;

use crate::model::{HostPath, Mount, MountKind, MountSource, MountSyntax, Span, Spanned};

/// Split a short-syntax volume `SOURCE:TARGET[:MODE]` into byte ranges, as Compose does: a
/// colon right after a single letter is a Windows drive (`C:\data`), and `${...}` left
/// unresolved is one opaque piece (its `:-` is no separator).
///
/// # Errors
/// An empty entry, an empty section between colons, or more than three sections.
pub fn split_spec(spec: &str) -> Result<Vec<Range<usize>>, &'static str> {
    if spec.is_empty() {
        return Err("empty volume entry");
    }
    if spec.len() <= 2 {
        return Ok(std::iter::once(0..spec.len()).collect());
    }
    let bytes = spec.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut depth, mut i) = (0, 0usize, 0);
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'$', Some(b'$')) => i += 1,
            (b'$', Some(b'{')) => {
                depth += 1;
                i += 1;
            }
            (b'}', _) if depth > 0 => depth -= 1,
            (b':', _) if depth == 0 => {
                let drive = i - start == 1 && bytes[start].is_ascii_alphabetic();
                if !drive {
                    parts.push(start..i);
                    start = i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(start..bytes.len());
    if parts.iter().any(Range::is_empty) {
        return Err("empty section between colons in volume entry");
    }
    if parts.len() > 3 {
        return Err("too many colons in volume entry");
    }
    Ok(parts)
}

/// Compose's test for a bind source: `.`, `/`, `~`, `\\` or a drive letter.
#[must_use]
pub fn is_file_path(source: &str) -> bool {
    let b = source.as_bytes();
    matches!(b.first(), Some(b'.' | b'/' | b'~'))
        || source.starts_with("\\\\")
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// Propagation modes of a bind (`-v` options, `bind-propagation=`).
pub const PROPAGATIONS: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// What a mount's source is, as the format reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Host(HostPath),
    Volume(String),
    /// Cannot be told (an unresolved specifier or variable): no finding may depend on it.
    Unknown,
}

/// How one format reads the mount strings it holds.
pub trait Dialect {
    /// The file span of a byte range of the string; the whole value's span when the string
    /// is not written as is (escapes, continuation lines).
    fn span(&self, range: Range<usize>) -> Span;
    /// The source of a `-v` entry: a host path or a named volume.
    fn source(&self, written: &str) -> Source;
    /// The source of a bind (`type=bind,source=...`): always a host path, maybe unknown.
    fn host(&self, written: &str) -> Option<HostPath>;
}

/// A `-v` entry `[SRC:]DST[:OPTS]`.
///
/// # Errors
/// The entry's shape is wrong (empty, too many colons).
pub fn volume_flag(spec: &str, d: &dyn Dialect, owner: &str) -> Result<Mount, String> {
    let parts = split_spec(spec).map_err(|e| format!("{owner}: {e}"))?;
    let (source, target) = if parts.len() == 1 {
        (None, parts[0].clone())
    } else {
        (Some(parts[0].clone()), parts[1].clone())
    };
    let mut m = Mount::new(
        MountKind::Anonymous,
        MountSyntax::VolumeFlag,
        &spec[target.clone()],
        d.span(target),
        owner,
    );
    m.span = d.span(0..spec.len());
    if let Some(range) = source {
        m.source_span = Some(d.span(range.clone()));
        match d.source(&spec[range]) {
            Source::Host(h) => {
                m.kind = MountKind::Bind;
                m.source = MountSource::Host(h);
            }
            Source::Volume(name) => {
                m.kind = MountKind::Volume;
                m.source = MountSource::Volume(name);
            }
            Source::Unknown => m.kind = MountKind::Unresolved,
        }
    }
    if let Some(opts) = parts.get(2) {
        let mut at = opts.start;
        for opt in spec[opts.clone()].split(',') {
            let range = at..at + opt.len();
            at += opt.len() + 1;
            match opt {
                "ro" | "readonly" => m.read_only = true,
                "rw" => m.read_only = false,
                "" => {}
                _ if PROPAGATIONS.contains(&opt) => {
                    m.propagation = Some(Spanned::new(opt.to_string(), d.span(range)));
                    m.options.push(opt.to_string());
                }
                _ => m.options.push(opt.to_string()),
            }
        }
    }
    Ok(m)
}

/// One `key[=value]` field of a `--mount` string, with byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub value: Option<String>,
    pub range: Range<usize>,
    pub value_range: Option<Range<usize>>,
}

/// The fields of a `--mount` string: comma-separated, a field may be quoted as CSV
/// (`"source=/a,b"`), as Docker and Podman read it.
#[must_use]
pub fn mount_fields(spec: &str) -> Vec<Field> {
    let mut out = Vec::new();
    let bytes = spec.as_bytes();
    let mut start = 0;
    let mut quoted = false;
    for i in 0..=bytes.len() {
        match bytes.get(i) {
            Some(b'"') => quoted = !quoted,
            Some(b',') if !quoted => {
                out.extend(field(spec, start..i));
                start = i + 1;
            }
            None => out.extend(field(spec, start..i)),
            _ => {}
        }
    }
    out
}

fn field(spec: &str, range: Range<usize>) -> Option<Field> {
    let mut r = range.clone();
    let text = &spec[r.clone()];
    if text.trim().is_empty() {
        return None;
    }
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        r = r.start + 1..r.end - 1;
    }
    let text = &spec[r.clone()];
    Some(match text.split_once('=') {
        Some((k, v)) => {
            let vstart = r.start + k.len() + 1;
            let (v, vr) = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                (&v[1..v.len() - 1], vstart + 1..vstart + v.len() - 1)
            } else {
                (v, vstart..vstart + v.len())
            };
            Field {
                key: k.trim().to_ascii_lowercase(),
                value: Some(v.to_string()),
                range,
                value_range: Some(vr),
            }
        }
        None => Field {
            key: text.trim().to_ascii_lowercase(),
            value: None,
            range,
            value_range: None,
        },
    })
}

/// A boolean field: bare (`readonly`) is true; `=true`, `=1`, `=yes` too.
fn truthy(f: &Field) -> bool {
    f.value
        .as_deref()
        .is_none_or(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on"))
}

/// A `--mount` string `type=bind,source=/x,target=/y[,readonly]`.
///
/// # Errors
/// No target, a bind without source, or an unknown type.
pub fn mount_flag(spec: &str, d: &dyn Dialect, owner: &str) -> Result<Mount, String> {
    let fields = mount_fields(spec);
    let get = |keys: &[&str]| fields.iter().find(|f| keys.contains(&f.key.as_str()));
    let Some(target) = get(&["target", "destination", "dst"]) else {
        return Err(format!("{owner}: mount without `target`"));
    };
    let target_text = target.value.clone().unwrap_or_default();
    let target_span = d.span(target.value_range.clone().unwrap_or(target.range.clone()));
    let kind = get(&["type"]).and_then(|f| f.value.clone());
    let mut m = Mount::new(
        MountKind::Anonymous,
        MountSyntax::MountFlag,
        &target_text,
        target_span,
        owner,
    );
    m.span = d.span(0..spec.len());
    let source =
        get(&["source", "src"]).filter(|f| f.value.as_deref().is_some_and(|v| !v.is_empty()));
    let source_text = source.and_then(|f| f.value.clone());
    m.source_span = source.map(|f| d.span(f.value_range.clone().unwrap_or(f.range.clone())));
    match kind.as_deref().unwrap_or("volume") {
        "bind" | "glob" => {
            m.kind = MountKind::Bind;
            let Some(src) = source_text else {
                return Err(format!("{owner}: bind mount without `source`"));
            };
            match d.host(&src) {
                Some(h) => m.source = MountSource::Host(h),
                None => m.kind = MountKind::Unresolved,
            }
        }
        "volume" => match source_text {
            Some(src) => match d.source(&src) {
                Source::Unknown => m.kind = MountKind::Unresolved,
                _ => {
                    m.kind = MountKind::Volume;
                    m.source = MountSource::Volume(src);
                }
            },
            None => m.source_span = None,
        },
        "tmpfs" | "ramfs" => {
            m.kind = MountKind::Tmpfs;
            m.source_span = None;
        }
        "image" => {
            m.kind = MountKind::Image;
            m.source = source_text.map_or(MountSource::None, MountSource::Volume);
        }
        "npipe" => {
            m.kind = MountKind::Npipe;
            if let Some(src) = source_text {
                m.source = d.host(&src).map_or(MountSource::None, MountSource::Host);
            }
        }
        "devpts" | "cluster" | "artifact" => {
            m.kind = MountKind::Other(kind.unwrap_or_default());
        }
        other => return Err(format!("{owner}: unknown mount type `{other}`")),
    }
    for f in &fields {
        match f.key.as_str() {
            "type" | "source" | "src" | "target" | "destination" | "dst" => {}
            "readonly" | "ro" => m.read_only = truthy(f),
            "rw" => m.read_only = !truthy(f),
            "bind-propagation" => {
                let span = d.span(f.value_range.clone().unwrap_or(f.range.clone()));
                m.propagation = f.value.clone().map(|v| Spanned::new(v, span));
            }
            "tmpfs-size" => {
                let span = d.span(f.range.clone());
                m.size = f.value.clone().map(|v| Spanned::new(v, span));
            }
            "volume-subpath" | "subpath" => m.sub_path.clone_from(&f.value),
            "bind-create-src" if truthy(f) => m.creates_host_path = m.source_span,
            _ => m.options.push(match &f.value {
                Some(v) => format!("{}={v}", f.key),
                None => f.key.clone(),
            }),
        }
    }
    Ok(m)
}

/// A `--tmpfs PATH[:OPTS]` entry (Quadlet `Tmpfs=`).
///
/// # Errors
/// The path is not absolute.
pub fn tmpfs_flag(spec: &str, d: &dyn Dialect, owner: &str) -> Result<Mount, String> {
    let (path, opts) = spec.split_once(':').unwrap_or((spec, ""));
    if !path.starts_with('/') && !path.starts_with('%') && !path.starts_with('$') {
        return Err(format!(
            "{owner}: tmpfs target `{path}` is not an absolute path"
        ));
    }
    let mut m = Mount::new(
        MountKind::Tmpfs,
        MountSyntax::TmpfsFlag,
        path,
        d.span(0..path.len()),
        owner,
    );
    m.span = d.span(0..spec.len());
    let mut at = path.len() + 1;
    for opt in opts.split(',') {
        let range = at..at + opt.len();
        at += opt.len() + 1;
        match opt.strip_prefix("size=") {
            Some(size) => m.size = Some(Spanned::new(size.to_string(), d.span(range))),
            None if opt == "ro" => m.read_only = true,
            None if !opt.is_empty() => m.options.push(opt.to_string()),
            None => {}
        }
    }
    Ok(m)
}

/// One of the readers above: a mount string, how its format maps it, the owner's name.
pub type Reader = fn(&str, &dyn Dialect, &str) -> Result<Mount, String>;

/// A flag of a command line that takes a value: makes the [`RunFlag`] from the value's range.
type TakesValue = fn(Range<usize>) -> RunFlag;

/// A storage flag of a `docker run` / `podman run` command line, with the byte range of its
/// value in the text the words came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunFlag {
    Volume(Range<usize>),
    Mount(Range<usize>),
    Tmpfs(Range<usize>),
    ReadOnly,
    Privileged,
}

impl RunFlag {
    /// The reader of a flag that carries a mount, with the range of its value.
    #[must_use]
    pub fn reader(&self) -> Option<(Reader, Range<usize>)> {
        match self {
            RunFlag::Volume(r) => Some((volume_flag, r.clone())),
            RunFlag::Mount(r) => Some((mount_flag, r.clone())),
            RunFlag::Tmpfs(r) => Some((tmpfs_flag, r.clone())),
            RunFlag::ReadOnly | RunFlag::Privileged => None,
        }
    }
}

/// The storage flags of a command line already split into words, each word with the byte
/// range it was written at (`None` when it cannot be mapped back): `-v X`, `-vX`,
/// `--volume X`, `--volume=X`, `--mount X`, `--mount=X`, `--tmpfs X`, `--read-only`,
/// `--privileged`. Ranges point into the value of the word that holds it.
#[must_use]
pub fn run_flags(words: &[(String, Range<usize>)]) -> Vec<(usize, RunFlag)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (w, _) = &words[i];
        let long = |name: &str| -> Option<Option<usize>> {
            if w == name {
                Some(None)
            } else {
                w.strip_prefix(name)
                    .and_then(|r| r.strip_prefix('='))
                    .map(|_| Some(name.len() + 1))
            }
        };
        let mut flag: Option<(TakesValue, Option<usize>)> = None;
        if let Some(at) = long("--volume") {
            flag = Some((RunFlag::Volume, at));
        } else if let Some(at) = long("--mount") {
            flag = Some((RunFlag::Mount, at));
        } else if let Some(at) = long("--tmpfs") {
            flag = Some((RunFlag::Tmpfs, at));
        } else if w == "-v" {
            flag = Some((RunFlag::Volume, None));
        } else if w.starts_with("-v") && w.len() > 2 && !w.starts_with("--") {
            flag = Some((RunFlag::Volume, Some(2)));
        } else if w == "--read-only" || w == "--read-only=true" {
            out.push((i, RunFlag::ReadOnly));
        } else if w == "--privileged" || w == "--privileged=true" {
            out.push((i, RunFlag::Privileged));
        }
        match flag {
            Some((make, Some(at))) => {
                out.push((i, make(at..w.len())));
            }
            Some((make, None)) => {
                if let Some((v, _)) = words.get(i + 1) {
                    out.push((i + 1, make(0..v.len())));
                    i += 1;
                }
            }
            None => {}
        }
        i += 1;
    }
    out
}

/// The words of a shell-like command line with the byte range of each, for words written
/// plainly (no quotes or escapes); a quoted word gets its whole written range and its value
/// unquoted. `None` when a quote is left open.
#[must_use]
pub fn words_with_ranges(text: &str) -> Option<Vec<(String, Range<usize>)>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quoted = None;
        while i < bytes.len() && (quoted.is_some() || !bytes[i].is_ascii_whitespace()) {
            match (quoted, bytes[i]) {
                (None, q @ (b'"' | b'\'')) => quoted = Some(q),
                (Some(q), b) if b == q => quoted = None,
                (_, b'\\') => i += 1,
                _ => {}
            }
            i += 1;
        }
        if quoted.is_some() {
            return None;
        }
        let end = i.min(bytes.len());
        let written = &text[start..end];
        let value = crate::words::split(written)?.concat();
        out.push((value, start..end));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceFile;

    struct Plain(SourceFile);

    impl Dialect for Plain {
        fn span(&self, range: Range<usize>) -> Span {
            self.0.span(range)
        }
        fn source(&self, written: &str) -> Source {
            if is_file_path(written) {
                Source::Host(crate::model::paths::host_path(
                    written,
                    std::path::Path::new(""),
                ))
            } else {
                Source::Volume(written.to_string())
            }
        }
        fn host(&self, written: &str) -> Option<HostPath> {
            Some(crate::model::paths::host_path(
                written,
                std::path::Path::new(""),
            ))
        }
    }

    fn plain(text: &str) -> Plain {
        Plain(SourceFile::new("x", text.to_string()))
    }

    #[test]
    fn volume_flags() {
        let d = plain("/etc:/host/etc:ro,z,rshared");
        let m = volume_flag(&d.0.text, &d, "unit app").unwrap();
        assert_eq!(m.kind, MountKind::Bind);
        assert!(m.read_only);
        assert_eq!(m.target, "/host/etc");
        assert_eq!(m.target_span.text(&d.0.text), "/host/etc");
        assert_eq!(m.source_span.unwrap().text(&d.0.text), "/etc");
        assert_eq!(
            m.propagation.as_ref().unwrap().span.text(&d.0.text),
            "rshared"
        );
        assert_eq!(m.options, ["z", "rshared"]);
        let d = plain("data:/var/lib/x");
        let m = volume_flag(&d.0.text, &d, "o").unwrap();
        assert_eq!(m.kind, MountKind::Volume);
        let d = plain("/scratch");
        assert_eq!(
            volume_flag(&d.0.text, &d, "o").unwrap().kind,
            MountKind::Anonymous
        );
        let d = plain("ab:/c:ro:x");
        assert!(volume_flag(&d.0.text, &d, "o").is_err());
    }

    #[test]
    fn mount_flags() {
        let text =
            r#"type=bind,source=/var/run/docker.sock,target=/var/run/docker-host.sock,readonly"#;
        let d = plain(text);
        let m = mount_flag(text, &d, "o").unwrap();
        assert_eq!(m.kind, MountKind::Bind);
        assert!(m.read_only);
        assert_eq!(m.source_span.unwrap().text(text), "/var/run/docker.sock");
        assert_eq!(m.target_span.text(text), "/var/run/docker-host.sock");
        let text = "type=tmpfs,destination=/cache,tmpfs-size=64m";
        let d = plain(text);
        let m = mount_flag(text, &d, "o").unwrap();
        assert_eq!(m.kind, MountKind::Tmpfs);
        assert_eq!(m.size.unwrap().value, "64m");
        let text = "type=volume,src=pg,dst=/data,rw=true";
        let d = plain(text);
        let m = mount_flag(text, &d, "o").unwrap();
        assert_eq!((m.kind, m.read_only), (MountKind::Volume, false));
        let text = "\"type=bind,src=/a\",target=/b";
        assert_eq!(mount_fields(text).len(), 2);
        let d = plain("type=bind,target=/x");
        assert!(mount_flag(&d.0.text, &d, "o").is_err());
        let d = plain("type=weird,target=/x");
        assert!(mount_flag(&d.0.text, &d, "o").is_err());
    }

    #[test]
    fn tmpfs_flags() {
        let d = plain("/run:size=64m,mode=1777");
        let m = tmpfs_flag(&d.0.text, &d, "o").unwrap();
        assert_eq!(m.target, "/run");
        assert_eq!(m.size.as_ref().unwrap().value, "64m");
        assert_eq!(m.size.unwrap().span.text(&d.0.text), "size=64m");
        let d = plain("relative");
        assert!(tmpfs_flag(&d.0.text, &d, "o").is_err());
    }

    #[test]
    fn command_line_flags() {
        let text = "--privileged -v /a:/b --volume=/c:/d --mount type=bind,src=/e,dst=/f -v/g:/h --tmpfs /t --cpus 2";
        let words = words_with_ranges(text).unwrap();
        let flags = run_flags(&words);
        let values: Vec<&str> = flags
            .iter()
            .filter_map(|(i, f)| match f {
                RunFlag::Volume(r) | RunFlag::Mount(r) | RunFlag::Tmpfs(r) => {
                    Some(&words[*i].0[r.clone()])
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            values,
            ["/a:/b", "/c:/d", "type=bind,src=/e,dst=/f", "/g:/h", "/t"]
        );
        assert!(flags.iter().any(|(_, f)| *f == RunFlag::Privileged));
        let words = words_with_ranges(r#"-v "/x y:/z" --name 'a'"#).unwrap();
        assert_eq!(words[1].0, "/x y:/z");
        assert_eq!(words[1].1, 3..12);
        assert!(words_with_ranges("-v 'open").is_none());
    }
}
