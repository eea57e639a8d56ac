"""Manager pages for beneficiaries: list and search, import, one KPM's page and its actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext

from aid import beneficiaries as kpm
from aid import ledger
from aid.identity import mask_id_number
from aid.kpm_file import parse_file
from aid.settings import bpnt_settings
from aid.web import card_key, rejection_json, sale_numbers
from ewarung import audit
from ewarung.errors import N_, AppError
from ewarung.home import menu_item
from ewarung.i18n import format_local
from ewarung.money import format_rupiah
from ewarung.numbers import clamped_whole, parse_rupiah
from ewarung.tabular import read_upload
from ewarung.web import db_session, requires

bp = Blueprint("kpm", __name__, url_prefix="/kpm")
bp.record_once(menu_item("kpm.index", N_("KPM dan kartu KKS"), "manager", 40))

PAGE_SIZE = 50


@bp.context_processor
def _helpers() -> dict[str, Any]:
    from zoneinfo import ZoneInfo
    cfg = bpnt_settings(db_session())
    tz = ZoneInfo(cfg.timezone)
    return {"local_time": lambda moment: format_local(moment, tz), "ledger_on": cfg.ledger_on,
            "kind_label": kind_label, "masked": mask_id_number, "signed": signed_rupiah}


def signed_rupiah(amount: int) -> str:
    """A ledger amount with its sign always written: +Rp200.000 credited, -Rp62.500 spent."""
    return ("+" if amount > 0 else "") + format_rupiah(amount)


def kind_label(kind: str) -> str:
    """The ledger entry kinds in the interface language."""
    return {"credit": gettext("Kredit hak"), "redemption": gettext("Penukaran"),
            "reversal": gettext("Pengembalian"), "adjustment": gettext("Penyesuaian")
            }.get(kind, kind)


@bp.get("")
@requires("manager")
def index() -> Any:
    """Beneficiaries, searchable by name, NIK, No. KK or village."""
    s = db_session()
    q = request.args.get("q", "")[:120]
    village = request.args.get("village") or None
    status = request.args.get("status", "")
    active = {"active": True, "inactive": False}.get(status)
    page = clamped_whole(request.args.get("page"), 1, 1, 100_000)
    rows, total = kpm.search_beneficiaries(s, q, active=active, village=village,
                                           limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    ents = ledger.entitlements_of(s, [b.id for b in rows])
    return render_template("aid/kpm_list.html", rows=rows, ents=ents, total=total, q=q,
                           village=village, status=status, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           villages=kpm.villages(s))


@bp.post("/card")
@requires("manager")
def find_card() -> Any:
    """Find the KPM of a card number sent in a form: the number is hashed and matched, never
    put in a URL (a GET's query string lands in logs and the browser's history) or a page."""
    s = db_session()
    try:
        b, card = kpm.find_by_any_card(s, card_key(), request.form.get("card", ""))
    except AppError as exc:
        return render_template("aid/kpm_list.html", rows=[], ents={}, total=0, q="",
                               village=None, status="", page=1, pages=1,
                               villages=kpm.villages(s), card_error=exc.message(gettext)
                               ), exc.status
    return render_template("aid/kpm_list.html", rows=[b], ents=ledger.entitlements_of(s, [b.id]),
                           total=1, q="", village=None, status="", page=1, pages=1,
                           villages=kpm.villages(s), card_found=card)


@bp.route("/import", methods=["GET", "POST"])
@requires("manager")
def import_page() -> Any:
    """Upload a beneficiary list and see every rejected row with its reason."""
    result = None
    error = None
    if request.method == "POST":
        s = db_session()
        try:
            data = read_upload(request.files.get("file"))
            plan = parse_file(data, luhn_check=bpnt_settings(s).luhn_check)
            done = kpm.import_beneficiaries(s, card_key(), plan)
        except AppError as exc:
            error = exc.message(gettext)
        else:
            result = {"imported": done.imported, "updated": done.updated,
                      "unchanged": done.unchanged,
                      "rejected": [rejection_json(r) for r in done.rejected]}
    status = 422 if error else 200
    return render_template("aid/kpm_import.html", result=result, error=error), status


@bp.get("/<int:beneficiary_id>")
@requires("manager")
def detail(beneficiary_id: int) -> Any:
    """One KPM: identity, cards, entitlement, redemption history and the whole ledger."""
    return _detail(beneficiary_id)


@bp.post("/<int:beneficiary_id>/nik")
@requires("manager")
def reveal_nik(beneficiary_id: int) -> Any:
    """The KPM's page with the full NIK and No. KK, for a manager who asked; the audit log
    records who looked (not the number)."""
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    audit.record(s, "beneficiary.nik_shown", entity="beneficiary", entity_id=b.id)
    resp = make_response(_detail(beneficiary_id, reveal=True))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _detail(beneficiary_id: int, error: str | None = None, status: int = 200, *,
            reveal: bool = False) -> Any:
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    entries = ledger.history(s, b.id)
    numbers = sale_numbers(entries)
    return render_template(
        "aid/kpm_detail.html", b=b, ent=ledger.entitlement_of(s, b.id), entries=entries,
        redemptions=[e for e in entries if e.kind in ("redemption", "reversal")],
        numbers=numbers, reveal=reveal, error=error), status


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
    """A signed correction or a balance, in Rupiah; None when left empty."""
    text = request.form.get(name, "")
    if not text.strip():
        return None
    return parse_rupiah(text, name, low=-ledger.MAX_ENTITLEMENT, high=ledger.MAX_ENTITLEMENT)


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
