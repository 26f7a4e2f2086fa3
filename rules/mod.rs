//! THE registry: every rule, sorted by code (a test fails otherwise).
//!
//! One rule, one file, with its doc comment and fixtures (`fixtures/<CODE>/`). Rules see the
//! model, never the formats.

pub mod bind_mounts;
pub mod ephemeral;
pub mod facts;
pub mod linter;
pub mod memory;
pub mod orchestrator;
pub mod wiring;

/// The catalog is data of the model's layer; rules read it through `Project::catalog`.
pub use crate::model::catalog;

use crate::engine::Rule;

// Every rule, sorted by code: `RULES` and `Code`, one variant per rule (engine::code).
crate::declare_registry! {
    linter::parse_error::ParseError,
    linter::unused_suppression::UnusedSuppression,
    bind_mounts::sensitive_host_path::SensitiveHostPath,
    bind_mounts::container_runtime_socket::ContainerRuntimeSocket,
    bind_mounts::writable_bind_mount::WritableBindMount,
    bind_mounts::data_on_bind_mount::DataOnBindMount,
    bind_mounts::host_path_autocreate::HostPathAutocreate,
    bind_mounts::shared_mount_propagation::SharedMountPropagation,
    ephemeral::data_on_container_layer::DataOnContainerLayer,
    ephemeral::data_in_anonymous_volume::DataInAnonymousVolume,
    ephemeral::data_on_emptydir::DataOnEmptydir,
    ephemeral::volume_changed_after_declaration::VolumeChangedAfterDeclaration,
    ephemeral::anonymous_volume::AnonymousVolume,
    ephemeral::malformed_volume_array::MalformedVolumeArray,
    ephemeral::operator_ephemeral_storage::OperatorEphemeralStorage,
    memory::data_on_tmpfs::DataOnTmpfs,
    memory::unbounded_tmpfs::UnboundedTmpfs,
    memory::unbounded_emptydir::UnboundedEmptydir,
    orchestrator::host_path_in_workload::HostPathInWorkload,
    orchestrator::data_on_host_local_volume::DataOnHostLocalVolume,
    orchestrator::local_pv_without_node_affinity::LocalPvWithoutNodeAffinity,
    orchestrator::rwo_claim_shared_by_replicas::RwoClaimSharedByReplicas,
    orchestrator::rwo_claim_rolling_update::RwoClaimRollingUpdate,
    orchestrator::swarm_bind_mount::SwarmBindMount,
    orchestrator::swarm_local_volume::SwarmLocalVolume,
    orchestrator::data_on_node_local_storage::DataOnNodeLocalStorage,
    orchestrator::claim_retention_deletes_data::ClaimRetentionDeletesData,
    orchestrator::reclaim_policy_deletes_data::ReclaimPolicyDeletesData,
    wiring::undefined_volume::UndefinedVolume,
    wiring::unused_volume::UnusedVolume,
    wiring::shared_writable_volume::SharedWritableVolume,
    wiring::volumes_from::VolumesFrom,
    wiring::duplicate_mount_target::DuplicateMountTarget,
    wiring::unknown_mount_option::UnknownMountOption,
}

/// A rule by code (`SL102`) or name (`container-runtime-socket`), case-insensitively.
#[must_use]
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    Code::find(code_or_name).map(|code| RULES[code.index()])
}

/// The README's rules table, generated from the rules' metadata.
#[must_use]
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| code | name | severity | default | formats | what it flags |\n|---|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let m = rule.meta();
        let formats: Vec<&str> = m.formats.iter().map(|f| f.as_str()).collect();
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            m.code,
            m.name,
            m.severity,
            if m.default { "on" } else { "opt-in" },
            formats.join(", "),
            m.summary().replace('|', "\\|")
        ));
    }
    out
}
