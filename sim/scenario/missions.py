"""A scenario's missions: each side's posts, staff, targets and tours in a host's capital, and
the host's visa terms for them.

With two sides a mission is written inside its side (``sides[i].mission``: the side's mission
in the other's capital); with more, the scenario lists them under ``missions:``, each a
``(sender, host)`` pair (:class:`MissionEntry`), and a host's visa terms may differ per sender.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from sim.core.dated_acts import MAX_SIZE, Int, Name, Role, VisaPolicy
from sim.core.events import ROLES
from sim.infra.errors import field_error
from sim.infra.later_fields import WithLaterFields

MAX_HORIZON_DAYS = 36_525  # a century
#: Posts in one mission: the largest real ones have a few dozen (embassy, consulates, offices).
MAX_POSTS = 200
#: People in one mission, counting every post (the largest missions in history held a few
#: thousand; 100,000 runs, slowly, and fits in memory).
MAX_MISSION_STAFF = 100_000
#: Missions in one scenario: 30 states each with a mission in every other's capital is 870.
MAX_MISSIONS = 1_000


def _as_range(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    return value


#: Days as one number or ``[min, max]`` (a number n means [n, n]).
DayRange = Annotated[
    tuple[Int, Int],
    BeforeValidator(_as_range),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {
                    "type": "array",
                    "prefixItems": [{"type": "integer"}, {"type": "integer"}],
                    "minItems": 2,
                    "maxItems": 2,
                },
            ]
        }
    ),
]


def _check_range(value: tuple[int, int], low: int = 0) -> tuple[int, int]:
    if value[0] < low or value[1] > MAX_HORIZON_DAYS:
        raise ValueError(f"days must lie between {low} and {MAX_HORIZON_DAYS}")
    if value[0] > value[1]:
        raise ValueError(f"range [{value[0]}, {value[1]}] runs backwards")
    return value


class Staffing(BaseModel):
    """Headcount by role at one post."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    diplomat: Int = Field(0, ge=0, le=MAX_SIZE)
    admin_technical: Int = Field(0, ge=0, le=MAX_SIZE)
    local: Int = Field(0, ge=0, le=MAX_SIZE)

    def by_role(self) -> dict[str, int]:
        return {role: getattr(self, role) for role in ROLES}


_DEFAULT_TOURS = {"diplomat": (730, 1095), "admin_technical": (730, 1095), "local": (1825, 3650)}


#: The roles whose replacements need a visa, so may be requested ahead (locals are hired at once).
VISA_ROLES = ("diplomat", "admin_technical")


class MissionConfig(WithLaterFields):
    """A side's mission in the other's capital: posts, staff, targets and tours."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    LATER = frozenset({"request_lead_days"})

    posts: dict[Name, Staffing] = Field(
        description="staff present on the start date, per post", max_length=MAX_POSTS
    )
    targets: dict[Name, Staffing] | None = Field(
        None, description="wanted staffing per post (default: the starting staff)", max_length=MAX_POSTS
    )
    tour_days: dict[Role, DayRange] = Field(
        default_factory=lambda: dict(_DEFAULT_TOURS),
        description="tour length per role, a number or [min, max] drawn uniformly",
    )
    travel_days: Int = Field(14, ge=0, le=365, description="from visa to arrival")
    request_lead_days: dict[Role, Int] = Field(
        default_factory=dict,
        description=(
            "per role, how many days before a tour ends its replacement's visa is requested "
            "(default: when the post falls vacant); the run then opens with the requests of the "
            "staff whose tours end within that lead already in flight"
        ),
    )

    @field_validator("request_lead_days")
    @classmethod
    def _leads(cls, value: dict[str, int]) -> dict[str, int]:
        for role, days in value.items():
            if role not in VISA_ROLES:
                raise field_error(role, "locals are hired on the day a post falls vacant: no lead")
            if not 1 <= days <= MAX_HORIZON_DAYS:
                raise field_error(role, f"a lead must lie between 1 and {MAX_HORIZON_DAYS} days")
        return value

    @field_validator("tour_days")
    @classmethod
    def _tours(cls, value: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for role in value:
            try:
                _check_range(value[role], low=1)
            except ValueError as exc:
                raise field_error(role, str(exc)) from None
        return {**_DEFAULT_TOURS, **value}

    @model_validator(mode="after")
    def _posts(self) -> MissionConfig:
        if "embassy" not in self.posts:
            raise field_error("posts", "posts must include 'embassy'")
        if self.targets is not None:
            unknown = set(self.targets) - set(self.posts)
            if unknown:
                raise field_error("targets", f"targets name posts that do not exist: {sorted(unknown)}")
        for field in ("posts", "targets"):
            total = sum(sum(staff.by_role().values()) for staff in (getattr(self, field) or {}).values())
            if total > MAX_MISSION_STAFF:
                message = f"{total:,} people in one mission; the limit is {MAX_MISSION_STAFF:,}"
                raise field_error(field, message)
        return self

    def expected_events(self, days: int) -> int:
        """About how many events this mission records over ``days``: each person's arrival and
        departure, and a replacement (request, visa, arrival, departure) per tour that ends."""
        total = 0.0
        for role in ROLES:
            people = max(sum(getattr(self.target(post), role) for post in self.posts), 0)
            low, high = self.tour_days[role]
            total += people * (2 + 4 * days / max((low + high) / 2, 1))
        return int(total)

    def target(self, post: str) -> Staffing:
        if self.targets is not None and post in self.targets:
            return self.targets[post]
        return self.posts[post]


class VisaConfig(WithLaterFields):
    """How this side answers the other side's visa requests."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    LATER = frozenset({"processing_days_by_post"})

    policy: VisaPolicy = "issue"
    credit: Int = Field(0, ge=0, le=MAX_SIZE, description="one_for_one: visas granted in advance")
    processing_days: DayRange = Field((30, 60), description="days to decide, [min, max]")
    processing_days_by_post: dict[Name, DayRange] = Field(
        default_factory=dict,
        max_length=MAX_POSTS,
        description=(
            "days to decide requests for these posts, [min, max] (a UN mission under a "
            "headquarters agreement, say); other posts take processing_days"
        ),
    )

    @field_validator("processing_days")
    @classmethod
    def _processing(cls, value: tuple[int, int]) -> tuple[int, int]:
        return _check_range(value)

    @field_validator("processing_days_by_post")
    @classmethod
    def _processing_by_post(cls, value: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for post, days in value.items():
            try:
                _check_range(days)
            except ValueError as exc:
                raise field_error(post, str(exc)) from None
        return value


class MissionEntry(MissionConfig):
    """One mission of a scenario with more than two sides: ``sender``'s mission in ``host``'s
    capital, and (optionally) the host's visa terms for it, else the host's own ``visas``."""

    sender: Name
    host: Name
    visas: VisaConfig | None = Field(None, description="the host's terms for this sender's requests")
