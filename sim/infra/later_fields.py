"""Fields added to a file format after its first release, kept out of content hashes while unset.

A scenario's hash is a run's identity and what a sweep resumes by; a release that adds a field
to a scenario, an act or a documented log must not change the hash of every file written
before it. A model lists such fields in ``LATER``; dumped with ``HASHING`` as the context, a
later field that holds its default is left out, so the dump is the one the release before
wrote. Old fields stay in whatever their value: only names listed by their own model go.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

#: The serialization context of a dump taken for a hash (``model_dump(context=HASHING)``).
HASHING = {"hashing": True}


class WithLaterFields(BaseModel):
    """A model whose ``LATER`` fields are left out of a hash's dump while at their default."""

    LATER: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _without_unset_later_fields(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        if not (self.LATER and isinstance(data, dict) and info.context and info.context.get("hashing")):
            return data
        fields = type(self).model_fields
        for name in self.LATER:
            if name in data and getattr(self, name) == fields[name].get_default(call_default_factory=True):
                del data[name]
        return data
