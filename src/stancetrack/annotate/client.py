"""Push a dataset to a Label Studio server and pull its annotations back, through label-studio-sdk.

The token comes from ``LABEL_STUDIO_API_KEY`` (or is passed in) and goes only into the SDK's request headers:
it is never printed, logged or put into an error message, and any text from the server (which may echo it, as
some proxies and frameworks do) is scrubbed of it (and of an access token obtained with it) before it is shown.
Connection errors, HTTP errors, timeouts and answers of the wrong shape become :class:`LabelStudioError`
with a message saying what to do.

A push is idempotent: it reuses the project of the same title (or the one named), and imports only the tasks
whose (document, segment) the project does not have yet, in batches, so a push that failed midway can simply
be run again. It refreshes the pre-annotations of the tasks the project already has when the dataset changed
(their ``model_version`` names the dataset's version and content), so nobody starts from stale records.

A team works with named accounts (:meth:`Client.ensure_annotators`, through the organisation's invitation link,
as a person invited in the browser would) and with ``overlap``: how many annotators each task goes to.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import LabelStudioError
from .config import config_for_dataset
from .sdk import require
from .tasks import build_tasks, iter_batches, read_view, task_for, task_key

ACCOUNT_DOMAIN = "stancetrack.local"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

TOKEN_ENV = "LABEL_STUDIO_API_KEY"
Progress = Callable[[int], None]


@dataclass
class PushResult:
    project_id: int
    created_project: bool
    tasks_created: int
    tasks_existing: int
    url: str
    predictions_refreshed: int = 0
    accounts: dict[str, str | None] = field(default_factory=dict)  # name -> new password (None: existed)


def _token(api_key: str | None) -> str:
    token = api_key or os.environ.get(TOKEN_ENV)
    if not token:
        raise LabelStudioError(f"no API token: set {TOKEN_ENV} to your Label Studio access token "
                               "(Account & Settings in Label Studio)")
    return token


class Client:
    """A Label Studio server at ``url``; every call translates SDK and network errors into plain messages."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 60.0):
        sdk = require("label_studio_sdk")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._secret = _token(api_key)
        self._ls = None
        with self._calling("reading the token"):
            self._ls = sdk.LabelStudio(base_url=self.url, api_key=self._secret, timeout=timeout, max_retries=1)

    def _secrets(self) -> list[str]:
        """The token and the access token the SDK may have obtained with it."""
        tokens = getattr(getattr(self._ls, "_client_wrapper", None), "_tokens_client", None)
        found = [self._secret, getattr(tokens, "_access_token", None)]
        return [t for t in found if isinstance(t, str) and len(t) >= 4]

    def scrub(self, text: str, one_line: bool = True) -> str:
        """Text that holds what the server sent, with every token replaced by [token]; with ``one_line``, as one
        line of at most 300 printable characters."""
        for secret in sorted(self._secrets(), key=len, reverse=True):
            text = text.replace(secret, "[token]")
        if not one_line:
            return text
        text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
        return text if len(text) <= 300 else text[:299] + "…"

    @contextlib.contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        httpx = require("httpx")
        api_error = require("label_studio_sdk.core.api_error").ApiError
        try:
            yield
        except LabelStudioError as exc:
            raise LabelStudioError(self.scrub(str(exc))) from None
        except httpx.TimeoutException:
            raise LabelStudioError(f"{what}: Label Studio at {self.url} did not answer within {self.timeout:g} s; "
                                   "try again, or pass a longer --timeout") from None
        except httpx.ConnectError:
            raise LabelStudioError(f"{what}: cannot connect to Label Studio at {self.url}; is it running? "
                                   "(`stancetrack annotate serve` starts one)") from None
        except httpx.HTTPError as exc:
            raise LabelStudioError(f"{what}: network error talking to {self.url}: {type(exc).__name__}") from None
        except api_error as exc:
            raise LabelStudioError(self.scrub(f"{what}: {_explain(exc.status_code, exc.body)}")) from None
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:  # pydantic's too
            raise LabelStudioError(f"{what}: Label Studio at {self.url} sent an answer of the wrong shape "
                                   f"({type(exc).__name__}); is it a Label Studio server?") from None

    def _listed(self, what: str, pager: Iterable[Any]) -> Iterator[Any]:
        """The items of a paginated listing, each with its own id (a server repeating pages would never end)."""
        seen: set[int] = set()
        for item in pager:
            item_id = getattr(item, "id", None)
            self._shape(what, _is_id(item_id) and item_id not in seen, item)
            seen.add(item_id)
            yield item

    def _shape(self, what: str, ok: bool, answer: Any) -> None:
        if not ok:
            raise LabelStudioError(self.scrub(f"{what}: Label Studio at {self.url} sent an answer of the wrong "
                                              f"shape: {answer!r}"))

    # -- projects and tasks -------------------------------------------------------------------------------------
    def find_project(self, title: str) -> int | None:
        with self._calling("listing projects"):
            for project in self._listed("listing projects", self._ls.projects.list(title=title)):
                if project.title == title:
                    return project.id
        return None

    def ensure_project(self, title: str, config: str, project_id: int | None = None,
                       model_version: str | None = None, overlap: int | None = None) -> tuple[int, bool]:
        """The project to push to (named, or found by title, or created) and whether it was created.

        Its ``model_version`` is set to the tasks' so that Label Studio pre-labels each task with its
        pre-annotations (the annotator starts from the current records). ``overlap``: how many annotations
        each task collects (Label Studio's maximum_annotations, applied to every task)."""
        settings = {"label_config": config, **({"model_version": model_version} if model_version else {})}
        if overlap is not None:
            settings.update(maximum_annotations=overlap, overlap_cohort_percentage=100)
        if project_id is None:
            project_id = self.find_project(title)
        if project_id is None:
            with self._calling("creating the project"):
                project = self._ls.projects.create(title=title, show_collab_predictions=True,
                                                   description="stancetrack: stances and predictions, one task "
                                                               "per paragraph", **settings)
            self._shape("creating the project", _is_id(getattr(project, "id", None)), project)
            return project.id, True
        with self._calling(f"reading project {project_id}"):
            project = self._ls.projects.get(id=project_id)
        # Label Studio takes a model_version only once predictions carry it: refresh_predictions sets it then
        changed = {k: v for k, v in settings.items() if getattr(project, k, None) != v and k != "model_version"}
        if changed:
            with self._calling(f"updating the settings of project {project_id}"):
                self._ls.projects.update(id=project_id, **changed)
        return project_id, False

    def task_keys(self, project_id: int) -> set[tuple[str, str]]:
        """The (document_id, segment_id) of every task the project has."""
        with self._calling(f"listing the tasks of project {project_id}"):
            return {task_key(task.data or {}) for task in self._listed(
                f"listing the tasks of project {project_id}", self._ls.tasks.list(project=project_id, page_size=500))}

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]], batch_size: int = 100,
                     progress: Progress | None = None) -> int:
        created = 0
        for batch in iter_batches(tasks, batch_size):
            with self._calling(f"importing tasks into project {project_id}"):
                answer = self._ls.projects.import_tasks(project_id, request=batch, return_task_ids=True)
            self._shape(f"importing {len(batch)} task(s) into project {project_id}",
                        getattr(answer, "task_count", None) == len(batch), answer)
            created += len(batch)
            if progress:
                progress(len(batch))
        return created

    def push(self, dataset_dir: str | Path, title: str, project_id: int | None = None, batch_size: int = 100,
             progress: Progress | None = None, on_total: Callable[[int], None] | None = None,
             overlap: int | None = None, annotators: list[str] | tuple[str, ...] = (),
             passwords: dict[str, str] | None = None, suggest: bool = True) -> PushResult:
        """Create or reuse the project, set its labeling config (and overlap), create the annotator accounts it
        lacks, import the tasks it does not have yet and refresh the pre-annotations of the others. With
        ``suggest``, paragraphs without records are pre-annotated with suggestions (:func:`build_tasks`)."""
        accounts = self.ensure_annotators(annotators, passwords) if annotators else {}
        config = config_for_dataset(dataset_dir)
        tasks = build_tasks(dataset_dir, suggest)
        version = tasks_version(dataset_dir)
        project_id, created = self.ensure_project(title, config, project_id, version, overlap)
        have = set() if created else self.task_keys(project_id)
        missing = [t for t in tasks if task_key(t["data"]) not in have]
        if on_total:
            on_total(len(missing))
        count = self.import_tasks(project_id, missing, batch_size, progress)
        refreshed = 0 if created else self.refresh_predictions(project_id, dataset_dir, suggest)
        return PushResult(project_id, created, count, len(tasks) - len(missing), self.url, refreshed, accounts)

    def refresh_predictions(self, project_id: int, dataset_dir: str | Path, suggest: bool = True) -> int:
        """Replace the pre-annotations of the project's tasks that do not show the dataset as it is now (another
        ``model_version``), and set the project's model_version; returns how many tasks were refreshed."""
        view = read_view(dataset_dir, suggest)
        version = view.model_version
        fresh = {(p.document_id, p.segment_id): task_for(p, view) for p in view.paragraphs}
        refreshed = 0
        for task in self.tasks(project_id):
            built = fresh.get(task_key(task.data or {}))
            if built is None:
                continue
            old = [_get(p, "id") for p in (task.predictions or [])]
            wanted = built.get("predictions", [])
            stale = [p for p in (task.predictions or [])
                     if _get(p, "model_version") not in {w["model_version"] for w in wanted}]
            if not stale and len(old) == len(wanted):
                continue
            with self._calling(f"refreshing the pre-annotations of task {task.id}"):
                for prediction_id in old:
                    self._ls.predictions.delete(id=prediction_id)
                for prediction in wanted:
                    self._ls.predictions.create(task=task.id, result=prediction["result"], score=prediction["score"],
                                                model_version=prediction["model_version"])
            refreshed += 1
        with self._calling(f"reading project {project_id}"):
            project = self._ls.projects.get(id=project_id)
        if getattr(project, "model_version", None) != version and any(fresh_task.get("predictions")
                                                                       for fresh_task in fresh.values()):
            with self._calling(f"updating the model_version of project {project_id}"):
                self._ls.projects.update(id=project_id, model_version=version)
        return refreshed

    # -- accounts ------------------------------------------------------------------------------------------------
    def ensure_annotators(self, names: list[str] | tuple[str, ...],
                          passwords: dict[str, str] | None = None) -> dict[str, str | None]:
        """Create the annotator accounts the server lacks, each with a new password (or the one given in
        ``passwords``); returns name -> password for the accounts created now, name -> None for existing ones.

        A name is a login name (``alice``, whose e-mail becomes ``alice@stancetrack.local``) or an e-mail. The
        accounts join the organisation through its invitation link, as invited people do."""
        with self._calling("listing users"):
            users = list(self._ls.users.list())
        known = {getattr(u, "username", None) for u in users} | {(getattr(u, "email", None) or "").lower()
                                                                  for u in users}
        out: dict[str, str | None] = {}
        for name in names:
            email = account_email(name)
            if name in known or email in known:
                out[name] = None
                continue
            password = (passwords or {}).get(name) or secrets.token_urlsafe(12)
            self._signup(email, password)
            out[name] = password
        return out

    def _signup(self, email: str, password: str) -> None:
        httpx = require("httpx")
        token = self._invite_token()
        with self._calling(f"creating the account {email}"), httpx.Client(base_url=self.url, timeout=self.timeout,
                                                                           follow_redirects=False) as web:
            web.get("/user/signup/", params={"token": token})
            response = web.post("/user/signup/", params={"token": token}, headers={"Referer": f"{self.url}/"},
                                data={"email": email, "password": password,
                                      "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")})
        if response.status_code != 302:
            raise LabelStudioError(f"creating the account {email}: Label Studio refused the sign-up (HTTP "
                                   f"{response.status_code}): the e-mail may be taken or the password too weak "
                                   "for its password rules")

    def _invite_token(self) -> str:
        httpx = require("httpx")
        with self._calling("reading the organisation's invitation link"):
            response = httpx.get(f"{self.url}/api/invite", timeout=self.timeout,
                                 headers={"Authorization": f"Token {self._secret}"})
        if response.status_code != 200:
            raise LabelStudioError(self.scrub(f"reading the organisation's invitation link: "
                                              f"{_explain(response.status_code, _json(response))}"))
        answer = _json(response)
        self._shape("reading the organisation's invitation link", isinstance(answer, dict)
                    and isinstance(answer.get("token"), str), answer)
        return answer["token"]

    # -- annotations ---------------------------------------------------------------------------------------------
    def export(self, project_id: int) -> list[dict[str, Any]]:
        """The project's full JSON export (every task, with its annotations)."""
        with self._calling(f"exporting project {project_id}"):
            data = self._ls.projects.exports.as_json(project_id)
        self._shape(f"exporting project {project_id} (not a list of tasks)", isinstance(data, list), type(data))
        with self._calling(f"exporting project {project_id}"):
            return self._scrub_data(data)

    def _scrub_data(self, value: Any) -> Any:
        """The server's JSON with the token replaced in every text: it never reaches a message or the dataset."""
        if isinstance(value, str):
            return self.scrub(value, one_line=False)
        if isinstance(value, list):
            return [self._scrub_data(v) for v in value]
        if isinstance(value, dict):
            return {self._scrub_data(k): self._scrub_data(v) for k, v in value.items()}
        return value

    def export_with_names(self, project_id: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
        """The project's export and who its annotators are (user id -> name)."""
        return self.export(project_id), self.user_names()

    def user_names(self) -> dict[int, str]:
        """Label Studio user id -> username (the part of the e-mail before @ when no username is set)."""
        with self._calling("listing users"):
            users = list(self._listed("listing users", self._ls.users.list()))
        names = {}
        for user in users:
            name = getattr(user, "username", None) or (getattr(user, "email", None) or "").split("@")[0]
            if isinstance(name, str) and name:
                names[user.id] = self.scrub(name)
        return names

    def annotate(self, task_id: int, result: list[dict[str, Any]]) -> int:
        """Add an annotation to a task (what an annotator's Submit does); returns its id."""
        with self._calling(f"annotating task {task_id}"):
            return self._ls.annotations.create(id=task_id, result=result, was_cancelled=False).id

    def tasks(self, project_id: int) -> list[Any]:
        with self._calling(f"listing the tasks of project {project_id}"):
            return list(self._listed(f"listing the tasks of project {project_id}",
                                     self._ls.tasks.list(project=project_id, fields="all", page_size=500)))


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def account_email(name: str) -> str:
    """The e-mail of an annotator account: the name itself when it is one, else ``NAME@stancetrack.local``."""
    if "@" in name:
        return name.lower()  # as Label Studio keeps it
    if not _NAME.match(name):
        raise LabelStudioError(f"annotator name {name!r}: use letters, digits, '.', '_' or '-' (or an e-mail)")
    return f"{name}@{ACCOUNT_DOMAIN}".lower()


def account_token(url: str, email: str, password: str, timeout: float = 60.0) -> str:
    """Log in to Label Studio as an account and return its API token (what an annotator's script would use)."""
    httpx = require("httpx")
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=timeout, follow_redirects=False) as web:
            web.get("/user/login/")
            web.post("/user/login/", headers={"Referer": f"{url.rstrip('/')}/"},
                     data={"email": email, "password": password,
                           "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")})
            response = web.get("/api/current-user/token")
    except httpx.HTTPError as exc:
        raise LabelStudioError(f"logging in as {email} at {url}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise LabelStudioError(f"logging in as {email} at {url}: refused (HTTP {response.status_code}); check the "
                               "account's password")
    return response.json()["token"]


def tasks_version(dataset_dir: str | Path) -> str:
    """The model_version of the pre-annotations built from a dataset folder (see :func:`.tasks.model_version`)."""
    return read_view(dataset_dir).model_version


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:300]


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _explain(status: int | None, body: Any) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    detail = f" ({detail})" if isinstance(detail, str) else ""
    if status is not None and 200 <= status < 300:
        return f"the server answered (HTTP {status}) with an answer of the wrong shape: {str(body)[:300]}"
    if status in (401, 403):
        return (f"Label Studio refused the token (HTTP {status}){detail}; check {TOKEN_ENV} (legacy tokens must "
                "be enabled on the server)")
    if status == 404:
        return f"not found (HTTP 404){detail}; check the URL and the project id"
    if status is not None and 400 <= status < 500:
        return f"Label Studio rejected the request (HTTP {status}){detail}: {str(body)[:300]}"
    if status is not None and status >= 500:
        return f"Label Studio failed with a server error (HTTP {status}); see the server's log"
    return f"Label Studio request failed{detail}: {str(body)[:300]}"
