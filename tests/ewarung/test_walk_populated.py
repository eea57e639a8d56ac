"""Every page and every GET route, walked by every role on populated shops (issue 12, point 2).

The demo shop and a generated medium shop (tests/ewarung/populated.py), on SQLite and
PostgreSQL; each route is filled with real ids from the shop (tests/ewarung/routes.py) and
once with an id that names nothing. No answer may be a server error, nor send more than
MAX_STATEMENTS statements (a list loading its rows one by one); an anonymous visitor is
sent to sign in (pages) or refused with 401 (API), a role below the route's with 403; every
JSON answer of the API must be valid against the OpenAPI document for its status, and every
401/403/404 must keep the error contract (tests/ewarung/contract.py).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ewarung.auth.models import ROLE_RANK, ROLES
from ewarung.web import PUBLIC
from tests.ewarung import routes
from tests.ewarung.contract import Contract
from tests.ewarung.populated import KINDS, SECRET, populated_shop
from tests.helpers import counted_statements

pytestmark = pytest.mark.slow

#: who walks: the anonymous visitor, then each role
WALKERS: tuple[str | None, ...] = (None, *ROLES)
#: statements one answer may send, whatever the shop's size: a page or list that loads
#: its rows one by one sends thousands on the medium shop (the most today: 46, the
#: monthly report's page)
MAX_STATEMENTS = 60
#: answers slower than this are listed when the walk fails, and printed with -s
SLOW_SECONDS = 1.0


def test_every_get_route_can_be_filled(app):
    """A new GET route whose converter the URL table cannot fill fails here (routes.py)."""
    assert routes.unfillable(app) == []


def check_access(app: Any, rule: Any, role: str | None, resp: Any) -> str | None:
    """What is wrong with who got in: None when the role was let in or kept out rightly."""
    view = app.view_functions[rule.endpoint]
    required = PUBLIC if rule.endpoint == "static" else view._access
    status = resp.status_code
    if required == PUBLIC:
        return None
    if role is None:
        if rule.rule.startswith("/api/"):
            return None if status == 401 else f"anonymous got {status}, not 401"
        if status == 302 and "/login" in resp.headers.get("Location", ""):
            return None
        return f"anonymous got {status}, not a redirect to /login"
    if ROLE_RANK[role] < ROLE_RANK[required]:
        return None if status == 403 else f"{role} below {required} got {status}, not 403"
    return f"{role} was refused ({status})" if status in (401, 403) else None


def _walks(shop: Any, visit: routes.Visit, role: str | None, heavy_walked: set[str]) -> bool:
    """Whether `role` walks `visit`: all do, but on the medium shop a HEAVY URL is walked
    once per route, by the lowest role let in (routes.HEAVY)."""
    if shop.kind == "demo" or not visit.real or not routes.heavy(visit.url):
        return True
    if role != shop.app.view_functions[visit.rule.endpoint]._access \
            or visit.rule.endpoint in heavy_walked:
        return False
    heavy_walked.add(visit.rule.endpoint)
    return True


def walk(shop: Any) -> tuple[list[str], dict[str, int], list[tuple[float, str]]]:
    """Walk every URL as every walker; (problems, URLs per walker, slow answers)."""
    contract = Contract(shop.app)
    with shop.db.unit_of_work(write=False) as s:
        visits = list(routes.urls(shop.app, s, SECRET))
    problems: list[str] = []
    walked: dict[str, int] = {}
    slow: list[tuple[float, str]] = []
    heavy_walked: set[str] = set()
    for role in WALKERS:
        client = shop.client(role)
        who = role or "anonymous"
        walked[who] = 0
        for visit in visits:
            if not _walks(shop, visit, role, heavy_walked):
                continue
            t0 = time.perf_counter()
            with counted_statements(shop.db.engine) as sent:
                resp = client.get(visit.url)
            seconds = time.perf_counter() - t0
            walked[who] += 1
            if seconds > SLOW_SECONDS:
                slow.append((seconds, f"{who} {visit.url}"))
            found = [p for p in (check_access(shop.app, visit.rule, role, resp),) if p]
            found += contract.problems(visit.rule, "GET", resp)
            if len(sent) > MAX_STATEMENTS:
                found.append(f"{len(sent)} statements (a query per row?), more than "
                             f"{MAX_STATEMENTS}")
            if visit.real and resp.status_code == 404 and visit.rule.endpoint != "static":
                found.append("a real id was not found")
            resp.close()
            problems += [f"{shop.label} {who} GET {visit.url}: {p}" for p in found]
    return problems, walked, sorted(slow, reverse=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_get_route_keeps_the_contract_for_every_role(populated_templates, kind, backend,
                                                           tmp_path):
    with populated_shop(populated_templates, kind, backend, tmp_path) as shop:
        routes_walked = len({r.rule for r in routes.get_rules(shop.app)})
        problems, walked, slow = walk(shop)
    print(f"\n{shop.label}: {routes_walked} GET routes; URLs walked per role {walked}; "
          "slowest: " + ", ".join(f"{url} {sec:.1f} s" for sec, url in slow[:12]))
    assert problems == [], "\n".join(problems)
