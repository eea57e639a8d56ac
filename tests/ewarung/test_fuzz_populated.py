"""Schemathesis against populated shops, every operation, as every role (issue 11, point 4).

The demo shop and a generated medium shop (tests/ewarung/populated.py) on SQLite and
PostgreSQL, through the WSGI app (no network). Every operation of the OpenAPI document,
writes included, is sent as the anonymous visitor and with each role's bearer token; half of
the examples of an operation with ids in its path use real ids of the shop (routes.FILLS),
so that writes reach real sales, KPM, shifts and stocktakes rather than only 404s.

No answer may be a server error, every error must keep the contract {"error": {"code",
"message", "details"}}, every documented answer must match its schema and media type; and
afterwards the shop's data must still hold together (`ewarung.consistency.problems`).

Repeatable and bounded: Hypothesis is derandomized (the same examples each run) and each
operation gets EXAMPLES[shop] examples per role.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from ewarung.auth.models import ROLES
from ewarung.consistency import problems as data_problems
from tests.ewarung import routes
from tests.ewarung.contract import error_contract_problems
from tests.ewarung.populated import KINDS, SECRET, populated_shop

pytestmark = pytest.mark.slow

#: the budgets below times this (EWARUNG_FUZZ_SCALE=5 for a longer hunt by hand)
SCALE = int(os.environ.get("EWARUNG_FUZZ_SCALE", "1"))
#: examples per operation for each signed-in role, by shop (the anonymous visitor gets 2)
EXAMPLES = {"demo": 6 * SCALE, "medium": 3 * SCALE}
ANONYMOUS_EXAMPLES = 2 * SCALE
#: what the cases are: valid by the document, and with EWARUNG_FUZZ_NEGATIVE=1 also invalid
MODES = [GenerationMode.POSITIVE] + (
    [GenerationMode.NEGATIVE] if os.environ.get("EWARUNG_FUZZ_NEGATIVE") == "1" else [])
#: sent last for each role: they end the token's session
LAST = ("POST /api/v1/auth/logout",)
_PATH_PARAM = re.compile(r"{([^}]+)}")


@schemathesis.check
def error_contract(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx answer is {"error": {"code", "message", "details"}} as JSON."""
    if response.status_code < 400:
        return None
    media = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    assert media[0].split(";")[0] == "application/json", response.headers
    found = error_contract_problems(response.json())
    assert not found, found
    return None


CHECKS = [not_a_server_error, error_contract, response_schema_conformance,
          content_type_conformance]


def _real_ids(shop: Any) -> dict[str, str]:
    """The first real value of each fill of the URL table, on this shop."""
    out = {}
    with shop.db.unit_of_work(write=False) as s:
        for name, fill in routes.FILLS.items():
            values = fill.values(s, SECRET)
            if values:
                out[name] = values[0]
    return out


def _strategy(operation: Any, real: dict[str, str], kind: str) -> Any:
    """Random cases, and for a path with ids random cases on real ids (but not on a URL
    that takes seconds on the medium shop, routes.HEAVY: the walk has it)."""
    names = _PATH_PARAM.findall(operation.path)
    strategies = [operation.as_strategy(mode) for mode in MODES]
    if names and all(n in real for n in names):
        path = {n: int(real[n]) if real[n].isdigit() else real[n] for n in names}
        url = operation.path.format(**path)
        if kind == "demo" or not routes.heavy(url):
            strategies += [operation.as_strategy(mode, path_parameters=path) for mode in MODES]
    return st.one_of(*strategies)


def _routed(app: Any, response: Any) -> bool:
    """Whether the request's path and method name a route (a 404 or 405 came from it)."""
    from werkzeug.exceptions import HTTPException

    request = response.request
    try:
        app.url_map.bind("localhost").match(urlsplit(request.url).path, method=request.method)
    except HTTPException:
        return False
    return True


def fuzz(shop: Any, role: str | None, examples: int) -> tuple[dict[str, str], int, int]:
    """Send every operation as `role`; (failures by operation, operations, requests)."""
    headers = {"Authorization": f"Bearer {shop.tokens[role]}"} if role else {}
    # The document is for signed-in users; the cases carry only `headers`.
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", shop.app, headers={
        "Authorization": f"Bearer {shop.tokens['cashier']}"})
    real = _real_ids(shop)
    operations = [result.ok() for result in api.get_all_operations()]
    operations.sort(key=lambda op: op.label in LAST)
    failures: dict[str, str] = {}
    statuses: dict[int, int] = {}
    sent = 0
    for operation in operations:

        @given(case=_strategy(operation, real, shop.kind))
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            nonlocal sent
            sent += 1
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            status = response.status_code
            if role is None and status in (404, 405) and _routed(shop.app, response):
                status = -status  # found by a route, yet not refused to the visitor
            statuses[status] = statuses.get(status, 0) + 1

        try:
            call()
        except Exception as exc:  # the failures of every operation are reported together
            failures[f"{role or 'anonymous'} {operation.label}"] = str(exc)[:1500]
    if role is None:  # the visitor was kept out of all but the sign-in (and unknown paths)
        assert set(statuses) <= {401, 404, 405, 415, 422, 429}, statuses
    print(f"{shop.label} {role or 'anonymous'}: answers by status {sorted(statuses.items())}")
    return failures, len(operations), sent


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("kind", KINDS)
def test_fuzzing_finds_no_server_error_nor_a_broken_contract(populated_templates, kind,
                                                             backend, tmp_path):
    failures: dict[str, str] = {}
    counts = {}
    t0 = time.perf_counter()
    with populated_shop(populated_templates, kind, backend, tmp_path) as shop:
        for role in (None, *ROLES):
            found, operations, sent = fuzz(shop, role, EXAMPLES[kind] if role
                                           else ANONYMOUS_EXAMPLES)
            failures.update(found)
            counts[role or "anonymous"] = sent
        with shop.db.unit_of_work(write=False) as s:
            left = data_problems(s)
    print(f"\n{shop.label}: {operations} operations; requests per role {counts}; "
          f"{time.perf_counter() - t0:.0f} s")
    assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert left == []
