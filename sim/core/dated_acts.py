"""Dated acts as users write them in YAML: in scripted policies and in documented logs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    WithJsonSchema,
    model_validator,
)

from sim.core.acts import ACT_KINDS, DEADLINED, POST_KINDS, SELECTION_RULES, ActSpec
from sim.core.events import DEPARTURE_REASONS, ROLES, VISA_POLICIES
from sim.core.kinds import TAKEN_BY
from sim.core.randomness import SEED_LIMIT
from sim.infra.errors import field_error
from sim.infra.later_fields import WithLaterFields

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"


def _check_name(value: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value):
        raise ValueError(f"{value!r} is not a name: up to 32 letters, digits, _ or -, starting with a letter")
    return value


#: A side's or a post's name (checked with a readable message; the pattern is kept for editors).
Name = Annotated[
    str, AfterValidator(_check_name), WithJsonSchema({"type": "string", "pattern": NAME_PATTERN})
]

#: An integer that YAML must spell as one: ``true`` is not 1, ``"5"`` is not 5.
Int = Annotated[int, Strict()]
#: A seed: the one bound of :data:`sim.core.randomness.SEED_LIMIT`.
Seed = Annotated[int, Strict(), Field(ge=0, lt=SEED_LIMIT)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_as_written(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` is a date: pydantic alone would read ``0`` as 1970-01-01 and
    ``2025`` (a year) as 33 minutes past midnight on that day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    shown = "nothing" if value is None else repr(value) if isinstance(value, str) else str(value)
    raise ValueError(f"a date is written YYYY-MM-DD, not {shown}")


#: A calendar date, written ``YYYY-MM-DD`` (an impossible one such as 2022-02-30 is an error).
Date = Annotated[dt.date, BeforeValidator(_date_as_written)]

ActKind = Literal[ACT_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
Rule = Literal[SELECTION_RULES]  # type: ignore[valid-type]
VisaPolicy = Literal[VISA_POLICIES]  # type: ignore[valid-type]

#: No mission in history came near this; a larger number is a typo, not a scenario.
MAX_SIZE = 100_000
#: A visa processing time in days (ten years at most).
Days = Annotated[int, Strict(), Field(ge=0, le=3650)]


class DatedAct(WithLaterFields):
    """One act on a date. ``size``: people (expel, threaten), ceiling (cap), days (rotation_limit).

    The deadline is either absolute (``deadline``) or relative (``deadline_days``); acts of the
    kinds in ``DEADLINED`` without either take effect on the day they are announced.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    LATER = frozenset({"target", "caps", "limit", "posts", "processing_days"})

    id: str | None = None
    date: Date
    kind: ActKind
    size: Int = Field(1, ge=0, le=MAX_SIZE)
    deadline: Date | None = None
    deadline_days: Int | None = Field(None, ge=0, le=3650)
    roles: tuple[Role, ...] | None = None
    rule: Rule = "longest_serving"
    replaceable: bool = False
    post: Name | None = None
    visa_policy: VisaPolicy | None = None
    credit: Int = Field(0, ge=0, le=MAX_SIZE)
    threat: ActKind = "expel"
    note: str = ""
    target: Name | None = Field(None, description="whom the act is against (with two sides: the other)")
    caps: dict[Role, Annotated[int, Strict(), Field(ge=0, le=MAX_SIZE)]] | None = Field(
        None, description="cap: the ceiling of each role (then the cap is their sum, over their roles)"
    )
    limit: Int | None = Field(
        None, ge=0, le=MAX_SIZE, description="local_hire_ban: the locals the mission may keep (default 0)"
    )
    posts: tuple[Name, ...] | None = Field(
        None, description="expel, rotation_limit, visa_processing: the posts it binds (default: all)"
    )
    processing_days: tuple[Days, Days] | Days | None = Field(
        None, description="visa_processing: the host's new processing time, days or [min, max]"
    )

    @model_validator(mode="after")
    def _scoped_fields(self) -> DatedAct:
        """``caps``, ``limit`` and ``posts`` belong to one or two kinds each; elsewhere they
        would be ignored silently, so they are errors."""
        for name, kinds in TAKEN_BY.items():
            if getattr(self, name) is not None and self.kind not in kinds:
                raise field_error(name, f"{name} is for {' and '.join(kinds)} acts, not {self.kind}")
        if self.caps is not None:
            if not self.caps:
                raise field_error("caps", "caps names at least one role")
            if "size" in self.model_fields_set or self.roles is not None:
                raise field_error("caps", "caps gives each role's ceiling: leave size and roles out")
        if self.kind == "visa_processing" and self.processing_days is None:
            raise field_error("processing_days", "a visa_processing act needs processing_days")
        low, high = self.processing()
        if low > high:
            raise field_error("processing_days", f"[{low}, {high}]: the minimum is above the maximum")
        if self.posts is not None and (not self.posts or len(set(self.posts)) < len(self.posts)):
            raise field_error("posts", "posts lists each post at least once and none twice")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> DatedAct:
        if self.deadline is not None and self.deadline < self.date:
            raise field_error("deadline", f"deadline {self.deadline} is before the act's date {self.date}")
        if self.deadline is not None and self.deadline_days is not None:
            raise field_error("deadline_days", "give deadline or deadline_days, not both")
        if self.kind in POST_KINDS and not self.post:
            raise field_error("post", f"a {self.kind} act needs a post")
        if self.kind == "visa_policy" and self.visa_policy is None:
            raise field_error(
                "visa_policy", "a visa_policy act needs visa_policy: issue, deny or one_for_one"
            )
        if self.kind in ("expel", "rotation_limit") and self.size < 1:
            article = "an" if self.kind == "expel" else "a"
            raise field_error("size", f"{article} {self.kind} act needs size >= 1")
        return self

    def processing(self) -> tuple[int, int]:
        """``processing_days`` as ``(min, max)`` (a number is both)."""
        days = self.processing_days
        if days is None:
            return (0, 0)
        return (days, days) if isinstance(days, int) else (days[0], days[1])

    def deadline_after(self) -> int:
        """Days from the announcement to the deadline."""
        if self.deadline is not None:
            return (self.deadline - self.date).days
        if self.deadline_days is not None:
            return self.deadline_days
        return 0

    def spec(self) -> ActSpec:
        caps = tuple((role, self.caps[role]) for role in ROLES if role in self.caps) if self.caps else ()
        return ActSpec(
            kind=self.kind,
            size=sum(n for _, n in caps) if caps else self.size,
            deadline_days=self.deadline_after() if self.kind in DEADLINED or self.deadline else 0,
            roles=tuple(role for role, _ in caps) if caps else self.roles,
            rule=self.rule,
            replaceable=self.replaceable,
            post=self.post,
            visa_policy=self.visa_policy,
            credit=self.credit,
            threat=self.threat,
            note=self.note,
            target=self.target,
            role_caps=caps,
            local_limit=self.limit or 0,
            posts=self.posts or (),
            processing=self.processing(),
        )


