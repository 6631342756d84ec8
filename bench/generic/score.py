#!/usr/bin/env python3
"""Score a keyhound scan of a tree made by gen.py against its truth file.

    bench/generic/score.py KEYHOUND_BINARY TREE_DIR [--min-recall 0.95]

Scans TREE_DIR with `keyhound scan --format jsonl` (its default confidence:
generic matches graded low are not reported) and reads TREE_DIR/truth.jsonl.
A leak is found when a finding starts on its line; a decoy is reported when
one does. Prints recall (overall and per syntax) and every decoy reported,
and exits 1 when recall is below --min-recall or any decoy is reported.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("keyhound")
    ap.add_argument("tree")
    ap.add_argument("--min-recall", type=float, default=0.95)
    a = ap.parse_args()
    truth = [json.loads(l) for l in open(os.path.join(a.tree, "truth.jsonl"))]
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
        p = subprocess.run([a.keyhound, "scan", ".", "--format", "jsonl", "--no-progress", "-o", out.name],
                           cwd=a.tree, stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"keyhound failed ({p.returncode}): {p.stderr}")
        found = collections.defaultdict(list)
        for line in open(out.name):
            f = json.loads(line)
            found[(f["path"].lstrip("./"), f["line"])].append(f["rule_id"])
    leaks = [t for t in truth if t["kind"] == "leak"]
    decoys = [t for t in truth if t["kind"] == "decoy"]
    by_syntax = collections.defaultdict(lambda: [0, 0])
    missed = []
    for t in leaks:
        hit = (t["path"], t["line"]) in found
        by_syntax[t["syntax"]][0] += hit
        by_syntax[t["syntax"]][1] += 1
        if not hit:
            missed.append(t)
    reported = [(t, found[(t["path"], t["line"])]) for t in decoys if (t["path"], t["line"]) in found]
    recall = sum(v[0] for v in by_syntax.values()) / max(1, len(leaks))
    print(f"leaks: {len(leaks)} in {len(by_syntax)} syntaxes; found {recall:.1%}")
    print(f"decoys: {len(decoys)} of {len(set(t.get('decoy') for t in decoys))} kinds; reported {len(reported)}")
    for syntax, (h, n) in sorted(by_syntax.items()):
        print(f"  {syntax:<20} {h:>3}/{n:<3}")
    for t in missed:
        print(f"missed: {t['path']}:{t['line']} ({t['syntax']}): {open(os.path.join(a.tree, t['path'])).read().splitlines()[t['line'] - 1]}")
    for t, rules in reported:
        print(f"decoy reported: {t['path']}:{t['line']} ({t['decoy']}, {','.join(rules)})")
    sys.exit(0 if recall >= a.min_recall and not reported else 1)


if __name__ == "__main__":
    main()
