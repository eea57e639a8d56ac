"""Schemathesis over our own OpenAPI document, signed in as a manager.

No operation may answer with a server error, and every error answer must have the
documented shape `{"error": {"code", "message", "details"}}`.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.factories import make_product, make_supplier, make_token


@schemathesis.check
def documented_error_shape(ctx, response, case):
    """Every 4xx/5xx body is {"error": {"code", "message", "details"}}."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"], body
    assert isinstance(body["error"]["details"], dict), body
    return None


@pytest.fixture
def manager_token(db):
    with db.unit_of_work() as s:
        token = make_token(s, "manager")
        supplier = make_supplier(s)
        make_product(s, "Beras Medium 5 kg", commodity_group="carbohydrate",
                     barcode="8991234567890", preferred_supplier_id=supplier.id)
    return token


def test_no_operation_answers_5xx_or_an_undocumented_error(app, manager_token):
    headers = {"Authorization": f"Bearer {manager_token}"}
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    failures: dict[str, str] = {}
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers=headers,
                                   checks=[not_a_server_error, documented_error_shape])

        try:
            call()
        except Exception as exc:
            failures[operation.label] = str(exc)[:2000]
    assert operations > 40
    assert failures == {}
