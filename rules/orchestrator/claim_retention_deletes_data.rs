use super::storage::data_claims;
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::Workload;
use crate::rules::ephemeral::data_severity;

declare_rule! {
    /// ## What it does
    /// Flags a StatefulSet whose `persistentVolumeClaimRetentionPolicy` sets `whenScaled:
    /// Delete` or `whenDeleted: Delete` while a `volumeClaimTemplates` entry keeps a stateful
    /// image's data path (see the stateful image catalog). Cache images (Redis, Valkey) and
    /// test fixtures are reported as info.
    ///
    /// ## Why is this bad?
    /// By default (`Retain`) the claims of a StatefulSet outlive it: a scale-down, a deleted
    /// and recreated StatefulSet (the usual way to change an immutable field), a Helm
    /// uninstall or a GitOps prune leave the data in place, and the next pod of the same
    /// ordinal mounts it again. With `whenScaled: Delete` the controller deletes the claims of
    /// every replica a scale-down removes — scaling a single database to zero to pause it
    /// deletes its data; with `whenDeleted: Delete`, deleting the StatefulSet deletes every
    /// claim. The storage class's `Delete` reclaim policy, the usual one, then deletes the
    /// volumes. Nothing asks for confirmation.
    ///
    /// The severity is `warning`, not `error`: the data goes only when someone scales down or
    /// deletes, and some teams choose this for replicas whose data the others hold. For a
    /// database's only copy, a database operator keeps `Retain` and deletes claims by hand
    /// once the data is safe.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: db}
    /// spec:
    ///   serviceName: db
    ///   persistentVolumeClaimRetentionPolicy:
    ///     whenDeleted: Retain
    ///     whenScaled: Delete
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: mariadb:11
    ///           volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
    ///   volumeClaimTemplates:
    ///     - metadata: {name: data}
    ///       spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: db}
    /// spec:
    ///   serviceName: db
    ///   persistentVolumeClaimRetentionPolicy:
    ///     whenDeleted: Retain
    ///     whenScaled: Retain
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: mariadb:11
    ///           volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
    ///   volumeClaimTemplates:
    ///     - metadata: {name: data}
    ///       spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
    /// ```
    pub struct ClaimRetentionDeletesData;
    meta { code: "SL409", name: "claim-retention-deletes-data", severity: Warning,
           formats: [Kubernetes] }
}

impl Rule for ClaimRetentionDeletesData {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        let policy = &w.claim_retention;
        let scaled = policy.when_scaled.as_ref().filter(|v| v.value == "Delete");
        let deleted = policy.when_deleted.as_ref().filter(|v| v.value == "Delete");
        let Some(at) = scaled.or(deleted) else {
            return;
        };
        let claims: Vec<_> = data_claims(cx.project(), cx.file(), w)
            .into_iter()
            .filter(|c| c.template)
            .collect();
        let Some(first) = claims.first() else {
            return;
        };
        let when = match (scaled, deleted) {
            (Some(_), Some(_)) => "when it is scaled down or deleted",
            (Some(_), None) => "when it is scaled down",
            _ => "when it is deleted",
        };
        let names: Vec<String> = claims
            .iter()
            .map(|c| format!("`{}`", c.claim.name.value))
            .collect();
        let severity = claims
            .iter()
            .map(|c| data_severity(&c.facts, cx.project(), cx.file(), Severity::Warning))
            .max()
            .unwrap_or(Severity::Warning);
        let d = cx
            .report(
                at.span,
                format!(
                    "{} deletes the claims that keep its {} data ({}) {when}",
                    w.owner,
                    first.facts.stateful.repository,
                    names.join(", ")
                ),
            )
            .severity(severity)
            .help(
                "set `persistentVolumeClaimRetentionPolicy` `whenScaled` and `whenDeleted` to \
                 `Retain` (the default), and delete claims by hand once their data is safe \
                 elsewhere",
            );
        if let (Some(_), Some(other)) = (scaled, deleted) {
            d.label(other.span, "and deleting the StatefulSet deletes them all");
        }
        for c in &claims {
            d.label(
                c.claim.name.span,
                format!(
                    "holds `{}` of container `{}`",
                    c.data_path, c.container.name
                ),
            );
        }
    }
}
