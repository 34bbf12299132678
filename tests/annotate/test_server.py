"""Against a real Label Studio server, one per session (`stancetrack annotate serve`, the annotator's one
command, started by the `served` fixture): push, annotate through the SDK as a team, pull, compare, validate."""

from __future__ import annotations

import html.parser
import json
import re
import shlex
import time
import urllib.parse
import uuid

import httpx
import pytest
from click.testing import CliRunner

from .helpers import label_studio_processes, new_stance, snapshot
from .new_document import AUTHOR_ID, NOTE_ID, STANCE_QUOTE, add_note, annotator_result, suggested
from stancetrack import load
from stancetrack.annotate.client import Client, account_token
from stancetrack.annotate.suggest import model_version as suggest_model_version
from stancetrack.annotate.tasks import build_tasks, read_view
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
    assert result.output.startswith("error: ") and "refused the token (HTTP 401)" in result.output
    assert "wrong-token" not in result.output


def test_serve_for_a_team(served):
    """`serve` with two named annotators and overlap 2 (the session's server): both annotate through the SDK,
    `agreement` reads the server, the printed `pull` works as printed and records both names, the refreshed
    pre-annotations equal the dataset, and the page fetches nothing beyond 127.0.0.1. (That SIGTERM ends serve
    and its server is checked when the session's server stops.)"""
    output, url, data_dir, dataset = served.output, served.url, served.data_dir, served.dataset
    project = int(re.search(rf"{url}/projects/(\d+)/data", output).group(1))
    passwords = dict(re.findall(r"annotator (\S+)  password (\S+)", output))
    assert set(passwords) == {"alice@stancetrack.local", "bob@stancetrack.local"}, output
    state = json.loads((data_dir / "stancetrack-server.json").read_text())
    assert state["token"] not in output
    assert {f"{k}@stancetrack.local": v for k, v in state["annotators"].items()} == passwords
    for path in (data_dir, data_dir / "stancetrack-server.json", data_dir / "label_studio.sqlite3"):
        assert path.stat().st_mode & 0o077 == 0, path  # the folder existed, readable by others
    hint = next(line.strip() for line in output.splitlines() if line.strip().startswith("stancetrack annotate pull"))
    assert f"--data-dir {data_dir}" in hint
    assert len(label_studio_processes(data_dir)) == 1

    _assert_private_page(url, "alice@stancetrack.local", passwords["alice@stancetrack.local"], project)
    admin = Client(url, api_key=served.token)
    assert admin._ls.projects.get(id=project).maximum_annotations == 2
    tasks = {t.data["segment_id"]: t for t in admin.tasks(project)}
    alice = Client(url, api_key=account_token(url, "alice@stancetrack.local", passwords["alice@stancetrack.local"]))
    bob = Client(url, api_key=account_token(url, "bob@stancetrack.local", passwords["bob@stancetrack.local"]))
    alice.annotate(tasks["sg-0002"].id, _with_polarity(_prediction(tasks["sg-0002"]), "st-0001", "favor"))
    bob.annotate(tasks["sg-0002"].id, _with_polarity(_prediction(tasks["sg-0002"]), "st-0001", "mixed"))
    alice.annotate(tasks["sg-0003"].id, _prediction(tasks["sg-0003"]) + new_stance(tasks["sg-0003"].data,
                                                                                     "Poutine 😏 obtiendra"))

    runner = CliRunner()
    agreed = runner.invoke(cli, ["annotate", "agreement", "--server", "--data-dir", str(data_dir), "--data",
                                 str(dataset), "--json"], env={"LABEL_STUDIO_API_KEY": ""})
    assert agreed.exit_code == 0, agreed.output
    figures = json.loads(agreed.stdout)
    assert (figures["tasks"], figures["pairs"]) == (1, 1)
    f1 = {row["label"]: row["f1_exact"] for row in figures["span_f1"]}
    assert f1["ACTOR"] == 1.0 and f1["STANCE"] == 1.0
    assert {a["field"]: a["units"] for a in figures["alpha"]}["polarity"] == 1
    printed = runner.invoke(cli, ["annotate", "agreement", "--server", "--data-dir", str(data_dir), "--data",
                                  str(dataset)], env={"LABEL_STUDIO_API_KEY": ""})
    assert printed.exit_code == 0, printed.output
    assert "1 task(s) coded by two or more annotators (alice, bob), 1 annotator pair(s)" in printed.output

    pulled = runner.invoke(cli, shlex.split(hint)[1:], env={"LABEL_STUDIO_API_KEY": ""})
    assert pulled.exit_code == 0, pulled.output
    assert "pre-annotations of 2 task(s) refreshed" in pulled.output
    stances = load(dataset).stances.set_index("stance_id")
    assert (stances.loc["st-0001", "polarity"], stances.loc["st-0001", "annotator"]) == ("mixed", "bob")
    assert stances.loc["st-0002", "annotator"] == "alice"
    _assert_predictions_equal_dataset(admin, project, dataset)


