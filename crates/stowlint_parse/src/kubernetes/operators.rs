//! Operators' custom resources → the data stores that do not survive their pods.
//!
//! The catalog (`crates/stowlint_model/src/catalog/operators.toml`, read through the model)
//! says, for each kind it knows, where the storage spec lives and what its absence or value
//! means; this module only walks the spanned tree where the catalog points. What cannot be
//! read is left alone: a value of the wrong type, a template placeholder or an unknown storage
//! type gives nothing.

use crate::model::operators::{
    Medium, OperatorCatalog, OperatorResource, OperatorStore, StoreSpec,
};
use crate::model::{Span, Spanned};
use crate::yaml::Node;

/// The catalog entry for an object of `kind`, by the API group of its `apiVersion`.
pub(super) fn resource(node: &Node, kind: &str) -> Option<&'static OperatorResource> {
    let api = node.get("apiVersion")?.as_text()?;
    let (group, _version) = api.split_once('/')?;
    OperatorCatalog::get().find(group.trim(), kind)
}

/// The stores of `node` (a resource of the catalog's `resource`) that keep their data on
/// ephemeral storage. `kind_span` stands for a `spec` that is not written at all.
pub(super) fn stores(
    node: &Node,
    owner: &str,
    kind_span: Span,
    resource: &'static OperatorResource,
) -> Vec<OperatorStore> {
    let mut out = Vec::new();
    for spec in &resource.store {
        if spec.ignored_if.iter().any(|a| annotated(node, a)) {
            continue;
        }
        for component in components(node, &spec.at, kind_span) {
            let Some(found) = judge(&component, spec) else {
                continue;
            };
            let replicas = spec.replicas.as_deref().and_then(|path| {
                let value = component.node?.path(&steps(path))?;
                Some(Spanned::new(value.as_u64()?, value.span))
            });
            let name = match (&spec.component, &component.item) {
                (Some(what), Some(item)) => Some(format!("{what} `{item}`")),
                (Some(what), None) => Some(what.clone()),
                (None, _) => None,
            };
            out.push(OperatorStore {
                owner: owner.to_string(),
                component: name,
                data: &spec.data,
                medium: found.medium,
                cause: found.cause,
                span: found.span,
                replicas,
                resource,
            });
        }
    }
    out
}

/// Whether the resource carries the annotation `name=value`.
fn annotated(node: &Node, annotation: &str) -> bool {
    let Some((name, value)) = annotation.split_once('=') else {
        return false;
    };
    node.path(&["metadata", "annotations", name])
        .and_then(Node::as_text)
        .is_some_and(|v| v.trim() == value)
}

/// One component of a resource: `spec`, `spec.kafka`, an item of `spec.nodeSets`.
struct Component<'n> {
    /// `None` when the resource has no `spec` at all.
    node: Option<&'n Node>,
    /// The component's key (`spec:`), a list item's `name` (or the item), or, for a missing
    /// `spec`, the `kind` value.
    span: Span,
    /// A list item's `name`.
    item: Option<String>,
    /// The component's path for messages (`spec.kafka`); `None` for list items, which the
    /// message names by their component and name instead.
    path: Option<String>,
}

/// What puts a store's data on ephemeral storage.
struct Found {
    medium: Medium,
    cause: String,
    span: Span,
}

fn steps(path: &str) -> Vec<&str> {
    path.split('.').filter(|s| !s.is_empty()).collect()
}

