"""What crosses the wire between an outlet and the district (validated by pydantic)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)

from ewarung.fields import whole

#: events in one push; an outlet sends more in several pushes
MAX_BATCH = 500
#: bytes of one push's body
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_SEQ = 2**62
#: events dated outside these years are refused (a clock set to 1970 or 2100)
EARLIEST = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
LATEST = datetime.fromisoformat("2099-12-31T23:59:59+00:00")

Seq = Annotated[int, whole(1, MAX_SEQ)]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,59}$")]


class EventIn(BaseModel):
    """One event as an outlet's outbox sends it."""

    model_config = ConfigDict(extra="allow")

    seq: Seq
    id: uuid.UUID
    kind: Kind
    schema_version: Annotated[int, whole(1, 1000)]
    occurred_at: AwareDatetime
    payload: dict[str, Any]

    @model_validator(mode="after")
    def _storable_extras(self) -> EventIn:
        problem = unstorable(dict(self.model_extra or {}))
        if problem:
            raise ValueError(problem)
        return self

    @field_validator("occurred_at")
    @classmethod
    def _a_plausible_moment(cls, value: datetime) -> datetime:
        if not EARLIEST <= value <= LATEST:
            raise ValueError("occurred_at must fall between 2000 and 2099")
        return value

    @field_validator("payload")
    @classmethod
    def _storable(cls, value: dict[str, Any]) -> dict[str, Any]:
        problem = unstorable(value)
        if problem:
            raise ValueError(problem)
        return value


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why PostgreSQL's JSONB would refuse `value` (NUL in text, NaN, too deep), or None."""
    if depth > 32:
        return "payload nested deeper than 32 levels"
    if isinstance(value, str):
        return "text holds a NUL character" if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else "numbers must be finite"
    if isinstance(value, dict):
        for k, v in value.items():
            found = unstorable(k, depth + 1) or unstorable(v, depth + 1)
            if found:
                return found
    if isinstance(value, list):
        for v in value:
            found = unstorable(v, depth + 1)
            if found:
                return found
    return None


class IngestIn(BaseModel):
    """A batch of one outlet's events (the outlet is the key's, never the body's)."""

    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)
    #: the outlet's clock when it sent the batch (for the skew the district records)
    sent_at: AwareDatetime | None = None


class IngestOut(BaseModel):
    held_through: int = Field(description="every sequence number up to it is held")
    stored: int
    duplicates: int
    missing: list[list[int]] = Field(description="[from, to] ranges still missing below the "
                                     "highest sequence held")
    outlet: str = Field(description="the code of the outlet the key belongs to")
    unknown_kinds: int = Field(description="events of kinds the district does not know yet "
                               "(kept)")


class OutletOut(BaseModel):
    code: str
    name: str
    kecamatan: str
    desa: str
    last_push_at: datetime | None
    last_seq: int
    status: str
    clock_skew_s: int | None


class OutletList(RootModel[list[OutletOut]]):
    """Every outlet of the district, by code."""


class WhoAmIOut(BaseModel):
    outlet: str = Field(description="the code of the outlet the key belongs to")
    name: str
    held_through: int
    status: str
