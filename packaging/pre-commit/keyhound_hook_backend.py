"""PEP 517 build backend of the repository root's pyproject.toml: what the
pre-commit framework installs for the `keyhound-wheel` hook.

pre-commit installs a `language: python` hook by running `pip install .` in
its clone of the hook repository. Built from source, keyhound needs a Rust
toolchain and minutes; so the root does not build keyhound at all. This
backend builds `keyhound-pre-commit`, a wheel with no code whose one
requirement is `keyhound==<the version in Cargo.toml>`: pip then installs
the prebuilt `keyhound` wheel of that version (from PyPI, or wherever pip is
pointed with PIP_INDEX_URL / PIP_FIND_LINKS), which carries the binary. So
the version lives in Cargo.toml only, and a hook pinned to a release tag
installs that release's binary.

It needs nothing but the standard library (`requires = []`), so building
it downloads nothing either.
"""

import base64
import hashlib
import os
import re
import zipfile

NAME = "keyhound-pre-commit"
DIST = NAME.replace("-", "_")
SUMMARY = "Installs the prebuilt keyhound binary for the pre-commit framework's keyhound-wheel hook"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cargo_version():
    """The `version` of Cargo.toml's [package] table."""
    with open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8") as f:
        text = f.read()
    package = re.search(r"^\[package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = package and re.search(r'^version\s*=\s*"([^"]+)"\s*$', package.group(1), re.M)
    if not found:
        raise RuntimeError("Cargo.toml has no [package] version")
    return found.group(1)


def _metadata(version):
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {version}\n"
        f"Summary: {SUMMARY}\n"
        "Home-page: https://github.com/keyhound/keyhound\n"
        "License: MIT OR Apache-2.0\n"
        "Requires-Python: >=3.9\n"
        f"Requires-Dist: keyhound=={version}\n"
    )


_WHEEL = "Wheel-Version: 1.0\nGenerator: keyhound_hook_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _dist_info(version):
    return f"{DIST}-{version}.dist-info"


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    version = cargo_version()
    info = os.path.join(metadata_directory, _dist_info(version))
    os.makedirs(info, exist_ok=True)
    for name, body in (("METADATA", _metadata(version)), ("WHEEL", _WHEEL)):
        with open(os.path.join(info, name), "w", encoding="utf-8") as f:
            f.write(body)
    return _dist_info(version)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = cargo_version()
    info = _dist_info(version)
    files = {f"{info}/METADATA": _metadata(version), f"{info}/WHEEL": _WHEEL}
    record = []
    for path, body in files.items():
        data = body.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    wheel = f"{DIST}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for path, body in files.items():
            # A fixed timestamp: the same sources give the same wheel.
            z.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), body)
    return wheel
