#!/usr/bin/env bash
# Downloads a tree of real package archives for bench/archives.sh: Rust
# crates (`.crate`, gzip'd tar) named by this repository's Cargo.lock, Python
# wheels (`.whl`, zip) and npm tarballs (`.tgz`) of widely used packages.
# Nothing here is committed; the tree lives under /tmp.
#
# Usage: bench/fetch-archives.sh [DIR]   (default /tmp/keyhound-bench/archives)
# Needs curl, python3 with pip, and npm. Already downloaded files are kept.
set -euo pipefail

die() { echo "fetch-archives.sh: error: $*" >&2; exit 2; }

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$bench_dir" rev-parse --show-toplevel) || die "not inside the keyhound repository"
dir=${1:-/tmp/keyhound-bench/archives}
mkdir -p "$dir/crates" "$dir/pypi" "$dir/npm"

# Crates: every registry package of Cargo.lock, at its locked version.
python3 - "$repo/Cargo.lock" >"$dir/crates.txt" <<'EOF'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
for p in lock["package"]:
    if p.get("source", "").startswith("registry+"):
        print(p["name"], p["version"])
EOF
while read -r name version; do
    out="$dir/crates/$name-$version.crate"
    [ -s "$out" ] && continue
    curl -sSfL --retry 2 -o "$out.part" "https://static.crates.io/crates/$name/$name-$version.crate" && mv "$out.part" "$out" ||
        echo "fetch-archives.sh: warning: crate $name $version not downloaded" >&2
done <"$dir/crates.txt"

# Wheels (zip): popular packages, binary wheels for this platform, no deps.
python3 -m pip download -q --no-deps --only-binary=:all: -d "$dir/pypi" \
    numpy pandas scipy scikit-learn matplotlib pillow cryptography lxml grpcio protobuf \
    boto3 botocore awscli django flask sqlalchemy requests urllib3 certifi jinja2 pyyaml \
    setuptools pip wheel sympy networkx pytest black mypy pydantic fastapi starlette \
    httpx rich click openai anthropic google-api-python-client kubernetes ansible-core ||
    echo "fetch-archives.sh: warning: some wheels were not downloaded" >&2

# npm tarballs (gzip'd tar).
(cd "$dir/npm" && for p in typescript lodash react react-dom webpack @babel/core eslint aws-sdk rxjs moment \
    three prettier express axios vue @angular/core jquery d3 chart.js mongoose next; do
    # Already there? npm names a scoped package's tarball scope-name-VERSION.tgz.
    existing=("$(echo "${p#@}" | tr / -)"-[0-9]*.tgz)
    [ -e "${existing[0]}" ] && continue
    npm pack --silent "$p" >/dev/null 2>&1 || echo "fetch-archives.sh: warning: npm package $p not downloaded" >&2
done)

du -sh "$dir" >&2
echo "$dir"
