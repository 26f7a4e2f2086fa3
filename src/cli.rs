//! The command line. (Being written.)

use std::process::ExitCode;

#[must_use]
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
