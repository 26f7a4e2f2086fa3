//! File classification: the file name first, then the content (RULES.md "Inputs").

use std::path::Path;

use crate::SideFiles;
use crate::model::{Format, SourceFile};
use crate::yaml::{Node, Stream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameClass {
    Dockerfile,
    /// Named like a compose file: parsed as compose whatever it holds.
    Compose,
    /// Other YAML: classified by content.
    Yaml,
    /// A Podman Quadlet extension (`.container`, `.volume`, `.pod`, `.kube`, `.build`): a
    /// unit only when it holds the section of its kind (a Perl `.pod` file does not).
    Quadlet,
    /// `devcontainer.json`, `.devcontainer.json`: JSON with comments.
    Devcontainer,
    /// A GitHub Actions workflow (`.github/workflows/*.yml`): linted when a job runs in or
    /// beside containers, else skipped like other CI files.
    Workflow,
    /// Not ours: other extensions, CI files, Helm templates (by [`classify`]).
    Skip,
}

/// Whether the file is named for podman-compose (`podman-compose.yml`,
/// `podman-compose-addition.yaml`): the Python tool that runs it reads YAML with PyYAML, which
/// keeps the last value of a key written twice where `docker compose` refuses the file.
#[must_use]
pub fn is_podman_compose_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().starts_with("podman-compose"))
}

/// Classify by name alone. A Helm chart's templates are YAML by name: [`classify`] (and
/// [`parse_file`](super::parse_file)) also look for the chart's `Chart.yaml`.
#[must_use]
pub fn by_name(path: &Path) -> NameClass {
    // By its bytes: a name that is not UTF-8 is still a compose file to Docker
    // (`compose\xff.yaml`), so it must not hide from the gate; invalid bytes read as U+FFFD.
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return NameClass::Skip;
    };
    let lower = name.to_ascii_lowercase();
    // BuildKit's per-Dockerfile ignore file (`Dockerfile.dockerignore`,
    // `Dockerfile.prod.dockerignore`) sits beside it and is no Dockerfile.
    if lower.ends_with(".dockerignore") {
        return NameClass::Skip;
    }
    let suffixed = lower
        .strip_prefix("dockerfile.")
        .or_else(|| lower.strip_prefix("containerfile."));
    if lower == "dockerfile"
        || lower == "containerfile"
        || suffixed.is_some_and(|suffix| !is_other_language(suffix))
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
    {
        return NameClass::Dockerfile;
    }
    if crate::quadlet::section_for(Path::new(&*lower)).is_some() {
        return if is_template_path(path) {
            NameClass::Skip
        } else {
            NameClass::Quadlet
        };
    }
    if lower == "devcontainer.json"
        || lower == ".devcontainer.json"
        || lower.ends_with(".devcontainer.json")
    {
        return if is_template_path(path) {
            NameClass::Skip
        } else {
            NameClass::Devcontainer
        };
    }
    let Some(stem) = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
        .or_else(|| lower.strip_suffix(".json"))
    else {
        return NameClass::Skip;
    };
    if is_workflow(path) && !is_template_path(path) {
        return NameClass::Workflow;
    }
    if is_template_path(path) || is_ci_file(path, &lower) {
        return NameClass::Skip;
    }
    if lower.ends_with(".json") {
        // JSON is YAML: Kubernetes manifests (`kubectl get -o json`), classified by content.
        return NameClass::Yaml;
    }
    if stem == "compose" || stem.starts_with("compose.") || stem.starts_with("docker-compose") {
        return NameClass::Compose;
    }
    NameClass::Yaml
}

/// `Dockerfile.<suffix>` names a variant (`Dockerfile.dev`, `Dockerfile.alpine`), but a suffix
/// that is another language's extension names source code about Dockerfiles
/// (`dockerfile.rs`, `dockerfile.go`) or a template that must be rendered first
/// (`Dockerfile.template`, `Dockerfile.j2`).
fn is_other_language(suffix: &str) -> bool {
    const OTHER: &[&str] = &[
        "rs", "go", "py", "js", "mjs", "ts", "java", "kt", "rb", "php", "c", "h", "cc", "cpp",
        "cs", "swift", "scala", "sh", "bash", "ps1", "md", "rst", "txt", "json", "yaml", "yml",
        "toml", "xml", "html", "lock", "snap", "orig", "rej", "template", "tmpl", "tpl", "j2",
        "jinja", "jinja2", "erb", "mustache", "hbs", "gotmpl", "in", "m4",
    ];
    OTHER.contains(&suffix)
}

