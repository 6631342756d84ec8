#!/usr/bin/env python3
"""Generate a large synthetic source tree for the keyhound directory-scan benchmark.

    bench/gen-tree.py OUT_DIR [--mb 300] [--seed 1] [--force]

The tree looks like a monorepo of a few dozen projects: thousands of files in
.py .js .ts .go .java .rs .c .h .json .yaml .md .txt, some minified JS bundles
with very long lines, and a few binary files with NUL bytes. The content is
code-like and full of the things that exercise a scanner's false-positive
paths: identifiers, string literals, comments, URLs, hex and base64 blobs,
UUIDs, words such as `task-`/`disk-`/`risk-` that contain `sk-`, upper-case
ids that look like AWS ids but are not access keys, `password =` lines with
placeholder values, and documented placeholder keys.

A small number of fake credentials (about 20) are planted in varied contexts
(.env, YAML, JSON, Python/JS/TS/Go/Java strings, PEM files). They are built
from random characters at run time with the structure of the real formats;
this script contains no key-shaped literals. Their locations are written to
OUT_DIR/planted.json as a list of {"path", "line", "end_line", "kind"} (path
relative to OUT_DIR, 1-based lines; end_line differs from line only for PEM
blocks). Nothing secret is written to the manifest, so scanning the tree
(manifest included) only finds the planted keys in their own files.

Output is deterministic for a given --seed, --mb and Python version.
"""

import argparse
import base64
import json
import os
import random
import shutil
import sys
import time
import zlib

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"

# Pieces assembled at run time so the source holds no key-shaped text.
OPENAI_MARKER = base64.b64encode(b"OpenAI").decode()[:8]
PEM_DASH = "-" * 5

WORDS = """
account action active adapter address admin agent alert alias allocate amount
analytics anchor api app append archive array asset async audit auth backend
backup balance batch bind bitmap block body boot bound branch bridge broker
buffer bundle byte cache call callback cancel canvas capacity catalog channel
chart check chunk cipher claim class clean client clock cluster codec collect
column command commit config connect console consumer container content context
control cookie copy core count cursor customer daemon dashboard data database
date debug decode default delete delta deploy depth detail device dialog digest
direct disk dispatch document domain draft driver dump edge editor element
email encode engine entity entry enum env error event export extract factory
feature fetch field file filter flag flush folder format frame function gateway
graph group guard handle handler hash header health heap helper history host
hook http icon image import index info init inner input insert install instance
invoice item job join journal kernel key label layer layout lease ledger level
limit line link list listener load local lock log logger lookup loop manager
manifest map mapper mask match matrix media memory merge message meta method
metric middleware migrate mode model module monitor mount mutex name native
network node notify object offset option order origin output owner packet page
panel param parse parser partition patch path payload peer pending permission
pipe pipeline pixel plan plugin policy pool port post prefix preview price
primary print process profile progress project prompt property provider proxy
publish query queue quota range rate reader record redirect reduce refresh
region registry release remote render replica report repository request resolve
resource response result retry revision risk role route router row rule runner
runtime sample scale schema scope score screen script search section segment
select sender sequence server service session setting shard shell signal size
slice slot snapshot socket sort source span spec stack stage state status step
storage store stream string style subject summary sync table tag target task
template tenant test thread ticket timer token topic trace track transaction
transform tree trigger type unit update upload user util validate value vector
version view volume wallet watch webhook widget window worker workflow writer
zone
""".split()

# Words whose lower-case form ends in "sk" / contains "sk-" when hyphenated:
# the classic false-positive trap for naive `sk-` matching.
SK_WORDS = ["task", "disk", "risk", "desk", "mask", "ask", "flask", "kiosk", "whisk",
            "dusk", "husk", "tusk", "bisk", "subtask", "ramdisk", "asterisk"]

PROSE = """
the a an this that these it we you they is are was be will can should must may
not only also when then if because so for with without into from over under
between before after during while each every all some any more most less
returns handles creates updates removes checks validates parses loads stores
sends receives builds runs starts stops retries waits logs reports converts
value request response user data file error result config cache queue worker
client server token session record field list map object function method class
note todo fixme see example default optional required deprecated internal
""".split()

UNICODE_BITS = ["café", "naïve", "über", "Größe", "déjà vu", "日本語", "中文注释",
                "Привет", "→", "✓", "…", "—", "€", "±"]

TLDS = ["com", "io", "net", "org", "dev", "cloud"]


