#!/usr/bin/env bash
# Precision of generic detection on real code: scans each corpus with
# keyhound at its default confidence and lists every finding of a generic
# rule (path, line, rule, the line's text around the secret, redacted), for
# a verdict by hand (a real secret in a test fixture, or a false positive
# and why). Vendor-rule findings are counted, not listed.
#
# Usage: bench/generic/precision.sh KEYHOUND_BINARY [OUT_DIR]
# Corpora (skipped when absent): git/git's history (/tmp/bench-git/gitgit.git)
# and working tree (/tmp/gitgit-tree), ~/.cargo/registry/src, a node_modules
# (/tmp/corpora/node/node_modules) and a Python site-packages
# (/tmp/corpora/venv/lib); SHOW_SECRETS=1 lists the secrets in clear (for
# judging them; keep the listing to yourself). Override the corpora with CORPORA="name=path ...", a name
# ending in -history is scanned with `keyhound history`.
set -euo pipefail
bin=${1:?usage: precision.sh KEYHOUND_BINARY [OUT_DIR]}
out=${2:-/tmp/keyhound-bench/generic-precision}
mkdir -p "$out"
corpora=${CORPORA:-"git-history=/tmp/bench-git/gitgit.git git-tree=/tmp/gitgit-tree cargo-registry=$HOME/.cargo/registry/src node-modules=/tmp/corpora/node/node_modules site-packages=/tmp/corpora/venv/lib"}
generic=$("$bin" rules list --format jsonl | python3 -c 'import json,sys
print(",".join(r["id"] for r in map(json.loads, sys.stdin) if r.get("file") == "generic.toml"))')
printf '%-16s %10s %8s %8s\n' corpus MB findings generic
show=()
[ -n "${SHOW_SECRETS:-}" ] && show=(--show-secrets)
for c in $corpora; do
    name=${c%%=*} path=${c#*=}
    [ -e "$path" ] || { echo "$name: $path absent, skipped" >&2; continue; }
    if [[ $name == *-history ]]; then
        "$bin" history "$path" "${show[@]}" --format jsonl --no-progress -o "$out/$name.jsonl" 2>"$out/$name.log" || [ $? -le 1 ]
    else
        "$bin" scan "$path" "${show[@]}" --format jsonl --no-progress -o "$out/$name.jsonl" 2>"$out/$name.log" || [ $? -le 1 ]
    fi
    python3 - "$out/$name.jsonl" "$out/$name.log" "$name" "$generic" "$out/$name.generic.txt" <<'PY'
import json, re, sys
path, log, name, generic, listing = sys.argv[1:]
generic = set(generic.split(","))
rows = [json.loads(l) for l in open(path)]
mb = 0.0
for line in open(log):
    m = re.search(r"\(([\d.]+) (KiB|MiB|GiB)\)", line)
    if m:
        mb = float(m.group(1)) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[m.group(2)]
g = [r for r in rows if r["rule_id"] in generic]
with open(listing, "w") as fh:
    for r in g:
        ctx = r.get("context") or {}
        fh.write(f"{r['path']}:{r['line']}  {r['rule_id']}  {ctx.get('before', '')}[{r['secret']}]{ctx.get('after', '')}\n")
print(f"{name:<16} {mb:>10.0f} {len(rows):>8} {len(g):>8}")
PY
done
echo "listings: $out/*.generic.txt" >&2
