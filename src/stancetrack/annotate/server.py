"""A local Label Studio server: started from its own virtual environment, on 127.0.0.1, with SQLite.

Label Studio pins its own numpy, pyarrow and Django, so it lives apart from the package's environment:
``scripts/install-label-studio.sh`` installs it into ``.venv-label-studio`` of the checkout (or into
``$STANCETRACK_LABEL_STUDIO_VENV``). :class:`LocalServer` starts it with a user and a user token, waits until
it answers, and stops it. The password and token reach the child process through its environment only; they
are never printed or logged here.

The server is private by default: no error reports or usage analytics leave the machine (:data:`PRIVATE`), its
data folder is owner-only whatever existed before, and it ends with the process that started it (its own
process group is stopped on exit; on Linux the kernel also sends it SIGTERM if that process dies).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ServerError
from ..resources import release_root

VENV_ENV = "STANCETRACK_LABEL_STUDIO_VENV"
DATA_ENV = "STANCETRACK_LABEL_STUDIO_DATA"
STATE_FILE = "stancetrack-server.json"
INSTALL = "bash scripts/install-label-studio.sh"

#: Label Studio's settings that keep a local server private (core/settings/label_studio.py and base.py):
#: no error reports to Sentry from the server or the page (an empty DSN turns them off and drops the
#: sentry-cdn script from the page), no usage analytics, no check for a newer version.
#: Nobody can sign up without the organisation's invitation link (annotator accounts are made with it).
PRIVATE = {"SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "", "COLLECT_ANALYTICS": "false", "LATEST_VERSION_CHECK": "false",
           "DISABLE_SIGNUP_WITHOUT_LINK": "true"}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


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
    annotators: dict[str, str] = field(default_factory=dict)  # annotator account -> its password

    @classmethod
    def new(cls, username: str = "annotator@stancetrack.local") -> "Credentials":
        return cls(username, secrets.token_urlsafe(12), secrets.token_hex(20))

    @classmethod
    def load(cls, data_dir: Path) -> "Credentials":
        path = Path(data_dir) / STATE_FILE
        if not path.is_file():
            raise ServerError(f"no local Label Studio has been served from {data_dir}: run `stancetrack annotate "
                              f"serve --data-dir {data_dir}`, pass the --data-dir `serve` ran with, or pass --url "
                              "(with LABEL_STUDIO_API_KEY set)")
        stored = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: stored.get(k) for k in ("username", "password", "token", "url")},
                   annotators=dict(stored.get("annotators") or {}))

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
        make_private(path.parent)  # Label Studio's database holds the token too
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)


def make_private(data_dir: str | Path) -> None:
    """Create the data folder owner-only, or make an existing one so: the folders in it 0700, its files 0600
    (Label Studio's SQLite database, its secret key, the login kept here)."""
    folder = Path(data_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            (Path(root) / name).chmod(0o700)
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                path.chmod(0o600)


def _child_setup() -> None:
    """In the server's process, before label-studio runs: its own process group (stopped as one), files it
    creates owner-only, and on Linux a SIGTERM when the process that started it dies, however it dies."""
    os.setsid()
    os.umask(0o077)
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


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
        env = {**os.environ, **PRIVATE, "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
               "LABEL_STUDIO_HOST": self.url, "LABEL_STUDIO_PASSWORD": self.credentials.password,
               "LABEL_STUDIO_USER_TOKEN": self.credentials.token}
        for name in ("LABEL_STUDIO_API_KEY", *(f"{prefix}{key}" for key in PRIVATE
                                               for prefix in ("LABEL_STUDIO_", "HEARTEX_"))):
            env.pop(name, None)  # Label Studio reads LABEL_STUDIO_X and HEARTEX_X before X
        return env

    def start(self, timeout: float = 240.0) -> "LocalServer":
        """Start the server and wait until ``/health`` answers; :class:`ServerError` with the log's tail if not."""
        make_private(self.data_dir)
        env = self.environment()
        began = time.monotonic()
        log = os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        try:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                            cwd=self.data_dir, stdin=subprocess.DEVNULL,
                                            preexec_fn=_child_setup)
        finally:
            log.close()
        try:
            while time.monotonic() - began < timeout:
                if self.process.poll() is not None:
                    raise ServerError(f"label-studio exited with status {self.process.returncode} while starting; "
                                      f"the end of {self.log_path}:\n{self.log_tail()}")
                if self.healthy():
                    self.started_in = time.monotonic() - began
                    return self
                time.sleep(1.0)
        except BaseException:  # Ctrl-C or SIGTERM while it starts: stop it too
            self.stop()
            raise
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