class Gen:
    def __init__(self, rng):
        self.r = rng

    # ---- primitive tokens -------------------------------------------------
    def word(self):
        return self.r.choice(WORDS)

    def chars(self, alphabet, n):
        return "".join(self.r.choices(alphabet, k=n))

    def snake(self, lo=1, hi=3):
        return "_".join(self.word() for _ in range(self.r.randint(lo, hi)))

    def camel(self, lo=1, hi=3):
        ws = [self.word() for _ in range(self.r.randint(lo, hi))]
        return ws[0] + "".join(w.capitalize() for w in ws[1:])

    def pascal(self, lo=1, hi=3):
        return "".join(self.word().capitalize() for _ in range(self.r.randint(lo, hi)))

    def kebab(self, lo=2, hi=4):
        ws = [self.word() for _ in range(self.r.randint(lo, hi))]
        if self.r.random() < 0.35:  # task-runner, disk-usage, risk-score ...
            ws.insert(self.r.randrange(len(ws)), self.r.choice(SK_WORDS))
        return "-".join(ws)

    def const(self, lo=1, hi=3):
        return self.snake(lo, hi).upper()

    def uuid(self):
        h = self.chars(HEX, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.r.choice('89ab')}{h[17:20]}-{h[20:]}"

    def hexs(self, n):
        return self.chars(HEX, n)

    def b64blob(self, nbytes):
        return base64.b64encode(self.r.randbytes(nbytes)).decode()

    def sentence(self, lo=4, hi=14):
        ws = [self.r.choice(PROSE if self.r.random() < 0.7 else WORDS)
              for _ in range(self.r.randint(lo, hi))]
        if self.r.random() < 0.05:
            ws.append(self.r.choice(UNICODE_BITS))
        s = " ".join(ws)
        return s[0].upper() + s[1:] + "."

    def host(self):
        return f"{self.word()}.{self.r.choice(['api', 'internal', 'cdn', 'svc', 'prod', 'staging'])}.example.{self.r.choice(TLDS)}"

    def url(self):
        r = self.r.random()
        if r < 0.3:
            return f"https://{self.host()}/v{self.r.randint(1, 3)}/{self.word()}s/{self.uuid()}"
        if r < 0.5:
            return f"https://github.com/{self.kebab(1, 2)}/{self.kebab(1, 3)}/blob/{self.hexs(40)}/src/{self.snake()}.{self.r.choice(['py', 'go', 'ts', 'rs'])}"
        if r < 0.65:
            return f"https://docs.example.{self.r.choice(TLDS)}/{self.kebab()}#{self.kebab(1, 2)}"
        if r < 0.8:
            return f"https://{self.host()}/{self.word()}?{self.word()}={self.r.randint(1, 99999)}&{self.word()}={self.kebab(1, 2)}"
        return f"postgres://{self.word()}:${{DB_PASSWORD}}@{self.host()}:5432/{self.snake(1, 2)}"

    def upper_id(self):
        """Upper-case ids that look like AWS key ids but are not access keys:
        IAM unique ids of users/roles/policies/groups, or plain ids."""
        r = self.r.random()
        if r < 0.5:
            pre = self.r.choice(["AIDA", "AROA", "ANPA", "AGPA", "AIPA", "ANVA", "APKA"])
            return pre + self.chars(UPPER_B32, 16)
        if r < 0.75:
            return self.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", self.r.choice([16, 20, 24, 26]))
        return f"{self.const(1, 2)}_{self.chars(UPPER_B32, 12)}"

    def placeholder_secret(self):
        return self.r.choice([
            "changeme", "", "<your-password>", "<PASSWORD>", "${DB_PASSWORD}",
            "{{ .Values.db.password }}", "xxxxxxxx", "********", "example",
            "password", "secret", "TODO", "replace-me", "your-api-key-here",
            "REDACTED", "dummy", "test", "${SECRET_KEY:-insecure-dev-key}",
            "sk-...", "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ghp_" + "X" * 36,
            "AKIA" + "IOSFODNN7" + "EXAMPLE", "xoxb-" + "your-bot-token",
            "sk-proj-" + "REPLACE_WITH_YOUR_KEY", "<insert token>", "None",
        ])

    def literal(self):
        """A string-literal payload for code."""
        r = self.r.random()
        if r < 0.22:
            return self.sentence(2, 8)
        if r < 0.34:
            return self.kebab()
        if r < 0.44:
            return self.url()
        if r < 0.52:
            return self.uuid()
        if r < 0.60:
            return self.hexs(self.r.choice([7, 12, 32, 40, 64]))
        if r < 0.67:
            return self.b64blob(self.r.choice([12, 24, 33, 48, 96]))
        if r < 0.74:
            return self.upper_id()
        if r < 0.80:
            return f"{self.word()}/{self.snake()}.{self.r.choice(['json', 'yaml', 'txt', 'csv'])}"
        if r < 0.86:
            return f"{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"
        if r < 0.92:
            return f"{self.r.choice(SK_WORDS)}-{self.chars(ALNUM, self.r.randint(6, 40))}"
        return self.snake(1, 2)

    def pw_name(self):
        return self.r.choice(["password", "passwd", "db_password", "admin_password",
                              "secret", "api_key", "apiKey", "token", "auth_token",
                              "client_secret", "secret_key", "access_token", "pwd"])

    # ---- per-language blocks ---------------------------------------------
    def py_block(self):
        r = self.r
        out = []
        if r.random() < 0.3:
            out.append(f"class {self.pascal()}({r.choice(['object', 'BaseModel', 'Exception', self.pascal(1, 2)])}):")
            out.append(f'    """{self.sentence()}"""')
            out.append("")
            ind = "    "
        else:
            ind = ""
        for _ in range(r.randint(1, 4)):
            args = ", ".join(self.snake(1, 2) for _ in range(r.randint(0, 4)))
            if ind:
                args = "self" + (", " + args if args else "")
            out.append(f"{ind}def {self.snake()}({args}):")
            if r.random() < 0.6:
                out.append(f'{ind}    """{self.sentence()}"""')
            for _ in range(r.randint(2, 14)):
                k = r.random()
                v = self.snake()
                if k < 0.25:
                    out.append(f'{ind}    {v} = "{self.literal()}"')
                elif k < 0.4:
                    out.append(f"{ind}    # {self.sentence()}")
                elif k < 0.5:
                    out.append(f"{ind}    {v} = {self.snake(1, 2)}.{self.snake(1, 2)}({self.snake(1, 1)}, {r.randint(0, 4096)})")
                elif k < 0.58:
                    out.append(f"{ind}    if {v} is None:")
                    out.append(f'{ind}        raise ValueError(f"{self.sentence(2, 6)} {{{v}!r}}")')
                elif k < 0.64:
                    out.append(f'{ind}    {self.pw_name()} = os.environ.get("{self.const()}", "{self.placeholder_secret()}")')
                elif k < 0.70:
                    out.append(f'{ind}    logger.{r.choice(["info", "debug", "warning"])}("{self.sentence(3, 8)} %s", {v})')
                elif k < 0.76:
                    out.append(f'{ind}    {v} = {{"{self.word()}": "{self.literal()}", "{self.word()}": {r.randint(0, 999)}}}')
                elif k < 0.82:
                    out.append(f"{ind}    for {self.word()} in {self.snake()}:")
                    out.append(f"{ind}        {self.snake()}.append({self.word()})")
                else:
                    out.append(f"{ind}    return {self.snake()}")
            out.append("")
        return "\n".join(out) + "\n"

    def js_block(self, ts=False):
        r = self.r
        out = []
        typ = (lambda: ": " + r.choice(["string", "number", "boolean", "unknown", self.pascal(1, 2), "string[]"])) if ts else (lambda: "")
        if ts and r.random() < 0.3:
            out.append(f"export interface {self.pascal()} {{")
            for _ in range(r.randint(2, 8)):
                out.append(f"  {self.camel()}{'?' if r.random() < 0.3 else ''}{typ()};")
            out.append("}")
            out.append("")
        for _ in range(r.randint(1, 3)):
            args = ", ".join(self.camel(1, 2) + typ() for _ in range(r.randint(0, 3)))
            kw = r.choice(["export function", "function", "export async function", "async function"])
            out.append(f"{kw} {self.camel()}({args}){typ()} {{")
            for _ in range(r.randint(2, 14)):
                k = r.random()
                v = self.camel()
                if k < 0.25:
                    out.append(f"  const {v} = '{self.literal()}';")
                elif k < 0.38:
                    out.append(f"  // {self.sentence()}")
                elif k < 0.48:
                    out.append(f"  const {v} = await {self.camel()}.{self.camel(1, 2)}({self.camel(1, 1)}, {{ {self.word()}: {r.randint(0, 100)} }});")
                elif k < 0.55:
                    out.append(f"  if (!{v}) throw new Error(`{self.sentence(2, 6)} ${{{self.camel(1, 1)}}}`);")
                elif k < 0.61:
                    out.append(f"  const {self.pw_name()} = process.env.{self.const()} || '{self.placeholder_secret()}';")
                elif k < 0.67:
                    out.append(f"  const {v} = fetch(`{self.url()}`, {{ headers: {{ 'X-Request-Id': '{self.uuid()}' }} }});")
                elif k < 0.73:
                    out.append(f"  el.classList.add('{self.kebab()}', '{r.choice(SK_WORDS)}-{self.word()}');")
                elif k < 0.80:
                    out.append(f"  for (const {self.word()} of {self.camel()}) {{ {self.camel()}.push({self.word()}); }}")
                else:
                    out.append(f"  return {self.camel()};")
            out.append("}")
            out.append("")
        return "\n".join(out) + "\n"

    def go_block(self):
        r = self.r
        out = []
        if r.random() < 0.35:
            out.append(f"// {self.pascal()} {self.sentence()}")
            out.append(f"type {self.pascal()} struct {{")
            for _ in range(r.randint(2, 8)):
                f = self.pascal()
                out.append(f'\t{f} {r.choice(["string", "int64", "bool", "[]byte", "time.Time", "*" + self.pascal(1, 2)])} `json:"{self.snake(1, 2)},omitempty"`')
            out.append("}")
            out.append("")
        for _ in range(r.randint(1, 3)):
            out.append(f"// {self.pascal()} {self.sentence()}")
            out.append(f"func ({r.choice('sabcm')} *{self.pascal(1, 2)}) {self.pascal()}(ctx context.Context, {self.camel(1, 1)} string) ({self.pascal(1, 1)}, error) {{")
            for _ in range(r.randint(2, 12)):
                k = r.random()
                v = self.camel()
                if k < 0.25:
                    out.append(f'\t{v} := "{self.literal()}"')
                elif k < 0.37:
                    out.append(f"\t// {self.sentence()}")
                elif k < 0.5:
                    out.append(f"\t{v}, err := {self.camel(1, 1)}.{self.pascal()}(ctx, {self.camel(1, 1)})")
                    out.append("\tif err != nil {")
                    out.append(f'\t\treturn nil, fmt.Errorf("{self.sentence(2, 5)}: %w", err)')
                    out.append("\t}")
                elif k < 0.56:
                    out.append(f'\t{self.camel(1, 2)}Password := os.Getenv("{self.const()}") // default "{self.placeholder_secret()}"')
                elif k < 0.64:
                    out.append(f'\tlog.Printf("{self.sentence(2, 6)} %s %d", {v}, {r.randint(0, 65535)})')
                elif k < 0.70:
                    out.append(f"\tconst {v} = 0x{self.hexs(8)}")
                else:
                    out.append(f"\treturn {self.camel()}, nil")
            out.append("}")
            out.append("")
        return "\n".join(out) + "\n"

    def java_block(self):
        r = self.r
        out = [f"    /**", f"     * {self.sentence()}", f"     * @param {self.camel(1, 1)} {self.sentence(2, 5)}", "     */"]
        for _ in range(r.randint(1, 3)):
            out.append(f"    {r.choice(['public', 'private', 'protected'])} {r.choice(['void', 'String', 'int', 'boolean', self.pascal(1, 2)])} {self.camel()}({self.pascal(1, 1)} {self.camel(1, 1)}) throws {self.pascal(1, 1)}Exception {{")
            for _ in range(r.randint(2, 12)):
                k = r.random()
                v = self.camel()
                if k < 0.25:
                    out.append(f'        final String {v} = "{self.literal()}";')
                elif k < 0.37:
                    out.append(f"        // {self.sentence()}")
                elif k < 0.5:
                    out.append(f"        {self.pascal(1, 2)} {v} = this.{self.camel()}.{self.camel()}({self.camel(1, 1)}, {r.randint(0, 99)}L);")
                elif k < 0.56:
                    out.append(f'        String {self.pw_name()} = System.getenv().getOrDefault("{self.const()}", "{self.placeholder_secret()}");')
                elif k < 0.64:
                    out.append(f'        LOG.{r.choice(["info", "debug", "warn"])}("{self.sentence(2, 6)} {{}}", {v});')
                elif k < 0.7:
                    out.append(f"        if ({v} == null) {{ throw new IllegalStateException(\"{self.sentence(2, 5)}\"); }}")
                else:
                    out.append(f"        return {self.camel()};")
            out.append("    }")
            out.append("")
        return "\n".join(out) + "\n"

    def rs_block(self):
        r = self.r
        out = []
        if r.random() < 0.3:
            out.append(f"/// {self.sentence()}")
            out.append("#[derive(Debug, Clone, Serialize, Deserialize)]")
            out.append(f"pub struct {self.pascal()} {{")
            for _ in range(r.randint(2, 7)):
                out.append(f"    pub {self.snake()}: {r.choice(['String', 'u64', 'bool', 'Vec<u8>', 'Option<String>', self.pascal(1, 2)])},")
            out.append("}")
            out.append("")
        for _ in range(r.randint(1, 3)):
            out.append(f"/// {self.sentence()}")
            out.append(f"pub fn {self.snake()}({self.snake(1, 1)}: &{r.choice(['str', '[u8]', self.pascal(1, 2)])}) -> Result<{self.pascal(1, 1)}, Error> {{")
            for _ in range(r.randint(2, 12)):
                k = r.random()
                v = self.snake()
                if k < 0.25:
                    out.append(f'    let {v} = "{self.literal()}";')
                elif k < 0.37:
                    out.append(f"    // {self.sentence()}")
                elif k < 0.5:
                    out.append(f"    let {v} = {self.snake(1, 1)}.{self.snake()}(&{self.snake(1, 1)})?;")
                elif k < 0.56:
                    out.append(f'    let {self.pw_name()} = std::env::var("{self.const()}").unwrap_or_else(|_| "{self.placeholder_secret()}".into());')
                elif k < 0.64:
                    out.append(f'    tracing::{r.choice(["info", "debug", "warn"])}!("{self.sentence(2, 6)} {{}}", {v});')
                elif k < 0.7:
                    out.append(f"    const {self.const()}: u32 = 0x{self.hexs(8)};")
                else:
                    out.append(f"    Ok({self.snake()})")
            out.append("}")
            out.append("")
        return "\n".join(out) + "\n"

    def c_block(self, header=False):
        r = self.r
        out = []
        if header:
            for _ in range(r.randint(3, 12)):
                k = r.random()
                if k < 0.4:
                    out.append(f"#define {self.const()} 0x{self.hexs(r.choice([2, 4, 8]))}")
                elif k < 0.6:
                    out.append(f"/* {self.sentence()} */")
                elif k < 0.8:
                    out.append(f"{r.choice(['int', 'void', 'size_t', 'uint32_t', 'const char *'])} {self.snake()}({r.choice(['void', 'const char *s', 'int fd, size_t n'])});")
                else:
                    out.append(f'#define {self.const()}_PATH "{self.literal()}"')
            out.append("")
            return "\n".join(out) + "\n"
        out.append(f"/* {self.sentence()} */")
        out.append(f"static {r.choice(['int', 'void', 'size_t', 'uint32_t'])} {self.snake()}(struct {self.snake(1, 2)} *{self.snake(1, 1)}, size_t len)")
        out.append("{")
        for _ in range(r.randint(3, 14)):
            k = r.random()
            v = self.snake()
            if k < 0.2:
                out.append(f'    static const char {v}[] = "{self.literal()}";')
            elif k < 0.32:
                out.append(f"    /* {self.sentence()} */")
            elif k < 0.45:
                out.append(f"    if ({v} == NULL || len > {self.const()})")
                out.append("        return -EINVAL;")
            elif k < 0.55:
                out.append(f"    {v} = {self.snake()}({self.snake(1, 1)}, 0x{self.hexs(8)}u);")
            elif k < 0.6:
                out.append(f'    const char *{self.pw_name()} = getenv("{self.const()}"); /* e.g. "{self.placeholder_secret()}" */')
            elif k < 0.7:
                out.append(f'    fprintf(stderr, "{self.sentence(2, 6)}: %s\\n", strerror(errno));')
            elif k < 0.8:
                out.append(f"    static const uint8_t {v}_tbl[] = {{ {', '.join('0x' + self.hexs(2) for _ in range(r.randint(8, 16)))} }};")
            else:
                out.append(f"    return {self.snake(1, 1)};")
        out.append("}")
        out.append("")
        return "\n".join(out) + "\n"

    def json_block(self):
        """One object entry (used inside a list)."""
        r = self.r
        fields = []
        for _ in range(r.randint(3, 10)):
            k = r.random()
            key = self.snake(1, 2) if r.random() < 0.6 else self.camel(1, 2)
            if k < 0.5:
                fields.append(f'      "{key}": "{self.literal()}"')
            elif k < 0.65:
                fields.append(f'      "{key}": {r.randint(0, 10**6)}')
            elif k < 0.72:
                fields.append(f'      "{key}": {r.choice(["true", "false", "null"])}')
            elif k < 0.8:
                fields.append(f'      "integrity": "sha512-{self.b64blob(64)}"')
            elif k < 0.86:
                fields.append(f'      "{self.pw_name()}": "{self.placeholder_secret()}"')
            elif k < 0.93:
                fields.append(f'      "id": "{self.uuid()}"')
            else:
                fields.append(f'      "{key}": [{", ".join(str(r.randint(0, 999)) for _ in range(r.randint(2, 8)))}]')
        return "    {\n" + ",\n".join(fields) + "\n    }"

    def yaml_block(self):
        r = self.r
        out = [f"{self.kebab(1, 3)}:"]
        if r.random() < 0.3:
            out.insert(0, f"# {self.sentence()}")
        for _ in range(r.randint(2, 10)):
            k = r.random()
            key = self.snake(1, 2)
            if k < 0.35:
                out.append(f"  {key}: {self.literal()!r}".replace("'", '"') if r.random() < 0.5 else f"  {key}: {self.kebab()}")
            elif k < 0.5:
                out.append(f"  {key}: {r.randint(0, 65535)}")
            elif k < 0.58:
                out.append(f"  {self.pw_name()}: \"{self.placeholder_secret()}\"")
            elif k < 0.68:
                out.append(f"  image: registry.example.com/{self.kebab(1, 2)}@sha256:{self.hexs(64)}")
            elif k < 0.78:
                out.append(f"  {key}:")
                for _ in range(r.randint(1, 4)):
                    out.append(f"    - {self.kebab(1, 3)}")
            elif k < 0.86:
                out.append(f"  owner_id: {self.upper_id()}")
            else:
                out.append(f"  url: {self.url()}")
        return "\n".join(out) + "\n"

    def md_block(self):
        r = self.r
        out = [f"{'#' * r.randint(1, 3)} {self.sentence(2, 6)[:-1]}", ""]
        for _ in range(r.randint(1, 3)):
            out.append(" ".join(self.sentence() for _ in range(r.randint(2, 6))))
            out.append("")
        k = r.random()
        if k < 0.3:
            out.append("```bash")
            out.append(f"export {self.const()}_API_KEY={self.placeholder_secret()}")
            out.append(f"curl -H 'Authorization: Bearer $TOKEN' {self.url()}")
            out.append("```")
            out.append("")
        elif k < 0.5:
            out.append("| name | value | notes |")
            out.append("|------|-------|-------|")
            for _ in range(r.randint(2, 6)):
                out.append(f"| `{self.snake()}` | `{self.literal()}` | {self.sentence(2, 6)} |")
            out.append("")
        elif k < 0.65:
            out.append(f"- See [{self.kebab()}]({self.url()}) for {self.sentence(2, 5)[:-1]}.")
            out.append(f"- {self.sentence()}")
            out.append("")
        return "\n".join(out) + "\n"

    def txt_block(self):
        r = self.r
        k = r.random()
        if k < 0.5:  # log-like lines
            lines = []
            for _ in range(r.randint(5, 30)):
                lines.append(f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z "
                             f"{r.choice(['INFO', 'DEBUG', 'WARN', 'ERROR'])} [{self.kebab(1, 2)}] req={self.uuid()} {self.sentence(3, 9)} "
                             f"{self.word()}={self.literal()}")
            return "\n".join(lines) + "\n"
        if k < 0.75:  # prose
            return "\n".join(" ".join(self.sentence() for _ in range(r.randint(3, 8))) for _ in range(r.randint(1, 4))) + "\n\n"
        # csv-ish
        lines = [",".join(self.snake(1, 1) for _ in range(5))]
        for _ in range(r.randint(5, 25)):
            lines.append(",".join([self.uuid(), self.kebab(1, 2), str(r.randint(0, 10**6)), self.hexs(16), self.upper_id()]))
        return "\n".join(lines) + "\n"

    def minified_stmt(self):
        r = self.r
        k = r.random()
        a, b = self.chars("abcdefghijklmnopqrstuvwxyz", 1), self.chars("abcdefghijklmnopqrstuvwxyz", r.randint(1, 2))
        if k < 0.3:
            return f'{a}.{self.camel(1, 2)}=function({b},{a}){{return {b}&&{b}.{self.camel(1, 1)}?"{self.literal()}":{a}[{r.randint(0, 99)}]}}'
        if k < 0.5:
            return f'var {b}={{{self.camel(1, 1)}:"{self.kebab()}",{self.camel(1, 1)}:{r.randint(0, 9999)},{self.camel(1, 1)}:!0}}'
        if k < 0.6:
            return f'{a}.exports="data:image/png;base64,{self.b64blob(r.randint(60, 600))}"'
        if k < 0.75:
            return f'{b}.{self.camel(1, 1)}("{self.url()}").then(function({a}){{return {a}.json()}})'
        if k < 0.85:
            return f'{a}[{r.randint(0, 999)}]=[{",".join(str(r.randint(0, 65535)) for _ in range(r.randint(4, 20)))}]'
        return f'"use strict";{b}.{self.camel(1, 1)}=Object.freeze({{"{self.kebab()}":"{r.choice(SK_WORDS)}-{self.chars(ALNUM, 12)}"}})'


