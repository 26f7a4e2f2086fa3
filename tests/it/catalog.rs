//! The stateful-image catalog as data: it parses, is large enough, says where each entry comes
//! from, lists no image where an earlier entry hides it, and finds images by any registry name.

use stowlint::rules::catalog::{Catalog, Category};

const TEXT: &str = include_str!("../../crates/stowlint_model/src/catalog/stateful-images.toml");

/// The comment that opens the section of entries that each carry their own source comment;
/// the entries above it are covered by the header's `# Sources:` paragraph.
const SECTION: &str = "# Registry names and more images";

#[test]
fn the_catalog_parses_and_holds_at_least_150_images() {
    let catalog = Catalog::get();
    let images: usize = catalog.images.iter().map(|e| e.images.len()).sum();
    assert!(images >= 150, "only {images} images in the catalog");
    for entry in &catalog.images {
        assert!(!entry.images.is_empty(), "an entry without images");
        // Only a variant of an image may keep nothing (SonarQube's application nodes).
        assert!(
            !entry.data.is_empty() || entry.tag_variant.is_some(),
            "{:?} has no data path",
            entry.images
        );
        for path in entry.data.iter().chain(&entry.volumes) {
            assert!(
                path.starts_with('/') && (path == "/" || !path.ends_with('/')),
                "{:?}: `{path}` is not an absolute, normalized path",
                entry.images
            );
        }
        for image in &entry.images {
            assert_eq!(
                image,
                &image.to_ascii_lowercase(),
                "image names are lower case"
            );
            let first = image.split('/').next().unwrap_or_default();
            assert!(
                !(image.contains('/')
                    && (first.contains('.') || first.contains(':') || first == "localhost")),
                "`{image}`: lookups strip the registry host, so an entry cannot name one"
            );
            assert!(
                !image.starts_with("library/") && !image.contains(':') && !image.contains('@'),
                "`{image}`: lookups strip `library/`, tags and digests"
            );
        }
    }
}

#[test]
fn every_entry_says_where_it_comes_from() {
    let lines: Vec<&str> = TEXT.lines().collect();
    let section = lines
        .iter()
        .position(|l| l.starts_with(SECTION))
        .expect("the section of registry names and more images");
    let header_sources = lines[..section]
        .iter()
        .take_while(|l| !l.starts_with("[[image]]"))
        .any(|l| l.starts_with("# Sources:"));
    assert!(
        header_sources,
        "the header lists the sources of the older entries"
    );
    for (i, line) in lines.iter().enumerate().skip(section) {
        if line.trim() == "[[image]]" {
            assert!(
                i > 0 && lines[i - 1].starts_with('#'),
                "the entry at line {} has no source comment right above it",
                i + 1
            );
        }
    }
    let entries_after = lines[section..]
        .iter()
        .filter(|l| l.trim() == "[[image]]")
        .count();
    assert!(entries_after > 0);
}

/// `*` globs as the catalog reads them: one star, prefix and suffix.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((prefix, suffix)) => {
            text.len() >= prefix.len() + suffix.len()
                && text.starts_with(prefix)
                && text.ends_with(suffix)
        }
    }
}

