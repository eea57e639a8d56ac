"""The application factory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apiflask import APIFlask

from ewarung import errorpages, i18n, logs, web
from ewarung.auth.services import use_hash_profile
from ewarung.config import Config
from ewarung.db import Database
from ewarung.web import requires

API_PREFIX = "/api/v1"


def create_app(test_config: dict[str, Any] | None = None) -> APIFlask:
    """Build the app from the environment; `test_config` overrides (lower-case keys)."""
    config = Config.from_env(test_config)
    # Pages and static files are read from inside the installed package (ewarung/templates,
    # ewarung/static), never from a source tree: a wheel carries them there.
    app = APIFlask(
        "ewarung", title="e-Warung POS API", version="1",
        spec_path=f"{API_PREFIX}/openapi.json", docs_path=None, json_errors=False,
        template_folder="templates", static_folder="static",
    )
    app.json = errorpages.ShopJSON(app)
    app.config.update(
        SECRET_KEY=config.secret_key,
        TESTING=config.testing,
        SESSION_COOKIE_NAME="ewarung_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # The cookie is sent again only when the session changes (signing in, a write that
        # renews it): a read still in flight when the cashier signs out would otherwise set
        # the old cookie again after the sign-in page, and the next PIN is refused.
        SESSION_REFRESH_EACH_REQUEST=False,
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
    logs.configure(config.data_dir, config.extra.get("log_max_bytes", logs.MAX_BYTES),
                   config.extra.get("log_backups", logs.BACKUPS))
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
    __import__("district").DOMAIN.init_app(app)  # until the domain list of issue 13 lands
    # APIFlask's own view for the OpenAPI document: any signed-in user may read it.
    requires("cashier")(app.view_functions["openapi.spec"])