# ---- planted fake credentials --------------------------------------------

def github_pat(g):
    body = g.chars(ALNUM, 30)
    n = zlib.crc32(body.encode()) & 0xFFFFFFFF
    cs = ""
    for _ in range(6):
        cs = BASE62[n % 62] + cs
        n //= 62
    return "ghp" + "_" + body + cs


def openai_legacy(g):
    return "sk" + "-" + g.chars(ALNUM, 20) + OPENAI_MARKER + g.chars(ALNUM, 20)


def openai_project(g):
    return "sk" + "-proj-" + g.chars(B64URL, 74) + OPENAI_MARKER + g.chars(B64URL, 74)


def aws_key_id(g):
    return "AK" + "IA" + g.chars(UPPER_B32, 16)


def aws_secret(g):
    return g.chars(ALNUM + "+/", 40)


def anthropic_key(g):
    return "sk" + "-ant-api03-" + g.chars(B64URL, 93) + "A" + "A"


def slack_bot(g):
    r = g.r
    return ("xox" + "b-" + g.chars(DIGITS, r.randint(10, 13)) + "-" +
            g.chars(DIGITS, r.randint(10, 13)) + "-" + g.chars(ALNUM, 24))


def _is_probable_prime(n, rng):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(24):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits, rng):
    while True:
        c = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if _is_probable_prime(c, rng):
            return c


