#!/usr/bin/env bash
# Times the keyword pass alone (benches/keyword_pass.rs): the shipped rules'
# keywords, or those of KEYWORDS_FILE (one per line), over every file of DIR
# held in memory, one thread; prints groups, hits and the median of RUNS.
#
# Usage: bench/keyword-pass.sh [DIR] [KEYWORDS_FILE|-] [RUNS] [portable|vector|wide]
# DIR defaults to the bench tree (/tmp/keyhound-bench/tree). On a busy
# machine prefer instruction counts, which are repeatable:
#   KEYWORD_PASS_CALLGRIND=1 bench/keyword-pass.sh DIR
set -euo pipefail
repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
dir=${1:-/tmp/keyhound-bench/tree}
keywords=${2:--}
runs=${3:-5}
cd "$repo"
bin=$(cargo bench --bench keyword_pass --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "keyword_pass" and m.get("executable"):
        print(m["executable"])')
if [ -n "${KEYWORD_PASS_CALLGRIND:-}" ]; then
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$dir" "$keywords" 1 2>&1 | grep -E "keywords|refs"
    rm -f "$out"
else
    "$bin" "$dir" "$keywords" "$runs" "${4:-wide}"
fi
