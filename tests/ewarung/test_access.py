"""The role matrix: every route against every role and the anonymous visitor."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from ewarung.auth.models import ROLE_RANK, ROLES
from ewarung.web import PUBLIC
from tests.factories import make_token
from tests.helpers import error_code

#: the only endpoints open without signing in (besides /r/... receipt verification)
#: the district's ingest and whoami check an outlet's key itself (`ewarung.web.own_bearer`)
OPEN_ENDPOINTS = {"auth.login", "auth_api.login", "static", "district_api.ingest",
                  "district_api.whoami"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule):
    values = {}
    for name, conv in rule._converters.items():
        values[name] = 999999 if isinstance(conv, IntegerConverter) else "zz"
    return rule.build(values, append_unknown=False)[1]


def test_every_view_declares_who_may_use_it(app):
    unmarked = [rule.rule for rule, _ in _routes(app) if rule.endpoint != "static"
                and not hasattr(app.view_functions[rule.endpoint], "_access")]
    assert unmarked == []


def test_only_login_static_and_receipt_verification_are_public(app):
    public = {rule.endpoint for rule, _ in _routes(app) if rule.endpoint == "static"
              or app.view_functions[rule.endpoint]._access == PUBLIC}
    assert {e for e in public if not app.url_map._rules_by_endpoint[e][0].rule
            .startswith("/r/")} == OPEN_ENDPOINTS


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_route_is_reachable_by_a_role_below_its_own(app, client, db, role):
    headers = {}
    if role is not None:
        with db.unit_of_work() as s:
            headers = {"Authorization": f"Bearer {make_token(s, role)}"}
    checked = 0
    for rule, method in _routes(app):
        if rule.endpoint == "static":
            continue
        required = app.view_functions[rule.endpoint]._access
        url = _url(rule)
        resp = client.raw.open(url, method=method, headers=headers, json={})
        resp.close()  # file responses (the service worker) hold an open file until closed
        if required == PUBLIC:
            continue  # open by design; what it answers is tested with the view
        if role is None:
            assert resp.status_code in (401, 302), (method, url, resp.status_code)
            if resp.status_code == 302:
                assert "/login" in resp.headers["Location"]
            checked += 1
        elif ROLE_RANK[role] < ROLE_RANK[required]:
            assert resp.status_code == 403, (method, url, role, resp.status_code)
            if url.startswith("/api/"):
                assert error_code(resp) == "forbidden"
            checked += 1
        else:
            assert resp.status_code not in (401, 403), (method, url, role, resp.status_code)
    assert checked > 0 or role == "admin"
