"""Recording what happened: one check of one prediction, appended to the outcomes log.

    stancetrack.resolve("dataset", "pr-0007", "false", "2026-03-13",
                        rationale="FALSE clause met: no recognition was found up to mid-March 2026 ...",
                        deciding_clause="FALSE: none of these by 2025-12-31.",
                        evidence=[{"brief": "outcomes-brief-2026-03.md", "item": "6", "publisher": None,
                                   "title": None, "published": None, "url": None, "quote": None,
                                   "summary": "No formal US recognition ... was found up to mid-March 2026."}],
                        resolver="jdoe")

The log is append-only: a new check never edits an old one, it supersedes it from its own ``as_of`` on (the
current outcome of a prediction as of day D is its latest check with ``as_of <= D``; see
:meth:`stancetrack.Dataset.current_outcomes`). Every refusal happens before anything is written, and the
append itself goes through :func:`stancetrack.writer.transaction`, which validates the whole dataset first.

Evidence items come from an evidence brief kept under ``annotation/evidence/`` (the item's ``brief``): a
``quote`` must be found verbatim in that file (runs of white space, such as a line break inside a quoted
passage, count as one space), and what the brief does not record is null. The rules on fields and statuses are
read from ``schema/outcomes.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlparse

from .errors import InvalidDate, InvalidOutcome, UnknownPrediction
from .resources import annotation_dir
from .schemas import table_schema

_SCHEMA = table_schema("outcomes")
#: Statuses of a check, in the schema's order.
STATUSES: tuple[str, ...] = tuple(_SCHEMA.enum("status"))
#: Statuses that settle a prediction (the schema's ``x-settling``); the others leave it open.
SETTLING: frozenset[str] = frozenset(_SCHEMA.property("status")["x-settling"])
#: Statuses that need evidence (at least one item with a verbatim quote).
EVIDENCED: frozenset[str] = _SCHEMA.values_constraining("status", "evidence")
#: Statuses that must name the deciding clause of the resolution criteria.
CLAUSED: frozenset[str] = _SCHEMA.values_constraining("status", "deciding_clause")
#: The fields of one evidence item, all required, in the schema's order.
EVIDENCE_FIELDS: tuple[str, ...] = tuple(_SCHEMA.property("evidence")["items"]["properties"])
_TEXT_FIELDS = tuple(f for f in EVIDENCE_FIELDS if f not in ("brief", "item", "url", "published"))

_EVIDENCE_HELP = (f"each evidence item is an object with exactly {', '.join(EVIDENCE_FIELDS)}: brief is the file "
                  "name of the evidence brief under annotation/evidence/, quote a passage found verbatim in it, "
                  "summary the compiler's own words (at least one of the two), url the full address copied from "
                  "the brief, published YYYY-MM-DD; anything the brief does not record is null, never a placeholder")


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


def _text_or_null(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidOutcome(f"{where} must be non-empty text or null; {_EVIDENCE_HELP}")
    if value.lstrip().startswith("["):
        raise InvalidOutcome(f"{where} {value[:40]!r} looks like a placeholder: give null when the brief does not "
                             "record it")
    return value


def check_evidence(evidence: Any) -> list[dict[str, Any]]:
    """The evidence items as clean dicts, or :class:`InvalidOutcome` naming the first malformed item.

    This checks the items' form; :func:`check_quotes` checks each quote against its brief."""
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
        brief = item["brief"]
        if not isinstance(brief, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.md", brief):
            raise InvalidOutcome(f"{where}.brief {brief!r} is not the file name of an evidence brief "
                                 "(e.g. outcomes-brief-2026-11.md)")
        label = item["item"]
        if label is not None and (not isinstance(label, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", label)):
            raise InvalidOutcome(f"{where}.item {label!r} is not an item label of the brief (e.g. A1, B7) or null")
        clean = {"brief": brief, "item": label}
        for name in _TEXT_FIELDS:
            clean[name] = _text_or_null(item[name], f"{where}.{name}")
        if clean["quote"] is None and clean["summary"] is None:
            raise InvalidOutcome(f"{where} has neither a quote nor a summary; {_EVIDENCE_HELP}")
        url = item["url"]
        if url is not None:
            parts = urlparse(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or url != url.strip():
                raise InvalidOutcome(f"{where}.url {url!r} is not a full http(s) address; copy it exactly from "
                                     "the source, or give null when the source records none (never invent one)")
        published = item["published"]
        published = None if published is None else parse_day(published, f"{where}.published").isoformat()
        clean.update(url=url, published=published)
        items.append({f: clean[f] for f in EVIDENCE_FIELDS})
    return items


def _flat(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=16)
def _brief_text(path: Path, mtime: float) -> str:
    return _flat(path.read_text(encoding="utf-8"))


def evidence_dir_for(dataset: str | Path | None = None) -> Path:
    """Where the evidence briefs of a dataset live: ``annotation/evidence/`` beside its folder in a checkout,
    else the one shipped with the package."""
    if dataset is not None:
        beside = Path(dataset).resolve().parent / "annotation" / "evidence"
        if beside.is_dir():
            return beside
    return annotation_dir() / "evidence"


def quote_problems(evidence: Iterable[Mapping[str, Any]], evidence_dir: str | Path) -> list[str]:
    """For each item whose brief is missing from ``evidence_dir`` or whose quote is not found verbatim in its
    brief, one sentence saying so (empty when every quote is found)."""
    folder = Path(evidence_dir)
    problems = []
    for number, item in enumerate(evidence):
        path = folder / str(item["brief"])
        if not path.is_file():
            problems.append(f"evidence[{number}].brief {item['brief']!r} is not a file of {folder}")
            continue
        quote = item.get("quote")
        if quote is not None and _flat(quote) not in _brief_text(path, path.stat().st_mtime):
            problems.append(f"evidence[{number}].quote {quote[:60]!r} is not found verbatim in {item['brief']}")
    return problems


def check_quotes(evidence: Iterable[Mapping[str, Any]], evidence_dir: str | Path) -> None:
    """:class:`InvalidOutcome` unless every item's brief exists and every quote is verbatim in its brief."""
    problems = quote_problems(evidence, evidence_dir)
    if problems:
        raise InvalidOutcome("; ".join(problems) + ": a quote is the source's words exactly as the brief "
                             "records them; put the compiler's own words in summary")


#: What a placeholder looks like: text opening with a square bracket ("[title not recorded in the brief]"), a
#: bracketed note that something is not recorded, or the old "Evidence brief (...):" prefix of a paraphrase
#: filed as a quote. (A compiler's parenthesised remark inside a summary is prose, not a placeholder.)
PLACEHOLDER = re.compile(r"^\s*\[|\[[^\]]*\b(?:not recorded|not shown|not given|no quotation|unknown|placeholder)\b"
                         r"[^\]]*\]|^Evidence brief \(", re.IGNORECASE)


def evidence_problems(outcomes: Any,
                      evidence_dir: str | Path | None = None) -> list[str]:
    """Every placeholder in the evidence and deciding clauses of an outcomes log, and every quote not found
    verbatim in the brief its item names (briefs read from ``evidence_dir``, default the package's
    ``annotation/evidence/``). One sentence per problem, naming the outcome; empty when all is well."""
    records = outcomes.to_dict("records") if hasattr(outcomes, "to_dict") else list(outcomes)  # a DataFrame
    folder = Path(evidence_dir) if evidence_dir is not None else evidence_dir_for()
    problems = []
    for record in records:
        oid = record.get("outcome_id", "?")
        clause = record.get("deciding_clause")
        if isinstance(clause, str) and PLACEHOLDER.search(clause):
            problems.append(f"{oid}: deciding_clause {clause[:60]!r} is a placeholder")
        items = list(record.get("evidence") if record.get("evidence") is not None else [])
        for number, item in enumerate(items):
            for name in _TEXT_FIELDS:
                value = item.get(name)
                if isinstance(value, str) and PLACEHOLDER.search(value):
                    problems.append(f"{oid}: evidence[{number}].{name} {value[:60]!r} is a placeholder")
        problems += [f"{oid}: {problem}" for problem in quote_problems(items, folder)]
    return problems


def default_resolver() -> str:
    """The login name, when the caller names no resolver."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def outcome_record(prediction_id: str, status: str, as_of: Any, rationale: str, evidence: Any = (),
                   resolver: str | None = None, condition_met: bool | None = None,
                   deciding_clause: str | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
    """A checked outcome row without its ``outcome_id``; :class:`InvalidOutcome` says what to fix.

    This checks the row alone; :func:`resolve` also checks it against the prediction (its condition, its
    criteria, its date) and every quote against its brief."""
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
    if status in EVIDENCED and not any(item["quote"] is not None for item in items):
        raise InvalidOutcome(f"a {status!r} verdict needs at least one evidence item with a verbatim quote "
                             f"({_EVIDENCE_HELP}); without one record 'pending' or 'ambiguous' and name the "
                             "missing fact")
    if deciding_clause is not None and (not isinstance(deciding_clause, str) or not deciding_clause.strip()):
        raise InvalidOutcome("the deciding clause is empty: give the clause of the resolution criteria that "
                             "decided the verdict, or null")
    if status in CLAUSED and deciding_clause is None:
        raise InvalidOutcome(f"a {status!r} verdict names the clause of the prediction's resolution criteria that "
                             "decided it (deciding_clause, --deciding-clause)")
    if condition_met not in (None, True, False):
        raise InvalidOutcome(f"condition_met must be true, false or null, not {condition_met!r}")
    if status == "annulled" and condition_met is True:
        raise InvalidOutcome("an annulled check records that the condition did not happen: "
                             "condition_met must be false (or omitted)")
    resolver = resolver if resolver is not None else default_resolver()
    if not isinstance(resolver, str) or not resolver.strip():
        raise InvalidOutcome("the resolver is empty: name who records the check")
    return {"prediction_id": prediction_id, "as_of": day.isoformat(), "status": status,
            "condition_met": condition_met, "evidence": items,
            "deciding_clause": None if deciding_clause is None else deciding_clause.strip(),
            "rationale": rationale.strip(), "resolver": resolver.strip()}


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
            evidence: Any = (), resolver: str | None = None, condition_met: bool | None = None,
            deciding_clause: str | None = None, *, evidence_dir: str | Path | None = None) -> dict[str, Any]:
    """Append one check of a prediction to the outcomes log of a dataset folder; return the row written.

    ``status`` is one of :data:`STATUSES`; ``as_of`` the day the evidence reaches (``YYYY-MM-DD``);
    ``evidence`` a list of items with the fields :data:`EVIDENCE_FIELDS` — for ``true``, ``false`` and
    ``partial`` at least one with a ``quote`` found verbatim in its ``brief`` (a file of ``evidence_dir``,
    default: :func:`evidence_dir_for` the dataset); ``deciding_clause`` the clause of the prediction's
    resolution criteria that decided the verdict (required for :data:`CLAUSED` statuses); ``condition_met``
    whether the condition of a prediction that has one happened (null for a prediction without a condition;
    an ``annulled`` check of a conditional prediction sets it to false). The new row gets the next free
    ``oc-NNNN`` id (never one used before, see :mod:`stancetrack.ids`). Nothing is written when anything is
    wrong: :class:`~stancetrack.errors.InvalidOutcome` or :class:`~stancetrack.errors.UnknownPrediction` says
    what to fix.
    """
    from .writer import transaction  # the checks above need no storage

    record = outcome_record(prediction_id, status, as_of, rationale, evidence, resolver, condition_met,
                            deciding_clause)
    check_quotes(record["evidence"], evidence_dir if evidence_dir is not None else evidence_dir_for(dataset))
    with transaction(dataset) as tx:
        predictions = tx.arrow("predictions").select(["prediction_id", "document_id", "condition"]).to_pylist()
        by_id = {p["prediction_id"]: p for p in predictions}
        if prediction_id not in by_id:
            known = sorted(by_id)
            hint = f"known ids run {known[0]}…{known[-1]}" if known else "the dataset has no predictions"
            raise UnknownPrediction(f"no prediction {prediction_id!r} in {dataset} ({hint}); "
                                    "list them with `stancetrack export predictions`")
        prediction = by_id[prediction_id]
        if prediction["condition"] is None and record["condition_met"] is not None:
            raise InvalidOutcome(f"{prediction_id} has no condition, so condition_met must be null (a failed "
                                 "presupposition is recorded by the status 'annulled' alone)")
        if prediction["condition"] is not None and status == "annulled":
            record["condition_met"] = False
        written = {d["document_id"]: d["published_earliest"]
                   for d in tx.arrow("documents").select(["document_id", "published_earliest"]).to_pylist()}
        made = written.get(prediction["document_id"])
        if made is not None and dt.date.fromisoformat(record["as_of"]) < made:
            raise InvalidOutcome(f"as_of {record['as_of']} is before {prediction_id} was made (its document dates "
                                 f"from {made} at the earliest): a check can only reach a later day")
        record = {"outcome_id": tx.new_id("outcomes"), **record}
        tx.append("outcomes", [record])
    return record
