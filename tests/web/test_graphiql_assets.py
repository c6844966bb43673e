"""The GraphiQL page's vendored files: unmodified, pinned, licensed and packaged."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from app.web.graphiql import STATIC_DIRECTORY

VENDOR = STATIC_DIRECTORY / "vendor"
ROOT = Path(__file__).parents[2]


def test_vendored_files_match_their_recorded_digests():
    # given
    listed = dict(
        reversed(line.split(maxsplit=1))
        for line in (VENDOR / "SHA256SUMS").read_text().splitlines()
    )

    # then every vendored file is listed, with its digest, and every script has its licence
    on_disk = {path.name for path in VENDOR.iterdir()} - {"SHA256SUMS"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert {"LICENSE.react.txt", "LICENSE.react-dom.txt", "LICENSE.graphiql.txt"} <= on_disk


def test_the_page_pins_each_file_by_its_sha384():
    page = (STATIC_DIRECTORY / "index.html").read_text()
    pinned = re.findall(r'(?:src|href)="/graphiql/vendor/([^"]+)"\s+integrity="([^"]+)"', page)

    assert len(pinned) == 6
    for name, integrity in pinned:
        digest = base64.b64encode(hashlib.sha384((VENDOR / name).read_bytes()).digest()).decode()
        assert integrity == f"sha384-{digest}", name


def test_the_package_data_ships_every_file_the_page_serves():
    # given
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["app.web"]
    package = STATIC_DIRECTORY.parents[1]  # app/web

    # then
    served = [
        path.relative_to(package).as_posix()
        for path in STATIC_DIRECTORY.rglob("*")
        if path.is_file() and path.suffix not in (".md", ".sh")
    ]
    missing = [name for name in served if not any(fnmatch(name, p) for p in patterns)]
    assert served and missing == []
