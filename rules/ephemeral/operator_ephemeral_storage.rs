use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::FileModel;
use crate::model::operators::Medium;

declare_rule! {
    /// ## What it does
    /// Flags an operator's custom resource whose data store keeps its data on storage that
    /// dies with the pod: a Prometheus, Alertmanager or ThanosRuler without `spec.storage`
    /// (the prometheus-operator then uses an `emptyDir`) or with `storage.emptyDir`; a Strimzi
    /// `Kafka` or `KafkaNodePool` with `storage.type: ephemeral` (also a `jbod` volume, and
    /// ZooKeeper storage); an ECK `Elasticsearch` node set whose pod template gives the
    /// `elasticsearch-data` volume an `emptyDir`; a `RabbitmqCluster` with
    /// `persistence.storage: 0`; a Percona MongoDB replica set on `volumeSpec.emptyDir`; a
    /// VictoriaMetrics `VMSingle` or `VMCluster` vmstorage without storage; Redis operators'
    /// resources without storage (info: a cache can be refilled), and an Alertmanager of more
    /// than one replica (info: its peers gossip silences and the notification log, so a pod
    /// that starts empty gets them back from the others). Which resources, where
    /// their storage spec lives and what its absence means come from the operators catalog
    /// (`crates/stowlint_model/src/catalog/operators.toml`), each entry citing the operator's
    /// documentation or source; a resource whose data path or volumes are customised
    /// (`storageDataPath`) is not reported.
    ///
    /// A Kubernetes object that the kustomization beside it (in its folder or the one above)
    /// patches with a file that is not there (generated per cluster, or ignored by git) is
    /// reported as info: what kustomize renders from it is unknown, and the patch may add
    /// what is missing here. So is a resource in a project's test fixtures (files under
    /// `test/`, `e2e/`, ...; see SL201): a test cluster's store is throwaway.
    ///
    /// ## Why is this bad?
    /// The operator creates the pods; the resource decides their storage. An `emptyDir` (or a
    /// generic `ephemeral` volume) is deleted with its pod, and the container's layer with its
    /// container: a rollout the operator starts on any change to the resource, a node drain
    /// or an eviction deletes the data. A replicated store (Kafka, Elasticsearch, RabbitMQ
    /// quorum queues) copies it back from the other pods only while they are alive, and a
    /// store of one pod has nothing to copy from. The operators document these modes as
    /// meant for development only.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: Prometheus
    /// metadata:
    ///   name: main
    /// spec:
    ///   replicas: 2
    ///   serviceMonitorSelector: {}
    /// ```
    ///
    /// Use instead: a claim template, so each replica keeps its TSDB on a PersistentVolumeClaim.
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: Prometheus
    /// metadata:
    ///   name: main
    /// spec:
    ///   replicas: 2
    ///   serviceMonitorSelector: {}
    ///   storage:
    ///     volumeClaimTemplate:
    ///       spec:
    ///         storageClassName: ssd
    ///         resources:
    ///           requests:
    ///             storage: 50Gi
    /// ```
    ///
    /// ## References
    /// - prometheus-operator, *Storage*: <https://prometheus-operator.dev/docs/platform/storage/>
    /// - Strimzi, *Configuring Kafka storage*:
    ///   <https://strimzi.io/docs/operators/latest/deploying#assembly-storage-str>
    /// - ECK, *Volume claim templates*:
    ///   <https://www.elastic.co/guide/en/cloud-on-k8s/current/k8s-volume-claim-templates.html>
    pub struct OperatorEphemeralStorage;
    meta { code: "SL207", name: "operator-ephemeral-storage", severity: Warning,
           formats: [Kubernetes] }
}

impl Rule for OperatorEphemeralStorage {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        for store in &file.operator_stores {
            let what = match &store.component {
                Some(component) => format!("the {} of its {component}", store.data),
                None => format!("its {}", store.data),
            };
            let fate = match store.medium {
                Medium::EmptyDir | Medium::Ephemeral => "deleted with each pod",
                Medium::ContainerLayer => "lost whenever a container is recreated",
            };
            let resource = store.resource;
            let d = cx
                .report(
                    store.span,
                    format!(
                        "{} keeps {what} on {} ({}), {fate}",
                        store.owner,
                        store.medium.describe(),
                        store.cause
                    ),
                )
                .help(resource.help.as_str());
            // A cache, or a test fixture's store (throwaway by design): info.
            if resource.cache || super::test_file(file) {
                d.severity(Severity::Warning.lower());
            }
            if let Some((kind, name)) = store.owner.split_once('/') {
                crate::rules::facts::unknown_after_missing_patch(d, file, kind, name, store.span);
            }
            let replicated = store.replicas.as_ref().filter(|r| r.value > 1);
            if resource.gossip && replicated.is_some() {
                d.severity(Severity::Warning.lower()).help(format!(
                    "its pods copy it to each other: a pod that starts empty gets it back while \
                     another runs; {}",
                    resource.help
                ));
            }
            if let Some(replicas) = replicated {
                d.label(
                    replicas.span,
                    format!(
                        "{} pods, each on its own {}",
                        replicas.value,
                        match store.medium {
                            Medium::ContainerLayer => "container layer",
                            Medium::EmptyDir => "`emptyDir`",
                            Medium::Ephemeral => "`ephemeral` volume",
                        }
                    ),
                );
            }
        }
    }
}
