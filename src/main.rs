use std::process::ExitCode;

fn main() -> ExitCode {
    stowlint::cli::main()
}
