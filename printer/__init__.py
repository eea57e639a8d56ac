"""Receipts on ESC/POS thermal printers, their queue, and receipt verification."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the printer's pages and API, and start the print worker with `ewarung serve`."""
    from printer.api import bp as api
    from printer.views import bp as views

    app.register_blueprint(views)
    app.register_blueprint(api)
    app.extensions.setdefault("ewarung.on_serve", []).append(start_worker)


def start_worker(app: Any) -> Any:
    """Start the print worker thread for `app`'s database (a hook of `ewarung serve`)."""
    from printer.worker import PrintWorker

    worker = PrintWorker(app.extensions["ewarung.db"]).start()
    app.extensions["printer.worker"] = worker
    return worker
