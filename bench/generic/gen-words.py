#!/usr/bin/env python3
"""Generate the word model of the generic detector's value scorer.

    bench/generic/gen-words.py > src/engine/generic/words.txt

The scorer asks how many pieces a value splits into when cut into known
words (see src/engine/generic/score.rs): a password made of words, an
identifier, a path or a sentence splits into a few long pieces, a random
string into many short ones. The words come from a source every machine
with Python has: the standard library's own source (identifiers split at
`_` and camel-case humps, and the English of its comments and docstrings),
its test suite and site-packages left out), alphabetic words of 3 to 16
letters seen at least MIN_COUNT times, lower-cased; and, when present, the
system dictionary (/usr/share/dict/words: Debian's `wamerican`), its
lower-case words of 4 to 16 letters (three-letter words only from code, so
that random text matches few). Plus a short curated list of two-letter words
and of words common in passwords and config values. Output is sorted, one
word a line, deterministic for given inputs.
"""

import collections
import os
import re
import sys
import sysconfig

MIN_COUNT = 4
MAX_WORDS = 24000
DICT = "/usr/share/dict/words"

TWO_LETTER = "ab ad ai am an as at be by db do go he hi id if in io is it me my no of oh ok on or os pc pi pw qa so to tv ui up us we".split()

# Words people put in passwords and config values that the standard
# library's English rarely spells (seasons, months, names of things).
EXTRA = """
admin administrator welcome summer winter spring autumn fall january february
march april may june july august september october november december monday
tuesday wednesday thursday friday saturday sunday dragon monkey football
baseball soccer hockey master shadow sunshine princess flower love lover
secret password passwd letmein qwerty hunter trustno freedom whatever
batman superman pokemon starwars jordan michael jessica ashley daniel
charlie thomas george robert matthew andrew joshua cheese coffee banana
orange purple silver golden diamond tiger eagle falcon phoenix rocket
galaxy planet ocean river mountain forest storm thunder lightning cookie
pepper ginger honey sugar candy chocolate pizza burger bacon horse battery
staple correct company office school college london paris berlin tokyo
change changeme default example sample dummy mock fake placeholder local
localhost prod production staging stage develop development internal
postgres mysql redis mongo mongodb rabbit rabbitmq guest root toor super
user username login logon access token secret apikey bearer basic oauth
"""


def words_of(text):
    for raw in re.findall(r"[A-Za-z]+", text):
        # camelCase and PascalCase humps; runs of capitals stay together.
        for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", raw):
            yield part.lower()


def main():
    stdlib = sysconfig.get_paths()["stdlib"]
    counts = collections.Counter()
    for root, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "test", "tests", "__pycache__", "idle_test"))
        for f in sorted(files):
            if not f.endswith(".py"):
                continue
            try:
                text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            counts.update(w for w in words_of(text) if 3 <= len(w) <= 16)
    common = [w for w, c in counts.most_common() if c >= MIN_COUNT and re.search(r"[aeiouy]", w)]
    words = set(common[:MAX_WORDS]) | set(TWO_LETTER) | set(EXTRA.split())
    if os.path.exists(DICT):
        for line in open(DICT, encoding="utf-8", errors="replace"):
            w = line.strip()
            if 4 <= len(w) <= 16 and re.fullmatch(r"[a-z]+", w):
                words.add(w)
    sys.stdout.write("".join(w + "\n" for w in sorted(words)))


if __name__ == "__main__":
    main()
