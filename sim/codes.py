"""Event codes used by GDELT/ICEWS-style event data, so logs can be compared with them.

CAMEO (Conflict and Mediation Event Observations): 161 "reduce or break diplomatic relations"
covers expulsions, withdrawals, closures and staff cuts; 1313 "threaten to reduce or break
relations"; 050 "engage in diplomatic cooperation" for returns and lifted measures; 054 "grant
diplomatic recognition" for reopened posts; 010 "make statement". PLOVER (the successor
ontology): SANCTION with mode ``expel`` (the act forces the other side's people out) or
``withdraw`` (a side pulls its own people or services), THREATEN, RETREAT (easing a sanction).
"""

from __future__ import annotations

# act kind -> (CAMEO code, PLOVER category, PLOVER mode)
CODES: dict[str, tuple[str, str, str]] = {
    "expel": ("161", "SANCTION", "expel"),
    "cap": ("161", "SANCTION", "expel"),
    "rotation_limit": ("161", "SANCTION", "expel"),
    "close_post": ("161", "SANCTION", "expel"),
    "local_hire_ban": ("161", "SANCTION", "expel"),
    "close_compound": ("161", "SANCTION", "expel"),
    "close_own_post": ("161", "SANCTION", "withdraw"),
    "recall_ambassador": ("161", "SANCTION", "withdraw"),
    "cut_services": ("161", "SANCTION", "withdraw"),
    "visa_deny": ("161", "SANCTION", "withdraw"),
    "visa_one_for_one": ("161", "SANCTION", "withdraw"),
    "threaten": ("1313", "THREATEN", ""),
    "return_ambassador": ("050", "RETREAT", ""),
    "lift_cap": ("050", "RETREAT", ""),
    "lift_expulsions": ("050", "RETREAT", ""),
    "lift_rotation_limit": ("050", "RETREAT", ""),
    "lift_local_hire_ban": ("050", "RETREAT", ""),
    "visa_issue": ("050", "RETREAT", ""),
    "reopen_post": ("054", "RETREAT", ""),
    "reopen_own_post": ("054", "RETREAT", ""),
    "statement": ("010", "", ""),
}


def codes_for(kind: str, visa_policy: str | None = None) -> tuple[str, str, str]:
    """``(cameo, plover, plover_mode)`` for an act kind (visa acts by their new terms)."""
    if kind == "visa_policy":
        kind = f"visa_{visa_policy}"
    return CODES[kind]
