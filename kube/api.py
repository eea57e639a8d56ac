"""Expenses, KUBE members and SHU settings over the JSON API (managers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from apiflask import APIBlueprint
from pydantic import BaseModel, Field, RootModel

from ewarung.clock import MonthText
from ewarung.fields import Parsed, PositiveRupiah, Quantity
from ewarung.numbers import parse_decimal
from ewarung.web import db_session, requires
from kube import services
from kube.models import EXPENSE_CATEGORIES, Expense, KubeMember

bp = APIBlueprint("kube_api", __name__, url_prefix="/api/v1", tag="KUBE")

Category = Literal["transport", "electricity", "rent", "bags", "wages", "other"]
assert set(EXPENSE_CATEGORIES) == set(Category.__args__)  # type: ignore[attr-defined]


class ExpenseIn(BaseModel):
    spent_on: date
    category: Category
    amount: PositiveRupiah
    note: str = Field(default="", max_length=300)


class ExpenseOut(BaseModel):
    id: int
    spent_on: date
    category: str
    amount: int
    note: str
    voided: bool
    void_reason: str | None


ExpenseList = RootModel[list[ExpenseOut]]


class MonthQuery(BaseModel):
    month: MonthText


class VoidIn(BaseModel):
    reason: str = Field(min_length=3, max_length=300)


class MemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    position: Literal["ketua", "sekretaris", "bendahara", "anggota"] = "anggota"
    weight: Quantity = Decimal(1)
    joined_on: date | None = None


class MemberPatch(BaseModel):
    position: Literal["ketua", "sekretaris", "bendahara", "anggota"] | None = None
    weight: Quantity | None = None
    active: bool | None = None


class MemberOut(BaseModel):
    id: int
    name: str
    position: str
    weight: Decimal
    active: bool


MemberList = RootModel[list[MemberOut]]


#: checked against 0–100 with two decimals by `kube.shu.check_percentages`
Percent = Annotated[Decimal, Parsed(parse_decimal, {"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 100},
    {"type": "string", "pattern": r"^\s*[0-9]+([.,][0-9]+)?\s*$"}],
    "description": "number or decimal string, 0 to 100, at most two decimals"})]
Bucket = Literal["reserve", "members", "management", "social", "other"]
Split = Literal["equal", "weight"]
#: a percentage as the API answers it: a decimal string, like every decimal it answers
PercentText = Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
                                   description="decimal string, 0 to 100")]


class ShuSettings(BaseModel):
    percentages: dict[Bucket, Percent]
    member_split: Split


class ShuSettingsOut(BaseModel):
    percentages: dict[Bucket, PercentText]
    member_split: Split


def _expense(e: Expense) -> dict[str, Any]:
    return {"id": e.id, "spent_on": e.spent_on, "category": e.category, "amount": e.amount,
            "note": e.note, "voided": e.voided_at is not None, "void_reason": e.void_reason}


def _member(m: KubeMember) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "position": m.position, "weight": m.weight,
            "active": m.active}


@bp.get("/expenses")
@requires("manager")
@bp.input(MonthQuery, location="query", arg_name="query")
@bp.output(ExpenseList)
def list_expenses(query: MonthQuery) -> ExpenseList:
    """The month's operating expenses."""
    rows = services.expenses_of_month(db_session(), query.month)
    return ExpenseList.model_validate([_expense(e) for e in rows])


@bp.post("/expenses")
@requires("manager")
@bp.input(ExpenseIn, arg_name="body")
@bp.output(ExpenseOut, status_code=201)
def add_expense(body: ExpenseIn) -> dict[str, Any]:
    """Record an operating expense."""
    return _expense(services.record_expense(db_session(), body.spent_on, body.category,
                                            body.amount, body.note))


@bp.post("/expenses/<int:expense_id>/void")
@requires("manager")
@bp.input(VoidIn, arg_name="body")
@bp.output(ExpenseOut)
def void_expense(expense_id: int, body: VoidIn) -> dict[str, Any]:
    """Cancel a mistaken expense, keeping it on record."""
    return _expense(services.void_expense(db_session(), expense_id, body.reason))


@bp.get("/kube/members")
@requires("manager")
@bp.output(MemberList)
def list_members() -> MemberList:
    """All KUBE members."""
    from sqlalchemy import select
    rows = db_session().scalars(select(KubeMember).order_by(KubeMember.id))
    return MemberList.model_validate([_member(m) for m in rows])


@bp.post("/kube/members")
@requires("manager")
@bp.input(MemberIn, arg_name="body")
@bp.output(MemberOut, status_code=201)
def add_member(body: MemberIn) -> dict[str, Any]:
    """Add a member."""
    return _member(services.add_member(db_session(), body.name, body.position, body.weight,
                                       body.joined_on))


@bp.patch("/kube/members/<int:member_id>")
@requires("manager")
@bp.input(MemberPatch, arg_name="body")
@bp.output(MemberOut)
def update_member(member_id: int, body: MemberPatch) -> dict[str, Any]:
    """Change a member."""
    changes = body.model_dump(exclude_none=True)
    return _member(services.update_member(db_session(), member_id, **changes))


def _shu_settings() -> dict[str, Any]:
    percentages, mode = services.shu_settings(db_session())
    return {"percentages": {k: f"{v:f}" for k, v in percentages.items()}, "member_split": mode}


@bp.get("/kube/shu")
@requires("manager")
@bp.output(ShuSettingsOut)
def get_shu() -> dict[str, Any]:
    """How the SHU is split."""
    return _shu_settings()


@bp.put("/kube/shu")
@requires("manager")
@bp.input(ShuSettings, arg_name="body")
@bp.output(ShuSettingsOut)
def put_shu(body: ShuSettings) -> dict[str, Any]:
    """Change how the SHU is split (percentages add up to 100)."""
    percentages_in: dict[str, Any] = {str(k): v for k, v in body.percentages.items()}
    services.set_shu_settings(db_session(), percentages_in, body.member_split)
    return _shu_settings()
