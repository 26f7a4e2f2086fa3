#!/usr/bin/env bash
# Rebuild the real-world corpus outside git.
# usage: corpus/build.sh [DEST]   (DEST defaults to corpus/.cache, which is gitignored)
#        REPOS=other-list.txt corpus/build.sh DEST   builds only the projects of that list
# Each line of corpus/repos.txt: owner/name commit paths(. or comma list) # note
# The repositories must be present as bare mirrors under $MIRRORS (default /work/.mirror,
# as brought by the session's `fetch github:owner/name`); set MIRRORS to use others,
# e.g. plain `git clone --bare` copies named owner+name/repo.
# Files are checked out (not `git archive`d): `git archive` leaves out what a project marks
# `export-ignore` in .gitattributes, often its development compose files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/.cache}
mirrors=${MIRRORS:-/work/.mirror}
# Files stowlint reads: YAML (GitHub workflows included), Dockerfiles/Containerfiles, .env files
# (compose interpolation), Podman Quadlet units, dev container configurations, and buildx bake
# files (a project that builds with bake builds with BuildKit: SL204).
keep='(\.ya?ml$|(^|/)docker-bake(\.override)?\.(hcl|json)$|(^|/)(Dockerfile|Containerfile)[^/]*$|\.[Dd]ockerfile$|(^|/)\.env$|\.(container|volume|pod|kube|build)$|(^|/)\.?devcontainer\.json$)'
repos=${REPOS:-$here/repos.txt}
mkdir -p "$dest"
grep -v '^\s*#' "$repos" | while read -r repo commit paths _; do
    [ -n "$repo" ] || continue
    m="$mirrors/${repo/\//+}/repo"
    # A snapshot brought as a plain clone (a work tree with `.git` inside) reads the same.
    [ -d "$m/.git" ] && m="$m/.git"
    out="$dest/${repo/\//+}"
    if ! git --git-dir="$m" cat-file -e "$commit^{commit}" 2>/dev/null; then
        echo "missing: $repo@$commit (fetch it into $m)" >&2; continue
    fi
    rm -rf "$out"; mkdir -p "$out"
    spec=(); [ "$paths" = . ] || IFS=, read -ra spec <<<"$paths"
    git --git-dir="$m" ls-tree -r -z --name-only "$commit" -- "${spec[@]}" \
        | grep -zE "$keep" \
        | xargs -0 -r -n 500 bash -c 'GIT_INDEX_FILE="$2/.corpus-index" git --git-dir="$0" --work-tree="$2" checkout -q "$1" -- "${@:3}"' "$m" "$commit" "$out" \
        || true
    rm -f "$out/.corpus-index"
    echo "$repo $(find "$out" -type f | wc -l) files"
done
