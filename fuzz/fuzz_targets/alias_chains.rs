//! Alias chains fed to the YAML model: anchors that refer to anchors, deep (each to the last)
//! and wide (each to many), as sequences, mappings and `<<` merge keys, then used by compose
//! services and a pod. The bytes choose the shape; the expansion bound must refuse a bomb
//! (SL001) without a panic, a hang or an out-of-memory, and every span stays exact.
#![no_main]

use std::fmt::Write as _;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut yaml = String::from("x-a0: &a0 {image: alpine, volumes: [\"/etc:/e\"]}\n");
    let mut anchors = 1usize;
    let mut bytes = data.iter().copied();
    while let Some(op) = bytes.next() {
        if anchors >= 200 {
            break;
        }
        let width = usize::from(bytes.next().unwrap_or(1) % 16) + 1;
        let pick = |k: usize| {
            let b = usize::from(data.get(k % data.len().max(1)).copied().unwrap_or(0));
            // Mostly the latest anchors (deep chains), sometimes any (wide fans).
            if b % 4 == 0 { b % anchors } else { anchors - 1 - (b % anchors.min(3)) }
        };
        let refs: Vec<usize> = (0..width).map(|k| pick(anchors + k)).collect();
        let list = refs.iter().map(|r| format!("*a{r}")).collect::<Vec<_>>().join(", ");
        let n = anchors;
        match op % 4 {
            0 => writeln!(yaml, "x-a{n}: &a{n} [{list}]"),
            1 => writeln!(yaml, "x-a{n}: &a{n} {{<<: [{list}], image: alpine}}"),
            2 => writeln!(yaml, "x-a{n}: &a{n}\n  <<: *a{}\n  volumes: [\"v{n}:/d\"]", refs[0]),
            _ => writeln!(yaml, "x-a{n}: &a{n} {{k: [{list}], j: *a{}}}", refs[0]),
        }
        .expect("a String takes writes");
        anchors += 1;
    }
    yaml.push_str("services:\n");
    for (i, r) in (0..anchors).rev().take(8).enumerate() {
        writeln!(yaml, "  s{i}:\n    <<: *a{r}\n    environment: {{E: *a{r}}}")
            .expect("a String takes writes");
    }
    stowlint_fuzz::lint_as("compose.yaml", &yaml);
    let pod = format!(
        "{yaml}apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: c, image: alpine, env: *a{}}}]\n",
        anchors - 1
    );
    stowlint_fuzz::lint_as("x.yaml", &pod);
});
