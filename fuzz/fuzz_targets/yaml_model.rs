//! Arbitrary bytes as a compose file and as a Kubernetes manifest, parsed and linted.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    stowlint_fuzz::lint_as("compose.yaml", &text);
    stowlint_fuzz::lint_as("x.yaml", &text);
});
