//! Volume wiring across compose files: an override file (or any compose file of the run in
//! the same folder) is merged with the base, so a volume declared in one and mounted in the
//! other is neither undefined (SL501) nor unused (SL502).

fn codes(files: &[&str]) -> Vec<(String, &'static str)> {
    codes_in("compose-override", files)
}

fn codes_in(folder: &str, files: &[&str]) -> Vec<(String, &'static str)> {
    let root = crate::common::root().join("fixtures/cross").join(folder);
    let paths: Vec<_> = files.iter().map(|f| root.join(f)).collect();
    let (_, diagnostics) = crate::common::lint(&paths);
    diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with("SL50"))
        .map(|d| {
            let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
            (format!("{file}:{}", d.location.start.line), d.code.as_str())
        })
        .collect()
}

#[test]
fn base_and_override_together_are_wired() {
    assert_eq!(codes(&["compose.yaml", "compose.override.yaml"]), []);
}

#[test]
fn overrides_named_for_an_environment_are_merged_with_the_base() {
    let all = [
        "docker-compose.yml",
        "docker-compose.override.prod.yml",
        "docker-compose.prod.yml",
        "compose.override.yaml",
    ];
    assert_eq!(codes_in("compose-override-names", &all), []);
    // Without the base in the run, the volume is undefined, as today.
    assert_eq!(
        codes_in("compose-override-names", &["docker-compose.prod.yml"]),
        [("docker-compose.prod.yml:6".to_string(), "SL501")]
    );
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
