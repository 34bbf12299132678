"""A Label Studio JSON export as the importer reads it: its tasks, the annotation that counts for each, who
made it, and the problems found on the way (each naming its task and region)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..errors import ErrorRecord, RefusedImport
from ..textcheck import unicode_problem


SOURCE = "label-studio"


class _Refused(RefusedImport):
    """A refusal that knows the task of each problem (None where a problem belongs to no one task)."""

    def __init__(self, errors: list[ErrorRecord], tasks: list[Any]):
        super().__init__(errors, "the Label Studio export was refused")
        self.tasks = tasks


def _task_id(task: Any, position: int) -> Any:
    """A task's id in messages: its Label Studio id, else its position in the export (``#N``)."""
    return task.get("id", f"#{position}") if isinstance(task, dict) else f"#{position}"


class _Problems:
    """Every refusal found, each naming its task and region."""

    def __init__(self) -> None:
        self.errors: list[ErrorRecord] = []
        self.tasks: list[Any] = []  # the task of each error (None: the export as a whole)

    def add(self, code: str, message: str, task_id: Any = None, region_id: str | None = None,
            position: int | None = None, field_name: str | None = None, value: Any = None) -> None:
        self.tasks.append(task_id)
        where = [f"task {task_id}"] if task_id is not None else []
        if region_id is not None:
            where.append(f"region {region_id}")
        prefix = ", ".join(where)
        self.errors.append(ErrorRecord(SOURCE, code, f"{prefix}: {message}" if prefix else message,
                                       row=position, id=region_id, field=field_name, value=value))


def read_export(source: str | Path | list) -> list[dict[str, Any]]:
    """The tasks of a Label Studio JSON export: a file's path, or the export already parsed."""
    if isinstance(source, list):
        data: Any = source
    else:
        try:
            data = json.loads(Path(source).read_bytes())
        except (OSError, ValueError) as exc:
            raise _malformed(f"the export is not readable JSON: {exc}") from None
        except RecursionError:
            raise _malformed("the export is not readable JSON: its arrays or objects are nested too deeply") from None
    if not isinstance(data, list):
        raise _malformed(f"the export is a JSON {type(data).__name__}, not a list of tasks "
                         "(export the project as JSON, not JSON-MIN or CSV)")
    for position, task in enumerate(data):
        where = unicode_problem(task)
        if where is not None:
            task_id = task.get("id") if isinstance(task, dict) else None
            raise _malformed(f"task {task_id if task_id is not None else f'#{position + 1}'}: {where}")
    return data


def _malformed(message: str) -> RefusedImport:
    return RefusedImport([ErrorRecord(SOURCE, "export-malformed", message)], "the Label Studio export was refused")




def authoritative_annotation(annotations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The annotation that counts for a task: see the module's documentation."""
    live = [a for a in annotations if not a.get("was_cancelled")]
    pool = [a for a in live if a.get("ground_truth")] or live
    if not pool:
        return None
    return max(pool, key=lambda a: (_timestamp(a.get("updated_at") or a.get("created_at")), _int(a.get("id"))))


def _timestamp(value: Any) -> dt.datetime:
    try:
        stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def annotator_name(annotation: dict[str, Any], names: dict[Any, str] | None = None) -> str:
    """Who made an annotation: a name from ``names`` (Label Studio user id -> name), else ``label-studio-user-ID``."""
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        user = user.get("id", user.get("email"))
    if names and user in names:
        return names[user]
    return f"label-studio-user-{user}" if user is not None else "label-studio"
