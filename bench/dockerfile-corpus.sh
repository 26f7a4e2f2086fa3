#!/usr/bin/env bash
# Rebuilds the Dockerfile corpus that the parser's differential tests read, outside git:
#   DIR/buildkit/testfiles/<case>/{Dockerfile,result}   BuildKit's parser test cases and the
#   DIR/buildkit/testfiles-negative/<case>/Dockerfile   instructions it parses them into
#   DIR/real/<owner>+<name>/<path>                      real Dockerfiles (docker-library images)
# The tests (`cargo test -p stowlint_parse dockerfile`) skip with a notice while DIR is absent.
# Usage: bash bench/dockerfile-corpus.sh [DIR]     (default target/corpus/dockerfile, the
#        tests' default too; elsewhere, set STOWLINT_DOCKERFILE_CORPUS=DIR for them)
# Each repository is read from a bare git directory at $MIRRORS/<owner>+<name>/repo when
# there is one, else cloned (shallow, bare) from GitHub into DIR/.git-cache.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/corpus/dockerfile}
mirrors=${MIRRORS:-/work/.mirror}
rm -rf "$dir/buildkit" "$dir/real"
mkdir -p "$dir/buildkit" "$dir/real" "$dir/.git-cache"

gitdir() { # owner/name -> a bare git directory holding HEAD
  local m="$mirrors/${1/\//+}/repo"
  if [ -d "$m" ]; then echo "$m"; return; fi
  local c="$dir/.git-cache/${1/\//+}.git"
  [ -d "$c" ] || git clone --quiet --bare --depth 1 "https://github.com/$1" "$c"
  echo "$c"
}

extract() { # owner/name, git dir, path filter (grep -E), destination
  local path
  git --git-dir="$2" ls-tree -r --name-only HEAD | grep -E "$3" | while read -r path; do
    mkdir -p "$4/$(dirname "$path")"
    git --git-dir="$2" cat-file -p "HEAD:$path" > "$4/$path"
  done
  echo "$1 @ $(git --git-dir="$2" rev-parse HEAD) from $2: $(find "$4" -type f | wc -l) files" >&2
}

g=$(gitdir moby/buildkit)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
extract moby/buildkit "$g" '^frontend/dockerfile/parser/testfiles(-negative)?/' "$tmp"
mv "$tmp/frontend/dockerfile/parser/testfiles" "$tmp/frontend/dockerfile/parser/testfiles-negative" "$dir/buildkit/"

for repo in docker-library/postgres docker-library/mysql docker-library/redis \
  docker-library/mongo docker-library/wordpress docker-library/python docker-library/docker \
  docker-library/golang docker-library/rabbitmq docker-library/buildpack-deps \
  docker-library/cassandra docker-library/memcached; do
  g=$(gitdir "$repo")
  extract "$repo" "$g" '(^|/)Dockerfile[^/]*$' "$dir/real/${repo/\//+}"
done
echo "corpus: $(cd "$dir" && pwd)" >&2
