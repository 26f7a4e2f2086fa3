//! `--format` and `--output-file`: which renderer writes where.
//!
//! Each `--output-file` belongs to the `--format` right before it on the command line;
//! a format without one goes to standard output, and at most one may. A single `--format`
//! and a single `--output-file` pair in either order.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ArgMatches;

use super::OutputFormat;
use crate::output::{self, Report, human, sarif};
use crate::rules;

impl OutputFormat {
    fn name(self) -> &'static str {
        match self {
            OutputFormat::Human => "human",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Junit => "junit",
            OutputFormat::Checkstyle => "checkstyle",
            OutputFormat::Rdjson => "rdjson",
        }
    }
}

/// One renderer and where its text goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Target {
    pub format: OutputFormat,
    /// `None`: standard output.
    pub file: Option<PathBuf>,
}

/// `--format` and `--output-file` values with their positions on the command line.
pub(super) fn from_matches(matches: &ArgMatches) -> Result<Vec<Target>, String> {
    let formats: Vec<(usize, OutputFormat)> = zip_indices(matches, "format");
    let files: Vec<(usize, PathBuf)> = zip_indices(matches, "output_file");
    pair(&formats, &files)
}

fn zip_indices<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Vec<(usize, T)> {
    match (m.indices_of(id), m.get_many::<T>(id)) {
        (Some(indices), Some(values)) => indices.zip(values.cloned()).collect(),
        _ => Vec::new(),
    }
}

/// Pairs formats with files by position; usage errors as text.
pub(super) fn pair(
    formats: &[(usize, OutputFormat)],
    files: &[(usize, PathBuf)],
) -> Result<Vec<Target>, String> {
    let mut targets: Vec<(usize, Target)> = if formats.is_empty() {
        vec![(
            0,
            Target {
                format: OutputFormat::Human,
                file: None,
            },
        )]
    } else {
        formats
            .iter()
            .map(|&(i, format)| (i, Target { format, file: None }))
            .collect()
    };
    if targets.len() == 1 && files.len() <= 1 {
        targets[0].1.file = files.first().map(|(_, f)| f.clone());
    } else {
        for (at, file) in files {
            let Some((_, target)) = targets.iter_mut().rev().find(|(i, _)| i < at) else {
                return Err(format!(
                    "`--output-file {}` comes before any `--format`: put it right after the \
                     `--format` it is for",
                    file.display()
                ));
            };
            if let Some(first) = &target.file {
                return Err(format!(
                    "`--format {}` has two output files (`{}` and `{}`): each `--output-file` \
                     goes with the `--format` right before it",
                    target.format.name(),
                    first.display(),
                    file.display()
                ));
            }
            target.file = Some(file.clone());
        }
    }
    let targets: Vec<Target> = targets.into_iter().map(|(_, t)| t).collect();
    let to_stdout: Vec<&str> = targets
        .iter()
        .filter(|t| t.file.is_none())
        .map(|t| t.format.name())
        .collect();
    if to_stdout.len() > 1 {
        return Err(format!(
            "{} formats would write to standard output (`{}`); give all but one an \
             `--output-file` right after its `--format`",
            to_stdout.len(),
            to_stdout.join("`, `")
        ));
    }
    for (i, t) in targets.iter().enumerate() {
        if let Some(file) = &t.file
            && targets[..i].iter().any(|o| o.file.as_ref() == Some(file))
        {
            return Err(format!("two formats would write to `{}`", file.display()));
        }
    }
    Ok(targets)
}

/// What renderers need beyond the report.
pub(super) struct Context<'a> {
    /// Colors for the human report on a terminal (never into a file).
    pub color: bool,
    pub cwd: &'a Path,
    /// False when a path could not be read (SARIF `executionSuccessful`).
    pub paths_ok: bool,
    /// Whether a finding fails the run (its file's `fail-on`): JUnit failures agree with the
    /// exit code.
    pub fails: &'a dyn Fn(&Path, crate::engine::Severity) -> bool,
    /// `--quiet`: the human report without its closing summary line.
    pub quiet: bool,
}

/// Write one report, each finding as it is read back from the run's records: a report of
/// millions of findings is never one string in memory.
fn write_format(
    format: OutputFormat,
    report: &Report,
    cx: &Context,
    to_file: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Human => human::write(
            report,
            human::Options {
                color: cx.color && !to_file,
            },
            out,
        ),
        OutputFormat::Concise => output::concise::write(report, out),
        OutputFormat::Json => output::json::write(report, out),
        OutputFormat::Sarif => sarif::write(
            report,
            &sarif::Options {
                srcroot: Some(cx.cwd),
                execution_successful: cx.paths_ok,
                rules: rules::RULES,
            },
            out,
        ),
        OutputFormat::Github => output::github::write(report, out),
        OutputFormat::Gitlab => output::gitlab::write(report, out),
        OutputFormat::Junit => output::junit::write(report, cx.fails, out),
        OutputFormat::Checkstyle => output::checkstyle::write(report, out),
        OutputFormat::Rdjson => output::rdjson::write(report, out),
    }
}

