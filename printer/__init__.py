"""Receipts on ESC/POS thermal printers, their queue, and receipt verification."""

from __future__ import annotations

from typing import Any

from ewarung.domain import Domain


def init_app(app: Any) -> None:
    """Register the printer's pages and API, and start the print worker with `ewarung serve`."""
    from printer.api import bp as api
    from printer.views import bp as views
    from printer.words import plain_error, printer_words

    app.jinja_env.globals.update(plain_error=plain_error, printer_words=printer_words)

    app.register_blueprint(views)
    app.register_blueprint(api)
    app.extensions.setdefault("ewarung.on_serve", []).append(start_worker)


def start_worker(app: Any) -> Any:
    """Start the print worker thread for `app`'s database (a hook of `ewarung serve`).

    An EWARUNG_PRINTER that is not a printer (a typo naming a file) stops the start.
    """
    from printer.setup import PrinterEnv, check_env_printer
    from printer.worker import PrintWorker

    config = app.extensions["ewarung.config"]
    check_env_printer(PrinterEnv(config.printer, config.printer_profile))
    worker = PrintWorker(app.extensions["ewarung.db"]).start()
    app.extensions["printer.worker"] = worker
    return worker


def _models() -> object:
    import printer.models

    return printer.models


def _doctor(checkup: Any) -> None:
    from printer.doctor import check_printer

    check_printer(checkup)


DOMAIN = Domain("printer", init_app=init_app, models=_models, doctor=_doctor)
