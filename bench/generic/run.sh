#!/usr/bin/env bash
# Generic-detection benchmark: generates leaks and decoys (gen.py), scans
# them with keyhound and scores the result (score.py).
#
# Usage: bench/generic/run.sh [KEYHOUND_BINARY] [CASES] [SEED]
# The binary defaults to a release build of this checkout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
bin=${1:-}
cases=${2:-240}
seed=${3:-1}
if [ -z "$bin" ]; then
    (cd "$repo" && cargo build --release --quiet)
    bin=${CARGO_TARGET_DIR:-$repo/target}/release/keyhound
fi
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
python3 "$here/gen.py" "$tree" --cases "$cases" --seed "$seed"
python3 "$here/score.py" "$bin" "$tree"
