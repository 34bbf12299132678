"""Enumerations as categories in the tools that cannot take them from the Parquet files alone.

Every enumeration is stored as an Arrow dictionary column, which polars reads as ``Categorical`` and pandas as
``category``. Two readers drop it to text: duckdb (Parquet has no categorical type; the dictionary is only
Arrow's own schema, which duckdb's reader does not use) and Hugging Face ``datasets`` (its ``ClassLabel``
feature cannot be cast from a dictionary column, so the card cannot declare one). For those, this module gives
the types from the JSON Schemas' ``enum`` lists, in the schema's order:

- :func:`duckdb_select`: a ``SELECT`` reading a table's Parquet file with each enumeration cast to a DuckDB
  ``ENUM`` (a value outside the enumeration makes the query fail);
- :func:`hf_features`: the table's ``datasets.Features``, enumerations as ``ClassLabel``, for
  ``load_dataset(folder, table)["train"].cast(hf_features(table))``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import MissingExtra
from .metadata.columns import Column, columns
from .schemas import table_schema


def enumerations(name: str) -> list[Column]:
    """The columns of table ``name`` stored as dictionary columns: the schema's enumerations of text."""
    return [c for c in columns(table_schema(name)) if c.enum and c.kind == "string"]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_select(name: str, path: str | Path) -> str:
    """A DuckDB query reading table ``name`` from the Parquet file ``path``, enumerations as ``ENUM`` types.

    >>> duckdb.sql(duckdb_select("stances", "dataset/stances.parquet"))  # polarity: ENUM('favor', ...)
    """
    casts = [f"CAST({c.name} AS ENUM({', '.join(_sql_text(v) for v in c.enum if v is not None)})) AS {c.name}"
             for c in enumerations(name)]
    replace = f" REPLACE ({', '.join(casts)})" if casts else ""
    return f"SELECT *{replace} FROM read_parquet({_sql_text(str(path))})"


def hf_features(name: str):
    """The Hugging Face ``datasets.Features`` of table ``name``: its Arrow types, enumerations as ``ClassLabel``
    (names in the schema's order). Needs the ``datasets`` package."""
    try:
        import datasets
    except ImportError:
        raise MissingExtra("hf_features needs Hugging Face datasets: pip install datasets") from None
    features = datasets.Features.from_arrow_schema(table_schema(name).arrow_schema().remove_metadata())
    for column in enumerations(name):
        features[column.name] = datasets.ClassLabel(names=[v for v in column.enum if v is not None])
    return features
