"""The report's colours, defined once: the figures (:mod:`.figures`) and the HTML page (:mod:`.htmlreport`) both
read them from here.

Data colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), whose eight colours stay
distinct for readers with the common forms of colour blindness; the neutral greys carry text, rules and grids.
"""

from __future__ import annotations

#: The Okabe–Ito colours by name.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
#: Neutral tones for text, secondary text, rules, grids, panels and what carries no data.
INK, MUTED, FAINT = "#1a1a1a", "#555555", "#999999"
RULE, GRID, PANEL, WHITE = "#dddddd", "#eeeeee", "#f4f4f4", "#ffffff"

#: A stance's polarity.
POLARITY_COLOURS = {"favor": OKABE_ITO["blue"], "against": OKABE_ITO["vermillion"], "neutral": FAINT,
                    "mixed": OKABE_ITO["reddish purple"]}
#: A prediction's status as of a day (``overdue``: resolve_by passed without a settling check).
STATUS_COLOURS = {"true": OKABE_ITO["bluish green"], "false": OKABE_ITO["vermillion"], "partial": OKABE_ITO["orange"],
                  "annulled": FAINT, "ambiguous": OKABE_ITO["reddish purple"], "pending": OKABE_ITO["sky blue"],
                  "overdue": OKABE_ITO["yellow"], "unchecked": WHITE}
#: Statuses whose badge carries white text (the others are light enough for dark text).
DARK_STATUSES = frozenset({"true", "false", "ambiguous", "annulled"})
#: The outline that marks an overdue prediction on the timeline (and its badge).
OVERDUE_EDGE = OKABE_ITO["black"]
#: A prediction's modality, as a marker shape.
MODALITY_MARKERS = {"asserted": "o", "hedged": "s", "conditional": "D"}
#: Scores and calibration: the observed frequencies, their intervals and the histogram of scored predictions.
SCORE_COLOUR, SCORE_LIGHT, REFERENCE = OKABE_ITO["blue"], OKABE_ITO["sky blue"], OKABE_ITO["orange"]


def badge_text(status: str) -> str:
    """The text colour of a status badge."""
    return WHITE if status in DARK_STATUSES else INK
