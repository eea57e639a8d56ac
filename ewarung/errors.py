"""Errors every domain raises: a stable code for the API and an Indonesian message template.

Domain modules stay free of Flask: templates are marked with `N_` for extraction and
translated by the web layer, which fills in `params` with `%(name)s` formatting.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self


def N_(template: str) -> str:
    """Mark a message template for translation without translating it here."""
    return template


class AppError(Exception):
    """A refusal the cashier or an API client can act on."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    template: ClassVar[str] = N_("Permintaan tidak dapat diproses.")

    def __init__(self, template: str | None = None, /, *,
                 details: dict[str, Any] | None = None, **params: Any) -> None:
        self.message_template = template or self.template
        self.params = params
        self.details = details or {}
        super().__init__(self.message_template % params if params else self.message_template)

    def message(self, translate: Any = None) -> str:
        """The human message, translated by `translate` when given."""
        text = translate(self.message_template) if translate else self.message_template
        return text % self.params if self.params else text


class ValidationFailed(AppError):
    """Input that breaks a rule; `details["fields"]` names the offending fields."""

    code = "validation_error"
    status = 422
    template = N_("Data tidak valid.")

    @classmethod
    def field(cls, name: str, template: str, **params: Any) -> Self:
        """A failure of one named field."""
        text = template % params if params else template
        return cls(template, details={"fields": {name: [text]}}, **params)


class Unauthorized(AppError):
    code = "unauthorized"
    status = 401
    template = N_("Silakan masuk terlebih dahulu.")


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    template = N_("Anda tidak punya hak untuk tindakan ini.")


class NotFound(AppError):
    code = "not_found"
    status = 404
    template = N_("Data tidak ditemukan.")


class Conflict(AppError):
    code = "conflict"
    status = 409
    template = N_("Data bertentangan dengan data yang sudah ada.")


class Busy(AppError):
    code = "database_busy"
    status = 503
    template = N_("Sistem sedang sibuk. Coba lagi sebentar lagi.")
