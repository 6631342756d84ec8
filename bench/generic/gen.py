#!/usr/bin/env python3
"""Generate realistic generic credential leaks and decoys, with a truth file.

    bench/generic/gen.py OUT_DIR [--cases N] [--seed S]

Writes one small file per case under OUT_DIR (in the syntax the case is
about, under a realistic name: `.env`, `config/database.yml`, `.pgpass`, …)
and OUT_DIR/truth.jsonl, one line per case:

    {"path": "...", "line": 3, "kind": "leak"|"decoy", "syntax": "yaml",
     "decoy": "placeholder"|...}

A *leak* is a credential a generic detector must report: a random value
(alphanumeric, hex, base64, a human password with symbols) assigned to a
name that says secret, or in a URL, header or credentials file. A *decoy*
sits in the same places but is not a secret, one of every kind the value
scorer rejects (placeholders, references, types and code, hashes, word-like
and low-information values) and names that are not secrets (`cache_key`,
`next_page_token`). Every value is made from random characters at run time:
this script holds no credential. Deterministic for a seed. --cases is the
number of leaks; as many decoys are written.

bench/generic/score.py scores a scan of OUT_DIR against truth.jsonl.
"""

import argparse
import base64
import json
import os
import random
import string

ALNUM = string.ascii_letters + string.digits
SYMBOLS = "!#%^*+=-_.~"


