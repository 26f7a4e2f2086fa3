//! Operators' custom resources that decide where a data store keeps its data: the catalog
//! (`catalog/operators.toml` beside this file, data embedded at build time) and what the
//! Kubernetes reader makes of a matching resource ([`OperatorStore`]).
//!
//! The catalog lives in the model, below the parsers and the rules, because the reader needs
//! it to turn a resource into the model and the rules need nothing more than the model.

use std::sync::OnceLock;

use serde::Deserialize;

use super::{Span, Spanned};

const OPERATORS: &str = include_str!("catalog/operators.toml");

/// One kind of custom resource the catalog knows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperatorResource {
    pub operator: String,
    /// The API group of `apiVersion`.
    pub group: String,
    pub kind: String,
    /// Where the semantics are documented.
    pub source: String,
    /// The fix, as a finding's help line.
    pub help: String,
    /// The data can be rebuilt: findings one severity lower.
    #[serde(default)]
    pub cache: bool,
    /// The pods copy the data to each other (Alertmanager's peers gossip silences and the
    /// notification log): with more than one replica, a pod that starts empty gets it back
    /// from the others, so findings are one severity lower.
    #[serde(default)]
    pub gossip: bool,
    pub store: Vec<StoreSpec>,
}

/// Where one data store of a resource keeps its data, and what the operator makes of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StoreSpec {
    /// Dotted path to the component; a step ending in `[]` walks a list.
    pub at: String,
    /// How messages name the component (`Kafka brokers`, `node set` + an item's name).
    #[serde(default)]
    pub component: Option<String>,
    /// What the store keeps (`its metrics`).
    pub data: String,
    /// Dotted path, under `at`, to the storage spec.
    #[serde(default)]
    pub storage: Option<String>,
    /// What the operator uses when the storage spec is absent; `None`: a claim, or unknown.
    #[serde(default)]
    pub absent: Option<Medium>,
    /// Keys of the storage mapping that keep the data and win over `ephemeral`.
    #[serde(default)]
    pub kept_by: Vec<String>,
    /// Keys of the storage mapping that put the data on an `emptyDir` (or, for the key
    /// `ephemeral`, a generic ephemeral volume).
    #[serde(default)]
    pub ephemeral: Vec<String>,
    /// A key of the storage mapping naming the storage type.
    #[serde(default, rename = "type")]
    pub type_key: Option<String>,
    /// Values of `type` that mean an `emptyDir`.
    #[serde(default)]
    pub ephemeral_types: Vec<String>,
    /// A list of the storage mapping whose items are judged like the storage itself.
    #[serde(default)]
    pub items: Option<String>,
    /// The storage spec is a size; zero means an `emptyDir`.
    #[serde(default)]
    pub zero_size: bool,
    /// The component's pod template volumes (dotted path under `at`).
    #[serde(default)]
    pub pod_volumes: Option<String>,
    /// The data volume's name among `pod_volumes`.
    #[serde(default)]
    pub volume: Option<String>,
    /// Paths under `at` that move the data elsewhere: any present makes `absent` unknown.
    #[serde(default)]
    pub unless: Vec<String>,
    /// Annotations of the resource (`name=value`) under which the operator ignores this
    /// store's spec (Strimzi's `strimzi.io/node-pools=enabled` for `spec.kafka.storage`).
    #[serde(default)]
    pub ignored_if: Vec<String>,
    /// Dotted path under `at` to the pod count.
    #[serde(default)]
    pub replicas: Option<String>,
}

/// Where an operator puts a store's data when it is not on a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Medium {
    /// An `emptyDir` on the node's disk: deleted with the pod.
    #[serde(rename = "emptyDir")]
    EmptyDir,
    /// A generic `ephemeral` volume: its claim is deleted with the pod.
    Ephemeral,
    /// No volume: the container's writable layer, lost when the container is recreated.
    ContainerLayer,
}

impl Medium {
    /// How messages name it.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Medium::EmptyDir => "an `emptyDir`",
            Medium::Ephemeral => "a generic `ephemeral` volume",
            Medium::ContainerLayer => "the container's writable layer",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    resource: Vec<OperatorResource>,
}

/// The built-in catalog of operators' resources.
#[derive(Debug)]
pub struct OperatorCatalog {
    resources: Vec<OperatorResource>,
}

impl OperatorCatalog {
    /// The catalog embedded in the binary (checked by a test: it always parses).
    ///
    /// # Panics
    /// When the embedded TOML is malformed, which the catalog's tests rule out.
    #[must_use]
    pub fn get() -> &'static OperatorCatalog {
        static CATALOG: OnceLock<OperatorCatalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let file: CatalogFile =
                toml::from_str(OPERATORS).expect("catalog/operators.toml is valid");
            OperatorCatalog {
                resources: file.resource,
            }
        })
    }

    /// The entry for `kind` in API group `group` (the part of `apiVersion` before `/`).
    #[must_use]
    pub fn find(&self, group: &str, kind: &str) -> Option<&OperatorResource> {
        self.resources
            .iter()
            .find(|r| r.kind == kind && r.group == group)
    }

    #[must_use]
    pub fn resources(&self) -> &[OperatorResource] {
        &self.resources
    }
}

/// A data store of an operator's custom resource whose data does not survive its pod: what
/// the Kubernetes reader makes of a resource the catalog knows.
#[derive(Clone, Debug)]
pub struct OperatorStore {
    /// `Prometheus/k8s`.
    pub owner: String,
    /// `Kafka brokers`, `node set default`; `None` for the whole resource.
    pub component: Option<String>,
    /// What the store keeps (`its metrics`).
    pub data: &'static str,
    pub medium: Medium,
    /// What decides it, as written or missing: `no \`spec.storage\``, `\`type: ephemeral\``.
    pub cause: String,
    /// The value that decides it, or, when the storage spec is absent, the component's key
    /// (`spec:`) or the `kind` value.
    pub span: Span,
    /// The pod count, when written.
    pub replicas: Option<Spanned<u64>>,
    /// The catalog entry.
    pub resource: &'static OperatorResource,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_parses_and_every_store_can_decide_something() {
        let catalog = OperatorCatalog::get();
        assert!(catalog.resources().len() >= 10);
        for r in catalog.resources() {
            assert!(r.source.starts_with("https://"), "{}: source", r.kind);
            assert!(!r.group.contains('/'), "{}: group without version", r.kind);
            for s in &r.store {
                let decides = s.absent.is_some()
                    || !s.ephemeral.is_empty()
                    || !s.ephemeral_types.is_empty()
                    || s.zero_size
                    || s.volume.is_some();
                assert!(decides, "{} {}: a store that never fires", r.kind, s.at);
                assert_eq!(s.pod_volumes.is_some(), s.volume.is_some(), "{}", r.kind);
                assert!(s.storage.is_some() || s.volume.is_some(), "{}", r.kind);
            }
        }
        // One entry per kind and group: `find` would hide a second.
        let mut seen = std::collections::HashSet::new();
        for r in catalog.resources() {
            assert!(seen.insert((&r.group, &r.kind)), "{} twice", r.kind);
        }
    }
}
