//! Compose interpolation: `.env` text and a value, separated by the first NUL byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stowlint::parse::interpolate::{Vars, interpolate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (env, value) = text.split_once('\0').unwrap_or(("", &text));
    let vars = Vars::from_dotenv(env);
    let out = interpolate(value, &vars);
    // Text without `$` is its own value.
    if !value.contains('$') {
        assert_eq!(out.value, value);
        assert!(out.known);
    }
    // Without variables, every reference is unknown or has a literal default: never a panic,
    // and the result is deterministic.
    assert_eq!(interpolate(value, &vars), out);
    let _ = interpolate(env, &Vars::default());
});