/// Entries are tried in order: an earlier entry without a tag condition answers for every tag
/// of its images, so a later entry naming one of them again is dead. An earlier entry with a
/// tag condition or a tag variant leaves the other tags to later entries (postgres 18 before
/// postgres, gitea's `-rootless` tags before gitea).
#[test]
fn no_entry_is_hidden_by_an_earlier_one() {
    let entries = &Catalog::get().images;
    let mut problems = Vec::new();
    for (j, later) in entries.iter().enumerate() {
        for (k, image) in later.images.iter().enumerate() {
            if later.images[..k].contains(image) {
                problems.push(format!("`{image}` twice in one entry"));
            }
            for earlier in &entries[..j] {
                if earlier.tags.is_none()
                    && earlier.tag_variant.is_none()
                    && earlier.images.iter().any(|p| glob(p, image))
                {
                    problems.push(format!(
                        "`{image}` in {:?} is hidden by the earlier entry {:?}",
                        later.images, earlier.images
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Registry-qualified references find the entry of their repository: the registry host (a
/// first component with `.` or `:`, or `localhost`) and `library/` are stripped.
#[test]
fn registry_qualified_names_resolve() {
    let cases: &[(&str, &str, Category)] = &[
        (
            "ghcr.io/valkey-io/valkey:8.1-alpine",
            "/data",
            Category::Cache,
        ),
        (
            "docker.io/library/postgres:16",
            "/var/lib/postgresql/data",
            Category::Database,
        ),
        (
            "mirror.gcr.io/library/postgres:18",
            "/var/lib/postgresql/18/docker",
            Category::Database,
        ),
        (
            "public.ecr.aws/docker/library/redis:7",
            "/data",
            Category::Cache,
        ),
        (
            "docker.io/bitnami/postgresql:16",
            "/bitnami/postgresql",
            Category::Database,
        ),
        (
            "public.ecr.aws/bitnami/mongodb:7.0",
            "/bitnami/mongodb",
            Category::Database,
        ),
        ("quay.io/minio/minio:latest", "/data", Category::ObjectStore),
        (
            "docker.io/bitnami/moodle:4.2",
            "/bitnami/moodledata",
            Category::App,
        ),
        (
            "mcr.microsoft.com/mssql/server:2022-latest",
            "/var/opt/mssql/data",
            Category::Database,
        ),
        (
            "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
            "/usr/share/elasticsearch/data",
            Category::Search,
        ),
        (
            "cr.weaviate.io/semitechnologies/weaviate:1.25.0",
            "/var/lib/weaviate",
            Category::Database,
        ),
        (
            "lscr.io/linuxserver/sonarr:latest",
            "/config",
            Category::App,
        ),
        ("ghcr.io/linuxserver/radarr", "/config", Category::App),
        (
            "ghcr.io/home-assistant/home-assistant:stable",
            "/config",
            Category::App,
        ),
        (
            "docker.dragonflydb.io/dragonflydb/dragonfly",
            "/data",
            Category::Cache,
        ),
        (
            "docker.redpanda.com/redpandadata/redpanda:v24.1.1",
            "/var/lib/redpanda/data",
            Category::Queue,
        ),
        ("codeberg.org/forgejo/forgejo:9", "/data", Category::App),
        (
            "quay.io/prometheus/alertmanager:v0.27.0",
            "/alertmanager",
            Category::App,
        ),
        (
            "ghcr.io/immich-app/immich-server:v2.3.1",
            "/data",
            Category::App,
        ),
        (
            "ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0",
            "/var/lib/postgresql/data",
            Category::Database,
        ),
        (
            "container-registry.oracle.com/database/free:latest",
            "/opt/oracle/oradata",
            Category::Database,
        ),
        (
            "registry.example.com:5000/library/mariadb:11",
            "/var/lib/mysql",
            Category::Database,
        ),
        ("localhost:5000/mongo:7", "/data/db", Category::Database),
        ("localhost/mongo", "/data/db", Category::Database),
        (
            "docker.n8n.io/n8nio/n8n:1.70.0",
            "/home/node/.n8n",
            Category::App,
        ),
        (
            "registry.k8s.io/etcd:3.5.12-0",
            "/var/lib/etcd",
            Category::Database,
        ),
    ];
    let catalog = Catalog::get();
    for (reference, data, category) in cases {
        let found = catalog
            .stateful_image(reference)
            .unwrap_or_else(|| panic!("`{reference}` is not in the catalog"));
        assert!(
            found.data.iter().any(|d| d == data),
            "`{reference}`: data {:?}, expected {data}",
            found.data
        );
        assert_eq!(found.category, *category, "`{reference}`");
    }
}

/// Stripping the host must not make unrelated images match: test and sample images of other
/// registries keep their namespaces, and stateless images stay out.
#[test]
fn unrelated_registry_images_stay_unknown() {
    let catalog = Catalog::get();
    for reference in [
        "registry.k8s.io/pause:3.9",
        "registry.k8s.io/e2e-test-images/agnhost:2.39",
        "registry.k8s.io/e2e-test-images/nginx:1.15-4",
        "registry.k8s.io/e2e-test-images/busybox:1.29-4",
        "gcr.io/google-samples/hello-app:1.0",
        "gcr.io/k8s-staging-e2e-test-images/redis:5.0.5-alpine",
        "quay.io/prometheus/node-exporter:v1.8.0",
        "ghcr.io/example/postgres-exporter:latest",
        "registry.gitlab.com/gitlab-org/gitlab-runner:alpine",
        "memcached:1.6",
        "nats:2.10",
        "ghcr.io/immich-app/immich-server:v1.135.0",
        "gvenzl/oracle-xe:11-slim",
    ] {
        assert!(
            catalog.stateful_image(reference).is_none(),
            "`{reference}` should not be a catalog image"
        );
    }
}

#[test]
fn node_local_storage_entries_are_consistent() {
    let storage = &Catalog::get().storage;
    assert!(storage.provisioners.len() >= 10);
    let mut seen = std::collections::HashSet::new();
    for p in &storage.provisioners {
        assert!(seen.insert(p.name.as_str()), "{} listed twice", p.name);
        assert!(!p.evidence.trim().is_empty(), "{} has no evidence", p.name);
    }
    for c in &storage.classes {
        assert!(
            storage.provisioners.iter().any(|p| p.name == c.provisioner),
            "class {} names provisioner {} that the catalog does not list",
            c.name,
            c.provisioner
        );
        assert!(!c.evidence.trim().is_empty(), "{} has no evidence", c.name);
    }
    // Names other clusters use for network storage must never mean node-local by themselves.
    for shared in ["standard", "default", "gp2", "gp3", "local"] {
        assert!(
            Catalog::get().node_local_class(shared).is_none(),
            "`{shared}` is not node-local by name alone"
        );
    }
    let nfs = Catalog::get().node_local_provisioner("nfs.csi.k8s.io");
    assert!(nfs.is_none());
    let static_ = Catalog::get()
        .node_local_provisioner("kubernetes.io/no-provisioner")
        .expect("listed");
    assert!(
        static_.is_static,
        "no-provisioner binds anything made by hand"
    );
}
