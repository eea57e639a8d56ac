"""How to fill every GET route's URL with real values from a populated shop.

The walk (test_walk_populated.py) visits every GET route of the app. A route with converters
(`/sales/<int:sale_id>`, `/api/v1/reports/monthly/<month>.<fmt>`) is filled from FILLS, by
the converter's name: each `Fill` reads real values from the shop's data, and names one value
that finds nothing (walked too: its 404 must keep the error contract). A converter of the same
name that means something else on one route gets its own `Fill` in ENDPOINT_FILLS. A route
whose converter neither table fills fails `test_every_get_route_can_be_filled`: a new route is
never skipped in silence.

QUERIES adds URLs with a query string to a route (`month={month}`): `{name}` is the first
value of FILLS[name] (fills that are no converter, like `nik`, serve queries only).

To add a route: nothing to do if its converters' names are in FILLS (`<int:sale_id>` is a
sale, `<month>` a month `YYYY-MM`, ...). For a new name, add a line to FILLS:

    "closing_id": Fill(newest(MonthClosing.id)),                  # an id: the newest row
    "card_token": Fill(lambda s, secret: [...], missing="zz"),      # anything else

and if the shop has no such row yet, add one in `populated._complete` (through the API).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from aid.models import Beneficiary, ReconciliationRun
from ewarung.auth.models import User
from ewarung.clock import shop_today
from inventory.models import GoodsReceipt, Product, Stocktake, Supplier
from kube.models import Expense, KubeMember
from pos.models import Sale, Shift
from printer.codes import make_code
from printer.models import PrintJob

#: the cashier who walks (tests/ewarung/populated.py makes a user `walk_<role>` per role)
WALK_CASHIER = "walk_cashier"
#: the largest id a route takes (`<int:...>` stops at 2^31 - 1): it names nothing
NO_ID = str(2**31 - 1)

Values = Callable[[Session, str], list[str]]


@dataclass(frozen=True)
class Fill:
    """One converter: `values(session, secret_key)` gives real values from the shop's data;
    `missing` is a well-formed value that names nothing (None: the route has no such case)."""

    values: Values
    missing: str | None = NO_ID


def newest(column: Any, *where: Any) -> Values:
    """The newest row's id (and the oldest's, when it is another)."""
    def values(s: Session, _secret: str) -> list[str]:
        ends = s.execute(select(func.max(column), func.min(column)).where(*where)).one()
        return [str(v) for v in dict.fromkeys(ends) if v is not None]
    return values


def _months(s: Session, _secret: str) -> list[str]:
    """Last month (whole) and this month (under way)."""
    first = shop_today(s).replace(day=1)
    return [f"{first - timedelta(days=1):%Y-%m}", f"{first:%Y-%m}"]


def _receipt_codes(s: Session, secret: str) -> list[str]:
    sales = newest(Sale.id)(s, secret) + newest(Sale.id, Sale.status == "voided")(s, secret)
    return [make_code(secret, int(i)) for i in dict.fromkeys(sales)]


def _static_files(_s: Session, _secret: str) -> list[str]:
    root = Path(__file__).resolve().parents[2] / "static"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _first(column: Any, *where: Any) -> Values:
    def values(s: Session, _secret: str) -> list[str]:
        found = s.scalars(select(column).where(*where).order_by(column).limit(1)).first()
        return [] if found is None else [str(found)]
    return values


#: converter name → how to fill it (see the module's docstring)
FILLS: dict[str, Fill] = {
    "sale_id": Fill(lambda s, k: list(dict.fromkeys(
        newest(Sale.id)(s, k) + newest(Sale.id, Sale.status == "voided")(s, k)))),
    "product_id": Fill(newest(Product.id)),
    "beneficiary_id": Fill(newest(Beneficiary.id)),
    "receipt_id": Fill(newest(GoodsReceipt.id)),
    "supplier_id": Fill(newest(Supplier.id)),
    "stocktake_id": Fill(newest(Stocktake.id)),
    "run_id": Fill(newest(ReconciliationRun.id)),
    "job_id": Fill(newest(PrintJob.id)),
    # the walkers' cashier's own shifts (a cashier may not see another's: 403)
    "shift_id": Fill(newest(Shift.id, Shift.cashier_id == select(User.id).where(
        User.username == WALK_CASHIER).scalar_subquery())),
    "month": Fill(_months, missing="2000-13"),
    "fmt": Fill(lambda s, k: ["pdf", "xlsx", "csv"], missing="doc"),
    "code": Fill(_receipt_codes, missing="AAAAAAAAAAAA"),
    "filename": Fill(_static_files, missing="css/none.css"),
    # in the paths of writes only (the fuzzing sends real ids too)
    "member_id": Fill(newest(KubeMember.id)),
    "expense_id": Fill(newest(Expense.id)),
    # for queries only
    "nik": Fill(_first(Beneficiary.nik), missing=None),
    "village": Fill(_first(Beneficiary.village), missing=None),
    "product_name": Fill(lambda s, k: [s.scalars(select(Product.name).order_by(Product.id)
                                                 .limit(1)).one().split()[0]], missing=None),
}

#: endpoint → converter name → a Fill that differs from FILLS for that route only
ENDPOINT_FILLS: dict[str, dict[str, Fill]] = {}

#: endpoint → query strings walked besides the bare URL (`{name}`: first value of FILLS[name])
QUERIES: dict[str, list[str]] = {
    "report_api.monthly": ["month={month}"],
    "kube_report.monthly": ["month={month}"],
    "kube_api.list_expenses": ["month={month}"],
    "kube.expenses": ["month={month}"],
    "inventory_api.supplier_dependency": ["month={month}"],
    "inventory.dependency": ["month={month}"],
    "kpm_api.unserved": ["period={month}"],
    "bpnt.unserved": ["period={month}"],
    "bpnt.unserved_csv": ["period={month}"],
    "kpm_api.search": ["q={product_name}", "village={village}&limit=100&offset=20",
                       "active=false"],
    "kpm.index": ["q=a", "village={village}&status=inactive&page=2"],
    "kpm_api.lookup": ["nik={nik}"],
    "kpm_api.beneficiary_ledger": ["kind=credit&limit=5"],
    "inventory_api.list_products": ["q={product_name}", "include_inactive=true&limit=200"],
    "inventory.products": ["q={product_name}", "inactive=1"],
    "inventory_api.list_stock": ["product_id={product_id}"],
    "inventory.stock": ["q={product_name}"],
    "inventory.reorder": ["cover=30"],
    "inventory_api.list_expiring": ["days=90"],
    "sales_api.list_sales": ["q=EW", "limit=200"],
    "sales.index": ["q=EW"],
}


#: URLs that take many seconds on a shop of the medium size (the monthly report drawn as a
#: PDF: 10 to 20 s there). On such a shop only the first real one of each route is walked,
#: and by the lowest role let in only; the demo shop walks them all, as every role.
HEAVY = (re.compile(r"^/api/v1/reports/monthly/[^/?]+\.pdf$"),)


def heavy(url: str) -> bool:
    """Whether `url` is one of the HEAVY."""
    return any(pattern.match(url) for pattern in HEAVY)


def get_rules(app: Any) -> list[Rule]:
    """Every rule that answers GET, in a stable order."""
    return sorted((r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())),
                  key=lambda r: (r.rule, r.endpoint))


def fill_for(rule: Rule, name: str) -> Fill | None:
    """How to fill converter `name` of `rule`, or None when no table says."""
    return ENDPOINT_FILLS.get(rule.endpoint, {}).get(name) or FILLS.get(name)


def unfillable(app: Any) -> list[str]:
    """Converters of GET routes that neither table fills, and queries naming no fill."""
    out = [f"{rule.rule}: <{name}>" for rule in get_rules(app)
           for name in rule.arguments if fill_for(rule, name) is None]
    for endpoint, queries in QUERIES.items():
        if endpoint not in app.view_functions:
            out.append(f"QUERIES names no endpoint {endpoint}")
        out += [f"{endpoint}: query {q} names no fill" for q in queries
                for name in _placeholders(q) if name not in FILLS]
    return out


def _placeholders(query: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(query) if name]


@dataclass(frozen=True)
class Visit:
    """One URL to walk, and whether it names something that is there."""

    rule: Rule
    url: str
    real: bool


def urls(app: Any, session: Session, secret: str) -> Iterator[Visit]:
    """Every GET URL to walk on this shop: each route filled with every real value (all
    combinations), once with a value that names nothing, and with its QUERIES.

    Raises LookupError when a fill finds nothing in this shop (the shop lacks a row)."""
    cache: dict[tuple[str, str], list[str]] = {}

    def values(rule: Rule, name: str) -> list[str]:
        fill = fill_for(rule, name)
        assert fill is not None, f"{rule.rule}: <{name}> has no fill (see routes.py)"
        key = (rule.endpoint if name in ENDPOINT_FILLS.get(rule.endpoint, {}) else "", name)
        if key not in cache:
            cache[key] = fill.values(session, secret)
            if not cache[key]:
                raise LookupError(f"the shop has nothing to fill <{name}> of {rule.rule}")
        return cache[key]

    for rule in get_rules(app):
        names = sorted(rule.arguments)
        combos = itertools.product(*(values(rule, n) for n in names))
        for combo in combos:
            url = _build(rule, dict(zip(names, combo, strict=True)))
            yield Visit(rule, url, True)
            for query in QUERIES.get(rule.endpoint, []):
                filled = query.format(**{n: quote(values(rule, n)[0], safe="")
                                         for n in _placeholders(query)})
                yield Visit(rule, f"{url}?{filled}", True)
        for name in names:
            fill = fill_for(rule, name)
            if fill is None or fill.missing is None:
                continue
            given = {n: values(rule, n)[0] for n in names}
            given[name] = fill.missing
            yield Visit(rule, _build(rule, given), False)


def _build(rule: Rule, given: dict[str, str]) -> str:
    built = rule.build(given, append_unknown=False)
    assert built is not None, (rule.rule, given)
    return built[1]
