//! `--render`: folders with a kustomization are linted as `kubectl kustomize` (or
//! `kustomize build`) renders them, instead of file by file, where patches are partial
//! objects and bases are missing. The rendered stream is named
//! `<folder>/kustomization.yaml (rendered)`; findings name the objects (`Deployment/api`).
//! The tool only runs on kustomizations whose local inputs all lie in the linted tree, and
//! never on remote ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{display_path, kustomization_in, kustomization_inputs, normalize, read_side_file};

/// The program that renders, and its arguments before the folder.
#[derive(Clone, Debug)]
pub struct Renderer {
    pub program: PathBuf,
    args: &'static [&'static str],
}

impl Renderer {
    /// `kubectl kustomize`, else `kustomize build`, from `PATH`.
    #[must_use]
    pub fn find() -> Option<Renderer> {
        let path = std::env::var_os("PATH")?;
        let on_path = |name: &str| {
            std::env::split_paths(&path)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        };
        on_path("kubectl")
            .map(|program| Renderer {
                program,
                args: &["kustomize"],
            })
            .or_else(|| {
                on_path("kustomize").map(|program| Renderer {
                    program,
                    args: &["build"],
                })
            })
    }

    /// The command as users would type it.
    #[must_use]
    pub fn command_line(&self, dir: &Path) -> String {
        let name = self
            .program
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        format!("{name} {} {}", self.args.join(" "), dir.display())
    }

    /// Render `dir`: the YAML stream, or why it failed.
    ///
    /// # Errors
    /// The tool could not start or failed (its first line of stderr).
    pub fn render(&self, dir: &Path) -> Result<String, String> {
        let out = Command::new(&self.program)
            .args(self.args)
            .arg(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", self.command_line(dir)))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let first = err
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("failed");
            return Err(format!("`{}` failed: {first}", self.command_line(dir)));
        }
        String::from_utf8(out.stdout).map_err(|_| "the rendered output is not UTF-8".into())
    }
}

/// What a kustomization folder reads, checked against the linted tree.
#[derive(Debug)]
pub struct Kustomization {
    /// The folder, as walked.
    pub dir: PathBuf,
    /// The kustomization file, as walked.
    pub file: PathBuf,
    /// Local files it reads directly (absolute, normalized): linted through the rendering.
    pub files: Vec<PathBuf>,
}

/// Read the kustomization in `dir` and check that everything it reads, and what its bases
/// read, lies under `root` (absolute, real). `Err` says why it is not rendered.
///
/// # Errors
/// A remote or out-of-tree input, or an unreadable kustomization.
pub fn inspect(dir: &Path, root: &Path, cwd: &Path) -> Result<Kustomization, String> {
    let file = kustomization_in(dir).ok_or("no kustomization")?;
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    let mut seen = Vec::new();
    while let Some(d) = pending.pop() {
        if seen.len() > 64 {
            return Err("more than 64 nested kustomizations".into());
        }
        let Some(k) = kustomization_in(&d) else {
            continue;
        };
        let real_dir = std::fs::canonicalize(&d).map_err(|e| e.to_string())?;
        if seen.contains(&real_dir) {
            continue;
        }
        seen.push(real_dir);
        let text = read_side_file(&k).map_err(|e| {
            format!(
                "{}: {}",
                display_path(&k, cwd).display(),
                super::io_message(&e)
            )
        })?;
        for input in kustomization_inputs(&text) {
            if input.contains("://") || input.starts_with("github.com/") || input.contains("?ref=")
            {
                return Err(format!("it reads the remote `{input}`"));
            }
            let target = normalize(&cwd.join(&d).join(&input));
            let real = std::fs::canonicalize(&target).map_err(|_| {
                format!(
                    "`{input}` named in {} does not exist",
                    display_path(&k, cwd).display()
                )
            })?;
            if !real.starts_with(root) {
                return Err(format!(
                    "`{input}` named in {} lies outside the linted tree",
                    display_path(&k, cwd).display()
                ));
            }
            if real.is_dir() {
                pending.push(target);
            } else if d == dir {
                files.push(normalize(&cwd.join(&target)));
            }
        }
    }
    Ok(Kustomization {
        dir: dir.to_path_buf(),
        file,
        files,
    })
}
