"""A local Label Studio server: started from its own virtual environment, on 127.0.0.1, with SQLite.

Label Studio pins its own numpy, pyarrow and Django, so it lives apart from the package's environment:
``scripts/install-label-studio.sh`` installs it into ``.venv-label-studio`` of the checkout (or into
``$STANCETRACK_LABEL_STUDIO_VENV``). :class:`LocalServer` starts it with a user and a user token, waits until
it answers, and stops it. The password and token reach the child process through its environment only; they
are never printed or logged here.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import ServerError
from ..resources import release_root

VENV_ENV = "STANCETRACK_LABEL_STUDIO_VENV"
DATA_ENV = "STANCETRACK_LABEL_STUDIO_DATA"
STATE_FILE = "stancetrack-server.json"
INSTALL = "bash scripts/install-label-studio.sh"


def executable() -> Path:
    """The ``label-studio`` command of the dedicated virtual environment (or on PATH)."""
    venv = os.environ.get(VENV_ENV)
    candidates = [Path(venv)] if venv else [release_root() / ".venv-label-studio", Path.cwd() / ".venv-label-studio"]
    for folder in candidates:
        path = folder / "bin" / "label-studio"
        if path.is_file() and os.access(path, os.X_OK):
            return path
    found = shutil.which("label-studio")
    if found:
        return Path(found)
    where = venv or str(candidates[0])
    raise ServerError(f"no label-studio found in {where} nor on PATH. Install it in its own virtual environment "
                      f"with `{INSTALL}` (from the stancetrack checkout), or set {VENV_ENV}.")


def default_data_dir() -> Path:
    """Where ``stancetrack annotate serve`` keeps Label Studio's database: ``$STANCETRACK_LABEL_STUDIO_DATA``,
    else ``$XDG_DATA_HOME/stancetrack/label-studio`` (``~/.local/share/...``)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "stancetrack" / "label-studio"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Credentials:
    """The local server's account. Kept in the server's data folder (mode 0600), next to Label Studio's own
    database, which holds the same token; never in the repository."""

    username: str
    password: str
    token: str
    url: str | None = None  # where it was last served

    @classmethod
    def new(cls, username: str = "annotator@stancetrack.local") -> "Credentials":
        return cls(username, secrets.token_urlsafe(12), secrets.token_hex(20))

    @classmethod
    def load(cls, data_dir: Path) -> "Credentials":
        path = Path(data_dir) / STATE_FILE
        if not path.is_file():
            raise ServerError(f"no local Label Studio has been served from {data_dir}: run `stancetrack annotate "
                              "serve`, or pass --url (with LABEL_STUDIO_API_KEY set)")
        stored = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: stored.get(k) for k in ("username", "password", "token", "url")})

    @classmethod
    def load_or_create(cls, data_dir: Path) -> "Credentials":
        path = Path(data_dir) / STATE_FILE
        if path.is_file():
            return cls.load(data_dir)
        creds = cls.new()
        creds.save(data_dir)
        return creds

    def save(self, data_dir: Path) -> None:
        path = Path(data_dir) / STATE_FILE
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # Label Studio's database holds the token too
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)


class LocalServer:
    """A ``label-studio start`` child process on 127.0.0.1; a context manager that stops it on exit."""

    def __init__(self, data_dir: str | Path, credentials: Credentials, port: int | None = None,
                 log_path: str | Path | None = None):
        self.data_dir = Path(data_dir)
        self.credentials = credentials
        self.port = port or free_port()
        self.log_path = Path(log_path) if log_path else self.data_dir / "label-studio.log"
        self.process: subprocess.Popen | None = None
        self.started_in: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """``label-studio start``; the password and token go through the environment (``--password`` and
        ``--user-token`` would show them to anyone who lists processes)."""
        return [str(executable()), "start", "--no-browser", "--port", str(self.port), "--internal-host", "127.0.0.1",
                "--username", self.credentials.username, "--enable-legacy-api-token"]

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir), "LATEST_VERSION_CHECK": "false",
               "LABEL_STUDIO_HOST": self.url, "LABEL_STUDIO_PASSWORD": self.credentials.password,
               "LABEL_STUDIO_USER_TOKEN": self.credentials.token}
        env.pop("LABEL_STUDIO_API_KEY", None)
        return env

    def start(self, timeout: float = 240.0) -> "LocalServer":
        """Start the server and wait until ``/health`` answers; :class:`ServerError` with the log's tail if not."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        env = self.environment()
        began = time.monotonic()
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                            cwd=self.data_dir, stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise ServerError(f"label-studio exited with status {self.process.returncode} while starting; "
                                  f"the end of {self.log_path}:\n{self.log_tail()}")
            if self.healthy():
                self.started_in = time.monotonic() - began
                return self
            time.sleep(1.0)
        self.stop()
        raise ServerError(f"label-studio did not answer on {self.url} within {timeout:g} s; the end of "
                          f"{self.log_path}:\n{self.log_tail()}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=3) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(line for line in text.splitlines()[-lines:] if self.credentials.token not in line)

    def stop(self, grace: float = 15.0) -> None:
        """Stop the server and every process it started (its own process group)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(grace)
        except ProcessLookupError:
            pass

    def __enter__(self) -> "LocalServer":
        return self if self.process is not None else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
