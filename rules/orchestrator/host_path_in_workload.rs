use super::host_local_data;
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, Mount, MountKind, Platform, Workload};
use crate::rules::catalog::Sensitivity;

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes in Kubernetes workloads other than DaemonSets (a bare Pod
    /// included). Reported as `info` when the pod is pinned to one node (`nodeName`, or a
    /// required `kubernetes.io/hostname` node selector or affinity).
    ///
    /// So is a bare Pod of `kube-system` on the host network (`hostNetwork: true`): the shape
    /// of a static pod manifest (kubeadm's control plane, kube-vip), which the kubelet of the
    /// node whose manifest folder holds it runs there; it never moves.
    ///
    /// A pod template that a kustomization in its folder (or the one above) puts into a
    /// ConfigMap or Secret (`configMapGenerator` / `secretGenerator` `files:`) is info as well:
    /// it is data for a program, which creates the pod and chooses its node (a storage
    /// provisioner's helper pod runs on the node of the volume it serves).
    ///
    /// A pod pinned by an administrator's own node label (`nodeSelector: {node: main}`, a
    /// required affinity asking for one value of such a label) is info too: that may be one
    /// node or several, which the files do not tell. Labels of Kubernetes, clouds and
    /// node-feature tools (`kubernetes.io/os`, `topology.kubernetes.io/zone`,
    /// `cloud.google.com/...`) name groups of nodes and pin nothing.
    ///
    /// Paths every node provides
    /// (`/`, `/proc`, `/sys`, `/dev`, `/run`, the runtime, `/var/log`, time zone files,
    /// `/etc/hostname`, `/etc/hosts`, `/etc/os-release`, `/etc/machine-id`, `/lib/modules`,
    /// `/boot`, the kubelet's folder), the host's own configuration folders (`/etc/kubernetes`,
    /// `/etc/systemd`, `/etc/cni`), and the system locations themselves (`/etc`, `/usr`,
    /// `/var`, `/var/lib/etcd`), are not data and are left to SL101 and SL102. A
    /// read-only `hostPath` is info: the pod may read other files on another node, but it
    /// keeps nothing there to lose. So is the node folder of a storage driver's node plugin (a
    /// privileged pod that mounts the kubelet's folder, as a CSI node plugin does): the volumes
    /// it serves live on its node by design, and their PersistentVolumes say which node. And so
    /// is a `hostPath` in a project's test fixtures (files under `test/`, `e2e/`, `e2e-tests/`,
    /// ...; see SL201): a test cluster's node folders are throwaway. So is a `hostPath` that
    /// holds only logs (mounted at or under `/var/log`, or at a `log`/`logs` folder): a pod on
    /// another node starts a new log. So is a `hostPath` in the node's scratch space (`/tmp`,
    /// `/var/tmp`): nothing there is meant to stay.
    ///
    /// ## Why is this bad?
    /// A `hostPath` is a folder of whatever node the pod happens to run on. When the pod is
    /// rescheduled (a node drain, an eviction, a rollout) it starts on another node with
    /// another folder: what it wrote is left behind, and what it expects to read is missing.
    /// DaemonSets run one pod per node and are meant to read their node; other workloads keep
    /// data in a PersistentVolumeClaim. Pinning the pod keeps the folder but ties the workload
    /// to one node: it cannot move when that node fails.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: uploads}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: example/uploads:1.4
    ///           volumeMounts: [{name: files, mountPath: /srv/files}]
    ///       volumes:
    ///         - name: files
    ///           hostPath: {path: /srv/uploads}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: uploads}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: example/uploads:1.4
    ///           volumeMounts: [{name: files, mountPath: /srv/files}]
    ///       volumes:
    ///         - name: files
    ///           persistentVolumeClaim: {claimName: uploads-files}
    /// ```
    pub struct HostPathInWorkload;
    meta { code: "SL401", name: "host-path-in-workload", severity: Warning,
           formats: [Kubernetes] }
}

