//! Arbitrary bytes split into up to six files (manifests, compose files of one folder,
//! Dockerfiles): the streaming run must report exactly what one project reports.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    stowlint_fuzz::streaming_matches_batch(&String::from_utf8_lossy(data));
});
