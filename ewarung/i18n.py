"""Language selection and the shop's way of writing money, quantities and dates."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale

from ewarung.money import format_quantity, format_rupiah

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

babel = Babel()


def format_local(moment: datetime | None, tz: ZoneInfo, fmt: str = "dd/MM/yyyy HH.mm") -> str:
    """A UTC timestamp in the shop's time zone."""
    if moment is None:
        return ""
    return format_datetime(moment, fmt, tzinfo=tz, locale="id_ID")


def select_locale() -> str:
    """The signed-in user's choice, then the session's, then Indonesian."""
    language = g.get("user_language")
    if language in LANGUAGES:
        return str(language)
    lang = session.get("lang")
    if lang in LANGUAGES:
        return str(lang)
    return DEFAULT_LANGUAGE


def translation_dirs(packages: tuple[str, ...]) -> list[str]:
    """Each package's catalogue folder (every package keeps its own), found through the
    package wherever it is installed."""
    return [str(files(pkg) / "translations") for pkg in packages]


def _remember_language() -> None:
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


def init_app(app: Flask, packages: tuple[str, ...]) -> None:
    """Install Flask-Babel with the catalogues of `packages`, the `?lang=` switch and the
    template filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs(packages))
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_remember_language)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["qty"] = format_quantity
