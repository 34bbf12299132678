"""Which JSON Schema ``format``s are checked, pinned so the verdict does not depend on what else is installed.

jsonschema checks a format only when a checker for it is registered, and some checkers register themselves
only when an optional library imports: ``uri`` needs ``rfc3987`` or ``rfc3986-validator``. Left to its
defaults, the same data would be valid on one machine and invalid on another. stancetrack therefore builds
its own :class:`~jsonschema.FormatChecker` with exactly the formats below, for both engines:

- ``date``: checked. A string must match ``^[0-9]{4}-[0-9]{2}-[0-9]{2}$`` (ASCII digits, no trailing
  newline) and be a real calendar day for :meth:`datetime.date.fromisoformat` (year 0001–9999, month 01–12,
  day within the month, 29 February only in leap years). Arrow ``date32`` values are dates already.
- ``uri``: not checked (an annotation only), as jsonschema does when neither optional library is installed.
  A URL's shape is left to the people who record it; nothing in the package decides it.
"""

from __future__ import annotations

from jsonschema import FormatChecker

#: The formats the validation engines check; every other ``format`` is an annotation.
CHECKED_FORMATS: tuple[str, ...] = ("date",)

#: The format checker both engines use (jsonschema's own ``date`` checker, nothing optional).
FORMAT_CHECKER = FormatChecker(formats=CHECKED_FORMATS)

#: The ``date`` pattern jsonschema applies before :meth:`datetime.date.fromisoformat` (RE2 and ``re`` alike).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
