"""Layer 4: every span matches the text it points into (the texts are read by :mod:`stancetrack.texts`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..schemas import table_schema
from .compiler import is_text, normalize


def date_window_errors(documents: pa.Table) -> list[ErrorRecord]:
    names = documents.schema.names
    if not {"published_earliest", "published_latest"} <= set(names):
        return []
    early, late = documents.column("published_earliest"), documents.column("published_latest")
    if not (pa.types.is_date(early.type) and early.type == late.type):
        return []
    ids = documents.column("document_id") if "document_id" in names else pa.nulls(len(early))
    return [ErrorRecord("documents", "date-window", "published_latest is before published_earliest",
                        row=row, id=ids[row].as_py(), field="published_latest", value=late[row].as_py().isoformat())
            for row in pc.indices_nonzero(pc.fill_null(pc.less(late, early), False)).to_pylist()]


def _ints(column) -> np.ndarray | None:
    return column.to_numpy(zero_copy_only=False) if pa.types.is_integer(column.type) else None


def table_span_errors(name: str, batch: pa.Table | pa.RecordBatch, texts: dict[str, str],
                      offset: int = 0) -> list[ErrorRecord]:
    """Spans of one batch: end after start, inside the text, and ``quote == text[start:end]``.

    Vectorized: the order and bounds over whole columns, the quotes one document at a time (a loop over the
    documents, not the rows) by comparing UTF-8 bytes gathered from the text at the spans' byte offsets.
    """
    ts = table_schema(name)
    names = batch.schema.names
    if not ts.has_spans or not {"document_id", "start", "end"} <= set(names):
        return []
    needed = ("document_id", "start", "end", "quote") if texts else ("start", "end")  # no text: order only
    column = {c: normalize(batch.column(names.index(c))) for c in needed if c in names}
    starts, ends = _ints(column["start"]), _ints(column["end"])
    if starts is None or ends is None:
        return []
    n = len(starts)
    given = (np.asarray(column["start"].is_valid().to_numpy(zero_copy_only=False), dtype=bool)
             & np.asarray(column["end"].is_valid().to_numpy(zero_copy_only=False), dtype=bool))
    starts, ends = np.where(given, starts, 0).astype(np.int64), np.where(given, ends, 0).astype(np.int64)
    order = given & (ends <= starts)
    lengths = np.full(n, -1, dtype=np.int64)
    doc_ids = column.get("document_id")
    if doc_ids is not None and is_text(doc_ids.type):
        known = [d for d in texts if isinstance(d, str)]
        where = pc.index_in(doc_ids, value_set=pa.array(known, pa.string())).to_numpy(zero_copy_only=False)
        where = np.nan_to_num(where.astype(np.float64), nan=-1).astype(np.int64)
        sizes = np.array([len(texts[d]) for d in known] + [-1], dtype=np.int64)
        lengths = sizes[where]
    else:
        where = np.full(n, -1)
    checked = given & ~order & (lengths >= 0)
    outside = checked & ((starts < 0) | (ends > lengths))
    mismatch = np.zeros(n, dtype=bool)
    if "quote" in column and pa.types.is_string(column["quote"].type):
        quotes = column["quote"]
        candidates = checked & ~outside & np.asarray(quotes.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        for doc in np.unique(where[candidates]).tolist():
            rows = np.flatnonzero(candidates & (where == doc))
            mismatch[rows] = _quotes_differ(texts[known[doc]], starts[rows], ends[rows], quotes.take(pa.array(rows)))
    key = batch.column(names.index(ts.key)) if ts.key in names else None
    errors = []
    for row in np.flatnonzero(order | outside | mismatch).tolist():
        row_id = key[row].as_py() if key is not None else None
        start, end = int(starts[row]), int(ends[row])
        where_ = dict(row=offset + row, id=row_id)
        if order[row]:
            errors.append(ErrorRecord(name, "span-order", f"end {end} is not after start {start}",
                                      field="end", value=end, **where_))
        elif outside[row]:
            size = int(lengths[row])
            errors.append(ErrorRecord(name, "span-bounds", f"span {start}:{end} is outside the text (0:{size})",
                                      field="end" if end > size else "start", value=end if end > size else start,
                                      **where_))
        else:
            text = texts[known[where[row]]]
            errors.append(ErrorRecord(name, "quote-mismatch", f"quote differs from the text at {start}:{end}, "
                                      f"which reads {text[start:end][:80]!r}", field="quote",
                                      value=column["quote"][row].as_py(), **where_))
    return errors


def _quotes_differ(text: str, starts: np.ndarray, ends: np.ndarray, quotes: pa.Array,
                   chunk_bytes: int = 1 << 22) -> np.ndarray:
    """For spans inside ``text``: whether each quote differs from ``text[start:end]`` (compared as UTF-8)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    byte_at = np.concatenate([[0], np.cumsum(widths)])
    text_from, text_len = byte_at[starts], byte_at[ends] - byte_at[starts]
    quotes = quotes.cast(pa.large_string())  # 64-bit offsets, whatever came in
    _, offsets_buf, data_buf = quotes.buffers()
    q_offsets = np.frombuffer(offsets_buf, dtype=np.int64)[quotes.offset:quotes.offset + len(quotes) + 1]
    q_data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    q_from, q_len = q_offsets[:-1], np.diff(q_offsets)
    differ = text_len != q_len
    same_len = np.flatnonzero(~differ & (q_len > 0))
    start = 0
    while start < len(same_len):
        stop = start + 1
        budget = q_len[same_len[start]]
        while stop < len(same_len) and budget + q_len[same_len[stop]] <= chunk_bytes:
            budget += q_len[same_len[stop]]
            stop += 1
        rows = same_len[start:stop]
        lens = q_len[rows]
        owner = np.repeat(np.arange(len(rows)), lens)
        within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        unequal = data[np.repeat(text_from[rows], lens) + within] != q_data[np.repeat(q_from[rows], lens) + within]
        differ[rows[np.unique(owner[unequal])]] = True
        start = stop
    return differ
