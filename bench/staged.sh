#!/usr/bin/env bash
# Pre-commit latency: time `keyhound staged` against gitleaks and Kingfisher's
# staged modes on a one-file staged change in a large repository.
#
# Usage: bench/staged.sh REPO [RUNS]
#   REPO  a git repository with history (bare or not), e.g. a bare clone of
#         git/git; it is cloned to a scratch work tree, never modified.
#   RUNS  timed runs per tool (default 20); the median is reported.
# Peers come from ../shared/tools/get-peers.sh and run offline.
set -euo pipefail

src=${1:?usage: bench/staged.sh REPO [RUNS]}
runs=${2:-20}
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=${BENCH_WORK:-/tmp/keyhound-bench/staged}

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
kh="$root/target/release/keyhound"
peers=$(bash "$root/../shared/tools/get-peers.sh" 2>/dev/null || true)

if [ ! -d "$work/.git" ]; then
  rm -rf "$work"
  mkdir -p "$(dirname "$work")"
  git clone -q "$src" "$work"
fi
cd "$work"
git reset -q --hard
git clean -qfd
files=$(git ls-files | wc -l)
# One staged change: a few lines appended to one tracked file, one of them a
# generated fake OpenAI key (built at run time, never stored).
target=$(git ls-files '*.c' | sed -n 1p)
key=$(python3 -c "import random,string;r=random.Random(5);a=string.ascii_letters+string.digits+'-_';g=lambda n:''.join(r.choice(a) for _ in range(n));print('sk-proj-'+g(74)+'T3BlbkFJ'+g(74))")
printf '\n/* added */\nstatic const char *k = "%s";\n' "$key" >> "$target"
git add "$target"
echo "repository: $src ($files files in the index); staged change: $target"

median_ms() { # command...: prints the median wall time in ms over $runs runs
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time, statistics
runs = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
ts = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(ts):.1f}")
PY
}

printf '%-12s %10s  %s\n' tool median_ms command
kh_ms=$(median_ms "$kh" staged --no-progress -q)
printf '%-12s %10s  %s\n' keyhound "$kh_ms" "keyhound staged"
"$kh" staged -q --format json | python3 -c "import json,sys;d=json.load(sys.stdin);print('  keyhound findings:', len(d['findings']))" || true
for peer in gitleaks kingfisher; do
  bin="$peers/$peer"
  [ -x "$bin" ] || { echo "$peer: not installed, skipped"; continue; }
  case $peer in
    gitleaks) cmd=("$bin" git --pre-commit --staged --no-banner --exit-code 0 .) ;;
    kingfisher) cmd=("$bin" scan . --staged --no-validate --no-update-check) ;;
  esac
  ms=$(median_ms "${cmd[@]}")
  ratio=$(python3 -c "print(f'{$ms/$kh_ms:.1f}')")
  printf '%-12s %10s  %s  (%sx keyhound)\n' "$peer" "$ms" "${cmd[*]##*/}" "$ratio"
done
git reset -q --hard