/// The components `at` names in `node`. A missing `spec` is an empty one, shown at the kind;
/// a missing component deeper down is no component (Strimzi's ZooKeeper in a KRaft cluster).
fn components<'n>(node: &'n Node, at: &str, kind_span: Span) -> Vec<Component<'n>> {
    let mut current = vec![Component {
        node: Some(node),
        span: kind_span,
        item: None,
        path: Some(String::new()),
    }];
    for (depth, step) in steps(at).into_iter().enumerate() {
        let (key, list) = match step.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (step, false),
        };
        let mut next = Vec::new();
        for c in current {
            let Some(parent) = c.node else { continue };
            let Some((k, v)) = parent.get_entry(key) else {
                if depth == 0 && key == "spec" && !list {
                    next.push(Component {
                        node: None,
                        span: kind_span,
                        item: None,
                        path: Some("spec".to_string()),
                    });
                }
                continue;
            };
            if list {
                for item in v.as_seq().unwrap_or_default() {
                    if !item.is_map() {
                        continue;
                    }
                    let name = item.get("name").and_then(|n| Some((n.as_text()?, n.span)));
                    next.push(Component {
                        node: Some(item),
                        span: name.map_or(item.span, |(_, span)| span),
                        item: name.map(|(n, _)| n.to_string()),
                        path: None,
                    });
                }
            } else if v.is_map() || v.is_null() {
                next.push(Component {
                    node: (!v.is_null()).then_some(v),
                    span: k.span,
                    item: c.item,
                    path: c.path.map(|p| join(&p, key)),
                });
            }
        }
        current = next;
    }
    current
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Whether the store of `component` keeps its data on ephemeral storage, and what says so.
fn judge(component: &Component<'_>, spec: &StoreSpec) -> Option<Found> {
    if let (Some(volumes), Some(name)) = (&spec.pod_volumes, &spec.volume) {
        return pod_volume(component.node?, volumes, name);
    }
    let storage_path = spec.storage.as_deref()?;
    let written = component
        .node
        .and_then(|n| n.path(&steps(storage_path)))
        .filter(|v| !v.is_null());
    let Some(storage) = written else {
        let moved = spec
            .unless
            .iter()
            .any(|p| component.node.and_then(|n| n.path(&steps(p))).is_some());
        if moved {
            return None;
        }
        let shown = match &component.path {
            Some(p) => join(p, storage_path),
            None => storage_path.to_string(),
        };
        return Some(Found {
            medium: spec.absent?,
            cause: format!("no `{shown}`"),
            span: component.span,
        });
    };
    let shown = match &component.path {
        Some(p) => join(p, storage_path),
        None => storage_path.to_string(),
    };
    if spec.zero_size {
        return zero_size(storage, &shown);
    }
    if let Some(mut found) = judge_storage(storage, spec) {
        found.cause = format!("`{}`", join(&shown, &found.cause));
        return Some(found);
    }
    let items_key = spec.items.as_deref()?;
    let items = storage.get(items_key)?.as_seq()?;
    items.iter().enumerate().find_map(|(i, item)| {
        let mut found = judge_storage(item, spec)?;
        found.cause = format!("`{shown}.{items_key}[{i}].{}`", found.cause);
        Some(found)
    })
}

/// A storage mapping (or one of its `items`): kept, or ephemeral by a key or a type.
fn judge_storage(storage: &Node, spec: &StoreSpec) -> Option<Found> {
    if !storage.is_map() {
        return None;
    }
    if spec.kept_by.iter().any(|k| storage.get(k).is_some()) {
        return None;
    }
    for key in &spec.ephemeral {
        if let Some((k, _)) = storage.get_entry(key) {
            return Some(Found {
                medium: if key == "ephemeral" {
                    Medium::Ephemeral
                } else {
                    Medium::EmptyDir
                },
                cause: key.clone(),
                span: k.span,
            });
        }
    }
    let type_key = spec.type_key.as_deref()?;
    let value = storage.get(type_key)?;
    let written = value.as_text()?;
    spec.ephemeral_types
        .iter()
        .any(|t| t == written)
        .then(|| Found {
            medium: Medium::EmptyDir,
            cause: format!("{type_key}: {written}"),
            span: value.span,
        })
}

