"""Against a real Label Studio server (started from its own virtual environment by the `label_studio` fixture):
push, annotate through the SDK, pull, compare, validate. And `stancetrack annotate serve`, the annotator's one
command, end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from click.testing import CliRunner

from .helpers import new_stance, require_label_studio, snapshot
from stancetrack import load
from stancetrack.annotate.client import Client
from stancetrack.cli import cli

pytestmark = pytest.mark.server


def test_push_annotate_pull_validate(label_studio, emoji_dataset, tmp_path):
    url, token = label_studio
    client = Client(url, api_key=token)
    title = f"test {uuid.uuid4().hex[:8]}"
    env = {"LABEL_STUDIO_API_KEY": token}
    runner = CliRunner()

    started = time.monotonic()
    pushed = runner.invoke(cli, ["annotate", "push", "--url", url, "--data", str(emoji_dataset), "--title", title],
                           env=env)
    push_seconds = time.monotonic() - started
    assert pushed.exit_code == 0, pushed.output
    project = int(pushed.stdout.strip().splitlines()[-1])
    assert "2 task(s) imported" in pushed.output and token not in pushed.output

    again = client.push(emoji_dataset, title)  # a second push: same project, no duplicated task
    assert (again.project_id, again.created_project, again.tasks_created, again.tasks_existing) == (project, False, 0, 2)

    tasks = {t.data["segment_id"]: t for t in client.tasks(project)}
    assert set(tasks) == {"sg-0002", "sg-0003"}
    second = tasks["sg-0003"]
    prediction = second.predictions[0]
    result = prediction["result"] if isinstance(prediction, dict) else prediction.result
    assert {r["id"] for r in result} == {"mn-0004", "mn-0005", "pr-0001"}  # region ids are the record ids
    client.annotate(second.id, result + new_stance(second.data, "Poutine 😏 obtiendra"))

    before = snapshot(emoji_dataset)
    dry = runner.invoke(cli, ["annotate", "pull", "--url", url, "--project", str(project), "--data",
                              str(emoji_dataset), "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "st-0002" in dry.output and snapshot(emoji_dataset) == before

    started = time.monotonic()
    pulled = runner.invoke(cli, ["annotate", "pull", "--url", url, "--project", str(project), "--data",
                                 str(emoji_dataset), "--save", str(tmp_path / "export.json")], env=env)
    pull_seconds = time.monotonic() - started
    assert pulled.exit_code == 0, pulled.output
    assert token not in pulled.output
    print(f"\npush {push_seconds:.1f} s, pull {pull_seconds:.1f} s")

    ds = load(emoji_dataset)
    stance = ds.stances.set_index("stance_id").loc["st-0002"]
    assert (stance["quote"], stance["holder_id"], stance["target_id"], stance["polarity"]) == (
        "Poutine 😏 obtiendra", "author", "putin", "against")
    assert ds.text("emoji-note")[stance["start"]:stance["end"]] == "Poutine 😏 obtiendra"
    assert set(ds.mentions["mention_id"]) == {f"mn-000{i}" for i in range(1, 6)}  # unchanged, same ids
    valid = runner.invoke(cli, ["validate", str(emoji_dataset)])
    assert valid.exit_code == 0, valid.output


def test_errors_are_plain(label_studio):
    url, _ = label_studio
    result = CliRunner().invoke(cli, ["annotate", "push", "--url", url], env={"LABEL_STUDIO_API_KEY": "wrong-token"})
    assert result.exit_code == 1
    assert "refused the token (HTTP 401)" in str(result.exception) and "wrong-token" not in str(result.exception)


def test_serve_is_the_annotators_one_command(label_studio, emoji_dataset, tmp_path):
    """`serve` starts its own server, pushes, prints how to log in; `pull` without --url talks to it."""
    require_label_studio()
    data_dir = tmp_path / "ls-data"
    port = _free_port()
    env = {**os.environ, "STANCETRACK_LABEL_STUDIO_DATA": str(data_dir)}
    env.pop("LABEL_STUDIO_API_KEY", None)
    process = subprocess.Popen([sys.executable, "-c", "from stancetrack.cli import main; main()", "annotate", "serve", "--port", str(port),
                                "--data", str(emoji_dataset)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, text=True, start_new_session=True)
    try:
        lines = _read_until(process, "Ctrl-C", timeout=300)
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/projects/" in output and "log in" in output, output
        state = (data_dir / "stancetrack-server.json").read_text()
        assert (data_dir / "stancetrack-server.json").stat().st_mode & 0o077 == 0
        token = __import__("json").loads(state)["token"]
        assert token not in output
        pulled = CliRunner().invoke(cli, ["annotate", "pull", "--data", str(emoji_dataset), "--dry-run"],
                                    env={"STANCETRACK_LABEL_STUDIO_DATA": str(data_dir), "LABEL_STUDIO_API_KEY": ""})
        assert pulled.exit_code == 0, pulled.output
        assert "no changes (0 of 2 tasks annotated)" in pulled.output
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _free_port() -> int:
    from stancetrack.annotate.server import free_port

    return free_port()


def _read_until(process: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                pytest.fail("serve exited early:\n" + "".join(lines))
            continue
        lines.append(line)
        if marker in line:
            return lines
    pytest.fail(f"serve printed no {marker!r} within {timeout} s:\n" + "".join(lines))


def test_a_push_that_failed_midway_can_be_run_again(label_studio, emoji_dataset):
    url, token = label_studio
    client = Client(url, api_key=token)
    title = f"midway {uuid.uuid4().hex[:8]}"

    def crash_after_first_batch(count):
        raise ConnectionError("the network went away")

    with pytest.raises(ConnectionError):
        client.push(emoji_dataset, title, batch_size=1, progress=crash_after_first_batch)
    again = client.push(emoji_dataset, title, batch_size=1)
    assert (again.created_project, again.tasks_created, again.tasks_existing) == (False, 1, 1)
    assert sorted(t.data["segment_id"] for t in client.tasks(again.project_id)) == ["sg-0002", "sg-0003"]
