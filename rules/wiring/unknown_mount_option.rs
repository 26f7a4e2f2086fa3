use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, Workload};

declare_rule! {
    /// ## What it does
    /// Flags compose short-syntax mount options Docker does not know (`:roz`, `:rwz`,
    /// `:readonly`). Docker knows `ro`, `rw`, `z`, `Z`, the propagations `shared`, `slave`,
    /// `private` (and their `r` forms), `nocopy`, and `consistent`, `cached`, `delegated`.
    ///
    /// ## Why is this bad?
    /// Compose ignores an option it does not know, without a word: a typo in `:ro` leaves the
    /// mount writable, and a typo in `:z` leaves the SELinux label unchanged. The file reads
    /// as if the mount were protected while it is not.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html:roz
    /// ```
    ///
    /// Use instead: one known option per comma.
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html:ro,z
    /// ```
    ///
    /// ## References
    /// - <https://docs.docker.com/reference/compose-file/services/#short-syntax-5>
    pub struct UnknownMountOption;
    meta { code: "SL506", name: "unknown-mount-option", severity: Warning,
           formats: [Compose] }
}

impl Rule for UnknownMountOption {
    fn check_mount(&self, m: &Mount, _c: &Container, _w: &Workload, cx: &mut Ctx) {
        for option in &m.unknown_options {
            let access = if m.read_only { "read-only" } else { "writable" };
            let looks_ro = option.value.to_ascii_lowercase().starts_with("ro")
                || option.value.eq_ignore_ascii_case("readonly");
            let help = if looks_ro && !m.read_only {
                "write `ro` (and other options separated by commas, `ro,z`): as written the mount \
                 is writable"
            } else {
                "use only options Docker knows: `ro`, `rw`, `z`, `Z`, `nocopy`, a propagation \
                 (`rslave`, ...) or a consistency (`cached`, ...), separated by commas"
            };
            cx.report(
                option.span,
                format!(
                    "{} uses unknown mount option `{}` on `{}`, which compose ignores: the mount \
                     is {access}",
                    m.owner, option.value, m.target
                ),
            )
            .subject(m.span)
            .help(help);
        }
    }
}
