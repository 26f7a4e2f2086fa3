//! Volume wiring across compose files: an override file (or any compose file of the run in
//! the same folder) is merged with the base, so a volume declared in one and mounted in the
//! other is neither undefined (SL501) nor unused (SL502).

fn codes(files: &[&str]) -> Vec<(String, &'static str)> {
    let root = crate::common::root().join("fixtures/cross/compose-override");
    let paths: Vec<_> = files.iter().map(|f| root.join(f)).collect();
    let (_, diagnostics) = crate::common::lint(&paths);
    diagnostics
        .iter()
        .filter(|d| d.code.starts_with("SL50"))
        .map(|d| {
            let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
            (format!("{file}:{}", d.span.start.line), d.code)
        })
        .collect()
}

#[test]
fn base_and_override_together_are_wired() {
    assert_eq!(codes(&["compose.yaml", "compose.override.yaml"]), []);
}

#[test]
fn base_alone_has_an_unused_volume() {
    assert_eq!(
        codes(&["compose.yaml"]),
        [("compose.yaml:8".to_string(), "SL502")]
    );
}

#[test]
fn override_alone_mounts_an_undefined_volume() {
    assert_eq!(
        codes(&["compose.override.yaml"]),
        [("compose.override.yaml:6".to_string(), "SL501")]
    );
}
