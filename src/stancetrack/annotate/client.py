"""Push a dataset to a Label Studio server and pull its annotations back, through label-studio-sdk.

The token comes from ``LABEL_STUDIO_API_KEY`` (or is passed in) and goes only into the SDK's request headers:
it is never printed, logged or put into an error message, and any text from the server (which may echo it, as
some proxies and frameworks do) is scrubbed of it (and of an access token obtained with it) before it is shown.
Connection errors, HTTP errors, timeouts and answers of the wrong shape become :class:`LabelStudioError`
with a message saying what to do.

A push is idempotent: it reuses the project of the same title (or the one named), and imports only the tasks
whose (document, segment) the project does not have yet, in batches, so a push that failed midway can simply
be run again.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import LabelStudioError
from ..storage import read_manifest
from .config import config_for_dataset
from .sdk import require
from .tasks import build_tasks, iter_batches, model_version, task_key

TOKEN_ENV = "LABEL_STUDIO_API_KEY"
Progress = Callable[[int], None]


@dataclass
class PushResult:
    project_id: int
    created_project: bool
    tasks_created: int
    tasks_existing: int
    url: str


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
                       model_version: str | None = None) -> tuple[int, bool]:
        """The project to push to (named, or found by title, or created) and whether it was created.

        Its ``model_version`` is set to the tasks' so that Label Studio pre-labels each task with its
        pre-annotations (the annotator starts from the current records)."""
        settings = {"label_config": config, **({"model_version": model_version} if model_version else {})}
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
        changed = {k: v for k, v in settings.items() if getattr(project, k, None) != v}
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
             progress: Progress | None = None, on_total: Callable[[int], None] | None = None) -> PushResult:
        """Create or reuse the project, set its labeling config, and import the tasks it does not have yet."""
        config = config_for_dataset(dataset_dir)
        version = model_version(read_manifest(Path(dataset_dir)).get("dataset_version", "unknown"))
        project_id, created = self.ensure_project(title, config, project_id, version)
        tasks = build_tasks(dataset_dir)
        have = set() if created else self.task_keys(project_id)
        missing = [t for t in tasks if task_key(t["data"]) not in have]
        if on_total:
            on_total(len(missing))
        count = self.import_tasks(project_id, missing, batch_size, progress)
        return PushResult(project_id, created, count, len(tasks) - len(missing), self.url)

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
