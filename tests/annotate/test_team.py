"""What a team needs without a server: --skip-refused, hints that work as printed, a private data folder,
pre-annotations whose model_version follows the dataset, and a server environment without telemetry."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from .helpers import export_from_tasks, label_studio_processes, new_stance, snapshot
from stancetrack import load
from stancetrack.annotate import server as server_lib
from stancetrack.annotate.client import LabelStudioError, account_email
from stancetrack.annotate.importer import import_export
from stancetrack.annotate.tasks import build_tasks, read_view
from stancetrack.cli import cli
from stancetrack.errors import RefusedImport


def _incomplete_stance(tasks):
    """An export in which task 2 gains a STANCE without its holder and task 1 changes st-0001's polarity."""
    export = export_from_tasks(tasks)
    for item in export[0]["annotations"][0]["result"]:
        if item["id"] == "st-0001" and item["from_name"] == "polarity":
            item["value"]["choices"] = ["favor"]
    stance = [r for r in new_stance(export[1]["data"], "Poutine 😏 obtiendra", "nOhold")
              if r["from_name"] != "holder"]
    export[1]["annotations"][0]["result"] += stance
    return export


def test_skip_refused_imports_the_valid_tasks_and_names_the_refused(emoji_dataset):
    export = _incomplete_stance(build_tasks(emoji_dataset))
    before = snapshot(emoji_dataset)
    with pytest.raises(RefusedImport) as refused:
        import_export(export, emoji_dataset)
    assert [(e.code, e.id, e.field) for e in refused.value.errors] == [("field-missing", "nOhold", "holder")]
    assert snapshot(emoji_dataset) == before

    result = import_export(export, emoji_dataset, skip_refused=True)
    assert result.written and result.refused_tasks == [2] and result.tasks_applied == 1
    assert [(e.code, e.id, e.field) for e in result.refused] == [("field-missing", "nOhold", "holder")]
    assert "task 2, region nOhold: the STANCE region has no holder" in result.refused[0].message
    ds = load(emoji_dataset)
    assert ds.stances.set_index("stance_id").loc["st-0001", "polarity"] == "favor"
    assert list(ds.stances["stance_id"]) == ["st-0001"]  # the refused task's paragraph keeps its records
    assert list(ds.predictions["prediction_id"]) == ["pr-0001"]


def test_skip_refused_from_the_command_line(emoji_dataset, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_incomplete_stance(build_tasks(emoji_dataset)), ensure_ascii=False), encoding="utf-8")
    before = snapshot(emoji_dataset)
    refused = CliRunner().invoke(cli, ["annotate", "import", str(path), "--data", str(emoji_dataset)])
    assert refused.exit_code == 1
    assert "task 2, region nOhold: the STANCE region has no holder" in refused.output
    assert "refused: 1 problem(s); nothing was written" in refused.output and snapshot(emoji_dataset) == before

    result = CliRunner().invoke(cli, ["annotate", "import", str(path), "--data", str(emoji_dataset), "--skip-refused"])
    assert result.exit_code == 0, result.output
    assert "left out 1 refused task(s) (2):" in result.output
    assert "task 2, region nOhold: the STANCE region has no holder" in result.output
    assert "changed 1 record(s)" in result.output


def test_skip_refused_still_refuses_a_problem_of_no_one_task(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset)) + ["not a task"]
    with pytest.raises(RefusedImport, match="refused"):
        import_export(export, emoji_dataset, skip_refused=True)


def test_model_version_follows_the_dataset_content(emoji_dataset):
    before = read_view(emoji_dataset).model_version
    assert before.startswith("stancetrack-0.1.0-") and len(before.rsplit("-", 1)[1]) == 8
    assert {t["predictions"][0]["model_version"] for t in build_tasks(emoji_dataset)} == {before}
    export = _incomplete_stance(build_tasks(emoji_dataset))
    import_export(export, emoji_dataset, skip_refused=True)  # st-0001 changes: same version, other content
    after = read_view(emoji_dataset).model_version
    assert after != before and after.startswith("stancetrack-0.1.0-")


def test_pre_annotations_show_each_record_id_in_the_region_list(emoji_dataset):
    task = build_tasks(emoji_dataset)[1]
    shown = {r["id"]: r["value"]["text"] for r in task["predictions"][0]["result"] if r["from_name"] == "record"}
    assert shown == {"mn-0004": ["mn-0004"], "mn-0005": ["mn-0005"], "pr-0001": ["pr-0001"]}


def test_pull_names_the_data_dir_serve_ran_with(tmp_path, emoji_dataset):
    empty = tmp_path / "not-served"
    result = CliRunner().invoke(cli, ["annotate", "pull", "--data-dir", str(empty), "--data", str(emoji_dataset)],
                                env={"LABEL_STUDIO_API_KEY": ""})
    assert result.exit_code == 1
    assert result.output.startswith(f"error: no local Label Studio has been served from {empty}")
    assert f"stancetrack annotate serve --data-dir {empty}" in result.output


