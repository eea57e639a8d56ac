"""Manager pages for beneficiaries: list and search, import, one KPM's page and its actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.home import menu_item
from ewarung.i18n import format_local
from ewarung.web import db_session, requires
from pos import beneficiaries as kpm
from pos import ledger
from pos.kpm_file import parse_file
from pos.settings import bpnt_settings
from pos.webutil import card_key, rejection_json

bp = Blueprint("kpm", __name__, url_prefix="/kpm")
bp.record_once(menu_item("kpm.index", N_("KPM dan kartu KKS"), "manager", 40))

PAGE_SIZE = 50


@bp.context_processor
def _helpers() -> dict[str, Any]:
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(bpnt_settings(db_session()).timezone)
    return {"local_time": lambda moment: format_local(moment, tz),
            "kind_label": kind_label}


def kind_label(kind: str) -> str:
    """The ledger entry kinds in the interface language."""
    return {"credit": gettext("Kredit hak"), "redemption": gettext("Penukaran"),
            "reversal": gettext("Pengembalian"), "adjustment": gettext("Penyesuaian")
            }.get(kind, kind)


def _int_arg(name: str, default: int) -> int:
    try:
        return max(int(request.args.get(name, default)), 0)
    except ValueError:
        return default


@bp.get("")
@requires("manager")
def index() -> Any:
    """Beneficiaries, searchable by name, NIK, No. KK or village."""
    s = db_session()
    q = request.args.get("q", "")[:120]
    village = request.args.get("village") or None
    status = request.args.get("status", "")
    active = {"active": True, "inactive": False}.get(status)
    page = max(_int_arg("page", 1), 1)
    rows, total = kpm.search_beneficiaries(s, q, active=active, village=village,
                                           limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    ents = ledger.entitlements_of(s, [b.id for b in rows])
    return render_template("pos/kpm_list.html", rows=rows, ents=ents, total=total, q=q,
                           village=village, status=status, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           villages=kpm.villages(s))


@bp.route("/import", methods=["GET", "POST"])
@requires("manager")
def import_page() -> Any:
    """Upload a beneficiary list and see every rejected row with its reason."""
    result = None
    error = None
    if request.method == "POST":
        s = db_session()
        upload = request.files.get("file")
        try:
            data = upload.read() if upload else b""
            if not data:
                raise ValidationFailed.field("file", N_("Berkas kosong."))
            plan = parse_file(data, luhn_check=bpnt_settings(s).luhn_check)
            done = kpm.import_beneficiaries(s, card_key(), plan)
        except AppError as exc:
            error = exc.message(gettext)
        else:
            result = {"imported": done.imported, "updated": done.updated,
                      "unchanged": done.unchanged,
                      "rejected": [rejection_json(r) for r in done.rejected]}
    status = 422 if error else 200
    return render_template("pos/kpm_import.html", result=result, error=error), status


@bp.get("/<int:beneficiary_id>")
@requires("manager")
def detail(beneficiary_id: int) -> Any:
    """One KPM: identity, cards, entitlement, redemption history and the whole ledger."""
    return _detail(beneficiary_id)


def _detail(beneficiary_id: int, error: str | None = None, status: int = 200) -> Any:
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    entries = ledger.history(s, b.id)
    return render_template(
        "pos/kpm_detail.html", b=b, ent=ledger.entitlement_of(s, b.id), entries=entries,
        redemptions=[e for e in entries if e.kind in ("redemption", "reversal")],
        error=error), status


def _act(beneficiary_id: int, action: Any, done: str) -> Any:
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    try:
        action(s, b)
    except AppError as exc:
        s.rollback()
        return _detail(beneficiary_id, exc.message(gettext), 422)
    flash(done)
    return redirect(url_for("kpm.detail", beneficiary_id=beneficiary_id))


def _amount(name: str) -> int | None:
    text = request.form.get(name, "").replace(".", "").replace("Rp", "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed.field(name, N_("Nominal harus bilangan Rupiah bulat.")) from None


@bp.post("/<int:beneficiary_id>/adjust")
@requires("manager")
def adjust(beneficiary_id: int) -> Any:
    """A manager's correction, by an amount or to the balance the EDC shows."""
    def act(s: Any, b: Any) -> None:
        reason = request.form.get("reason", "")
        bank = _amount("bank_remaining")
        if bank is not None:
            ledger.align_with_bank(s, b.id, bank, reason)
        else:
            ledger.adjust(s, b.id, _amount("amount") or 0, reason)
    return _act(beneficiary_id, act, gettext("Penyesuaian disimpan."))


@bp.post("/<int:beneficiary_id>/card")
@requires("manager")
def card(beneficiary_id: int) -> Any:
    """Record a replacement card."""
    return _act(beneficiary_id,
                lambda s, b: kpm.replace_card(s, card_key(), b, request.form.get("card", "")),
                gettext("Kartu baru dicatat; kartu lama ditandai sudah diganti."))


@bp.post("/<int:beneficiary_id>/status")
@requires("manager")
def status(beneficiary_id: int) -> Any:
    """Activate or deactivate."""
    active = request.form.get("active") == "1"
    return _act(beneficiary_id,
                lambda s, b: kpm.set_active(s, b, active, request.form.get("reason", "")),
                gettext("KPM diaktifkan.") if active else gettext("KPM dinonaktifkan."))