def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")  # leading 0 keeps it positive
    return b"\x02" + _der_len(len(b)) + b


def rsa_private_key_pem(g, bits=2048):
    """A structurally valid PKCS#1 RSA private key (freshly generated, random)."""
    rng = g.r
    e = 65537
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    n = p * q
    d = pow(e, -1, phi)
    body = b"".join(_der_int(x) for x in (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)))
    der = b"\x30" + _der_len(len(body)) + body
    b64 = base64.b64encode(der).decode()
    label = "RSA PRIVATE" + " KEY"
    lines = [PEM_DASH + "BEGIN " + label + PEM_DASH]
    lines += [b64[i:i + 64] for i in range(0, len(b64), 64)]
    lines.append(PEM_DASH + "END " + label + PEM_DASH)
    return lines


# ---- tree layout ------------------------------------------------------------

# share of bytes per kind (normal files); minified JS and binaries are separate.
LANG_WEIGHTS = [
    ("py", 15), ("js", 11), ("ts", 12), ("go", 10), ("java", 10), ("rs", 6),
    ("c", 6), ("h", 3), ("json", 8), ("yaml", 4), ("md", 5), ("txt", 4),
]
MINIFIED_SHARE = 0.06
BINARY_SHARE = 0.015
POOL_BLOCKS = 1500