/// CI pipeline files, by name: none of them is compose or Kubernetes.
const CI_FILES: &[&str] = &[
    ".gitlab-ci",
    ".travis",
    ".drone",
    ".woodpecker",
    "bitbucket-pipelines",
    "azure-pipelines",
    "cloudbuild",
    "appveyor",
    ".appveyor",
    "codecov",
    ".codecov",
    ".cirrus",
    ".buildkite",
];

/// A `.json` file name.
#[must_use]
pub fn is_json_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// A cheap filter before parsing JSON: does it name an `apiVersion` and a `kind`?
#[must_use]
pub fn may_be_json_manifest(text: &str) -> bool {
    text.contains("\"apiVersion\"") && text.contains("\"kind\"")
}

/// Whether the text is a Dockerfile: its first line that is no comment or blank is an
/// instruction a Dockerfile starts with (`FROM`, `ARG`), or it opens with a parser directive
/// (`# syntax=`, `# escape=`). YAML (`FROM: x`) stays YAML.
#[must_use]
pub fn looks_like_dockerfile(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let directive = comment.trim_start().to_ascii_lowercase();
            if directive.starts_with("syntax=") || directive.starts_with("escape=") {
                return true;
            }
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or("");
        let rest = line[word.len()..].trim();
        return (word.eq_ignore_ascii_case("from") || word.eq_ignore_ascii_case("arg"))
            && !rest.is_empty();
    }
    false
}

/// Classify by name, and YAML under a Helm chart's `templates/` folder (see
/// [`is_helm_template`]) as [`NameClass::Skip`].
#[must_use]
pub fn classify(path: &Path, files: &dyn SideFiles) -> NameClass {
    match by_name(path) {
        NameClass::Compose | NameClass::Yaml if is_helm_template(path, files) => NameClass::Skip,
        class => class,
    }
}

/// Whether `path` is a CI configuration (`.gitlab-ci.yml`, `.github/workflows/*`).
#[must_use]
pub fn is_ci_path(path: &Path) -> bool {
    let lower = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    is_ci_file(path, &lower)
}

fn is_ci_file(path: &Path, lower_name: &str) -> bool {
    let stem = lower_name
        .strip_suffix(".yaml")
        .or_else(|| lower_name.strip_suffix(".yml"))
        .unwrap_or(lower_name);
    if CI_FILES.contains(&stem) {
        return true;
    }
    let comps: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    comps.windows(2).any(|w| {
        (w[0] == ".github" && (w[1] == "workflows" || w[1] == "actions"))
            || (w[0] == ".circleci" && matches!(&*w[1], "config.yml" | "config.yaml"))
            || w[0] == ".woodpecker"
            || w[0] == ".buildkite"
    })
}

/// A GitHub Actions workflow: a `.yml`/`.yaml` file right inside `.github/workflows/`
/// (GitHub reads no subfolder there).
fn is_workflow(path: &Path) -> bool {
    let comps: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    comps.len() >= 3 && comps[comps.len() - 3] == ".github" && comps[comps.len() - 2] == "workflows"
}

/// Files under a folder whose name is a template (`{{ cookiecutter.project_slug }}/`): not
/// rendered yet, like Helm templates.
fn is_template_path(path: &Path) -> bool {
    path.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| c.as_os_str().to_string_lossy().contains("{{"))
    })
}

/// Whether text holds template markers (`{{ .Values.x }}`, `{{- range }}`, Jinja's
/// `{% if %}`, Groovy's or ERB's `<% if (db) print '...' %>`): a Go, Jinja, mustache, Groovy
/// or ERB template, not YAML (or a Dockerfile) until rendered.
#[must_use]
pub fn has_template_markers(text: &str) -> bool {
    let pair = |l: &str, open: &str, close: &str| {
        l.find(open)
            .is_some_and(|i| l[i + open.len()..].contains(close))
    };
    // Groovy's and ERB's blocks span lines (a branch prints several lines of YAML).
    text.lines()
        .any(|l| crate::model::has_template_placeholder(l) || pair(l, "{%", "%}"))
        || pair(text, "<%", "%>")
}

