//! The `.env` reader and interpolation under a length budget: `.env` text, NUL, a value. A
//! `.env` whose lines double the previous variable (`B=${A}${A}`, `C=${B}${B}`, ...) must
//! not build gigabytes: every expanded value stays within `MAX_VALUE_LEN`, or is the text as
//! written (unknown). Run with a short `-timeout` so that slow expansion is a finding too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stowlint::parse::interpolate::{MAX_VALUE_LEN, Vars, interpolate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (env, value) = text.split_once('\0').unwrap_or((&text, "${A}${B}${C}"));
    // Doubling lines after the fuzzer's own: the budget must hold whatever came before.
    let mut env = env.to_string();
    env.push_str("\nZ0=${A}${B}${C}${Z0}\n");
    for i in 1..40 {
        env.push_str(&format!("Z{i}=${{Z{p}}}${{Z{p}}}\n", p = i - 1));
    }
    let vars = Vars::from_dotenv(&env);
    for probe in [value, "${Z39}", "${Z39:-x}${Z39}", "$${Z39}"] {
        let out = interpolate(probe, &vars);
        assert!(
            out.value.len() <= MAX_VALUE_LEN.max(probe.len()),
            "{} bytes from {probe:?}",
            out.value.len()
        );
        if out.value.len() > MAX_VALUE_LEN {
            assert!(!out.known && out.value == probe, "an over-long value is unknown");
        }
    }
    // Every name the `.env` text mentions expands within the budget.
    for line in env.lines() {
        let Some((name, _)) = line.trim_start().trim_start_matches("export ").split_once('=') else {
            continue;
        };
        let probe = format!("${{{}}}", name.trim());
        assert!(interpolate(&probe, &vars).value.len() <= MAX_VALUE_LEN.max(probe.len()));
    }
});
