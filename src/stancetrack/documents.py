"""Adding a document: its text, its metadata, its segments and its author, in one transaction.

    import stancetrack
    stancetrack.add_document("dataset", "note.txt", author="Jeanne Martin", language="fr",
                             rights="Written for the project; CC BY 4.0.", published="2025-08-20")

The text is taken exactly as it is (:func:`stancetrack.segment.read_text`): a file that is not UTF-8, starts with
a byte-order mark, uses carriage returns, is empty or is not in Unicode NFC is refused, as is a text already in
the dataset (the same SHA-256); nothing is normalised or repaired. The text is cut into headings and paragraphs
by :func:`stancetrack.segment.segments`, the author becomes an actor of kind ``author`` when the dataset has no
actor with that id, and everything is written through :func:`stancetrack.writer.transaction`: all of it or,
on any refusal, nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidText, RefusedDocument
from .ids import id_format
from .outcomes import parse_day
from .segment import check_text, read_text, segments
from .storage import read_manifest
from .writer import transaction

#: The ``date_basis`` recorded for a document added with a known publication day and no reason given.
PUBLISHED_BASIS = "Publication date given when the document was added."


@dataclass(frozen=True)
class AddedDocument:
    """What :func:`add_document` wrote (or, with ``dry_run``, would write)."""

    document_id: str
    author_id: str
    author_created: bool
    char_count: int
    segments: int
    paragraphs: int
    text_sha256: str

    def __str__(self) -> str:
        author = f"new author actor {self.author_id}" if self.author_created else f"author {self.author_id}"
        return (f"{self.document_id}: {self.char_count} characters, {self.segments} segments "
                f"({self.paragraphs} paragraphs); {author}")


def slug(value: str) -> str:
    """A lower-case ASCII slug (``Maxime Marquette`` -> ``maxime-marquette``); accents are dropped."""
    words = re.sub(r"[\W_]+", " ", value)  # apostrophes and dashes separate words: l’Alaska -> l alaska
    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def default_document_id(author_id: str, year: int, title: str) -> str:
    """``<author's last name>-<year>-<first two title words of 4 letters or more>`` (the release's pattern)."""
    words = [w for w in slug(title).split("-") if len(w) >= 4][:2]
    return "-".join([author_id.split("-")[-1], str(year), *words])


def _text_of(source: str | bytes | Path, where: str) -> tuple[str, bytes]:
    try:
        if isinstance(source, (bytes, Path)):
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
            return read_text(data, where), data
        check_text(source, where)
        return source, source.encode("utf-8")
    except InvalidText as exc:
        raise RefusedDocument(f"{where}: {exc.errors[0].message}; nothing was written", exc.errors) from None


def add_document(dataset: str | Path, source: str | bytes | Path, *, author: str, language: str, rights: str,
                 author_id: str | None = None, title: str | None = None, publisher: str | None = None,
                 url: str | None = None, published: str | dt.date | None = None,
                 written_between: tuple[str | dt.date, str | dt.date] | None = None, date_basis: str | None = None,
                 document_id: str | None = None, dry_run: bool = False) -> AddedDocument:
    """Add one document to the dataset folder ``dataset``; see the module's documentation.

    ``source`` is a file (a :class:`~pathlib.Path`), its bytes, or the text itself (a ``str``). Give either
    ``published`` (the day) or ``written_between`` (the first and last possible day) with ``date_basis`` (why
    that window). ``author_id`` defaults to the author's name as a slug; ``title`` to the text's first line;
    ``document_id`` to :func:`default_document_id`. :class:`~stancetrack.errors.RefusedDocument` (one line)
    when the text cannot be added as it is or is already in the dataset; :class:`~stancetrack.errors.InvalidData`
    when the metadata break the schema (a malformed language tag, ...); :class:`~stancetrack.errors.DatasetNotFound`
    when ``dataset`` is not a dataset folder (a document is added to an existing dataset, e.g. a copy of the
    release, never to a new folder). With ``dry_run`` every check is made and nothing is written.
    """
    where = str(source) if isinstance(source, Path) else "the text"
    if (published is None) == (written_between is None):
        raise RefusedDocument("give either the publication day or the window in which the text was written")
    if published is not None:
        earliest = latest = parse_day(published, "the publication day")
        basis = date_basis or PUBLISHED_BASIS
    else:
        earliest, latest = (parse_day(day, "the window's day") for day in written_between)
        if not date_basis or not date_basis.strip():
            raise RefusedDocument("a window of days needs its reason: say why the text was written in it "
                                  "(the date basis)")
        basis = date_basis
    if latest < earliest:
        raise RefusedDocument(f"the window ends ({latest}) before it starts ({earliest})")
    read_manifest(Path(dataset))  # DatasetNotFound: a document goes into an existing dataset, never a new folder
    text, data = _text_of(source, where)
    digest = hashlib.sha256(data).hexdigest()
    title = title if title is not None else text.lstrip().split("\n", 1)[0].strip()
    author_id = author_id or slug(author)
    document_id = document_id or default_document_id(author_id, earliest.year, title)
    with transaction(dataset, dry_run=dry_run) as tx:
        for doc in tx.arrow("documents").select(["document_id", "text_sha256"]).to_pylist():
            if doc["text_sha256"] == digest:
                raise RefusedDocument(f"{where}: this text is already in the dataset as {doc['document_id']!r} "
                                      f"(SHA-256 {digest[:12]}…); nothing was written")
            if doc["document_id"] == document_id:
                raise RefusedDocument(f"{where}: the dataset already has a document {document_id!r}; give "
                                      "another id; nothing was written")
        actors = set(tx.arrow("actors").column("actor_id").to_pylist())
        created = author_id not in actors
        if created:
            tx.append("actors", [{
                "actor_id": author_id, "name": author, "name_fr": author, "kind": "author", "wikidata_qid": None,
                "aliases": [], "description": f"Author of the commentary « {title} »."}])
        first = id_format("segments").number(tx.new_id("segments"))
        rows = segments(text, document_id, first=first)
        tx.append("documents", [{
            "document_id": document_id, "title": title, "author": author, "author_id": author_id,
            "language": language, "published_earliest": earliest.isoformat(), "published_latest": latest.isoformat(),
            "date_basis": basis, "source_path": None, "text_sha256": digest, "char_count": len(text),
            "publisher": publisher, "url": url, "rights": rights, "text": text}])
        tx.append("segments", rows)
    return AddedDocument(document_id, author_id, created, len(text), len(rows),
                         sum(r["kind"] == "paragraph" for r in rows), digest)


__all__ = ["AddedDocument", "PUBLISHED_BASIS", "add_document", "default_document_id", "slug"]
