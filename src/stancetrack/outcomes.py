"""Recording what happened: one check of one prediction, appended to the outcomes log.

    stancetrack.resolve("dataset", "pr-0007", "false", "2026-03-13",
                        rationale="No recognition was found up to mid-March 2026 ...",
                        evidence=[{"url": None, "title": "...", "publisher": "...",
                                   "published": "2025-11-21", "quote": "..."}],
                        resolver="jdoe")

The log is append-only: a new check never edits an old one, it supersedes it from its own ``as_of`` on (the
current outcome of a prediction as of day D is its latest check with ``as_of <= D``; see
:meth:`stancetrack.Dataset.current_outcomes`). Every refusal happens before anything is written, and the
append itself goes through :func:`stancetrack.writer.transaction`, which validates the whole dataset first.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlparse

from .errors import InvalidDate, InvalidOutcome, UnknownPrediction
from .schemas import table_schema

_SCHEMA = table_schema("outcomes")
#: Statuses of a check, in the schema's order.
STATUSES: tuple[str, ...] = tuple(_SCHEMA.enum("status"))
#: Statuses that need at least one evidence item (the schema's if/then rule on ``evidence``'s ``minItems``).
EVIDENCED: frozenset[str] = frozenset(_SCHEMA.values_requiring("status", "evidence", "minItems"))
#: Statuses that fix ``condition_met`` (the schema's if/then rule on its ``const``), with the value they fix.
CONDITION_FIXED: dict[str, bool] = _SCHEMA.values_requiring("status", "condition_met", "const")
#: The fields of one evidence item, all required (``url`` and ``published`` may be null).
EVIDENCE_FIELDS: tuple[str, ...] = tuple(_SCHEMA.property("evidence")["items"]["required"])

_EVIDENCE_HELP = ("each evidence item is an object with exactly url (the full address copied from the source, "
                  "or null when none was recorded), title, publisher, published (YYYY-MM-DD or null) and quote "
                  "(the passage relied on, verbatim)")


def parse_day(value: Any, what: str = "as_of") -> dt.date:
    """A calendar day from an ISO 8601 string (``YYYY-MM-DD``) or a date; :class:`InvalidDate` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidDate(f"{what} {value!r} is not a date: give the day as YYYY-MM-DD, e.g. 2026-03-13")


