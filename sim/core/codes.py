"""Event codes used by GDELT/ICEWS-style event data, so logs can be compared with them.

Each act kind has one CAMEO code; its PLOVER category, mode and context are then read from
the official CAMEO-to-PLOVER correspondence (PLOVER's ``CAMEO2PLOVER`` table, 2021), never
chosen per kind. That keeps the two columns of a row from two rows of the table (an
expulsion once came out as CAMEO 161 "reduce relations" with PLOVER's ``expel`` mode, which
belongs to 166).

The CAMEO codes used:

* 166 "expel or withdraw": an expulsion of the other side's diplomats;
* 161 "reduce or break diplomatic relations": every other measure that cuts the other side's
  mission (caps, rotation limits, closures, a local-hire ban, visa restrictions) or one's own
  presence (recalling an ambassador, closing one's own post, cutting services);
* 1313 "threaten to reduce or break relations";
* 050 "engage in diplomatic cooperation": returns and lifted measures;
* 054 "grant diplomatic recognition": reopened posts;
* 010 "make statement": PLOVER has no category for statements (the table starts at 03), so
  its PLOVER columns are empty.
"""

from __future__ import annotations

from sim.core.kinds import CAMEO as KINDS_CAMEO

#: CAMEO code -> (PLOVER category, mode, context), the rows of the official table in use.
CAMEO_TO_PLOVER: dict[str, tuple[str, str, str]] = {
    "010": ("", "", ""),
    "050": ("SUPPORT", "", "diplomatic"),
    "054": ("SUPPORT", "", "diplomatic"),
    "1313": ("THREATEN", "relations", "diplomatic"),
    "161": ("SANCTION", "withdraw", "diplomatic"),
    "166": ("SANCTION", "expel", "diplomatic"),
}

#: observed act kind -> CAMEO code (from the kind table)
CAMEO: dict[str, str] = KINDS_CAMEO

# act kind -> (CAMEO code, PLOVER category, PLOVER mode), derived from the two tables above
CODES: dict[str, tuple[str, str, str]] = {
    kind: (code, *CAMEO_TO_PLOVER[code][:2]) for kind, code in CAMEO.items()
}


def codes_for(kind: str, visa_policy: str | None = None) -> tuple[str, str, str]:
    """``(cameo, plover, plover_mode)`` for an act kind (visa acts by their new terms)."""
    if kind == "visa_policy":
        kind = f"visa_{visa_policy}"
    return CODES[kind]


def plover_context(kind: str, visa_policy: str | None = None) -> str:
    """PLOVER's context column for an act kind (``diplomatic`` for every coded act here)."""
    if kind == "visa_policy":
        kind = f"visa_{visa_policy}"
    return CAMEO_TO_PLOVER[CAMEO[kind]][2]