impl Rule for HostPathInWorkload {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        if w.platform != Platform::Kubernetes || w.is_daemonset() || m.kind != MountKind::HostPath {
            return;
        }
        // Kernel interfaces, the runtime (its socket wherever it lies) and node identity are on
        // every node: not data.
        // So is a system location itself (`/etc`, `/usr`, `/var`: every node has one), which
        // SL101 reports as the risk it is; a folder of the pod's own under one (`/etc/app`,
        // `/var/lib/app`) is still data on one node.
        // And so are the host's own configuration folders (`/etc/kubernetes`, `/etc/systemd`:
        // what a CIS audit Job reads), which every node has.
        if m.host_path().is_some_and(|h| {
            cx.catalog().is_node_provided(&h.path)
                || cx.catalog().is_host_config(&h.path)
                || cx.catalog().is_runtime_socket(&h.path)
                || cx.catalog().sensitivity(&h.path).is_some_and(|s| match s {
                    Sensitivity::Root(_) | Sensitivity::AncestorOf(_) => true,
                    Sensitivity::System(p) => p == h.path,
                    Sensitivity::Credentials(_) | Sensitivity::HoldsCredentials(_) => false,
                })
        }) {
            return;
        }
        // A pod volume is reported once, at its path, for every container that mounts it. When
        // one of them keeps a database there, SL402 says so and wins over this finding: all
        // reports of the volume then name that mount as their subject.
        let pod_volume = m.volume.as_ref().map(|v| &v.value);
        let subject = host_local_data(cx.project(), cx.file(), w)
            .into_iter()
            .find(|d| d.mount.volume.as_ref().map(|v| &v.value) == pod_volume)
            .map_or(m.span, |d| d.mount.span);
        let storage_driver = crate::rules::bind_mounts::is_storage_driver(w, cx.catalog());
        let test_fixture = crate::rules::ephemeral::test_file(cx.file());
        let what = m.host_path().map_or_else(
            || "a hostPath volume".to_string(),
            |h| format!("host path `{}`", h.path),
        );
        let template_of = cx.file().kustomize.as_ref();
        let d = match w.pinned {
            Some(pinned) => cx
                .report(
                    m.source_or_entry_span(),
                    format!(
                        "{} mounts {what} of the one node the pod is pinned to",
                        m.owner
                    ),
                )
                .severity(Severity::Info)
                .label(pinned, "the pod is pinned to one node here")
                .help(
                    "keep data in a PersistentVolumeClaim so the pod can move when its node fails",
                ),
            None => cx
                .report(
                    m.source_or_entry_span(),
                    format!(
                        "{} mounts {what} of whichever node the pod runs on",
                        m.owner
                    ),
                )
                .help(
                    "keep data in a PersistentVolumeClaim; if the pod must read this node's files, \
                     run it as a DaemonSet or pin it with `nodeName` or a \
                     `kubernetes.io/hostname` affinity",
                ),
        };
        // A pod template a kustomization puts into a ConfigMap or Secret: the program that
        // reads it creates the pod, and it decides the node (a provisioner's helper pod runs
        // on the node of the volume it serves).
        if let Some(k) = template_of.filter(|k| k.generator_input) {
            let at = w.span;
            let shown = k.kustomization.display().to_string();
            d.severity(Severity::Info).label(
                at,
                format!(
                    "a template `{shown}` puts into a ConfigMap or Secret: whatever creates the \
                     pod from it chooses the node"
                ),
            );
        }
        // A static pod runs on the node whose manifest folder holds it, and stays there.
        if let Some(at) = w.static_pod {
            d.severity(Severity::Info).label(
                at,
                "a static pod's shape (a bare Pod of `kube-system` on the host network): the \
                 kubelet of the node that holds the manifest runs it there",
            );
        }
        // Pinned by an administrator's node label: maybe one node, maybe several.
        if let Some(label) = w.pinned_by_label {
            d.severity(Severity::Info)
                .label(label, "pinned to the nodes with this label (maybe one)");
        }
        // Read-only, the pod keeps nothing there: it may read other files on another node,
        // but no data is lost when it moves.
        if m.read_only || test_fixture {
            d.severity(Severity::Info);
        } else if m
            .host_path()
            .is_some_and(|h| crate::rules::facts::scratch_path(&h.path))
        {
            d.severity(Severity::Info).help(
                "the node's scratch space keeps nothing meant to stay; use an `emptyDir` if the \
                 pod only needs scratch space",
            );
        } else if crate::rules::facts::log_folder(&m.target) {
            super::logs_only(d, "on another node the pod starts a new log");
        } else if storage_driver {
            d.severity(Severity::Info).help(
                "a storage driver's node plugin keeps the volumes it serves on its node: run it \
                 as a DaemonSet, or pin it to the node that holds them",
            );
        }
        d.subject(subject)
            .label(m.target_span, format!("mounted at `{}`", m.target));
    }
}
