"""Fixtures of the Label Studio tests: the synthetic emoji dataset, a copy of the release, a real server."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from .helpers import in_ci, label_studio_processes, make_emoji_dataset, require_label_studio

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def no_server_left_behind(tmp_path_factory):
    """After the last test: no Label Studio process whose data folder lies in this session's temporary
    folders is still running (any left is killed, and the session fails)."""
    yield
    base = tmp_path_factory.getbasetemp()
    deadline = time.monotonic() + 30
    while (left := label_studio_processes(base)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in left:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.kill(pid, 9)
    assert not left, f"Label Studio processes started by the tests are still running: {left}"


@pytest.fixture
def emoji_dataset(tmp_path: Path) -> Path:
    """A writable synthetic dataset (dataset/ beside seeds/) whose paragraphs contain emoji."""
    return make_emoji_dataset(tmp_path / "emoji")


@pytest.fixture
def release_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed release: dataset/ beside seeds/."""
    shutil.copytree(REPO / "dataset", tmp_path / "release" / "dataset",
                    ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    shutil.copytree(REPO / "seeds", tmp_path / "release" / "seeds")
    return tmp_path / "release" / "dataset"


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """A running Label Studio: the one named by $STANCETRACK_TEST_LS_URL/$STANCETRACK_TEST_LS_TOKEN, else one
    started here from its own virtual environment. Under CI=true a server that cannot start fails the tests;
    elsewhere they are skipped with the reason."""
    from stancetrack.annotate import server as server_lib

    url, token = os.environ.get("STANCETRACK_TEST_LS_URL"), os.environ.get("STANCETRACK_TEST_LS_TOKEN")
    if url and token:
        yield url, token
        return
    require_label_studio()
    creds = server_lib.Credentials.new("tests@stancetrack.local")
    server = server_lib.LocalServer(tmp_path_factory.mktemp("label-studio"), creds)
    try:
        server.start(timeout=float(os.environ.get("STANCETRACK_TEST_LS_START_TIMEOUT", "240")))
    except server_lib.ServerError as exc:
        if in_ci():
            pytest.fail(f"Label Studio did not start: {exc}")
        pytest.skip(f"Label Studio did not start: {exc}")
    print(f"\nLabel Studio started in {server.started_in:.1f} s")
    try:
        yield server.url, creds.token
    finally:
        server.stop()
