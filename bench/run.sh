#!/usr/bin/env bash
# The throughput benchmark: a deterministic synthetic repository (bench/gen.py), then
#   - the bare floor: `stowlint check --parse-only=syntax` (the same walk and reads, then only
#     the YAML parser's event stream and the Dockerfile syntax: what any reader pays),
#   - the floor: `stowlint check --parse-only` (walk, read and parse every file into the
#     spanned tree and the model, no rules),
#   - the full run: `stowlint check --format concise` (everything, output to /dev/null),
# each timed with /usr/bin/time -v (the median of RUNS=3 runs, after an untimed warm-up):
# wall time, files/s, MB/s, the ratio to the floor and the peak RSS.
# Usage: bash bench/run.sh [FILES...]   (default: 1000 10000)
# Compare runs on one machine only; nothing here is a test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/stowlint
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, command...: prints "seconds rss_kb", the median of $RUNS runs
  local log=$work/time.log runs=()
  for _ in $(seq "${RUNS:-3}"); do
    /usr/bin/time -v "${@:2}" > /dev/null 2> "$log" || true
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    # m:ss.cc -> seconds
    runs+=("$(python3 -c "import sys; m, s = sys.argv[1].split(':')[-2:]; print(f'{int(m) * 60 + float(s):.3f} {sys.argv[2]}')" "$wall" "$rss")")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(( (${#runs[@]} + 1) / 2 ))p"
}

printf '%8s %10s %9s %9s %10s %9s %9s %10s %11s %8s\n' files MB bare_s floor_s full_s files/s MB/s ratio_bare ratio_floor rss_MB
for n in "${sizes[@]}"; do
  repo=$work/repo-$n
  python3 bench/gen.py "$repo" "$n" > /dev/null
  mb=$(find "$repo" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1e6}')
  # Warm the page cache and the kernel's directory cache, so that neither timed pass pays
  # for the first walk.
  find "$repo" -type f -exec cat {} + > /dev/null
  "$bin" check --parse-only "$repo" 2> /dev/null || true
  read -r bare _ < <(measure bare "$bin" check --parse-only=syntax "$repo")
  read -r floor _ < <(measure floor "$bin" check --parse-only "$repo")
  read -r full rss < <(measure full "$bin" check --format concise "$repo")
  python3 - "$n" "$mb" "$bare" "$floor" "$full" "$rss" <<'PY'
import sys
n, mb = int(sys.argv[1]), float(sys.argv[2])
bare, floor, full, rss = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
print(f"{n:8d} {mb:10.1f} {bare:9.2f} {floor:9.2f} {full:10.2f} {n / full:9.0f} {mb / full:9.1f} {full / bare:10.2f} {full / floor:11.2f} {rss / 1024:8.0f}")
PY
done