def posts_problem(act: DatedAct, target_posts: Sequence[str]) -> str | None:
    """Why ``act``'s ``posts`` cannot bind the target's mission (a post it lacks), or ``None``:
    an expulsion of a post that does not exist would silently take nobody."""
    missing = [post for post in act.posts or () if post not in target_posts]
    if missing:
        return f"the target's mission has no post {missing[0]!r} (its posts: {', '.join(target_posts)})"
    return None


def dated_fields(spec: ActSpec) -> dict[str, Any]:
    """The fields of a :class:`DatedAct` whose ``spec()`` is ``spec`` (less its date): what a
    policy's answer is checked against, by the same rules as a scenario's acts."""
    fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(ActSpec)}
    role_caps, limit, posts = fields.pop("role_caps"), fields.pop("local_limit"), fields.pop("posts")
    processing = fields.pop("processing")
    if spec.kind == "visa_processing":
        fields["processing_days"] = processing
    if role_caps:
        fields.pop("size")
        fields.pop("roles")
        fields["caps"] = dict(role_caps)
    if limit:
        fields["limit"] = limit
    if posts:
        fields["posts"] = posts
    return fields


class SideAct(DatedAct):
    """An exogenous act written into a scenario: who does it, and to whom (with two sides the
    target may be left out: it is the other side)."""

    LATER = DatedAct.LATER | {"coalition"}
    actor: str
    source: str | None = None
    coalition: Name | None = Field(None, description="the joint announcement this act is part of")