SUBDIRS = {
    "py": ["src", "lib", "tests", "scripts", "app"], "js": ["src", "lib", "web", "test"],
    "ts": ["src", "packages", "web/src", "test"], "go": ["cmd", "internal", "pkg"],
    "java": ["src/main/java/com/example", "src/test/java/com/example"],
    "rs": ["src", "crates", "benches"], "c": ["src", "lib", "drivers"], "h": ["include", "src"],
    "json": ["config", "fixtures", "data", "schemas"], "yaml": ["deploy", "config", "charts", ".github/workflows"],
    "md": ["docs", "."], "txt": ["docs", "data", "logs"],
}


class Tree:
    def __init__(self, out, rng, g):
        self.out = out
        self.r = rng
        self.g = g
        self.projects = []
        names = set()
        while len(names) < 36:
            names.add(g.kebab(1, 2))
        self.projects = sorted(names)
        self.used = set()
        self.subdirs = {}
        self.dirs_made = set()
        self.files = 0
        self.bytes = 0

    def path_for(self, ext, dirhint=None):
        r, g = self.r, self.g
        while True:
            proj = r.choice(self.projects)
            base = dirhint or r.choice(SUBDIRS.get(ext, ["src"]))
            # a handful of (possibly nested) directories under each project/base
            known = self.subdirs.setdefault((proj, base, ext in ("py", "rs", "c", "h")), [])
            if not known or (len(known) < 5 and r.random() < 0.2):
                depth = r.choice([0, 1, 1, 2, 2, 3])
                if known and depth and r.random() < 0.5:  # nest under an existing one
                    sub = r.choice(known) + [g.word() for _ in range(depth - 1)] + [g.word()]
                else:
                    sub = [g.word() for _ in range(depth)]
                known.append(sub)
            parts = [proj, base] + r.choice(known)
            name = (g.snake(1, 2) if ext in ("py", "rs", "c", "h", "go") else
                    g.camel(1, 2) if ext in ("js", "ts") else
                    g.pascal(1, 2) if ext == "java" else g.kebab(1, 2))
            rel = os.path.normpath(os.path.join(*parts, f"{name}.{ext}"))
            if rel not in self.used:
                self.used.add(rel)
                return rel

    def write(self, rel, data):
        full = os.path.join(self.out, rel)
        d = os.path.dirname(full)
        if d not in self.dirs_made:
            os.makedirs(d, exist_ok=True)
            self.dirs_made.add(d)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(full, "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)


HEADERS = {
    "py": lambda g: "#!/usr/bin/env python3\n\"\"\"" + g.sentence() + "\"\"\"\n\nimport os\nimport json\nimport logging\nfrom typing import Any, Optional\n\nlogger = logging.getLogger(__name__)\n\n",
    "js": lambda g: f"'use strict';\n\nconst {{ {g.camel()} }} = require('./{g.camel(1, 2)}');\nconst {g.camel(1, 1)} = require('{g.kebab(1, 2)}');\n\n",
    "ts": lambda g: f"import {{ {g.pascal()} }} from './{g.camel(1, 2)}';\nimport type {{ {g.pascal(1, 2)} }} from '@{g.word()}/{g.kebab(1, 2)}';\n\n",
    "go": lambda g: f"package {g.word()}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"log\"\n\t\"os\"\n)\n\n",
    "java": lambda g: f"package com.example.{g.word()};\n\nimport java.util.*;\nimport org.slf4j.Logger;\n\npublic class {g.pascal()} {{\n    private static final Logger LOG = LoggerFactory.getLogger({g.pascal(1, 1)}.class);\n\n",
    "rs": lambda g: f"//! {g.sentence()}\n\nuse std::collections::HashMap;\nuse serde::{{Deserialize, Serialize}};\n\n",
    "c": lambda g: f"/*\n * {g.sentence()}\n * SPDX-License-Identifier: MIT\n */\n#include <errno.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include \"{g.snake(1, 2)}.h\"\n\n",
    "h": lambda g: (lambda n: f"#ifndef {n}_H\n#define {n}_H\n\n#include <stdint.h>\n\n")(g.const()),
    "yaml": lambda g: f"# {g.sentence()}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {g.kebab()}\n  namespace: {g.kebab(1, 2)}\ndata:\n",
    "md": lambda g: f"# {g.pascal(1, 2)}\n\n{g.sentence()}\n\n",
    "txt": lambda g: "",
}
FOOTERS = {"java": "}\n", "h": "\n#endif\n"}


def block_pools(g):
    makers = {
        "py": g.py_block, "js": g.js_block, "ts": lambda: g.js_block(ts=True), "go": g.go_block,
        "java": g.java_block, "rs": g.rs_block, "c": g.c_block, "h": lambda: g.c_block(header=True),
        "json": g.json_block, "yaml": g.yaml_block, "md": g.md_block, "txt": g.txt_block,
    }
    pools = {}
    for ext, mk in makers.items():
        n = POOL_BLOCKS if ext not in ("h", "txt") else POOL_BLOCKS // 2
        pool = [mk() for _ in range(n)]
        if ext == "yaml":  # yaml blocks are top-level keys; indent under data:
            pool = ["".join("  " + ln + "\n" for ln in b.splitlines()) for b in pool]
        avg = sum(len(b) for b in pool) / len(pool)
        pools[ext] = (pool, avg)
    return pools


def make_text(ext, size, g, r, pools):
    pool, avg = pools[ext]
    n = max(1, int(size / avg))
    blocks = r.choices(pool, k=n)
    if ext == "json":
        return '{\n  "version": ' + str(r.randint(1, 9)) + ',\n  "items": [\n' + ",\n".join(blocks) + "\n  ]\n}\n"
    return HEADERS[ext](g) + "".join(blocks) + FOOTERS.get(ext, "")


def file_size(r):
    # log-normal around ~10 KB, a long tail to a few hundred KB.
    return int(min(max(r.lognormvariate(9.3, 1.0), 300), 600_000))


def make_minified(g, r, size):
    lines = []
    total = 0
    cur = []
    cur_len = 0
    line_target = r.choice([size, size // 2, r.randint(40_000, 400_000)])
    while total < size:
        s = g.minified_stmt()
        cur.append(s)
        cur_len += len(s) + 1
        total += len(s) + 1
        if cur_len >= line_target:
            lines.append(";".join(cur))
            cur, cur_len = [], 0
    if cur:
        lines.append(";".join(cur))
    return "/*! " + g.kebab() + " v" + f"{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}" + " | MIT */\n" + "\n".join(lines) + "\n"


def make_binary(g, r, size):
    out = bytearray()
    magic = r.choice([b"\x89PNG\r\n\x1a\n", b"\x7fELF\x02\x01\x01\x00", b"\xca\xfe\xba\xbe", b"\x00\x00\x01\x00"])
    out += magic
    while len(out) < size:
        k = r.random()
        if k < 0.4:
            out += bytes(r.randint(16, 512))  # runs of NUL
        elif k < 0.8:
            out += r.randbytes(r.randint(64, 4096))
        else:
            out += (g.snake() + "\x00" + g.literal() + "\x00").encode()
    return bytes(out[:size])


# ---- planting -------------------------------------------------------------

def plant_all(tree, g, r, pools):
    """Plant the fake keys. Returns manifest entries."""
    manifest = []

    def env_lines(n):
        return [f"{g.const()}={r.choice([g.kebab(1, 2), str(r.randint(0, 9999)), g.url(), g.placeholder_secret()])}" for _ in range(n)]

    def place(rel, lines, payload, kind, pos=None):
        """Insert payload lines (list) into lines at pos; record manifest."""
        if pos is None:
            pos = r.randint(max(0, len(lines) // 4), max(0, len(lines) - 1))
        lines[pos:pos] = payload
        manifest.append({"path": rel, "line": pos + 1, "end_line": pos + len(payload), "kind": kind})
        return lines

    def code_lines(ext, size=None):
        return make_text(ext, size or r.randint(4_000, 40_000), g, r, pools).split("\n")

    def safe_pos(lines, ext):
        # a position between top-level blocks (after a blank line) so the
        # inserted statement sits at a plausible place.
        cands = [i for i, ln in enumerate(lines[:-1]) if ln == "" and i > 5 and lines[i + 1][:1] not in ("", " ", "\t")]
        return (r.choice(cands) + 1) if cands else len(lines)

    # 1. .env with OpenAI legacy + GitHub PAT; 2. .env with AWS pair + Anthropic
    for keys in (
        [("openai-legacy", "OPENAI_API_KEY", openai_legacy), ("github-pat", "GITHUB_TOKEN", github_pat)],
        [("aws-access-key-id", "AWS_ACCESS_KEY_ID", aws_key_id), ("aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", aws_secret),
         ("anthropic", "ANTHROPIC_API_KEY", anthropic_key)],
    ):
        proj = r.choice(tree.projects)
        rel = os.path.join(proj, r.choice(["", "deploy", "config", "services/" + g.word()]), r.choice([".env", ".env.production", ".env.local"]))
        rel = os.path.normpath(rel)
        while rel in tree.used:
            rel = rel + ".bak"
        tree.used.add(rel)
        lines = ["# " + g.sentence()] + env_lines(r.randint(4, 12))
        pos = r.randint(1, len(lines))
        for i, (kind, var, mk) in enumerate(keys):
            place(rel, lines, [f"{var}={mk(g)}"], kind, pos + i)
        lines += env_lines(r.randint(2, 8))
        tree.write(rel, "\n".join(lines) + "\n")

    # Python strings
    for kind, mk, fmt in (
        ("openai-legacy", openai_legacy, 'openai.api_key = "{}"'),
        ("openai-project", openai_project, 'client = OpenAI(api_key="{}")'),
        ("anthropic", anthropic_key, "ANTHROPIC_KEY = '{}'  # TODO move to vault"),
    ):
        rel = tree.path_for("py")
        lines = code_lines("py")
        place(rel, lines, [fmt.format(mk(g))], kind, safe_pos(lines, "py"))
        tree.write(rel, "\n".join(lines))

    # JSON
    for kind, mk, key in (("openai-project", openai_project, "openai_api_key"), ("anthropic", anthropic_key, "anthropicApiKey"),
                          ("slack-bot-token", slack_bot, "slack_token")):
        rel = tree.path_for("json", dirhint="config")
        lines = code_lines("json")
        # insert as the first field of the first object in the items list
        pos = next(i for i, ln in enumerate(lines) if ln.strip() == "{" and i > 0) + 1
        place(rel, lines, [f'      "{key}": "{mk(g)}",'], kind, pos)
        tree.write(rel, "\n".join(lines))

    # YAML
    for kind, mk, fmt in (("github-pat", github_pat, "    token: {}"), ("slack-bot-token", slack_bot, '  SLACK_BOT_TOKEN: "{}"'),
                          ("aws-access-key-id", aws_key_id, "  aws_access_key_id: {}")):
        rel = tree.path_for("yaml", dirhint="deploy")
        lines = code_lines("yaml", r.randint(3_000, 20_000))
        pos = next(i for i, ln in enumerate(lines) if ln.startswith("  ") and not ln.startswith("   ") and i > 8)
        if fmt.startswith("    "):
            place(rel, lines, ["  github:", fmt.format(mk(g))], kind, pos)
            manifest[-1]["line"] += 1
        else:
            place(rel, lines, [fmt.format(mk(g))], kind, pos)
        tree.write(rel, "\n".join(lines))

    # JS / TS / Go / Java
    for ext, kind, mk, fmt in (
        ("js", "github-pat", github_pat, "const GITHUB_TOKEN = '{}';"),
        ("js", "slack-bot-token", slack_bot, "const slack = new WebClient('{}');"),
        ("ts", "openai-project", openai_project, "export const OPENAI_KEY = `{}`;"),
        ("go", "aws-access-key-id", aws_key_id, 'var awsAccessKeyID = "{}"'),
        ("java", "github-pat", github_pat, 'private static final String GH_TOKEN = "{}";'),
    ):
        rel = tree.path_for(ext)
        lines = code_lines(ext)
        if ext == "java":
            pos = next(i for i, ln in enumerate(lines) if "LoggerFactory" in ln) + 1
        elif ext == "go":
            pos = next(i for i, ln in enumerate(lines) if ln == ")") + 2
        else:
            pos = safe_pos(lines, ext)
        place(rel, lines, [fmt.format(mk(g))], kind, pos)
        tree.write(rel, "\n".join(lines))

    # PEM: a standalone key file and one inside a YAML block scalar
    proj = r.choice(tree.projects)
    rel = os.path.join(proj, "deploy", "certs", "server.key")
    tree.used.add(rel)
    pem = rsa_private_key_pem(g)
    lines = place(rel, [], pem, "rsa-private-key", 0)
    tree.write(rel, "\n".join(lines) + "\n")

    rel = tree.path_for("yaml", dirhint="charts")
    lines = code_lines("yaml", r.randint(3_000, 12_000))
    pem = rsa_private_key_pem(g)
    pos = len(lines) - 1
    lines[pos:pos] = ["  tls.key: |"]
    place(rel, lines, ["    " + ln for ln in pem], "rsa-private-key", pos + 1)
    tree.write(rel, "\n".join(lines))
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output directory (created; must be empty or absent unless --force)")
    ap.add_argument("--mb", type=float, default=300, help="approximate total size in MB (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--force", action="store_true", help="delete OUT first if it exists")
    a = ap.parse_args()

    out = os.path.abspath(a.out)
    if os.path.exists(out) and os.listdir(out):
        if not a.force:
            sys.exit(f"gen-tree: {out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)

    t0 = time.time()
    rng = random.Random(a.seed)
    g = Gen(rng)
    pools = block_pools(g)
    tree = Tree(out, rng, g)
    target = int(a.mb * 1_000_000)

    manifest = plant_all(tree, g, rng, pools)

    # binaries
    bin_budget = int(target * BINARY_SHARE)
    while bin_budget > 0:
        size = min(bin_budget, rng.randint(100_000, 2_000_000))
        ext = rng.choice(["bin", "so", "dat", "png", "pyc", "o"])
        rel = tree.path_for(ext, dirhint=rng.choice(["assets", "build", "data", "lib"]))
        tree.write(rel, make_binary(g, rng, max(size, 1024)))
        bin_budget -= size

    # minified bundles
    min_budget = int(target * MINIFIED_SHARE)
    while min_budget > 0:
        size = min(min_budget, rng.randint(150_000, 2_500_000))
        rel = tree.path_for("js", dirhint="dist")
        rel = rel[:-3] + "." + g.hexs(8) + ".js"  # webpack-style chunk name
        tree.write(rel, make_minified(g, rng, max(size, 1000)))
        min_budget -= size

    # regular files until the target is reached
    exts = [e for e, _ in LANG_WEIGHTS]
    weights = [w for _, w in LANG_WEIGHTS]
    while tree.bytes < target:
        ext = rng.choices(exts, weights)[0]
        size = file_size(rng)
        if ext in ("h", "yaml"):
            size = min(size, 40_000)
        tree.write(tree.path_for(ext), make_text(ext, size, g, rng, pools))

    manifest.sort(key=lambda m: (m["path"], m["line"]))
    with open(os.path.join(out, "planted.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    dt = time.time() - t0
    print(f"gen-tree: wrote {tree.files} files, {tree.bytes / 1e6:.1f} MB, {len(tree.dirs_made)} directories, "
          f"{len(manifest)} planted keys into {out} in {dt:.1f}s (seed {a.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
