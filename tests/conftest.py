"""Fixtures shared by every test: the repository's paths and writable copies of datasets."""

from __future__ import annotations

import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples on every run, so a red run is reproducible and a green one
# means the same thing each time; local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "datasets"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def release_dir() -> Path:
    """The committed release (read it, never write it)."""
    return REPO / "dataset"


def copy_release(target: Path, source: Path | None = None) -> Path:
    """A writable copy of a dataset folder laid out as a release (the texts are inside its documents table)."""
    shutil.copytree(source or REPO / "dataset", target / "dataset",
                    ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    return target / "dataset"


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed release in tmp_path; returns its dataset/ folder."""
    return copy_release(tmp_path)


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """Factory: a writable copy of one of the small fixture datasets under tests/fixtures/datasets/."""
    def make(name: str = "valid") -> Path:
        return copy_release(tmp_path / name, FIXTURES / name)
    return make


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder and its bytes: to assert that a refused write changed nothing."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()
            and not p.name.startswith(".")}


@pytest.fixture
def local_http():
    """Factory: serve a request handler class on 127.0.0.1 (a free port) in a thread; returns its URL."""
    servers = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run the ``stancetrack`` command in this process: (exit code, standard output, standard error).

    Any exception but SystemExit propagates and fails the test: that is a traceback a user would see.
    ``env`` sets environment variables for the run.
    """
    from stancetrack.cli import main

    def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "argv", ["stancetrack", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err
    return invoke