/// A size that is zero (`0`, `0Gi`, `"0"`): the operator uses an `emptyDir` instead of a
/// claim. A placeholder or an unreadable size is not zero.
fn zero_size(storage: &Node, path: &str) -> Option<Found> {
    let written = storage.as_text()?.trim();
    let digits: String = written
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let unit = &written[digits.len()..];
    let known_unit = unit.is_empty()
        || [
            "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m",
        ]
        .contains(&unit);
    let zero = !digits.is_empty() && known_unit && digits.chars().all(|c| c == '0' || c == '.');
    zero.then(|| Found {
        medium: Medium::EmptyDir,
        cause: format!("`{path}: {written}`"),
        span: storage.span,
    })
}

/// The data volume `name` among the component's pod template volumes, when its source is an
/// `emptyDir` (also when none is written: Kubernetes defaults to one) or `ephemeral`.
fn pod_volume(component: &Node, volumes: &str, name: &str) -> Option<Found> {
    let items = component.path(&steps(volumes))?.as_seq()?;
    let volume = items
        .iter()
        .find(|v| v.get("name").and_then(Node::as_text) == Some(name))?;
    let source = volume
        .entries()
        .into_iter()
        .find(|(k, _)| k.as_str() != Some("name"));
    let (medium, span) = match source {
        None => (Medium::EmptyDir, volume.get("name")?.span),
        Some((k, _)) => match k.as_str()? {
            "emptyDir" => (Medium::EmptyDir, k.span),
            "ephemeral" => (Medium::Ephemeral, k.span),
            _ => return None,
        },
    };
    Some(Found {
        medium,
        cause: format!("its pod template's volume `{name}`"),
        span,
    })
}

#[cfg(test)]
mod tests {
    use crate::model::SourceFile;
    use crate::model::operators::Medium;
    use crate::yaml;

    /// The stores found in `text`, as (medium, cause, the text the span covers).
    fn stores(text: &str) -> Vec<(Medium, String, String)> {
        let file = SourceFile::new("ops.yaml", text.to_string());
        let stream = yaml::parse(&file);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let parsed = super::super::parse(&file, &stream.documents);
        parsed
            .operator_stores
            .iter()
            .map(|s| {
                (
                    s.medium,
                    s.cause.clone(),
                    s.span.text(&file.text).to_string(),
                )
            })
            .collect()
    }

    fn rabbit(storage: &str) -> String {
        format!(
            "apiVersion: rabbitmq.com/v1beta1\nkind: RabbitmqCluster\nmetadata: {{name: r}}\nspec:\n  persistence:\n    storage: {storage}\n"
        )
    }

    #[test]
    fn a_zero_size_is_an_empty_dir_and_anything_else_is_not() {
        for zero in ["0", "\"0\"", "0Gi", "0.0", "'0Mi'"] {
            let found = stores(&rabbit(zero));
            assert_eq!(found.len(), 1, "{zero}");
            assert_eq!(found[0].0, Medium::EmptyDir);
            assert_eq!(found[0].2, zero);
        }
        for other in ["10Gi", "0x10", "${SIZE}", "\"{{ .size }}\"", "00Zi", "\"\""] {
            assert!(stores(&rabbit(other)).is_empty(), "{other}");
        }
    }

    #[test]
    fn an_absent_storage_points_at_its_component_and_a_missing_spec_at_the_kind() {
        let text = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: a}\nspec:\n  replicas: 1\n---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: b}\n---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: c}\nspec:\n";
        let found = stores(text);
        let spans: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert_eq!(spans, ["spec", "Prometheus", "spec"]);
        assert!(found.iter().all(|f| f.1 == "no `spec.storage`"));
    }

    #[test]
    fn wrong_types_and_other_groups_give_nothing() {
        let text = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: a}\nspec: [1, 2]\n---\napiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: {name: k}\nspec:\n  kafka: {storage: ephemeral}\n  zookeeper: {storage: {type: [ephemeral]}}\n---\napiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata: {name: e}\nspec:\n  nodeSets: {name: default}\n---\napiVersion: v1\nkind: Prometheus\nmetadata: {name: core}\n";
        assert!(stores(text).is_empty(), "{:?}", stores(text));
    }
}
