"""Events as an outlet sends them, for the district's tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

BASE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def event(seq: int, *, kind: str = "sale.completed", at: datetime | None = None,
          event_id: uuid.UUID | None = None, **payload: Any) -> dict[str, Any]:
    """Event number `seq` of an outlet (ids made from the seq unless given)."""
    moment = at or BASE + timedelta(minutes=seq)
    return {"seq": seq, "id": str(event_id or uuid.uuid5(uuid.NAMESPACE_OID, f"e{seq}")),
            "kind": kind, "schema_version": 1, "occurred_at": moment.isoformat(),
            "payload": payload or {"total": 1000 * seq}}


def push(client: Any, key: str, events: list[dict[str, Any]], **extra: Any) -> Any:
    """POST a batch to the district's ingest with an outlet key."""
    return client.post("/api/v1/district/ingest", json={"events": events, **extra},
                       headers={"Authorization": f"Bearer {key}"})
