"""The request lifecycle: one unit of work per request, who is signed in, who may do what.

Every view is marked with `requires(role)` or `public`; an unmarked view is refused,
so a forgotten decorator fails closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, Response, g, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Map

from ewarung import audit
from ewarung.auth.models import ROLE_RANK, User
from ewarung.auth.services import user_for_token
from ewarung.auth.sessions import end_session, live_session, renew, start_session
from ewarung.db import BUSY_TIMEOUT_S, Database, DatabaseBusy, reset_write_intent, set_write_intent
from ewarung.errors import N_, AppError, Forbidden, Unauthorized
from ewarung.numbers import MAX_ID

log = logging.getLogger("ewarung.web")

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"

csrf = CSRFProtect()


class CsrfFailed(AppError):
    code = "csrf_failed"
    status = 403
    template = N_("Sesi formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")


class RowId(IntegerConverter):
    """`<int:...>` in the shop's addresses: ASCII digits only (Python's `int` also reads
    Arabic-Indic ones) and no larger than a database key, so /sales/99999999999999999999 is
    an unknown sale (404) rather than a number the database cannot hold."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class NotJson(AppError):
    code = "unsupported_media_type"
    status = 415
    template = N_("Kirim data sebagai JSON (Content-Type: application/json).")


def file_answer(data: bytes | str, media_type: str, filename: str) -> Response:
    """A file to download (an export, a report) as `media_type`: the type its view's
    `file_responses` gives the OpenAPI document."""
    return Response(data, content_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def csv_answer(text: str, filename: str) -> Response:
    """A CSV file to download, with the byte-order mark Excel needs to read UTF-8."""
    return file_answer("\ufeff" + text, CSV_MEDIA_TYPE, filename)


def file_responses(description: str, *media_types: str) -> dict[int, Any]:
    """`@bp.doc(responses=file_responses(...))` for a view answering a file: its 200 comes as
    one of `media_types` (without one, APIFlask documents a JSON answer)."""
    return {200: {"description": description, "content": {
        media.split(";")[0].strip(): {"schema": {"type": "string", "format": "binary"}}
        for media in media_types}}}


def requires(role: str) -> Callable[[F], F]:
    """Mark a view as open to `role` and the roles above it."""
    if role not in ROLE_RANK:
        raise ValueError(role)

    def mark(view: F) -> F:
        view._access = role  # type: ignore[attr-defined]
        return view
    return mark


def public(view: F) -> F:
    """Mark a view as open to anyone (sign-in, receipt verification)."""
    view._access = PUBLIC  # type: ignore[attr-defined]
    return view


def own_bearer(view: F) -> F:
    """Mark a view that checks `Authorization: Bearer` itself, as a key that is not a user's
    (an outlet's key on the district's ingest): the shell neither looks it up as an API
    token nor asks for a signed-in user; JSON bodies only, as `csrf_exempt`."""
    view._access = PUBLIC  # type: ignore[attr-defined]
    view._own_bearer = True  # type: ignore[attr-defined]
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view


def csrf_exempt(view: F) -> F:
    """Exempt a JSON view that no cookie can authorise (the API sign-in).

    The exemption holds for JSON bodies only: another site's page can post text/plain or a
    form without asking first, but not application/json, so anything else is refused.
    """
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view


def database() -> Database:
    """The app's database."""
    from flask import current_app
    db: Database = current_app.extensions["ewarung.db"]
    return db


def db_session() -> Session:
    """The request's session, opened on first use and committed once by the request."""
    if "db_session" not in g:
        g.db_session = database().Session()
    s: Session = g.db_session
    return s


def current_user() -> User | None:
    """The signed-in user of this request."""
    return g.get("user")


def signed_in_user() -> User:
    """The signed-in user of a view behind `requires(...)`, which admits no one else."""
    user: User | None = g.get("user")
    if user is None:  # a view without `requires` asked: a bug, not a visitor's mistake
        raise RuntimeError("signed_in_user() in a view that does not require sign-in")
    return user


def sign_in(user: User) -> None:
    """Start a browser session for `user` (a fresh session against fixation)."""
    from flask import current_app

    lang = session.get("lang")
    session.clear()
    session["sid"] = start_session(db_session(), user, current_app.permanent_session_lifetime)
    if lang:
        session["lang"] = lang
    session.permanent = True


def sign_out() -> None:
    """End this browser's session, on the server too (a copied cookie dies with it)."""
    secret = session.get("sid")
    if secret:
        end_session(db_session(), secret)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def session_secret() -> str | None:
    """The secret of this browser's session (None for scripts and visitors)."""
    secret: str | None = session.get("sid")
    return secret


def commit_now() -> None:
    """Commit the request's work so far and, on SQLite, let other writers in.

    For a count that must hold before a slow check (a sign-in's hash); the request's next
    statement begins a new transaction.
    """
    db_session().commit()
    database().release_writer()


def _load_user() -> None:
    g.user = None
    g.auth_via = None
    header = request.headers.get("Authorization", "")
    if getattr(current_view(), "_own_bearer", False):
        return
    if header.startswith("Bearer "):
        user = user_for_token(db_session(), header[7:].strip())
        if user is None:
            raise Unauthorized(N_("Token API tidak sah."))
        g.user, g.auth_via = user, "token"
    elif "sid" in session:
        live = live_session(db_session(), session["sid"])
        if live is not None:
            g.user, g.auth_via, g.live_session = live.user, "session", live
        else:
            session.clear()
    if g.user is not None:
        g.actor_token = audit.begin_acting(g.user.id)
        # read now: an error answer must not need the database (its session may have failed)
        g.user_language = g.user.language


def _check_access() -> None:
    view = current_view()
    access = getattr(view, "_access", None)
    if access == PUBLIC:
        return
    if g.user is None:
        raise Unauthorized()
    if access is None or not g.user.has_role(access):
        raise Forbidden()


def current_view() -> Callable[..., Any] | None:
    """The view function this request is routed to."""
    from flask import current_app
    if request.endpoint is None:
        return None
    view: Callable[..., Any] | None = current_app.view_functions.get(request.endpoint)
    return view


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or g.auth_via == "token":
        return
    if getattr(current_view(), "_csrf_exempt", False):
        if not request.is_json:
            raise NotJson()
        return
    try:
        csrf.protect()
    except CSRFError as exc:
        raise CsrfFailed() from exc


def _before_request() -> None:
    # Who is asking is read before the request may write: on SQLite the writer lock is taken
    # by the view's first statement, not by the sign-in check (see `read_phase`).
    g.write_token = set_write_intent(False)
    if request.endpoint is None or request.endpoint == "static":
        return  # 404s and files: nothing to authorise
    _enter_gate()
    _load_user()
    _check_access()
    _check_csrf()
    if request.method not in SAFE_METHODS:
        if getattr(current_view(), "_reads_first", False) and database().is_sqlite:
            g.reads_open = True  # the view's `read_phase` continues this read transaction
            return
        _end_reads()
        set_write_intent(True)


def _end_reads() -> None:
    """Close the read transaction of a write request on SQLite (PostgreSQL keeps one)."""
    s = g.get("db_session")
    if s is not None and s.in_transaction() and database().is_sqlite:
        s.commit()


@contextmanager
def read_phase() -> Iterator[Session]:
    """The reads a write request does before its first write, outside SQLite's writer lock.

    Inside, the request's session reads in a plain transaction that ends on leaving; the
    next statement begins the write transaction (BEGIN IMMEDIATE under the writer lock),
    so the lock is held only while writing. Nothing inside may write. What was read may
    change before the write begins: re-check under the lock what must not (stock, balances).
    On PostgreSQL this is just the request's one transaction.
    """
    s = db_session()
    continued = g.pop("reads_open", False)
    if not continued and (not database().is_sqlite or s.in_transaction()):
        yield s
        return
    token = None if continued else set_write_intent(False)
    try:
        yield s
    except BaseException:
        s.rollback()
        raise
    else:
        s.commit()
    finally:
        if token is None:
            set_write_intent(True)
        else:
            reset_write_intent(token)


def one_at_a_time(view: F) -> F:
    """Mark a hot write view whose requests are handled one at a time on SQLite.

    They would only take turns anyway (the GIL, SQLite's single writer); running them side
    by side just makes threads wake each other at every statement. Measured with
    bench/checkout.py: about a fifth more sales per second and a shorter tail. Other
    requests (reads, other writes) still run beside them.
    """
    view._one_at_a_time = True  # type: ignore[attr-defined]
    return view


def reads_first(view: F) -> F:
    """Mark a write view that begins with `read_phase()`: on SQLite the sign-in check's read
    transaction stays open for it, so a request spends one read transaction, not two."""
    view._reads_first = True  # type: ignore[attr-defined]
    return view


def recover_session() -> None:
    """Make the request's session usable again after a failed flush or commit (it refuses
    every statement until rolled back), so an error answer can still be made."""
    s = g.get("db_session")
    if s is None or s.is_active:
        return
    try:
        s.rollback()
    except Exception:  # the connection itself is gone: the teardown closes what is left
        log.warning("rollback after a failed request failed", exc_info=True)


def _after_request(response: Any) -> Any:
    s = g.get("db_session")
    if s is not None and response.status_code < 400:
        live = g.get("live_session")
        if live is not None and request.method not in SAFE_METHODS \
                and session.get("sid") == live.secret:  # not signed out or in again
            from flask import current_app
            if renew(s, live, current_app.permanent_session_lifetime):
                session.modified = True  # the cookie's end moves with the session's
        s.commit()
    return response


def _enter_gate() -> None:
    """Admit requests to a `one_at_a_time` view singly (SQLite)."""
    db = database()
    if getattr(current_view(), "_one_at_a_time", False) and db.is_sqlite:
        if not db.request_gate.acquire(timeout=BUSY_TIMEOUT_S):
            raise DatabaseBusy("request gate not acquired in time")
        g.gate_held = True


def _teardown_request(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        try:
            s.close()  # rolls back whatever was not committed
        except Exception:  # a broken connection: the pool replaces it; the answer stands
            log.warning("closing the request's session failed", exc_info=True)
    database().release_writer()
    token = g.pop("write_token", None)
    if token is not None:
        reset_write_intent(token)
    actor_token = g.pop("actor_token", None)
    if actor_token is not None:
        audit.end_acting(actor_token)
    if g.pop("gate_held", False):  # last: the next one finds the writer lock free
        database().request_gate.release()


def init_app(app: Flask) -> None:
    """Install the lifecycle hooks on `app` (before any route is added: the int converter)."""
    app.url_map.converters["int"] = RowId
    csrf.init_app(app)
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.teardown_request(_teardown_request)
