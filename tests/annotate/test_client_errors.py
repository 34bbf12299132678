"""Plain messages for connection errors, timeouts and HTTP errors; the token never in them."""

from __future__ import annotations

import http.server
import json
import socket

import pytest

from stancetrack.annotate.client import Client, LabelStudioError
from stancetrack.annotate.server import free_port

pytest.importorskip("label_studio_sdk")
TOKEN = "secret-token-0123456789"


class Answer(http.server.BaseHTTPRequestHandler):
    status = 500

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = json.dumps({"detail": "boom"}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def answering(local_http):
    return lambda status: local_http(type("Handler", (Answer,), {"status": status}))


def refusal(url: str, timeout: float = 5.0) -> str:
    with pytest.raises(LabelStudioError) as info:
        Client(url, api_key=TOKEN, timeout=timeout).find_project("anything")
    message = str(info.value)
    assert TOKEN not in message
    return message


def test_connection_refused():
    assert "cannot connect to Label Studio" in refusal(f"http://127.0.0.1:{free_port()}")


def test_timeout():
    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        message = refusal(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.5)
    assert "did not answer within 0.5 s" in message


@pytest.mark.parametrize("status, words", [(401, "refused the token (HTTP 401)"), (403, "HTTP 403"),
                                           (404, "not found (HTTP 404)"), (500, "server error (HTTP 500)"),
                                           (503, "server error (HTTP 503)")])
def test_http_errors(answering, status, words):
    assert words in refusal(answering(status))


def test_no_token(monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(LabelStudioError, match="LABEL_STUDIO_API_KEY"):
        Client("http://127.0.0.1:9")