def _prediction(task) -> list[dict]:
    prediction = task.predictions[0]
    return json.loads(json.dumps(prediction["result"] if isinstance(prediction, dict) else prediction.result))


def _with_polarity(result: list[dict], region_id: str, polarity: str) -> list[dict]:
    for item in result:
        if item["id"] == region_id and item["from_name"] == "polarity":
            item["value"]["choices"] = [polarity]
    return result


def _assert_predictions_equal_dataset(client: Client, project: int, dataset) -> None:
    """Every task of the project carries exactly the pre-annotations built from the dataset as it is now."""
    version = read_view(dataset).model_version
    expected = {t["data"]["segment_id"]: t.get("predictions", []) for t in build_tasks(dataset, suggest=True)}
    assert client._ls.projects.get(id=project).model_version == version
    for task in client.tasks(project):
        got = [p if isinstance(p, dict) else p.dict() for p in task.predictions]
        want = expected[task.data["segment_id"]]
        assert [p["model_version"] for p in got] == [p["model_version"] for p in want] == [version] * len(want)
        canon = lambda result: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in result)  # noqa: E731
        assert [canon(p["result"]) for p in got] == [canon(p["result"]) for p in want], task.data["segment_id"]


class _Resources(html.parser.HTMLParser):
    """The addresses a page makes the browser fetch by itself: scripts, stylesheets and icons, images, frames."""

    FETCHED = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src", "embed": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        value = dict(attrs).get(self.FETCHED.get(tag, ""))
        if value:
            self.urls.append(value)


def _assert_private_page(url: str, email: str, password: str, project: int) -> None:
    """The login page and the project's page fetch nothing beyond 127.0.0.1; their settings turn error reports
    (no Sentry DSN, no sentry-cdn script) and analytics (the only code that would reach labelstud.io) off."""
    with httpx.Client(base_url=url, timeout=30, follow_redirects=True) as web:
        pages = [web.get("/user/login/").text]
        web.post("/user/login/", headers={"Referer": f"{url}/"},
                 data={"email": email, "password": password, "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")})
        pages.append(web.get(f"/projects/{project}/data").text)
    assert email in pages[1]  # the logged-in page, not the login form again
    for page in pages:
        parser = _Resources()
        parser.feed(page)
        hosts = {urllib.parse.urlsplit(u).hostname for u in parser.urls}
        assert parser.urls and hosts <= {None, "127.0.0.1"}, hosts
        assert re.search(r"collect_analytics\s*[:=]\s*false", page)
        assert "sentry-cdn" not in page and "ingest.sentry.io" not in page
    assert re.search(r"sentry_dsn:\s*null", pages[1])


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


def test_an_incomplete_region_is_refused_by_name_and_the_rest_imported(label_studio, emoji_dataset, tmp_path):
    """A STANCE submitted through the API without its holder (the interface itself would refuse it) is refused
    at pull, naming task, region and field; --skip-refused imports the other task; the pre-annotations then
    equal the dataset, and after a local change a push refreshes them again."""
    url, token = label_studio
    client = Client(url, api_key=token)
    title = f"required {uuid.uuid4().hex[:8]}"
    project = client.push(emoji_dataset, title).project_id
    tasks = {t.data["segment_id"]: t for t in client.tasks(project)}
    client.annotate(tasks["sg-0002"].id, _with_polarity(_prediction(tasks["sg-0002"]), "st-0001", "neutral"))
    incomplete = [r for r in new_stance(tasks["sg-0003"].data, "Poutine 😏 obtiendra", "noHolder")
                  if r["from_name"] != "holder"]
    client.annotate(tasks["sg-0003"].id, _prediction(tasks["sg-0003"]) + incomplete)
    pull = ["annotate", "pull", "--url", url, "--project", str(project), "--data", str(emoji_dataset)]
    env = {"LABEL_STUDIO_API_KEY": token}
    before = snapshot(emoji_dataset)

    refused = CliRunner().invoke(cli, pull, env=env)
    assert refused.exit_code == 1, refused.output
    assert f"task {tasks['sg-0003'].id}, region noHolder: the STANCE region has no holder" in refused.output
    assert "nothing was written" in refused.output and snapshot(emoji_dataset) == before

    pulled = CliRunner().invoke(cli, [*pull, "--skip-refused"], env=env)
    assert pulled.exit_code == 0, pulled.output
    assert f"left out 1 refused task(s) ({tasks['sg-0003'].id})" in pulled.output
    assert "region noHolder: the STANCE region has no holder" in pulled.output
    assert load(emoji_dataset).stances.set_index("stance_id").loc["st-0001", "polarity"] == "neutral"
    _assert_predictions_equal_dataset(client, project, emoji_dataset)

    export = client.export(project)  # a local change (as from another project): st-0001 becomes 'favor'
    export = [t for t in export if t["data"]["segment_id"] == "sg-0002"]
    _with_polarity(export[0]["annotations"][0]["result"], "st-0001", "favor")
    (tmp_path / "export.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    imported = CliRunner().invoke(cli, ["annotate", "import", str(tmp_path / "export.json"), "--data",
                                        str(emoji_dataset)])
    assert imported.exit_code == 0, imported.output
    pushed = CliRunner().invoke(cli, ["annotate", "push", "--url", url, "--title", title, "--data",
                                      str(emoji_dataset)], env=env)
    assert pushed.exit_code == 0, pushed.output
    assert "0 task(s) imported, 2 already there, pre-annotations of 2 task(s) refreshed" in pushed.output
    _assert_predictions_equal_dataset(client, project, emoji_dataset)


