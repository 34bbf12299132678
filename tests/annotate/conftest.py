"""Fixtures of the Label Studio tests: the synthetic emoji dataset, a copy of the release, one real server per
session (started by `stancetrack annotate serve`), and a check that none is left running."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from .helpers import in_ci, label_studio_processes, make_emoji_dataset, read_until, require_label_studio
from stancetrack.annotate.server import free_port

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
    """A writable synthetic dataset whose paragraphs contain emoji."""
    return make_emoji_dataset(tmp_path / "emoji")


@pytest.fixture
def release_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed release (its texts are inside its documents table)."""
    shutil.copytree(REPO / "dataset", tmp_path / "release" / "dataset",
                    ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    return tmp_path / "release" / "dataset"


@dataclass
class Served:
    """`stancetrack annotate serve` running for the session: its process, what it printed, where it serves."""

    process: subprocess.Popen
    output: str
    url: str
    data_dir: Path
    dataset: Path
    token: str


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    """The session's one Label Studio, started the annotator's way: `stancetrack annotate serve` for a team
    (alice and bob, overlap 2) on the emoji dataset, in an existing data folder readable by others. Under
    CI=true a server that cannot start fails the tests; elsewhere they are skipped with the reason. At the end
    it is stopped with SIGTERM, and serve must stop its server."""
    require_label_studio()
    root = tmp_path_factory.mktemp("served")
    dataset = make_emoji_dataset(root / "emoji")
    data_dir = root / "ls-data"
    data_dir.mkdir(mode=0o755)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_API_KEY", "STANCETRACK_LABEL_STUDIO_DATA")}
    timeout = float(os.environ.get("STANCETRACK_TEST_LS_START_TIMEOUT", "300"))
    process = subprocess.Popen([sys.executable, "-c", "from stancetrack.cli import main; main()", "annotate", "serve",
                                "--port", str(port), "--data-dir", str(data_dir), "--data", str(dataset),
                                "--annotator", "alice", "--annotator", "bob", "--overlap", "2",
                                "--start-timeout", str(timeout)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
                               start_new_session=True)
    started = time.monotonic()
    try:
        output = "".join(read_until(process, "Ctrl-C", timeout + 60))
    except RuntimeError as exc:
        _stop(process)
        if in_ci():
            pytest.fail(f"Label Studio did not start: {exc}")
        pytest.skip(f"Label Studio did not start: {exc}")
    print(f"\n`stancetrack annotate serve` up in {time.monotonic() - started:.1f} s")
    token = json.loads((data_dir / "stancetrack-server.json").read_text(encoding="utf-8"))["token"]
    yield Served(process, output, f"http://127.0.0.1:{port}", data_dir, dataset, token)
    stopped = _stop(process)
    assert stopped == "signal", f"serve did not stop on SIGTERM ({stopped})"
    assert "Label Studio stopped (the annotations stay in" in process.stdout.read()
    deadline = time.monotonic() + 30
    while label_studio_processes(root) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert label_studio_processes(root) == [], "serve ended, its Label Studio did not"


def _stop(process: subprocess.Popen) -> str:
    """SIGTERM to serve alone (its server runs in a session of its own); SIGKILL to its group if it hangs."""
    if process.poll() is not None:
        return f"had exited with status {process.returncode}"
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
        return "signal"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        return "hung: killed"


@pytest.fixture(scope="session")
def label_studio(request):
    """A running Label Studio's address and an admin token: the one named by $STANCETRACK_TEST_LS_URL and
    $STANCETRACK_TEST_LS_TOKEN, else the session's `serve` (see :func:`served`)."""
    url, token = os.environ.get("STANCETRACK_TEST_LS_URL"), os.environ.get("STANCETRACK_TEST_LS_TOKEN")
    if url and token:
        return url, token
    server = request.getfixturevalue("served")
    return server.url, server.token
