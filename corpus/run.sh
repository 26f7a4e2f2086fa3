#!/usr/bin/env bash
# Lint every corpus project with the release binary, one run per project (so cross-file facts
# resolve within a project), and write the findings outside git.
# usage: corpus/run.sh [CORPUS_DIR] [OUT_DIR]
#   CORPUS_DIR defaults to corpus/.cache (see build.sh); OUT_DIR to corpus/.runs/<date>.
#   STOWLINT=path/to/stowlint overrides the binary (default: $CARGO_TARGET_DIR or target/release).
# Writes OUT_DIR/<project>.json (raw), OUT_DIR/findings.tsv, OUT_DIR/files.tsv and prints counts.
# Then: corpus/compare.py OUT_DIR/findings.tsv   joins the run to corpus/verdicts.tsv.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
src=$(cd "${1:-$here/.cache}" && pwd)
out=${2:-$here/.runs/$(date -u +%Y%m%dT%H%M%S)}
bin=${STOWLINT:-${CARGO_TARGET_DIR:-$root/target}/release/stowlint}
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release --locked" >&2; exit 2; }
mkdir -p "$out"; out=$(cd "$out" && pwd)
: > "$out/status.tsv"
for dir in "$src"/*/; do
    p=$(basename "$dir")
    start=$(date +%s.%N)
    (cd "$dir" && timeout 600 "$bin" check --isolated --format json . >"$out/$p.json" 2>"$out/$p.stderr")
    rc=$?
    printf '%s\t%s\t%.1f\n' "$p" "$rc" "$(echo "$(date +%s.%N) - $start" | bc)" >>"$out/status.tsv"
done
python3 "$here/summarize.py" "$out"
echo "run written to $out"
