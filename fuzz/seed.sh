#!/bin/sh
# Seed the fuzz corpora from the repository's fixtures (run before `cargo fuzz run`).
# Corpora are generated, never committed: fuzz/corpus/ is ignored.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"
mkdir -p "$corpus/yaml_model" "$corpus/dockerfile_model" "$corpus/interpolate" "$corpus/lsp_session" \
    "$corpus/streaming"

n=0
find "$root/fixtures" "$root/examples" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort |
while read -r f; do
    n=$((n + 1))
    cp "$f" "$corpus/yaml_model/fixture-$n"
done

n=0
find "$root/fixtures" "$root/examples" -type f \( -name 'Dockerfile*' -o -name '*.Dockerfile' -o -name 'Containerfile*' \) | sort |
while read -r f; do
    n=$((n + 1))
    cp "$f" "$corpus/dockerfile_model/fixture-$n"
done

# Interpolation: each `.env` file, then a NUL, then each compose line that interpolates.
envs=$(find "$root/fixtures" "$root/examples" -type f -name '.env' | sort)
n=0
grep -rhoE '\$[{]?[A-Za-z_][^ "]*' "$root/fixtures" "$root/examples" --include='*.yaml' --include='*.yml' | sort -u |
while read -r value; do
    n=$((n + 1))
    for env in $envs; do
        { cat "$env"; printf '\0%s' "$value"; } > "$corpus/interpolate/ref-$n-$(basename "$(dirname "$env")")"
    done
    printf '%s' "$value" > "$corpus/interpolate/ref-$n"
done

# The language server: one framed session per fixture (mode byte 1: NUL-separated payloads),
# and one raw stream with real frames (mode byte 0).
n=0
find "$root/fixtures/corpus" "$root/fixtures/SL101" "$root/fixtures/SL204" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*Dockerfile' \) | sort |
while read -r f; do
    n=$((n + 1))
    name=$(basename "$f")
    uri="untitled:$name"
    text=$(jq -Rs . < "$f")
    {
        printf '\001'
        printf '{"jsonrpc":"2.0","method":"initialized","params":{}}\0'
        printf '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"%s","languageId":"yaml","version":1,"text":%s}}}\0' "$uri" "$text"
        printf '{"jsonrpc":"2.0","id":1,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"%s"},"range":{"start":{"line":3,"character":0},"end":{"line":9,"character":4}},"context":{"diagnostics":[]}}}\0' "$uri"
        printf '{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"%s"},"position":{"line":4,"character":8}}}\0' "$uri"
        printf '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"%s","version":2},"contentChanges":[{"range":{"start":{"line":1,"character":2},"end":{"line":2,"character":0}},"text":"x: é\\n"}]}}\0' "$uri"
        printf '{"jsonrpc":"2.0","id":3,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"%s"},"range":{"start":{"line":0,"character":0},"end":{"line":99,"character":0}},"context":{"diagnostics":[]}}}\0' "$uri"
        printf '{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"%s"}}}' "$uri"
    } > "$corpus/lsp_session/session-$n"
done
body='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
open='{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:compose.yaml","languageId":"yaml","version":1,"text":"services:\n  db:\n    image: postgres\n    volumes: [\"/var/run/docker.sock:/s\"]\n"}}}'
hover='{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:compose.yaml"},"position":{"line":3,"character":16}}}'
{
    printf '\000'
    for b in "$body" "$open" "$hover"; do
        printf 'Content-Length: %d\r\n\r\n%s' "${#b}" "$b"
    done
    printf 'Content-Length: 5\r\n\r\n{"a"'
} > "$corpus/lsp_session/raw-1"

# Multi-file projects for the streaming target: each cross-file case's manifests, compose
# files and Dockerfiles in the slots the target names them by (see PROJECT_NAMES), joined by
# the separator line.
n=0
for case in "$root"/fixtures/cross/*/; do
    n=$((n + 1))
    slot() { # pattern, index: the index-th file of the case matching pattern, or nothing
        find "$case" -type f -name "$1" | sort | sed -n "${2}p"
    }
    manifest() { # index: the index-th YAML file that is not a compose file
        find "$case" -type f -name '*.yaml' ! -name 'compose*' | sort | sed -n "${1}p"
    }
    {
        first=1
        for f in "$(manifest 1)" "$(manifest 2)" "$(slot 'compose*.y*ml' 1)" \
            "$(slot 'compose*.y*ml' 2)" "$(slot 'Dockerfile*' 1)" "$(slot 'Dockerfile*' 2)"; do
            [ "$first" = 1 ] || printf '\n%%%%%%%%\n'
            first=0
            [ -z "$f" ] || cat "$f"
        done
    } > "$corpus/streaming/cross-$n"
done

for t in yaml_model dockerfile_model interpolate lsp_session streaming; do
    echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
