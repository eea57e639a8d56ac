"""The application factory."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from apiflask import APIFlask

from ewarung import errorpages, i18n, web
from ewarung.auth.services import use_hash_profile
from ewarung.config import Config
from ewarung.db import Database
from ewarung.web import requires

ROOT = Path(__file__).resolve().parent.parent
API_PREFIX = "/api/v1"


def create_app(test_config: dict[str, Any] | None = None) -> APIFlask:
    """Build the app from the environment; `test_config` overrides (lower-case keys)."""
    config = Config.from_env(test_config)
    app = APIFlask(
        "ewarung", title="e-Warung POS API", version="1", root_path=str(ROOT / "ewarung"),
        spec_path=f"{API_PREFIX}/openapi.json", docs_path=None, json_errors=False,
        template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        TESTING=config.testing,
        SESSION_COOKIE_NAME="ewarung_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # The till stays open all day: the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        VALIDATION_ERROR_STATUS_CODE=422,
        VALIDATION_ERROR_SCHEMA=errorpages.ERROR_SCHEMA,
        HTTP_ERROR_SCHEMA=errorpages.ERROR_SCHEMA,
        SPEC_FORMAT="json",
        INFO={"description": "The public contract of e-Warung POS (v1)."},
    )
    app.extensions["ewarung.config"] = config
    app.extensions["ewarung.db"] = Database(config.database_url)
    use_hash_profile(config.hash_profile)
    _configure_logging(config.data_dir)
    i18n.init_app(app)
    web.init_app(app)
    errorpages.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: APIFlask) -> None:
    from ewarung.admin import bp as admin
    from ewarung.auth.api import bp as auth_api
    from ewarung.auth.views import bp as auth_views
    from ewarung.home import bp as home
    from ewarung.home import menu_for
    from inventory.api import bp as inventory_api
    from inventory.views import bp as inventory_views
    from kube.api import bp as kube_api
    from kube.report.api import bp as report_api
    from kube.report.views import bp as report_views
    from kube.views import bp as kube_views
    from pos.bpnt_views import bp as bpnt_views
    from pos.kpm_api import bp as kpm_api
    from pos.kpm_views import bp as kpm_views
    from pos.sale_views import bp as sale_views
    from pos.sales_api import bp as sales_api
    from pos.shifts_api import bp as shifts_api
    from pos.till import bp as till
    from pos.verify_views import bp as verify
    from printer import init_app as init_printer

    for bp in (auth_views, auth_api, home, admin, till, inventory_api, inventory_views, kpm_api,
               kpm_views, bpnt_views, sales_api, shifts_api, sale_views, verify, kube_api,
               kube_views, report_api, report_views):
        app.register_blueprint(bp)
    app.jinja_env.globals["menu_for"] = menu_for
    init_printer(app)
    # APIFlask's own view for the OpenAPI document: any signed-in user may read it.
    requires("cashier")(app.view_functions["openapi.spec"])


LOGGERS = ("ewarung", "pos", "inventory", "printer", "waitress")


def _configure_logging(data_dir: Path) -> None:
    """Log to <data dir>/logs/ewarung.log; a later app in the same process moves the file."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = str(log_dir / "ewarung.log")
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, "_ewarung", False)]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    handler._ewarung = True  # type: ignore[attr-defined]