class Values:
    def __init__(self, r):
        self.r = r

    def chars(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def alnum(self):
        # At least one of each class: generated secrets have them.
        n = self.r.randint(14, 40)
        v = list(self.chars(string.ascii_lowercase, 2) + self.chars(string.ascii_uppercase, 2) + self.chars(string.digits, 2) + self.chars(ALNUM, n - 6))
        self.r.shuffle(v)
        return "".join(v)

    def hex(self):
        return self.chars("0123456789abcdef", self.r.choice([32, 40, 48, 64]))

    def b64(self):
        return base64.b64encode(self.r.randbytes(self.r.choice([18, 24, 30, 33]))).decode()

    def b64url(self):
        return base64.urlsafe_b64encode(self.r.randbytes(self.r.choice([24, 30, 36]))).decode().rstrip("=")

    def password(self):
        # A password a person or a generator chose: letters, digits, symbols.
        n = self.r.randint(10, 20)
        v = list(self.chars(string.ascii_letters, n - 4) + self.chars(string.digits, 2) + self.chars(SYMBOLS, 2))
        self.r.shuffle(v)
        while v[0] in SYMBOLS:
            self.r.shuffle(v)
        return "".join(v)

    def secret(self):
        return self.r.choice([self.alnum, self.alnum, self.hex, self.b64, self.b64url, self.password])()

    def url_password(self):
        # Characters a URL carries unescaped.
        n = self.r.randint(12, 28)
        return self.chars(ALNUM, n - 2) + self.chars("-_.~", 1) + self.chars(string.digits, 1)

    def word(self):
        return self.r.choice(["orders", "billing", "reports", "deploy", "ci", "app", "worker", "backup", "svc"])

    def host(self):
        return f"{self.r.choice(['db', 'mq', 'cache', 'git', 'mail', 'ldap'])}.{self.r.choice(['acme', 'initech', 'globex'])}.internal"


# Names, in the case each syntax writes them.
PASSWORD_NAMES = ["password", "db_password", "admin_password", "smtp_password", "passwd", "db_pass", "mysql_pwd", "root_password"]
SECRET_NAMES = ["secret", "client_secret", "jwt_secret", "secret_key", "signing_key", "app_secret", "session_secret", "encryption_key", "private_key"]
KEY_NAMES = ["api_key", "apikey", "access_key", "app_key", "license_key", "service_api_key"]
TOKEN_NAMES = ["token", "auth_token", "access_token", "api_token", "refresh_token", "bot_token", "github_token", "slack_token"]
ALL_NAMES = PASSWORD_NAMES + SECRET_NAMES + KEY_NAMES + TOKEN_NAMES


def camel(name):
    parts = name.split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def kebab(name):
    return name.replace("_", "-")


# Each syntax: (name of the file, function(name, value) -> list of lines,
# index of the line holding the value). `NAME` is snake_case.
def syntaxes():
    return {
        "env": (".env", lambda n, v: ["# app", f"{n.upper()}={v}"], 1),
        "shell": ("deploy.sh", lambda n, v: ["#!/bin/sh", f'export {n.upper()}="{v}"', "./run"], 1),
        "yaml": ("config/app.yml", lambda n, v: ["app:", "  database:", f"    {n}: {v}"], 2),
        "yaml-quoted": ("config/settings.yaml", lambda n, v: ["service:", f"  {n}: \"{v}\""], 1),
        "json": ("config.json", lambda n, v: ["{", '  "host": "db",', f'  "{camel(n)}": "{v}"', "}"], 2),
        "toml": ("config.toml", lambda n, v: ["[database]", f'{n} = "{v}"'], 1),
        "ini": ("app.ini", lambda n, v: ["[auth]", f"{n} = {v}"], 1),
        "properties": ("application.properties", lambda n, v: ["spring.application.name=orders", f"spring.datasource.{kebab(n)}={v}"], 1),
        "xml-element": ("settings.xml", lambda n, v: ["<server>", "  <id>repo</id>", f"  <{camel(n)}>{v}</{camel(n)}>", "</server>"], 2),
        "xml-attribute": ("web.config", lambda n, v: ["<appSettings>", f'  <add key="x" {camel(n)}="{v}" />', "</appSettings>"], 1),
        "python": ("settings.py", lambda n, v: ["import os", "", f'{n.upper()} = "{v}"'], 2),
        "python-kwarg": ("db.py", lambda n, v: ["conn = connect(", '    host="db",', f"    {n}='{v}',", ")"], 2),
        "javascript": ("config.js", lambda n, v: ["module.exports = {", f"  {camel(n)}: '{v}',", "};"], 1),
        "typescript": ("src/config.ts", lambda n, v: [f'export const {camel(n)}: string = "{v}";'], 0),
        "go": ("main.go", lambda n, v: ["package main", "", f'const {camel(n)} = "{v}"'], 2),
        "go-struct": ("client.go", lambda n, v: ["c := Config{", f'\t{camel(n)[0].upper() + camel(n)[1:]}: "{v}",', "}"], 1),
        "java": ("Config.java", lambda n, v: ["class Config {", f'    private static final String {n.upper()} = "{v}";', "}"], 1),
        "csharp": ("Settings.cs", lambda n, v: ["class Settings {", f'    public string {camel(n)[0].upper() + camel(n)[1:]} = "{v}";', "}"], 1),
        "ruby": ("config.rb", lambda n, v: ["Client.new(", f"  {n}: '{v}',", ")"], 1),
        "php": ("config.php", lambda n, v: ["<?php", f"$config['{n}'] = '{v}';"], 1),
        "rust": ("src/config.rs", lambda n, v: [f'const {n.upper()}: &str = "{v}";'], 0),
        "dockerfile": ("Dockerfile", lambda n, v: ["FROM alpine:3.20", f"ENV {n.upper()}={v}"], 1),
        "dockerfile-arg": ("build/Dockerfile", lambda n, v: ["FROM alpine:3.20", f"ARG {n.upper()}={v}"], 1),
        "terraform": ("main.tf", lambda n, v: ['resource "db" "main" {', f'  {n} = "{v}"', "}"], 1),
        "kubernetes-env": ("k8s/deployment.yaml", lambda n, v: ["        env:", f"          - name: {n.upper()}", f'            value: "{v}"'], 2),
        "kubernetes-secret": ("k8s/secret.yaml", lambda n, v: ["kind: Secret", "stringData:", f"  {n}: {v}"], 2),
        "cli-flag": ("scripts/run.sh", lambda n, v: [f"app serve --{kebab(n)} {v} --port 8080"], 0),
    }


def leak_value_span(line, value):
    return line.index(value)


class Gen:
    def __init__(self, out, seed):
        self.out = out
        self.r = random.Random(seed)
        self.v = Values(self.r)
        self.truth = []
        self.n = 0

    def write(self, rel, lines, line_index, kind, syntax, decoy=None):
        self.n += 1
        d, f = os.path.split(rel)
        path = os.path.join(f"case{self.n:04d}", d, f)
        full = os.path.join(self.out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        row = {"path": path, "line": line_index + 1, "kind": kind, "syntax": syntax}
        if decoy:
            row["decoy"] = decoy
        self.truth.append(row)

    # ---- leaks -----------------------------------------------------------
    def leak(self):
        r, v = self.r, self.v
        special = [self.url_leak, self.header_leak, self.file_leak, self.cli_leak]
        if r.random() < 0.3:
            return r.choice(special)()
        syntax, (rel, render, at) = r.choice(list(syntaxes().items()))
        name = r.choice(ALL_NAMES)
        # A person picks a password; a service generates tokens and keys.
        value = v.secret() if name in PASSWORD_NAMES else r.choice([v.alnum, v.alnum, v.hex, v.b64, v.b64url])()
        self.write(rel, render(name, value), at, "leak", syntax)

    def url_leak(self):
        r, v = self.r, self.v
        scheme = r.choice(["https", "ftp", "smtps", "ldap", "sftp", "http"])
        pw = v.url_password()
        forms = [
            ("url", "deploy/.git-credentials", [f"{scheme}://{v.word()}:{pw}@{v.host()}"], 0),
            ("url", "config/mail.yml", [f"smtp_url: smtps://{v.word()}:{pw}@{v.host()}:465"], 0),
            ("url", "clone.sh", [f"git clone https://x-access-token:{pw}@{v.host()}/team/repo.git"], 0),
            ("jdbc", "db.properties", [f"url=jdbc:oracle:thin:{v.word()}/{pw}@{v.host()}:1521/ORCL"], 0),
            ("jdbc", "app.properties", [f"db.url=jdbc:sqlserver://{v.host()}:1433;databaseName=app;user=app;password={pw}"], 0),
        ]
        syntax, rel, lines, at = r.choice(forms)
        self.write(rel, lines, at, "leak", syntax)

    def header_leak(self):
        r, v = self.r, self.v
        if r.random() < 0.5:
            tok = v.b64url()
            lines = [f'curl -H "Authorization: Bearer {tok}" https://api.acme.io/v1/items']
            self.write("scripts/call.sh", lines, 0, "leak", "bearer-header")
        else:
            cred = base64.b64encode(f"{v.word()}:{v.password()}".encode()).decode()
            lines = ["headers = {", f"    'Authorization': 'Basic {cred}',", "}"]
            self.write("client.py", lines, 1, "leak", "basic-header")

    def file_leak(self):
        r, v = self.r, self.v
        pw = v.password()
        forms = [
            ("netrc", ".netrc", [f"machine {v.host()}", f"  login {v.word()}", f"  password {v.alnum()}"], 2),
            ("pgpass", ".pgpass", ["# hostname:port:database:username:password", f"{v.host()}:5432:app:{v.word()}:{v.alnum()}"], 1),
            ("htpasswd", ".htpasswd", [f"{v.word()}:{pw}"], 0),
            ("docker-config", ".docker/config.json", ['{"auths": {', f'  "{v.host()}": {{"auth": "{base64.b64encode(f"{v.word()}:{pw}".encode()).decode()}"}}', "}}"], 1),
            ("npmrc", ".npmrc", [f"//{v.host()}/:_authToken={v.b64url()}"], 0),
            ("pypirc", ".pypirc", ["[pypi]", "username = __token__", f"password = {v.alnum()}"], 2),
            ("wp-config", "wp-config.php", ["<?php", f"define( 'DB_PASSWORD', '{pw}' );"], 1),
            ("settings-xml", ".m2/settings.xml", ["<servers><server>", "  <id>central</id>", f"  <password>{pw}</password>", "</server></servers>"], 2),
        ]
        syntax, rel, lines, at = r.choice(forms)
        self.write(rel, lines, at, "leak", syntax)

    def cli_leak(self):
        r, v = self.r, self.v
        pw = v.alnum()
        forms = [
            ("mysql-cli", "backup.sh", [f"mysqldump -u {v.word()} -p{pw} shop > dump.sql"], 0),
            ("mysql-cli", "restore.sh", [f"mysql -h {v.host()} -u root -p{pw} app < dump.sql"], 0),
            ("cli-flag", "Makefile", ["deploy:", f"\tapp deploy --password={pw} --env prod"], 1),
            ("cli-flag", "run.sh", [f"app login --token {v.b64url()}"], 0),
        ]
        syntax, rel, lines, at = r.choice(forms)
        self.write(rel, lines, at, "leak", syntax)

    # ---- decoys ----------------------------------------------------------
    def decoy(self):
        r, v = self.r, self.v
        kinds = {
            "placeholder": lambda: r.choice(["changeme", "<password>", "xxxxxxxxxxxx", "your-api-key-here", "example-secret", "REPLACE_ME_WITH_TOKEN", "<insert token>", "********", "TODO-set-me", "dummy-password", "p@ssw0rd123"]),
            "reference": lambda: r.choice(["${DB_PASSWORD}", "{{ .Values.db.password }}", "%(db_password)s", "os.environ['DB_PASSWORD']", "process.env.API_TOKEN", "${{ secrets.DEPLOY_TOKEN }}", "vault:secret/data/db#password", "$SECRET_KEY", "ENC(" + v.chars(ALNUM, 16) + ")", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"]),
            "code": lambda: r.choice(["getPassword()", "str", "None", "null", "self.settings.api_token", "/etc/app/secret.key", "load_secret(name)", "config.get('token')", "undefined"]),
            "hash": lambda: r.choice(["$2b$12$" + v.chars(ALNUM + "./", 53), "$argon2id$v=19$m=65536,t=3,p=4$" + v.chars(ALNUM, 22) + "$" + v.chars(ALNUM, 43), "pbkdf2_sha256$600000$" + v.chars(ALNUM, 22) + "$" + v.chars(ALNUM, 43), "{SSHA}" + v.chars(ALNUM, 32)]),
            "words": lambda: r.choice(["correcthorsebatterystaple", "ConnectionString", "development", "production-database", "my-service-account", "default_settings"]),
            "low-information": lambda: r.choice(["aaaaaaaaaaaa", "12345678", "abcabcabcabc", "000000000000", "qwertyuiop", "1111-2222-3333"]),
        }
        kind = r.choice(list(kinds) + ["digest", "not-a-secret-name"])
        if kind == "digest":
            lines = [f'sha256_digest = "{v.chars("0123456789abcdef", 64)}"', f'checksum_token = "{v.chars("0123456789abcdef", 64)}"  # sha256 checksum']
            self.write("checksums.py", lines, 1, "decoy", "python", kind)
            return
        if kind == "not-a-secret-name":
            name = r.choice(["cache_key", "next_page_token", "primary_key", "public_key", "password_hash", "csrf_token", "sort_key"])
            self.write("models.py", [f'{name.upper()} = "{v.alnum()}"'], 0, "decoy", "python", kind)
            return
        value = kinds[kind]()
        syntax, (rel, render, at) = r.choice(list(syntaxes().items()))
        name = r.choice(ALL_NAMES)
        self.write(rel, render(name, value), at, "decoy", syntax, kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--cases", type=int, default=240)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    g = Gen(a.out, a.seed)
    for _ in range(a.cases):
        g.leak()
    for _ in range(a.cases):
        g.decoy()
    with open(os.path.join(a.out, "truth.jsonl"), "w") as fh:
        for row in g.truth:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