def test_a_new_document_added_pre_annotated_annotated_pulled_and_tracked(label_studio, release_copy):
    """The commentary written for the tests: `stancetrack add` to a copy of the release, `annotate push` with
    suggestions (predictions, never annotations), annotated through the SDK (suggestions accepted, completed or
    deleted, a stance drawn), `annotate pull`, `validate`, and its stance beside the release's in the timeline."""
    url, token = label_studio
    env = {"LABEL_STUDIO_API_KEY": token}
    runner = CliRunner()
    assert add_note(release_copy).startswith(f"added {NOTE_ID}: 1134 characters, 12 segments (5 paragraphs)")
    title = f"test {uuid.uuid4().hex[:8]}"
    pushed = runner.invoke(cli, ["annotate", "push", "--url", url, "--dataset", str(release_copy), "--title", title],
                           env=env)
    assert pushed.exit_code == 0, pushed.output
    assert "19 task(s) imported, 0 already there" in pushed.output
    project = int(pushed.stdout.strip().splitlines()[-1])
    client = Client(url, api_key=token)
    new = [t for t in client.tasks(project) if t.data["document_id"] == NOTE_ID]
    assert sorted(t.data["segment_id"] for t in new) == ["sg-0036", "sg-0039", "sg-0041", "sg-0043", "sg-0045"]
    for task in new:
        assert not task.annotations  # suggestions are predictions only
        prediction = suggested(task)
        assert prediction["model_version"] == suggest_model_version() and 0 < prediction["score"] <= 1
        client.annotate(task.id, annotator_result(task.data["segment_id"], task.data, prediction))

    pulled = runner.invoke(cli, ["annotate", "pull", "--url", url, "--project", str(project), "--dataset",
                                 str(release_copy)], env=env)
    assert pulled.exit_code == 0, pulled.output
    valid = runner.invoke(cli, ["validate", "--dataset", str(release_copy)])
    assert valid.exit_code == 0 and valid.output.startswith("valid:"), valid.output
    ds = load(release_copy)
    stance = ds.stances[ds.stances["document_id"] == NOTE_ID].iloc[0]
    assert (stance["holder_id"], stance["target_id"], stance["polarity"], stance["quote"]) == (
        AUTHOR_ID, "ukraine", "favor", STANCE_QUOTE)
    prediction = ds.predictions[ds.predictions["document_id"] == NOTE_ID].iloc[0]
    assert (prediction["predictor_id"], prediction["cue"], f"{prediction['resolve_by']:%Y-%m-%d}") == (
        AUTHOR_ID, "sans doute", "2026-12-31")
    timeline = ds.stance_timeline(target="ukraine")
    assert [list(d) for d in timeline["documents"]] == [["marquette-2025-alaska"], [NOTE_ID]]
    assert f"{timeline['date'].iloc[-1]:%Y-%m-%d}" == "2025-08-20"
    tracked = runner.invoke(cli, ["track", "--holder", AUTHOR_ID, "--target", "ukraine", "--dataset",
                                  str(release_copy), "--json"])
    assert tracked.exit_code == 0, tracked.output
    assert [(r["date"], r["documents"], r["favor"], r["net"]) for r in json.loads(tracked.output)] == [
        ("2025-08-09", ["marquette-2025-alaska"], 0, None), ("2025-08-20", [NOTE_ID], 1, 1.0)]

    again = client.push(release_copy, title)  # pull refreshed the pre-annotations already: records, no suggestions
    assert (again.tasks_created, again.tasks_existing, again.predictions_refreshed) == (0, 19, 0)
    _assert_predictions_equal_dataset(client, project, release_copy)
