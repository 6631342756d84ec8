#!/bin/sh
# Writes a small seed corpus for each fuzz target under fuzz/corpus/<target>/
# from files in this repository (rule files, fixtures, this repository's own
# git objects). The corpus is not committed: run this once before fuzzing.
# The first byte of most seeds picks what the target does with the rest
# (see each target's doc comment).
set -eu
cd "$(dirname "$0")"
root=..
c=corpus
mkdir -p $c/keywords $c/decoders $c/config $c/baseline $c/git_objects $c/reports

# seed TARGET NAME MODE-BYTE(octal) < data
seed() {
    { printf "\\$3"; cat; } > "$c/$1/$2"
}

n=0
for f in "$root"/fixtures/contexts/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    head -c 2048 "$f" | seed keywords "ctx$n" 001
    head -c 2048 "$f" | seed keywords "ctx${n}b" 003
    head -c 2048 "$f" | seed decoders "ctx$n" 010
done
printf 'key=c2stcHJvai1hYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=\n' | seed decoders b64 001
printf 'u=%%73%%6b%%2d%%70%%72%%6f%%6a%%2d%%61%%62%%63%%64%%65%%66 s="\\u0073\\x6b\\/x"\n' | seed decoders esc 001

for f in "$root"/rules/*.toml; do
    b=$(basename "$f" .toml)
    seed config "rules-$b" 000 < "$f"
done
cat > $c/config/repo <<'TOML'
max-file-size = "2 MiB"
[allow]
paths = ["docs/**", "*.md"]
values = ["EXAMPLE"]
stopwords = ["dummy"]
[rules]
disable = ["generic-api-key"]
TOML
printf '\001' | cat - $c/config/repo > $c/config/repo1 && mv $c/config/repo1 $c/config/repo

h=$(printf 'x' | sha256sum | cut -c1-64)
printf '{\n  "version": 1,\n  "entries": [\n    {"rule_id": "openai-project-key", "path": "config/.env", "secret_sha256": "%s", "line": 3}\n  ]\n}\n' "$h" > $c/baseline/one
printf '{"version": 1, "entries": []}' > $c/baseline/empty

# This repository's own objects, when it is a git checkout.
if git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
    git -C "$root" cat-file commit HEAD | seed git_objects commit 001
    git -C "$root" cat-file tree 'HEAD^{tree}' | head -c 4096 | seed git_objects tree 000
    git -C "$root" cat-file tree 'HEAD:src' | seed git_objects tree-src 000
fi
printf 'object %s\ntype commit\ntag v1\ntagger T <t@x> 1 +0000\n\nmsg\n' "$(printf 'a%.0s' $(seq 40))" | seed git_objects tag 002
printf '0123456789ABCDEF0123456789abcdef01234567' | seed git_objects hex 003
printf 'foo.c' | seed git_objects order 005
# A pack index (without its 8-byte header) of two objects.
python3 - "$c/git_objects/idx" <<'PY'
import struct, sys
names = [bytes([0x10] * 20), bytes([0xa0] * 20)]
fan = []
for i in range(256):
    fan.append(sum(1 for n in names if n[0] <= i))
data = b"\x04" + b"".join(struct.pack(">I", f) for f in fan) + b"".join(names)
data += b"\0" * 8 + struct.pack(">I", 12) + struct.pack(">I", 0x80000000) + struct.pack(">Q", 1 << 33)
open(sys.argv[1], "wb").write(data)
PY

# reports: arbitrary bytes; a few printable seeds with control characters.
printf 'sk-\033[2J\a\r\302\233\342\200\256 path/a.env commit author' > $c/reports/controls
head -c 1024 "$root"/fixtures/contexts/client.py > $c/reports/text
echo "seeds written to $(pwd)/$c"
