"""Errors as JSON for the API and as Indonesian pages for people."""

from __future__ import annotations

import json
import logging
from typing import Any

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask import Response, jsonify, make_response, redirect, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from markupsafe import escape
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from ewarung import web
from ewarung.db import DatabaseBusy
from ewarung.errors import N_, AppError, Busy, ValidationFailed
from ewarung.fields import REFUSED
from ewarung.text import UNWRITABLE

log = logging.getLogger("ewarung.errors")

HTTP_CODES = {
    400: ("bad_request", N_("Permintaan tidak dapat dibaca.")),
    401: ("unauthorized", N_("Silakan masuk terlebih dahulu.")),
    403: ("forbidden", N_("Anda tidak punya hak untuk tindakan ini.")),
    404: ("not_found", N_("Halaman atau data tidak ditemukan.")),
    405: ("method_not_allowed", N_("Metode ini tidak didukung di alamat ini.")),
    406: ("not_acceptable", N_("Format jawaban ini tidak tersedia.")),
    409: ("conflict", N_("Data bertentangan dengan data yang sudah ada.")),
    413: ("payload_too_large", N_("Berkas atau data terlalu besar.")),
    415: ("unsupported_media_type", N_("Jenis data tidak didukung.")),
    422: ("validation_error", N_("Data tidak valid.")),
    429: ("too_many_requests", N_("Terlalu banyak permintaan.")),
    500: ("internal_error", N_("Terjadi kesalahan pada sistem. Data Anda tidak tersimpan.")),
    503: ("database_busy", N_("Sistem sedang sibuk. Coba lagi sebentar lagi.")),
}


class ShopJSON(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deep to read is a bad request like any other
    unreadable body (Python's parser gives up with RecursionError, not ValueError)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def wants_json() -> bool:
    """Whether this request is answered in JSON (the API) rather than HTML."""
    # A client that sends JSON is a script, even on a page's address.
    return request.path.startswith("/api/") or request.is_json or (
        request.accept_mimetypes.best == "application/json")


def error_response(status: int, code: str, message: str,
                   details: dict[str, Any] | None = None, headers: Any = None) -> Any:
    """The documented error body, or an error page."""
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    elif status == 401:
        return redirect(url_for("auth.login", next=request.full_path))
    else:
        resp = make_response(render_template("errors/error.html", status=status, code=code,
                                             message=message, details=details or {}))
    resp.status_code = status
    if headers:
        resp.headers.update(headers)
    return resp


def handle_app_error(exc: AppError) -> Any:
    headers = None
    if exc.status in (429, 503):
        headers = {"Retry-After": str(exc.details.get("retry_after", 1))}
    web.recover_session()
    try:
        return error_response(exc.status, exc.code, exc.message(gettext), exc.details, headers)
    except Exception:  # the database or the page failed too: still answer the contract
        log.exception("error answer failed")
        return bare_error(exc.status, exc.code, exc.message(), exc.details)


def handle_http_exception(exc: HTTPException) -> Any:
    status = exc.code or 500
    if status == 500:
        return handle_internal(exc)
    code, template = HTTP_CODES.get(status, ("http_error", exc.name))
    return error_response(status, code, gettext(template))


def handle_internal(exc: Exception) -> Any:
    original = getattr(exc, "original_exception", None) or exc
    if isinstance(original, AppError):  # raised while committing
        return handle_app_error(original)
    if isinstance(original, DataError) and "NUL" in str(original):
        # PostgreSQL stores no NUL character: text that got past the services' checks.
        return handle_app_error(ValidationFailed(UNWRITABLE))
    if isinstance(original, OverflowError | DataError):
        # A number beyond what the database column holds: the input's fault, not ours.
        return handle_app_error(ValidationFailed(N_("Angka terlalu besar atau tidak valid.")))
    if isinstance(original, DatabaseBusy) or (
            isinstance(original, OperationalError) and "locked" in str(original)):
        return handle_app_error(Busy(details={"retryable": True, "retry_after": 1}))
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    code, template = HTTP_CODES[500]
    web.recover_session()
    try:
        return error_response(500, code, gettext(template))
    except Exception:  # the error page itself failed: answer without templates or database
        log.exception("error page failed")
        return bare_error(500, code, template)


def bare_error(status: int, code: str, message: str,
               details: dict[str, Any] | None = None) -> Response:
    """The error answer built from nothing that can fail: no translation, no template."""
    if wants_json():
        body = json.dumps({"error": {"code": code, "message": message,
                                     "details": details or {}}}, default=str)
        return Response(body, status, mimetype="application/json")
    page = (f"<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>{status}</title>"
            f"<h1>{status}</h1><p>{escape(message)}</p></html>")
    return Response(page, status, mimetype="text/html")


def api_error_processor(error: HTTPError) -> Any:
    """APIFlask's input validation and aborts, in the documented shape."""
    if error.status_code == 422:
        details: dict[str, Any] = {}
        for location, errs in (error.detail or {}).items():
            details["location"] = location
            details["fields"] = _flatten(errs)
        fields = _translated(error.__cause__) or details.get("fields", {})
        details["fields"] = fields
        code, message = "validation_error", gettext(HTTP_CODES[422][1])
        if len(fields) == 1:  # name the field: "lines.0.quantity: Jumlah terlalu besar..."
            ((name, messages),) = fields.items()
            message = f"{name}: {messages[0]}"
    else:
        code, template = HTTP_CODES.get(error.status_code, ("http_error", error.message))
        message, details = gettext(template), dict(error.extra_data or {})
    return {"error": {"code": code, "message": message, "details": details}}, \
        error.status_code, error.headers


def _translated(cause: BaseException | None) -> dict[str, list[str]]:
    """Pydantic's field errors, where the shop's own parsers' messages are translated."""
    if not isinstance(cause, PydanticValidationError):
        return {}
    out: dict[str, list[str]] = {}
    for err in cause.errors():
        ctx = err.get("ctx") or {}
        message = err["msg"]
        if err["type"] == REFUSED and "template" in ctx:
            message = gettext(ctx["template"], **ctx["params"])
        out.setdefault(".".join(str(part) for part in err["loc"]) or "_schema", []).append(
            message)
    return out


def _flatten(errs: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(errs, dict):
        out: dict[str, list[str]] = {}
        for key, value in errs.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix or "_": [str(e) for e in errs] if isinstance(errs, list) else [str(errs)]}


def init_app(app: APIFlask) -> None:
    """Register the handlers."""
    # APIFlask's error processor also takes over werkzeug's HTTP errors (an unknown address
    # among them) and answers them all in JSON: register it first, so that ours, which
    # answers JSON under /api/ and a page elsewhere, replaces it for those.
    app.error_processor(api_error_processor)
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_internal)
    app.register_error_handler(Exception, handle_internal)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string", "description": "stable snake_case code"},
            "message": {"type": "string", "description": "human text, in the user's language"},
            "details": {"type": "object"},
        },
    }},
}
