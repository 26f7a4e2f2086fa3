use std::process::ExitCode;

/// Many small, short-lived allocations (YAML nodes) from several threads: mimalloc frees and
/// reuses them faster than the system allocator, and returns memory to the OS sooner.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    stowlint::cli::main()
}
