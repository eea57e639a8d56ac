"""The shop's parsers as pydantic types (API schemas) and click types (command line).

`Parsed(parse, schema)` validates a field with a `parse(raw, field)` function of
`ewarung.numbers` (or any other that raises `ValidationFailed`), keeps its Indonesian message
for the API's error answer (translated there, see `ewarung.errorpages`) and documents the
field in OpenAPI with `schema`. The raw value reaches the parser untouched: pydantic would
otherwise turn `true` into 1 and `"1_000"` into 1000 before any rule could see them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

import click
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from ewarung.errors import ValidationFailed
from ewarung.numbers import (
    MAX_ID,
    MAX_QUANTITY,
    MAX_RUPIAH,
    parse_quantity,
    parse_rupiah,
    parse_whole,
)

#: the pydantic error type of a refusal by one of the shop's parsers
REFUSED = "refused"
QUANTITY_PATTERN = r"^\s*[+-]?[0-9]+([.,][0-9]{1,3})?\s*$"

Parser = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Parsed:
    """Pydantic metadata: the field is read by `parse`.

    `keep_raw` checks the value but keeps what was sent (a sale's body is fingerprinted as
    sent). `deferred` leaves the value as sent, unchecked, for a service that reads it with
    the same parser among its other rules, so one answer names every bad field of a body.
    """

    parse: Parser
    schema: dict[str, Any] = field(hash=False, compare=False)
    keep_raw: bool = False
    deferred: bool = False

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return dict(self.schema)

    def validate(self, raw: Any) -> Any:
        if self.deferred:
            return raw
        try:
            value = self.parse(raw, "value")
        except ValidationFailed as exc:
            raise refused(exc) from None
        return raw if self.keep_raw else value


def refused(exc: ValidationFailed) -> PydanticCustomError:
    """A parser's refusal as a pydantic error that keeps the template for translation."""
    return PydanticCustomError(REFUSED, "{message}", {
        "message": exc.message(), "template": exc.message_template, "params": exc.params})


def money(*, low: int = 0, high: int = MAX_RUPIAH, allow_zero: bool = True,
          deferred: bool = False) -> Parsed:
    """Whole Rupiah between `low` and `high`."""
    def parse(raw: Any, name: str) -> int:
        return parse_rupiah(raw, name, low=low, high=high, allow_zero=allow_zero)
    return Parsed(parse, {"type": "integer", "minimum": low, "maximum": high,
                          "description": "whole Rupiah"}, deferred=deferred)


def quantity(*, allow_zero: bool = False, allow_negative: bool = False,
             keep_raw: bool = False, deferred: bool = False) -> Parsed:
    """A quantity with at most 3 decimals, as a number or a decimal string."""
    def parse(raw: Any, name: str) -> Any:
        return parse_quantity(raw, name, allow_zero=allow_zero, allow_negative=allow_negative)
    low = -MAX_QUANTITY if allow_negative else 0
    return Parsed(parse, {"anyOf": [
        {"type": "number", "minimum": float(low), "maximum": float(MAX_QUANTITY)},
        {"type": "string", "pattern": QUANTITY_PATTERN}],
        "description": "decimal string or number, at most 3 decimals"}, keep_raw, deferred)


def whole(low: int = 1, high: int = MAX_ID, *, deferred: bool = False) -> Parsed:
    """A whole number between `low` and `high` (by default an id)."""
    def parse(raw: Any, name: str) -> int:
        return parse_whole(raw, name, low=low, high=high)
    return Parsed(parse, {"type": "integer", "minimum": low, "maximum": high},
                  deferred=deferred)


#: Rupiah, 0 to Rp100.000.000.000
Rupiah = Annotated[int, money()]
#: Rupiah above zero
PositiveRupiah = Annotated[int, money(low=1)]
#: signed Rupiah, not zero (a correction, cash in or out of the drawer)
SignedRupiah = Annotated[int, money(low=-MAX_RUPIAH, allow_zero=False)]
#: a quantity above zero
Quantity = Annotated[Decimal, quantity()]
#: a quantity of zero or more (a count, a reorder point)
CountedQuantity = Annotated[Decimal, quantity(allow_zero=True)]
#: a signed quantity, not zero (a stock correction)
SignedQuantity = Annotated[Decimal, quantity(allow_negative=True)]
#: a row's id
Id = Annotated[int, whole()]


class ClickParsed(click.ParamType):
    """A command-line argument read by one of the shop's parsers."""

    def __init__(self, parse: Parser, name: str) -> None:
        self.parse = parse
        self.name = name

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        try:
            return self.parse(value, param.name if param and param.name else self.name)
        except ValidationFailed as exc:
            self.fail(exc.message(), param, ctx)