def test_an_existing_data_folder_becomes_owner_only(tmp_path):
    folder = tmp_path / "ls"
    (folder / "media" / "upload").mkdir(parents=True)
    database = folder / "label_studio.sqlite3"
    database.write_bytes(b"SQLite format 3\0")
    for path in (folder, folder / "media", folder / "media" / "upload"):
        path.chmod(0o755)
    database.chmod(0o644)
    creds = server_lib.Credentials.new()
    creds.save(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "media" / "upload").stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / server_lib.STATE_FILE).stat().st_mode) == 0o600
    creds.annotators["alice"] = "s3cret-pass"
    creds.save(folder)
    assert server_lib.Credentials.load(folder).annotators == {"alice": "s3cret-pass"}


def test_the_server_runs_without_telemetry(tmp_path, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_SENTRY_DSN", "https://key@o1.ingest.sentry.io/1")  # read before SENTRY_DSN
    monkeypatch.setenv("COLLECT_ANALYTICS", "true")
    env = server_lib.LocalServer(tmp_path, server_lib.Credentials.new(), 9).environment()
    assert env["SENTRY_DSN"] == "" and env["FRONTEND_SENTRY_DSN"] == ""
    assert env["COLLECT_ANALYTICS"] == "false" and env["LATEST_VERSION_CHECK"] == "false"
    assert env["DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert "LABEL_STUDIO_SENTRY_DSN" not in env and "LABEL_STUDIO_API_KEY" not in env


def test_annotator_names():
    assert account_email("alice") == "alice@stancetrack.local"
    assert account_email("bob@example.org") == "bob@example.org"
    with pytest.raises(LabelStudioError, match="annotator name 'a b'"):
        account_email("a b")


def test_agreement_needs_one_source():
    result = CliRunner().invoke(cli, ["annotate", "agreement"])
    assert result.exit_code == 2 and "give one of EXPORT, --url URL or --server" in result.output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_server_process_is_tied_to_its_parent(tmp_path):
    """What the server's child runs before label-studio: own session, owner-only files, SIGTERM on parent death."""
    code = ("import ctypes, os, signal; from stancetrack.annotate.server import _child_setup; _child_setup(); "
            "sig = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0); "  # PR_GET_PDEATHSIG
            "print(os.getsid(0) == os.getpid(), oct(os.umask(0)), sig.value == signal.SIGTERM)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout.split()
    assert out == ["True", "0o77", "True"]


FAKE_LABEL_STUDIO = '''#!{python}
"""Stands in for label-studio: answers /health on --port until it is stopped."""
import http.server, sys

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass

port = int(sys.argv[sys.argv.index("--port") + 1])
http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
'''

def _stand_in(tmp_path, script: str) -> dict[str, str]:
    """An environment in which `label-studio` is ``script`` (a virtual environment's bin/ holding only it)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "label-studio"
    fake.write_text(script.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    return {**os.environ, "STANCETRACK_LABEL_STUDIO_VENV": str(venv), "PYTHONPATH": os.pathsep.join(sys.path)}


PARENT = """
import sys, time
from stancetrack.annotate import server
local = server.LocalServer(sys.argv[1], server.Credentials.new()).start(60)
print(local.process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_server_ends_when_its_parent_is_killed(tmp_path):
    """A parent killed with SIGKILL cannot stop its server: the kernel does (PR_SET_PDEATHSIG)."""
    env = _stand_in(tmp_path, FAKE_LABEL_STUDIO)
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "data")], stdout=subprocess.PIPE,
                              text=True, env=env)
    try:
        child = int(parent.stdout.readline())
        assert label_studio_processes(tmp_path) == [child]
    finally:
        parent.kill()
        parent.wait(10)
    deadline = time.monotonic() + 20
    while label_studio_processes(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert label_studio_processes(tmp_path) == []


SLOW_LABEL_STUDIO = '''#!{python}
"""Stands in for a label-studio still starting: it never answers."""
import time
time.sleep(600)
'''


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_serve_stopped_while_its_server_starts_stops_it(tmp_path, emoji_dataset, stop):
    env = _stand_in(tmp_path, SLOW_LABEL_STUDIO)
    serve = subprocess.Popen([sys.executable, "-c", "from stancetrack.cli import main; main()", "annotate", "serve",
                              "--data-dir", str(tmp_path / "ls"), "--data", str(emoji_dataset), "--port", "9"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while not label_studio_processes(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(label_studio_processes(tmp_path)) == 1
        serve.send_signal(stop)
        serve.wait(30)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    assert serve.returncode == 0 and "Label Studio stopped (the annotations stay in" in serve.stdout.read()
    assert label_studio_processes(tmp_path) == []  # stopped by serve itself, not left to the kernel
