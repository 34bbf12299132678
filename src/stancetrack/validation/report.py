"""The result of a validation: every problem found, as error records."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from ..errors import ErrorRecord

COLUMNS = ["table", "row", "id", "field", "code", "message", "value"]


@dataclass
class Report:
    """Every problem found; valid when there is none."""

    errors: list[ErrorRecord] = field(default_factory=list)
    tables_checked: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def extend(self, errors: Iterable[ErrorRecord]) -> None:
        self.errors.extend(errors)

    def to_frame(self) -> pd.DataFrame:
        """One row per error: table, row (0-based position), id, field, code, message, value."""
        frame = pd.DataFrame([e.to_dict() for e in self.errors], columns=COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def to_json(self) -> str:
        return json.dumps({"valid": self.valid, "tables": self.tables_checked,
                           "errors": [e.to_dict() for e in self.errors]},
                          ensure_ascii=False, indent=2, default=str)

    def codes(self) -> list[str]:
        return [e.code for e in self.errors]

    def __str__(self) -> str:
        if self.valid:
            return f"valid: {len(self.tables_checked)} tables, no errors"
        return "\n".join(str(e) for e in self.errors)
