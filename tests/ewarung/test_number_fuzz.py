"""Arbitrary JSON numbers and strings at the money and quantity fields of a few endpoints:
every answer is a success or a refusal in the documented shape, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ewarung.test_number_inputs import MONEY_PLACES, QUANTITY_PLACES, Shop, shop

__all__ = ["shop"]  # the fixture, shared with test_number_inputs

#: what a JSON body can carry where a number is expected
JSON_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.text(max_size=30),
    st.text(alphabet="0123456789.,-+eE_ ٠١٢٣٤٥٦٧٨٩１２Rp", max_size=25),
    st.booleans(),
    st.none(),
)
PLACES = {**{f"qty:{k}": v for k, v in QUANTITY_PLACES.items()},
          **{f"money:{k}": v for k, v in MONEY_PLACES.items()}}
FUZZED = ["qty:sale", "qty:goods_receipt", "qty:stock_adjustment", "qty:stocktake",
          "qty:sale_return", "money:product_price", "money:sale_tender", "money:shift_cash",
          "money:kpm_adjustment", "money:expense"]


def in_contract(resp: Any) -> None:
    assert resp.status_code < 500, (resp.status_code, resp.get_data(as_text=True)[:300])
    if resp.status_code >= 400:
        body = resp.get_json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "details"}, body
        assert isinstance(body["error"]["code"], str) and body["error"]["code"]


@pytest.mark.slow
@pytest.mark.parametrize("place", FUZZED)
def test_any_json_number_or_string_gets_an_answer_in_the_contract(shop: Shop, place: str):
    @given(value=JSON_NUMBERS)
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    def send(value: Any) -> None:
        path, body, _field = PLACES[place](shop, value)
        in_contract(shop.client.post(path, json=body))

    send()
