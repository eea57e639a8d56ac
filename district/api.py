"""The district's JSON API: outlets push their events; district users read the outlets."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import current_app, request

from district import services
from district.schemas import MAX_BODY_BYTES, IngestIn, IngestOut, OutletList, OutletOut, WhoAmIOut
from ewarung.errors import N_, AppError
from ewarung.web import (
    commit_now,
    current_view,
    database,
    db_session,
    own_bearer,
    requires,
)

bp = APIBlueprint("district_api", __name__, url_prefix="/api/v1/district", tag="District")


class BodyTooLarge(AppError):
    code = "body_too_large"
    status = 413
    template = N_("Kiriman terlalu besar; kirim dalam beberapa bagian.")


class NoOutletKey(services.OutletKeyRefused):
    template = N_("Kirim kunci outlet sebagai Authorization: Bearer.")


class NoDistrictHere(services.OutletKeyRefused):
    template = N_("Server ini bukan server dinas: tidak ada kunci outlet yang berlaku di sini.")


@bp.before_request
def _district_only_and_bounded_body() -> None:
    # On a shop an outlet key is worth nothing: refused like any wrong key (a visitor
    # learns no more than elsewhere); the reads answer that a shop holds no outlets.
    if getattr(current_view(), "_own_bearer", False) and not _is_district():
        raise NoDistrictHere()
    if request.method == "POST" and (request.content_length is None
                                     or request.content_length > MAX_BODY_BYTES):
        raise BodyTooLarge(details={"max_bytes": MAX_BODY_BYTES})


def _is_district() -> bool:
    """Whether this server's database holds a district (a shop's does not)."""
    app = current_app
    known = app.extensions.get("district.present")
    if not known:  # asked again until it is one: `district init` may run meanwhile
        from district.migrate import current_revision
        known = app.extensions["district.present"] = (
            not database().is_sqlite and current_revision(database().engine) is not None)
    return bool(known)


def _outlet_key() -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise NoOutletKey()
    return header[7:].strip()


@bp.post("/ingest")
@own_bearer
@bp.input(IngestIn, arg_name="body")
@bp.output(IngestOut)
def ingest(body: IngestIn) -> dict[str, Any]:
    """Take a batch of the key's outlet's events; a batch sent again changes nothing."""
    session = db_session()
    outlet = services.outlet_for_key(session, _outlet_key(), lock=True)
    events = [services.IncomingEvent(
        seq=e.seq, id=e.id, kind=e.kind, schema_version=e.schema_version,
        occurred_at=e.occurred_at, payload=e.payload, extra=dict(e.model_extra or {}))
        for e in body.events]
    try:
        result = services.ingest(session, outlet, events, body.sent_at)
    except services.OutletRewound:
        outlet_id = outlet.id
        session.rollback()
        services.mark_rewound(session, outlet_id)
        commit_now()  # the flag stays although the push is refused
        raise
    return {"held_through": result.held_through, "stored": result.stored,
            "duplicates": result.duplicates, "missing": result.missing,
            "outlet": outlet.code, "unknown_kinds": result.unknown_kinds}


@bp.get("/whoami")
@own_bearer
@bp.output(WhoAmIOut)
def whoami() -> dict[str, Any]:
    """The outlet an outlet key belongs to (what `ewarung sync join` checks)."""
    outlet = services.outlet_for_key(db_session(), _outlet_key())
    return {"outlet": outlet.code, "name": outlet.name, "held_through": outlet.last_seq,
            "status": outlet.status}


@bp.get("/outlets")
@requires("admin")
@bp.output(OutletList)
def outlets() -> OutletList:
    """Every outlet of the district, with how far its events are held (none on a shop)."""
    if not _is_district():
        return OutletList([])
    return OutletList.model_validate([OutletOut.model_validate(o, from_attributes=True)
                                      for o in services.list_outlets(db_session())])