/// Whether a `printf` verb starts at byte `at` of `text` (`%s`, `%d`, `%-5v`, `%q`, Python's
/// `%(name)s`): where YAML cannot read a `%` (it starts no plain scalar), a file that holds one
/// there is a format string a program fills in (Go's `fmt.Sprintf` over an embedded
/// `pod-template.yaml`, Python's `%` operator), not YAML until rendered.
#[must_use]
pub fn is_printf_verb_at(text: &str, at: usize) -> bool {
    let Some(rest) = text.get(at..).and_then(|t| t.strip_prefix('%')) else {
        return false;
    };
    let mut chars = rest.chars().peekable();
    // Python's mapping key: `%(name)s`.
    if chars.peek() == Some(&'(') {
        chars.next();
        let mut key = 0;
        loop {
            match chars.next() {
                Some(')') if key > 0 => break,
                Some(c) if c.is_ascii_alphanumeric() || c == '_' => key += 1,
                _ => return false,
            }
        }
    }
    while chars.peek().is_some_and(|c| "-+# 0".contains(*c)) {
        chars.next();
    }
    while chars.peek().is_some_and(char::is_ascii_digit) {
        chars.next();
    }
    if chars.peek() == Some(&'.') {
        chars.next();
        while chars.peek().is_some_and(char::is_ascii_digit) {
            chars.next();
        }
    }
    // The verb, then the end of the word: `%sfoo` is no verb.
    chars
        .next()
        .is_some_and(|v| "sdvqxXfFeEgGtbcoiu".contains(v))
        && !chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The line of `text` that holds byte `at` (without its line break).
fn line_at(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    Some(&text[start..end])
}

/// Whether the line that holds byte `at` of `text` is a shell-style placeholder standing
/// alone (`$CA_CERT`, `${EXTRA_ENV}`): where YAML cannot be read there, the file is an
/// `envsubst` template whose script puts a block (a certificate, a list of entries) in that
/// line's place, not YAML until rendered.
#[must_use]
pub fn is_placeholder_line_at(text: &str, at: usize) -> bool {
    let Some(line) = line_at(text, at) else {
        return false;
    };
    // A comment after the placeholder is no part of it.
    let line = line.find(" #").map_or(line, |i| &line[..i]);
    is_placeholder(line.trim())
}

/// Whether YAML stops at byte `at` of `text` on, or right after (blank lines between), an
/// indented `...` line: an excerpt for documentation whose elided fields that line stands for
/// (at the start of a line `...` ends a document, which YAML reads). Not YAML as written, and
/// not applied as such.
#[must_use]
pub fn is_elision_line_at(text: &str, at: usize) -> bool {
    let elision = |line: &str| {
        let trimmed = line.trim();
        matches!(trimmed, "..." | "\u{2026}") && line.starts_with([' ', '\t'])
    };
    let Some(line) = line_at(text, at) else {
        return false;
    };
    if elision(line) {
        return true;
    }
    let before = &text[..text[..at.min(text.len())].rfind('\n').unwrap_or(0)];
    before
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(elision)
}

/// A shell-style placeholder standing alone where a Dockerfile instruction belongs (`${LABELS}`,
/// `$EXTRA`): an `envsubst` template, not a Dockerfile until rendered.
#[must_use]
pub fn is_placeholder(word: &str) -> bool {
    let name = word
        .strip_prefix("${")
        .and_then(|w| w.strip_suffix('}'))
        .or_else(|| word.strip_prefix('$'));
    name.is_some_and(|n| {
        n.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Whether the line that holds byte `at` of `text` holds a brace placeholder in capitals
/// (`image: {IMAGE_REGISTRY}/spark:3.5`, `{REPLICAS}`), an `@NAME@` one (`name: @name@`,
/// as CMake's `configure_file` and Maven filters fill in) or one left for the reader
/// (`<EDIT: bucket name>`): where YAML cannot be read there (a
/// flow mapping followed by text), the file is a template whose placeholders a script or the
/// reader fills in, not YAML until rendered. `${VAR}` is left to [`is_placeholder_line_at`].
#[must_use]
pub fn is_brace_placeholder_line_at(text: &str, at: usize) -> bool {
    let Some(line) = line_at(text, at) else {
        return false;
    };
    let mut rest = line;
    let mut offset = 0;
    // `<EDIT: your bucket>`, `<YOUR_ACCOUNT_ID>`: a placeholder an exercise or a README
    // leaves for the reader.
    if let Some(open) = line.find('<')
        && line[open..].contains('>')
    {
        let word: String = line[open + 1..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect();
        if word.len() >= 2 {
            return true;
        }
    }
    // `@NAME@`, the placeholder of `configure_file`, Maven and Ant filters.
    if line
        .split('@')
        .skip(1)
        .step_by(2)
        .zip(line.split('@').skip(2))
        .any(|(name, _)| {
            name.len() >= 2
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    {
        return true;
    }
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let at = offset + open;
        let dollar = at > 0 && line.as_bytes()[at - 1] == b'$';
        if let Some(close) = after.find('}') {
            let name = &after[..close];
            // `{username}/torchserve:latest`: a name in any case glued to text, which no flow
            // mapping is.
            let glued = after[close + 1..]
                .starts_with(|c: char| c.is_ascii_alphanumeric() || "/:-_.".contains(c));
            if !dollar
                && name.len() >= 2
                && (name.starts_with(|c: char| c.is_ascii_uppercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    || glued
                        && name.starts_with(|c: char| c.is_ascii_alphabetic())
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            {
                return true;
            }
        }
        offset += open + 1;
        rest = after;
    }
    false
}

/// Whether a document of `stream` has a mapping whose key is itself a mapping: how YAML reads
/// an unquoted `{{ NAME }}` placeholder (`name: {{ POD_NAME }}` is a flow mapping whose key is
/// a flow mapping). No configuration of ours writes such a key: the file is a template a
/// script fills in, not YAML until rendered, even where it happens to parse. The walk is
/// bounded (aliases share nodes).
#[must_use]
pub fn has_mapping_key(stream: &crate::yaml::Stream) -> bool {
    use crate::yaml::Value;
    let mut budget = 1_000_000_usize;
    let mut stack: Vec<&crate::yaml::Node> = stream
        .documents
        .iter()
        .filter_map(|d| d.root.as_deref())
        .collect();
    while let Some(node) = stack.pop() {
        budget = match budget.checked_sub(1) {
            Some(b) => b,
            None => return false,
        };
        match &node.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => stack.extend(items.iter().map(|n| &**n)),
            Value::Map(entries) => {
                for (k, v) in entries {
                    if matches!(k.value, Value::Map(_)) {
                        return true;
                    }
                    stack.push(v);
                }
            }
        }
    }
    false
}

/// A ytt template (Carvel): `#@` annotations (`#@ load("@ytt:data", "data")`, `name: #@
/// data.values.name`) compute values that YAML reads as nulls, so the file is not what is
/// applied until ytt renders it.
#[must_use]
pub fn is_ytt_template(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        ["#@ load(", "#@ def ", "#@ for ", "#@ if ", "- #@ "]
            .iter()
            .any(|p| t.starts_with(p))
            || l.contains(": #@ ")
    })
}

/// A test's assertion file, which a test runner compares with the live objects (Chainsaw's
/// `assert`/`error` files, KUTTL's `00-assert.yaml` and `00-errors.yaml`): a partial object
/// (a container without its name, a JMESPath check where a list belongs), never applied.
/// Told by a name word `assert` (`00-assert-collector.yaml`, `assert-deployment.yaml`) or a
/// KUTTL step's `NN-errors.yaml`.
#[must_use]
pub fn is_test_assertion(path: &Path) -> bool {
    let Some(stem) = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    let words: Vec<&str> = stem.split(['-', '.', '_']).collect();
    words
        .iter()
        .any(|w| matches!(*w, "assert" | "asserts" | "assertion" | "assertions"))
        || (words.len() == 2
            && !words[0].is_empty()
            && words[0].chars().all(|c| c.is_ascii_digit())
            && matches!(words[1], "errors" | "error"))
}

/// A Dockerfile fragment that a build script joins to another one (`Dockerfile.append`,
/// `Dockerfile.part`, `base.Dockerfile.inc`): told by a name word; the caller checks it has no
/// `FROM`.
#[must_use]
pub fn is_dockerfile_fragment(path: &Path) -> bool {
    const WORDS: &[&str] = &[
        "append", "prepend", "part", "partial", "fragment", "snippet", "include", "inc", "tail",
        "head", "header", "footer",
    ];
    path.file_name()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|name| name.split(['-', '.', '_']).any(|w| WORDS.contains(&w)))
}

/// The `docker buildx bake` file in `path`'s folder or the nearest folder above it that has
/// one (`docker-bake.hcl`, `docker-bake.json`, and their `.override` forms): a project that
/// builds with bake builds with BuildKit.
#[must_use]
pub fn bake_file(path: &Path, files: &dyn SideFiles) -> Option<std::path::PathBuf> {
    const NAMES: &[&str] = &[
        "docker-bake.hcl",
        "docker-bake.json",
        "docker-bake.override.hcl",
        "docker-bake.override.json",
    ];
    let mut dir = path.parent();
    while let Some(d) = dir {
        if let Some(found) = NAMES.iter().map(|n| d.join(n)).find(|f| files.exists(f)) {
            return Some(found);
        }
        dir = d.parent();
    }
    None
}

/// Files under `templates/` (at any depth) of a folder holding `Chart.yaml`: Go templates,
/// not YAML until rendered.
#[must_use]
pub fn is_helm_template(path: &Path, files: &dyn SideFiles) -> bool {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.file_name().and_then(|n| n.to_str()) == Some("templates")
            && let Some(chart) = d.parent()
            && files.exists(&chart.join("Chart.yaml"))
        {
            return true;
        }
        dir = d.parent();
    }
    false
}

const COMPOSE_SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "volumes",
    "command",
    "environment",
    "ports",
    "depends_on",
    "deploy",
    "restart",
    "tmpfs",
    "volumes_from",
    "container_name",
    "networks",
    "healthcheck",
    "entrypoint",
];

/// Classify parsed YAML: Kubernetes when any document has `apiVersion` and `kind`; compose
/// when top-level `services:` maps names to mappings with compose service keys.
#[must_use]
pub fn by_content(stream: &Stream, _source: &SourceFile) -> Option<Format> {
    let roots = stream.documents.iter().filter_map(|d| d.root.as_deref());
    let mut compose = false;
    for root in roots {
        if is_kubernetes_object(root) {
            return Some(Format::Kubernetes);
        }
        compose |= is_compose(root);
    }
    compose.then_some(Format::Compose)
}

fn is_kubernetes_object(root: &Node) -> bool {
    root.get("apiVersion").and_then(Node::as_text).is_some()
        && root.get("kind").and_then(Node::as_text).is_some()
}

fn is_compose(root: &Node) -> bool {
    let Some(services) = root.get("services") else {
        return false;
    };
    let entries = services.entries();
    !entries.is_empty()
        && entries.iter().all(|(_, svc)| svc.is_map() || svc.is_null())
        && entries.iter().any(|(_, svc)| {
            svc.entries().iter().any(|(k, _)| {
                k.as_str()
                    .is_some_and(|k| COMPOSE_SERVICE_KEYS.contains(&k))
            })
        })
}

/// For YAML that does not parse: does the text look like a manifest or a compose file?
#[must_use]
pub fn looks_like_ours(text: &str) -> bool {
    let has = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    (has("apiVersion:") && has("kind:")) || has("services:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for word in ["${LABELS}", "$EXTRA", "${_x1}"] {
            assert!(is_placeholder(word), "{word}");
        }
        for word in ["RUN", "${A:-b}", "$", "${}", "$1", "${A}B", "{{"] {
            assert!(!is_placeholder(word), "{word}");
        }
    }

    #[test]
    fn names() {
        for (name, class) in [
            ("Dockerfile", NameClass::Dockerfile),
            ("Dockerfile.prod", NameClass::Dockerfile),
            ("api.Dockerfile", NameClass::Dockerfile),
            ("Containerfile", NameClass::Dockerfile),
            ("compose.yaml", NameClass::Compose),
            ("compose.override.yml", NameClass::Compose),
            ("docker-compose.prod.yml", NameClass::Compose),
            // A stack file is told by its content: `elastic-stack.yaml` may be a manifest.
            ("monitoring-stack.yml", NameClass::Yaml),
            ("deploy.yaml", NameClass::Yaml),
            ("pod.json", NameClass::Yaml),
            ("package.json", NameClass::Yaml),
            ("README.md", NameClass::Skip),
            (".gitlab-ci.yml", NameClass::Skip),
            (".github/workflows/ci.yml", NameClass::Workflow),
            ("repo/.github/workflows/ci.yaml", NameClass::Workflow),
            (".github/workflows/sub/ci.yml", NameClass::Skip),
            (".github/actions/x/action.yml", NameClass::Skip),
            ("db.container", NameClass::Quadlet),
            ("quadlets/data.volume", NameClass::Quadlet),
            ("lib/Foo.pod", NameClass::Quadlet),
            ("app.kube", NameClass::Quadlet),
            ("app.network", NameClass::Skip),
            (".devcontainer/devcontainer.json", NameClass::Devcontainer),
            (
                ".devcontainer/go/devcontainer.json",
                NameClass::Devcontainer,
            ),
            (".devcontainer.json", NameClass::Devcontainer),
            ("devcontainer-feature.json", NameClass::Yaml),
            (".travis.yml", NameClass::Skip),
            ("roles/x/.travis.yml", NameClass::Skip),
            (".drone.yml", NameClass::Skip),
            ("bitbucket-pipelines.yml", NameClass::Skip),
            ("azure-pipelines.yaml", NameClass::Skip),
            (".circleci/config.yml", NameClass::Skip),
            ("cloudbuild.yaml", NameClass::Skip),
            (".woodpecker.yml", NameClass::Skip),
            (".woodpecker/build.yml", NameClass::Skip),
            ("config.yml", NameClass::Yaml),
            ("Dockerfile.dev", NameClass::Dockerfile),
            ("Containerfile.alpine", NameClass::Dockerfile),
            ("crates/stowlint_parse/src/dockerfile.rs", NameClass::Skip),
            ("Dockerfile.template", NameClass::Skip),
            ("Dockerfile.dockerignore", NameClass::Skip),
            ("Dockerfile.prod.dockerignore", NameClass::Skip),
            ("dockerfile.go", NameClass::Skip),
            (
                "{{ cookiecutter.slug }}/docker-compose.yml",
                NameClass::Skip,
            ),
            ("{{ cookiecutter.slug }}/k8s/app.yaml", NameClass::Skip),
        ] {
            assert_eq!(by_name(Path::new(name)), class, "{name}");
        }
    }

    #[test]
    fn helm_templates_are_told_by_the_charts_side_file() {
        let chart = crate::SideFileMap(std::collections::HashMap::from([(
            std::path::PathBuf::from("chart/Chart.yaml"),
            "name: c\n".to_string(),
        )]));
        let none = crate::NoSideFiles;
        let template = Path::new("chart/templates/sub/deploy.yaml");
        assert_eq!(classify(template, &chart), NameClass::Skip);
        assert_eq!(classify(template, &none), NameClass::Yaml);
        assert_eq!(by_name(template), NameClass::Yaml);
        // Only YAML is a chart's template; a Dockerfile beside it stays a Dockerfile.
        let dockerfile = Path::new("chart/templates/Dockerfile");
        assert_eq!(classify(dockerfile, &chart), NameClass::Dockerfile);
        assert_eq!(
            classify(Path::new("other/templates/a.yaml"), &chart),
            NameClass::Yaml
        );
        // `parse_file` skips the template as discovery does.
        let opts = crate::ParseOptions {
            side_files: std::sync::Arc::new(chart),
            ..crate::ParseOptions::default()
        };
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";
        let source = SourceFile::new(template, text.to_string());
        assert!(crate::parse_file(source.clone(), &opts, true).is_none());
        let plain = crate::ParseOptions::default();
        assert!(crate::parse_file(source, &plain, true).is_some());
    }

    #[test]
    fn printf_verbs() {
        let at = |t: &str| is_printf_verb_at(t, t.find('%').unwrap());
        assert!(at("  name: %s\n"));
        assert!(at("devicePath: %s"));
        assert!(at("replicas: %d\n"));
        assert!(at("x: %-5v,"));
        assert!(at("x: %(name)s\n"));
        assert!(at("x: %.2f"));
        assert!(!at("x: %sfoo"));
        assert!(!at("x: %YAML"));
        assert!(!at("x: %"));
        assert!(!at("x: %()s"));
        assert!(!is_printf_verb_at("x: %s", 0));
    }

    #[test]
    fn placeholder_lines() {
        let text = "spec:\n  cert: |\n$CA_CERT\n  other: x\n";
        let at = text.find('$').unwrap();
        assert!(is_placeholder_line_at(text, at));
        assert!(is_placeholder_line_at(text, at + 3));
        assert!(is_placeholder_line_at("a:\n  ${EXTRA}\n", 5));
        assert!(is_placeholder_line_at("a:\n$B # note\n", 3));
        assert!(!is_placeholder_line_at(text, 0));
        assert!(!is_placeholder_line_at("a: $B c\n", 3));
        assert!(!is_placeholder_line_at("a: b\n", 99));
        // An indented `...` elides fields; at the start of a line it ends a document.
        let excerpt = "a:\n  - b\n  ...\n  - c\n";
        assert!(is_elision_line_at(excerpt, excerpt.find("...").unwrap()));
        assert!(is_elision_line_at(excerpt, excerpt.find("- c").unwrap()));
        assert!(!is_elision_line_at("a: b\n...\nc: d\n", 5));
        let spaced = "services:\n\n  ...\n\n  nginx:\n";
        assert!(is_elision_line_at(spaced, spaced.find("nginx").unwrap()));
        assert!(!is_elision_line_at("a:\n\n  b: 1\n\n  c: [\n", 14));
        assert!(!is_elision_line_at(excerpt, 0));
    }

    #[test]
    fn brace_placeholders_assertions_and_fragments() {
        let text = "spec:\n  image: {IMAGE_REGISTRY}/spark:3.5\n";
        assert!(is_brace_placeholder_line_at(text, 10));
        assert!(!is_brace_placeholder_line_at("a: ${REGISTRY}/x\n", 3));
        assert!(!is_brace_placeholder_line_at("a: {b: c}\n", 3));
        assert!(is_brace_placeholder_line_at("  image: {username}/x:1\n", 9));
        assert!(!is_brace_placeholder_line_at("  a: {username} x\n", 5));
        assert!(!is_brace_placeholder_line_at("  a: {b: c}/x\n", 5));
        assert!(is_brace_placeholder_line_at("  name: @name@\n", 8));
        assert!(is_brace_placeholder_line_at(
            "  bucket: <EDIT: bucket name>\n",
            10
        ));
        assert!(!is_brace_placeholder_line_at("  a: <b>\n", 4));
        assert!(!is_brace_placeholder_line_at("  email: a@b.c\n", 8));
        assert!(!is_brace_placeholder_line_at("a: {A}\nb: c\n", 8));
        assert!(is_test_assertion(Path::new("e2e/x/00-assert.yaml")));
        assert!(is_test_assertion(Path::new("e2e/x/assert-collector.yaml")));
        assert!(is_test_assertion(Path::new("e2e/x/01-errors.yaml")));
        assert!(!is_test_assertion(Path::new("deploy/errors.yaml")));
        assert!(!is_test_assertion(Path::new("deploy/assertive.yaml")));
        assert!(is_dockerfile_fragment(Path::new(
            "preview/Dockerfile.append"
        )));
        assert!(!is_dockerfile_fragment(Path::new("Dockerfile.dev")));
        assert!(is_ytt_template("spec:\n  name: #@ data.values.name\n"));
        assert!(is_ytt_template(
            "#@ load(\"@ytt:data\", \"data\")\n---\na: 1\n"
        ));
        assert!(!is_ytt_template("a: 1 # @ not ytt\n#@not either\n"));
    }

    #[test]
    fn template_markers() {
        assert!(has_template_markers("metadata:\n  name: {{ .Name }}\n"));
        assert!(has_template_markers("{{- range .Items }}\n---\n"));
        assert!(has_template_markers(
            "FROM x\n{% if tls %}\nCOPY a b\n{% endif %}\n"
        ));
        assert!(!has_template_markers("a: {b: {c: d}}\n"));
        // Groovy's and ERB's (`<% if (db == 'mysql') print '...' %>`).
        assert!(has_template_markers("<% if (v) print 'FROM a' %>\n"));
        assert!(!has_template_markers("a: <%\n"));
        assert!(has_template_markers(
            "db:\n  <% if (a) print '''image: x\n  volumes: []''' %>\n"
        ));
        assert!(!has_template_markers("a: \"{{\"\n"));
    }

    #[test]
    fn dockerfiles_by_content() {
        for text in [
            "FROM alpine\n",
            "# a comment\n\nARG V=1\nFROM alpine:$V\n",
            "# syntax=docker/dockerfile:1\nFROM alpine\n",
            "from alpine\n",
        ] {
            assert!(looks_like_dockerfile(text), "{text}");
        }
        for text in [
            "FROM: x\n",
            "services:\n  a: {}\n",
            "",
            "# only\n",
            "RUN x\n",
        ] {
            assert!(!looks_like_dockerfile(text), "{text}");
        }
    }
}
