"""A scenario's sides: each state's policy (validated by its own parameter model, built-in or
plugin), timing and noise, and its default visa terms.

The policy field is a tagged union of every registered policy's parameters, keyed by ``kind``;
installed plugins and ``file:`` policies are looked up when a scenario names them.
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
    field_validator,
)

from sim.core.dated_acts import Int, Name
from sim.infra.errors import field_error
from sim.policies import (
    BUILTIN_KINDS,
    REGISTRY,
    PluginError,
    Policy,
    PolicyParams,
    UnknownPolicy,
    policy_class,
    registry,
)
from sim.policies.plugins import absolute_file_kind, is_file_kind
from sim.scenario.missions import DayRange, MissionConfig, VisaConfig, _check_range


@cache
def config_model(cls: type[Policy], kind: str) -> type[PolicyParams]:
    """``cls``'s parameters plus ``kind: Literal[kind]``: what a scenario's ``policy:`` holds.
    The model knows its policy class (``policy_class``), so building the policy needs no
    second lookup (and a ``file:`` policy no second import)."""
    model = create_model(
        f"{cls.__name__}Config",
        __base__=cls.Params,
        __doc__=(cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else None,
        kind=(Literal[kind], ...),
    )
    model.policy_class = cls  # type: ignore[attr-defined]
    return model


def _plugin_policies(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """Policies the tagged union of built-in ones cannot know in advance.

    Installed plugins are looked up when a scenario names one (they load on first use);
    ``file:`` kinds are loaded here, the path relative to the scenario's folder (passed as the
    ``base_dir`` context), and stored with an absolute path, so the validated scenario means
    the same from any directory. A plugin that failed to load says why.
    """
    kind = value.get("kind") if isinstance(value, dict) else None
    if not isinstance(kind, str) or kind in BUILTIN_KINDS:
        return handler(value)
    base = (info.context or {}).get("base_dir")
    try:
        cls = policy_class(kind, base)
    except UnknownPolicy:
        known = ", ".join(repr(name) for name in registry())
        guess = difflib.get_close_matches(kind, list(registry()), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise field_error("kind", f"unknown kind {kind!r} (known: {known}){hint}") from None
    except PluginError as exc:
        raise field_error("kind", str(exc)) from None
    if is_file_kind(kind):
        kind = absolute_file_kind(kind, base)
    return config_model(cls, kind).model_validate({**value, "kind": kind})


@cache
def policy_config_type() -> Any:
    """A tagged union of every registered policy's parameters, keyed by ``kind``, that also
    takes ``file:PATH.py:Class`` kinds."""
    members = [config_model(cls, name) for name, cls in REGISTRY.items() if name in BUILTIN_KINDS]
    return Annotated[
        Union[tuple(members)],  # noqa: UP007
        Field(discriminator="kind"),
        WrapValidator(_plugin_policies),
        PlainSerializer(_dump_policy),
    ]


def _dump_policy(value: BaseModel, info: SerializationInfo) -> dict[str, Any]:
    """Each policy's parameters dumped by its own model (the union above does not list the
    models of ``file:`` policies, so its serializer would guess)."""
    return value.model_dump(
        mode=info.mode,
        by_alias=bool(info.by_alias),
        exclude_none=info.exclude_none,
        exclude_defaults=info.exclude_defaults,
        exclude_unset=info.exclude_unset,
    )


class Timing(BaseModel):
    """When this side answers, whatever its policy: overrides the policy's own timing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    delay_days: DayRange | None = Field(
        None, description="days from the other's act to the answer: a number or [min, max] (>= 1)"
    )
    deadline_days: Int | None = Field(None, ge=0, le=3650, description="deadline the answers set")

    @field_validator("delay_days")
    @classmethod
    def _delay(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return None if value is None else _check_range(value, low=1)


class Noise(BaseModel):
    """Misperception: draws come from the run's keyed randomness, never from the policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    miss: float = Field(0.0, ge=0.0, le=1.0, description="chance an act of the other side goes unnoticed")
    false_alarm: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="chance one's own diplomat leaving at tour end is taken for an expulsion",
    )


class SideConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    mission: MissionConfig | None = Field(
        None, description="with two sides: this side's mission in the other's capital"
    )
    visas: VisaConfig = Field(default_factory=VisaConfig)
    policy: policy_config_type() = Field(  # type: ignore[valid-type]
        default_factory=lambda: {"kind": "none"}, validate_default=True
    )
    timing: Timing = Field(default_factory=Timing)
    noise: Noise = Field(default_factory=Noise)

    def build_policy(self) -> Policy:
        cls: type[Policy] = type(self.policy).policy_class
        return cls(cls.Params(**self.policy.model_dump(exclude={"kind"})))