class DocumentedAct(DatedAct):
    """A real act: who did it to whom, its citation, and the acts it answered."""

    LATER = DatedAct.LATER | {"coalition"}

    actor: str
    target: str
    source: str = Field(min_length=1)
    in_response_to: tuple[str, ...] = ()
    resolution: str | None = None  # how a vague date or size in the source was resolved
    coalition: Name | None = Field(None, description="the joint announcement this act is one actor's part of")


#: What a reported figure is: a headcount (``count``), a bound on one (``at_least``,
#: ``at_most``), a ceiling ordered (``target``: a cap is not a count, the mission may stand
#: below it) or people who left between ``since`` and ``date`` (``flow``).
OBSERVATION_KINDS: tuple[str, ...] = ("count", "at_least", "at_most", "target", "flow")
ObservationKind = Literal[OBSERVATION_KINDS]  # type: ignore[valid-type]
Reason = Literal[DEPARTURE_REASONS]  # type: ignore[valid-type]


class Observation(WithLaterFields):
    """A reported figure, with its scope: which posts and roles it counts and what kind of
    figure it is. The defaults (every post, every role, a count) are what a figure without a
    scope always meant, so logs written before scopes existed read as they did."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    LATER = frozenset({"host", "posts", "roles", "kind", "since", "reasons"})

    date: Date
    mission: str
    host: str | None = Field(None, description="the mission's host (needed with more than two sides)")
    headcount: Int = Field(ge=0, le=MAX_SIZE)
    approximate: bool = True
    source: str = Field(min_length=1)
    note: str = ""
    posts: tuple[Name, ...] | None = Field(None, description="the posts counted (default: every post)")
    roles: tuple[Role, ...] | None = Field(None, description="the roles counted (default: every role)")
    kind: ObservationKind = Field("count", description="count, at_least, at_most, target or flow")
    since: Date | None = Field(None, description="flow: the first day of the period counted")
    reasons: tuple[Reason, ...] | None = Field(
        None, description="flow: the departure reasons counted (default: every reason)"
    )

    @model_validator(mode="after")
    def _scoped(self) -> Observation:
        if self.kind == "flow" and self.since is None:
            raise field_error("since", "a flow counts departures from a date: give since")
        if self.kind != "flow" and self.since is not None:
            raise field_error("since", f"only a flow has a period (this figure is a {self.kind})")
        if self.kind != "flow" and self.reasons is not None:
            raise field_error(
                "reasons", f"only a flow counts departures by reason (this figure is a {self.kind})"
            )
        if self.since is not None and self.since > self.date:
            raise field_error("since", f"since {self.since} is after the figure's date {self.date}")
        for name, values in (("posts", self.posts), ("roles", self.roles), ("reasons", self.reasons)):
            if values is not None and (not values or len(set(values)) < len(values)):
                raise field_error(name, f"{name} lists each at least once and none twice")
        return self

    def scope(self) -> str:
        """The scope in words, as ``sim score`` prints it: posts, then roles."""
        posts = "+".join(self.posts) if self.posts else "all posts"
        roles = "+".join(self.roles) if self.roles else "all roles"
        if self.reasons:
            return f"{posts}; {roles}; left: {'+'.join(self.reasons)}"
        return f"{posts}; {roles}"