/// Renders every target; files are written relative to `cx.cwd`. Returns false (after
/// saying why on `stderr`) when a file could not be written.
pub(super) fn write_all(
    targets: &[Target],
    report: &Report,
    cx: &Context,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> bool {
    let mut ok = true;
    for t in targets {
        if t.format == OutputFormat::Human {
            ok &= write_human(t, report, cx, stdout, stderr);
            continue;
        }
        let to_file = t.file.is_some();
        let fill = |w: &mut dyn Write| write_format(t.format, report, cx, to_file, w);
        match &t.file {
            None => {
                let written = fill(&mut *stdout).and_then(|()| stdout.flush());
                ok &= stdout_written(written, stderr);
            }
            Some(file) => {
                let written = super::write::atomically(&cx.cwd.join(file), fill);
                if let Err(e) = written {
                    let _ = writeln!(
                        stderr,
                        "stowlint: error: cannot write `{}`: {e}",
                        output::path_str(file)
                    );
                    ok = false;
                }
            }
        }
    }
    ok
}

/// Whether writing to standard output went well; says why on `stderr` when not. A closed pipe
/// (`| head`) ends the report and is not an error of the run; anything else (a full disk,
/// `> /dev/full`) is: the report is lost, and a gate must not pass on a report nobody got.
pub(super) fn stdout_written(written: std::io::Result<()>, stderr: &mut dyn Write) -> bool {
    match written {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            let _ = writeln!(
                stderr,
                "stowlint: error: cannot write the report to standard output: {e}"
            );
            false
        }
    }
}

/// The human report, streamed: it quotes source lines for every finding and can be the
/// largest of all.
fn write_human(
    t: &Target,
    report: &Report,
    cx: &Context,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> bool {
    let opts = human::Options {
        color: cx.color && t.file.is_none(),
    };
    let Some(file) = &t.file else {
        let mut out = std::io::BufWriter::new(stdout);
        let written = if cx.quiet {
            human::write_findings(report, opts, &mut out)
        } else {
            human::write(report, opts, &mut out)
        };
        let written = written.and_then(|()| out.flush());
        return stdout_written(written, stderr);
    };
    let written = super::write::atomically(&cx.cwd.join(file), |out| {
        if cx.quiet {
            human::write_findings(report, opts, out)
        } else {
            human::write(report, opts, out)
        }
    });
    if let Err(e) = written {
        let _ = writeln!(
            stderr,
            "stowlint: error: cannot write `{}`: {e}",
            output::path_str(file)
        );
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use OutputFormat::{Human, Json, Sarif};

    fn t(format: OutputFormat, file: Option<&str>) -> Target {
        Target {
            format,
            file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn default_is_human_to_stdout() {
        assert_eq!(pair(&[], &[]), Ok(vec![t(Human, None)]));
        assert_eq!(
            pair(&[], &[(2, "out.txt".into())]),
            Ok(vec![t(Human, Some("out.txt"))])
        );
    }

    #[test]
    fn a_file_goes_with_the_format_before_it() {
        // check --format human --format sarif --output-file stowlint.sarif
        assert_eq!(
            pair(&[(2, Human), (4, Sarif)], &[(6, "stowlint.sarif".into())]),
            Ok(vec![t(Human, None), t(Sarif, Some("stowlint.sarif"))])
        );
        // check --format sarif --output-file s.sarif --format json --output-file r.json --format human
        assert_eq!(
            pair(
                &[(2, Sarif), (6, Json), (10, Human)],
                &[(4, "s.sarif".into()), (8, "r.json".into())]
            ),
            Ok(vec![
                t(Sarif, Some("s.sarif")),
                t(Json, Some("r.json")),
                t(Human, None)
            ])
        );
    }

    #[test]
    fn one_format_and_one_file_pair_in_any_order() {
        assert_eq!(
            pair(&[(4, Sarif)], &[(2, "s.sarif".into())]),
            Ok(vec![t(Sarif, Some("s.sarif"))])
        );
    }

    #[test]
    fn usage_errors() {
        let two_stdout = pair(&[(2, Human), (4, Json)], &[]).unwrap_err();
        assert!(two_stdout.contains("standard output"), "{two_stdout}");
        let before = pair(&[(4, Human), (6, Json)], &[(2, "x".into())]).unwrap_err();
        assert!(before.contains("comes before any"), "{before}");
        let twice = pair(
            &[(2, Human), (6, Json)],
            &[(4, "a".into()), (5, "b".into())],
        )
        .unwrap_err();
        assert!(twice.contains("two output files"), "{twice}");
        let same = pair(
            &[(2, Human), (4, Json)],
            &[(3, "a".into()), (5, "a".into())],
        )
        .unwrap_err();
        assert!(same.contains("two formats would write to `a`"), "{same}");
    }
}