def check_evidence(evidence: Any) -> list[dict[str, Any]]:
    """The evidence items as clean dicts, or :class:`InvalidOutcome` naming the first malformed item."""
    if evidence is None:
        return []
    if isinstance(evidence, (str, bytes, Mapping)) or not isinstance(evidence, Iterable):
        raise InvalidOutcome(f"evidence must be a list of items, not {type(evidence).__name__}; {_EVIDENCE_HELP}")
    items = []
    for number, item in enumerate(evidence):
        where = f"evidence[{number}]"
        if not isinstance(item, Mapping):
            raise InvalidOutcome(f"{where} is a {type(item).__name__}, not an object; {_EVIDENCE_HELP}")
        missing = [f for f in EVIDENCE_FIELDS if f not in item]
        extra = sorted(str(k) for k in item if k not in EVIDENCE_FIELDS)
        if missing or extra:
            problem = "; ".join(filter(None, [missing and f"lacks {', '.join(missing)}",
                                              extra and f"has unknown field(s) {', '.join(extra)}"]))
            raise InvalidOutcome(f"{where} {problem}: {_EVIDENCE_HELP}")
        for name in ("title", "publisher", "quote"):
            if not isinstance(item[name], str) or not item[name].strip():
                raise InvalidOutcome(f"{where}.{name} must be non-empty text; {_EVIDENCE_HELP}")
        url = item["url"]
        if url is not None:
            parts = urlparse(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or url != url.strip():
                raise InvalidOutcome(f"{where}.url {url!r} is not a full http(s) address; copy it exactly from "
                                     "the source, or give null when the source records none (never invent one)")
        published = item["published"]
        published = None if published is None else parse_day(published, f"{where}.published").isoformat()
        items.append({"url": url, "title": item["title"], "publisher": item["publisher"],
                      "published": published, "quote": item["quote"]})
    return items


def default_resolver() -> str:
    """The login name, when the caller names no resolver."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def outcome_record(prediction_id: str, status: str, as_of: Any, rationale: str, evidence: Any = (),
                   resolver: str | None = None, condition_met: bool | None = None,
                   today: dt.date | None = None) -> dict[str, Any]:
    """A checked outcome row without its ``outcome_id``; :class:`InvalidOutcome` says what to fix."""
    if status not in STATUSES:
        raise InvalidOutcome(f"unknown status {status!r}: use one of {', '.join(STATUSES)} "
                             "(see the codebook's outcomes section)")
    day = parse_day(as_of)
    today = today or dt.date.today()
    if day > today:
        raise InvalidOutcome(f"as_of {day} is after today ({today}): as_of is the day the evidence reaches, "
                             "which cannot be in the future")
    if not isinstance(rationale, str) or not rationale.strip():
        raise InvalidOutcome("the rationale is empty: say what was checked and why the status follows")
    items = check_evidence(evidence)
    if status in EVIDENCED and not items:
        raise InvalidOutcome(f"a {status!r} verdict needs at least one evidence item ({_EVIDENCE_HELP}); "
                             "without evidence record 'pending' or 'ambiguous' with the reason")
    if condition_met not in (None, True, False):
        raise InvalidOutcome(f"condition_met must be true, false or null, not {condition_met!r}")
    if status in CONDITION_FIXED:
        fixed = CONDITION_FIXED[status]
        if condition_met is not None and condition_met != fixed:
            raise InvalidOutcome(f"a {status!r} check records condition_met {str(fixed).lower()}: "
                                 f"condition_met must be {str(fixed).lower()} (or omitted)")
        condition_met = fixed
    resolver = resolver if resolver is not None else default_resolver()
    if not isinstance(resolver, str) or not resolver.strip():
        raise InvalidOutcome("the resolver is empty: name who records the check")
    return {"prediction_id": prediction_id, "as_of": day.isoformat(), "status": status,
            "condition_met": condition_met, "evidence": items, "rationale": rationale.strip(),
            "resolver": resolver.strip()}


#: The largest evidence file ``resolve`` reads: a list of a few sources with short quotes is a few kilobytes.
MAX_EVIDENCE_BYTES = 1_000_000


def read_evidence(path: str | Path) -> Any:
    """The JSON of an evidence file, or :class:`InvalidOutcome`: not a regular file, larger than
    :data:`MAX_EVIDENCE_BYTES`, not UTF-8 JSON, or nested too deeply."""
    path = Path(path)
    hint = "it must hold a list of evidence items {url, title, publisher, published, quote}"
    try:
        if not path.is_file():
            raise InvalidOutcome(f"{path} is not a regular file; {hint}")
        with open(path, "rb") as handle:
            data = handle.read(MAX_EVIDENCE_BYTES + 1)
    except OSError as exc:
        raise InvalidOutcome(f"{path} cannot be read ({exc.strerror or exc}); {hint}") from None
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidOutcome(f"{path} is larger than {MAX_EVIDENCE_BYTES:,} bytes; {hint}")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidOutcome(f"{path} is not readable JSON ({exc}); {hint}") from None
    except RecursionError:
        raise InvalidOutcome(f"{path} is nested too deeply; {hint}") from None


def resolve(dataset: str | Path, prediction_id: str, status: str, as_of: Any, rationale: str,
            evidence: Any = (), resolver: str | None = None,
            condition_met: bool | None = None) -> dict[str, Any]:
    """Append one check of a prediction to the outcomes log of a dataset folder; return the row written.

    ``status`` is one of :data:`STATUSES`; ``as_of`` the day the evidence reaches (``YYYY-MM-DD``);
    ``evidence`` a list of items with ``url`` (null when the source records none), ``title``, ``publisher``,
    ``published`` and ``quote`` — required for ``true``, ``false`` and ``partial``; ``condition_met`` whether a
    conditional prediction's condition happened (an ``annulled`` check sets it to false). The new row gets the
    next free ``oc-NNNN`` id (never one used before, see :mod:`stancetrack.ids`). Nothing is written when anything is wrong: :class:`~stancetrack.errors.InvalidOutcome`
    or :class:`~stancetrack.errors.UnknownPrediction` says what to fix.
    """
    from .writer import transaction  # the checks above need neither pandas nor pyarrow

    record = outcome_record(prediction_id, status, as_of, rationale, evidence, resolver, condition_met)
    with transaction(dataset) as tx:
        predictions = tx.arrow("predictions").select(["prediction_id", "document_id"]).to_pylist()
        documents = {p["prediction_id"]: p["document_id"] for p in predictions}
        if prediction_id not in documents:
            known = sorted(documents)
            hint = f"known ids run {known[0]}…{known[-1]}" if known else "the dataset has no predictions"
            raise UnknownPrediction(f"no prediction {prediction_id!r} in {dataset} ({hint}); "
                                    "list them with `stancetrack export predictions`")
        written = {d["document_id"]: d["published_earliest"]
                   for d in tx.arrow("documents").select(["document_id", "published_earliest"]).to_pylist()}
        made = written.get(documents[prediction_id])
        if made is not None and dt.date.fromisoformat(record["as_of"]) < made:
            raise InvalidOutcome(f"as_of {record['as_of']} is before {prediction_id} was made (its document dates "
                                 f"from {made} at the earliest): a check can only reach a later day")
        record = {"outcome_id": tx.new_id("outcomes"), **record}
        tx.append("outcomes", [record])
    return record
