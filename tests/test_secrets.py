"""A misbehaving Label Studio (a local fake on 127.0.0.1): its text never shows the token, and answers of the
wrong shape are errors (one line, exit 1), never a success or a traceback."""

from __future__ import annotations

import base64
import http.server
import json
import time

import pytest

from conftest import file_bytes

pytest.importorskip("label_studio_sdk")
from stancetrack.annotate.client import Client, LabelStudioError  # noqa: E402

TOKEN = "s3cret-token-0123456789abcdef"


def jwt(kind: str) -> str:
    """A refresh token as Label Studio issues them (the SDK then asks /api/token/refresh for an access token)."""
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    return f"{part({'alg': 'HS256'})}.{part({'token_type': kind, 'exp': int(time.time()) + 3600})}.c2ln"


class Fake(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``status`` and ``body`` (``{auth}`` becomes the request's credentials)."""

    status = 200
    body = "{}"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        data = self.body.replace("{auth}", auth).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = answer  # noqa: N815 (http.server's naming)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake(local_http):
    return lambda status, body: local_http(type("Handler", (Fake,), {"status": status, "body": body}))


@pytest.fixture
def run(run_cli):
    return lambda *args, token=TOKEN: run_cli(*args, env={"LABEL_STUDIO_API_KEY": token})


ECHOES = [(400, '{"detail": "invalid credentials {auth}"}'), (401, '{"detail": "{auth} is not valid"}'),
          (422, '{"errors": ["header was {auth}"]}'), (500, "{auth}"), (200, "{auth}"),
          (200, '{"detail": "{auth}", "results": "{auth}"}')]


@pytest.mark.parametrize("status, body", ECHOES)
def test_a_server_that_echoes_the_token_never_gets_it_shown(fake, run, dataset_copy, status, body):
    url = fake(status, body)
    code, out, err = run("annotate", "push", "--url", url, "--data", str(dataset_copy))
    assert code == 1 and TOKEN not in out + err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    code, out, err = run("annotate", "pull", "--url", url, "--project", "1", "--data", str(dataset_copy))
    assert code == 1 and TOKEN not in out + err and err.startswith("error: ")


def test_the_scrubbed_message_still_says_what_happened(fake):
    with pytest.raises(LabelStudioError) as info:
        Client(fake(400, '{"detail": "bad header {auth}"}'), api_key=TOKEN).find_project("x")
    assert "HTTP 400" in str(info.value) and "[token]" in str(info.value) and TOKEN not in str(info.value)


@pytest.mark.parametrize("body", ['{"count": 0, "results": []}', '{"id": "seven"}', "[]", "not json at all"])
def test_answers_of_the_wrong_shape_are_errors_not_successes(fake, run, dataset_copy, body):
    url = fake(200, body)
    code, out, err = run("annotate", "push", "--url", url, "--data", str(dataset_copy))
    assert code == 1 and "task(s) imported" not in err, err
    assert "wrong shape" in err and len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_garbage_to_a_token_refresh_is_an_error(fake, run, dataset_copy):
    refresh = jwt("refresh")
    url = fake(200, "<html>garbage {auth}</html>")
    code, out, err = run("annotate", "push", "--url", url, "--data", str(dataset_copy), token=refresh)
    assert code == 1 and refresh not in out + err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and "wrong shape" in err


def test_a_pulled_export_that_quotes_the_token_is_scrubbed_in_the_refusal(fake, run, dataset_copy, monkeypatch):
    """The export is the server's text too: a refusal quoting it must not show the token."""
    export = [{"id": 1, "data": {"document_id": TOKEN, "segment_id": TOKEN, "text": TOKEN}, "annotations": [
        {"id": 1, "result": [{"id": TOKEN, "from_name": "label", "to_name": "text", "type": "labels",
                              "value": {"start": 0, "end": 3, "text": TOKEN, "labels": [TOKEN]}}]}]}]
    url = fake(200, json.dumps(export))
    monkeypatch.setattr(Client, "user_names", lambda self: {})
    before = file_bytes(dataset_copy)
    from label_studio_sdk.projects.exports.client_ext import ExportsClientExt

    monkeypatch.setattr(ExportsClientExt, "as_json", lambda self, project_id: export)  # the download, as parsed
    code, out, err = run("annotate", "pull", "--url", url, "--project", "1", "--data", str(dataset_copy))
    assert code == 1 and TOKEN not in out + err and "[token]" in err
    assert file_bytes(dataset_copy) == before
