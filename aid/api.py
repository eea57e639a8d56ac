"""Beneficiaries, cards, entitlements and bank reconciliation over the JSON API."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import current_app
from flask_babel import gettext

from aid import beneficiaries as kpm
from aid import ledger
from aid.cards import derive_token_key, sign_card_token
from aid.kpm_file import parse_file
from aid.models import KksCard, ReconciliationRun
from aid.reconciliation import run_reconciliation
from aid.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    BeneficiaryOut,
    BeneficiaryPage,
    CardIn,
    CreditIn,
    CreditOut,
    ImportIn,
    ImportOut,
    LedgerOut,
    LedgerQuery,
    LookupIn,
    LookupOut,
    LookupQuery,
    ReconciliationIn,
    ReconciliationOut,
    ReconItemOut,
    SearchQuery,
    StatusIn,
    UnservedOut,
    UnservedQuery,
)
from aid.settings import bpnt_settings
from aid.web import (
    beneficiary_json,
    card_key,
    entry_json,
    lookup_json,
    rejection_json,
    sale_numbers,
)
from ewarung.db import get_or_404, utcnow
from ewarung.tabular import read_upload
from ewarung.web import db_session, requires

bp = APIBlueprint("kpm_api", __name__, url_prefix="/api/v1", tag="Beneficiaries")

@bp.post("/beneficiaries/import")
@requires("manager")
@bp.input(ImportIn, location="files", arg_name="body")
@bp.output(ImportOut)
def import_beneficiaries(body: ImportIn) -> dict[str, Any]:
    """Import KPM from a CSV or XLSX file; re-imports update by NIK; bad rows are listed."""
    s = db_session()
    plan = parse_file(read_upload(body.file), luhn_check=bpnt_settings(s).luhn_check)
    result = kpm.import_beneficiaries(s, card_key(), plan)
    return {"imported": result.imported, "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": [rejection_json(r) for r in result.rejected]}


def _lookup(card: str | None, nik: str | None) -> dict[str, Any]:
    s = db_session()
    cfg = bpnt_settings(s)
    found: KksCard | None
    token = None
    if card is not None:
        beneficiary, found = kpm.find_by_card(s, card_key(), card)
        # the card was presented: the till pays with this token and forgets the number
        token = sign_card_token(derive_token_key(current_app.config["SECRET_KEY"]),
                                beneficiary_id=beneficiary.id, card_id=found.id,
                                digest=found.card_hash, issued=int(utcnow().timestamp()))
    else:
        beneficiary = kpm.find_by_nik(s, nik or "")
        found = beneficiary.active_card
    out = lookup_json(beneficiary, found,
                      ledger.entitlement_of(s, beneficiary.id, settings=cfg), token)
    out.update(bpnt_mode=cfg.enforcement, notice=None)
    if not cfg.ledger_on:  # record mode: the bank keeps the balance, the shop has none
        out["entitlement"] = None
    elif ledger.registered_after_credit(s, beneficiary, settings=cfg):
        out["notice"] = {"code": "registered_after_credit", "message": gettext(
            "KPM ini terdaftar setelah hak BPNT periode %(period)s dikreditkan, jadi sisa "
            "haknya di toko Rp0. Minta manajer mengkreditkan haknya di halaman Hak BPNT.",
            period=out["entitlement"]["period"])}
    return out


@bp.get("/beneficiaries/lookup")
@requires("cashier")
@bp.input(LookupQuery, location="query", arg_name="query")
@bp.output(LookupOut)
@bp.doc(responses={404: "card_not_registered", 422: "invalid_card_number"})
def lookup(query: LookupQuery) -> dict[str, Any]:
    """Find a KPM by card number, raw magnetic-stripe text, or NIK, with what is left."""
    return _lookup(query.card, query.nik)


@bp.post("/beneficiaries/lookup")
@requires("cashier")
@bp.input(LookupIn, arg_name="body")
@bp.output(LookupOut)
@bp.doc(responses={404: "card_not_registered", 422: "invalid_card_number"})
def lookup_post(body: LookupIn) -> dict[str, Any]:
    """The same look-up with the card in the body, so the number never sits in a URL."""
    return _lookup(body.card, None)


@bp.get("/beneficiaries")
@requires("manager")
@bp.input(SearchQuery, location="query", arg_name="query")
@bp.output(BeneficiaryPage)
def search(query: SearchQuery) -> dict[str, Any]:
    """Search KPM by name, NIK, No. KK or village."""
    s = db_session()
    rows, total = kpm.search_beneficiaries(s, query.q, active=query.active,
                                           village=query.village, limit=query.limit,
                                           offset=query.offset)
    ents = ledger.entitlements_of(s, [b.id for b in rows])
    return {"items": [beneficiary_json(b, ents[b.id]) for b in rows], "total": total}


@bp.get("/beneficiaries/unserved")
@requires("manager")
@bp.input(UnservedQuery, location="query", arg_name="query")
@bp.output(UnservedOut)
def unserved(query: UnservedQuery) -> dict[str, Any]:
    """Active KPM who have not redeemed in the period (for outreach)."""
    s = db_session()
    label, rows = ledger.unserved(s, query.period)
    ents = ledger.entitlements_of(s, [b.id for b in rows])
    return {"period": label, "items": [
        {"id": b.id, "nik": b.nik, "name": b.name, "village": b.village,
         "address": b.address, "masked_card": b.active_card.masked if b.active_card else None,
         "remaining": ents[b.id].remaining} for b in rows]}


@bp.get("/beneficiaries/<int:beneficiary_id>")
@requires("manager")
@bp.output(BeneficiaryOut)
def get_beneficiary(beneficiary_id: int) -> dict[str, Any]:
    """One KPM with every card and the current entitlement."""
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    return beneficiary_json(b, ledger.entitlement_of(s, b.id), full=True)


@bp.patch("/beneficiaries/<int:beneficiary_id>")
@requires("manager")
@bp.input(StatusIn, arg_name="body")
@bp.output(BeneficiaryOut)
def set_status(beneficiary_id: int, body: StatusIn) -> dict[str, Any]:
    """Activate or deactivate a KPM."""
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    kpm.set_active(s, b, body.active, body.reason)
    return beneficiary_json(b, ledger.entitlement_of(s, b.id), full=True)


@bp.post("/beneficiaries/<int:beneficiary_id>/card")
@requires("manager")
@bp.input(CardIn, arg_name="body")
@bp.output(BeneficiaryOut, status_code=201)
def replace_card(beneficiary_id: int, body: CardIn) -> dict[str, Any]:
    """Give a KPM a replacement card; the old one stays recorded as replaced."""
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    kpm.replace_card(s, card_key(), b, body.card)
    s.refresh(b)
    return beneficiary_json(b, ledger.entitlement_of(s, b.id), full=True)


@bp.get("/beneficiaries/<int:beneficiary_id>/ledger")
@requires("manager")
@bp.input(LedgerQuery, location="query", arg_name="query")
@bp.output(LedgerOut)
def beneficiary_ledger(beneficiary_id: int, query: LedgerQuery) -> dict[str, Any]:
    """A KPM's ledger, newest first (`kind=redemption` gives the redemption history)."""
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    kinds = [query.kind] if query.kind else None
    entries = ledger.history(s, b.id, kinds=kinds, limit=query.limit)
    numbers = sale_numbers(entries)
    return {"entitlement": ledger.entitlement_of(s, b.id).as_dict(),
            "entries": [entry_json(e, numbers) for e in entries]}


@bp.post("/beneficiaries/<int:beneficiary_id>/adjustments")
@requires("manager")
@bp.input(AdjustmentIn, arg_name="body")
@bp.output(AdjustmentOut, status_code=201)
def adjust(beneficiary_id: int, body: AdjustmentIn) -> dict[str, Any]:
    """Correct a KPM's entitlement by an amount, or to the balance the bank's EDC shows."""
    s = db_session()
    b = kpm.get_beneficiary(s, beneficiary_id)
    if body.bank_remaining is not None:
        entry = ledger.align_with_bank(s, b.id, body.bank_remaining, body.reason)
    else:
        entry = ledger.adjust(s, b.id, body.amount or 0, body.reason, period=body.period)
    return {"entry": entry_json(entry) if entry else None,
            "entitlement": ledger.entitlement_of(s, b.id).as_dict()}


@bp.post("/entitlements")
@requires("manager")
@bp.input(CreditIn, arg_name="body")
@bp.output(CreditOut, status_code=201)
@bp.doc(responses={409: "already_credited or beneficiary_inactive"})
def credit(body: CreditIn) -> dict[str, Any]:
    """Credit a period's entitlement to the given KPM, or to every active KPM."""
    credited, skipped = ledger.credit_period(db_session(), body.period, body.amount,
                                             body.beneficiary_ids)
    return {"credited": credited, "skipped": skipped, "period": body.period}


def _run_json(run: ReconciliationRun, items: bool) -> dict[str, Any]:
    fields = ("id", "created_at", "filename", "first_day", "last_day", "matched",
              "amount_differs", "bank_only", "shop_only", "unreadable", "bank_total",
              "shop_total")
    out = {f: getattr(run, f) for f in fields}
    if items:
        out["items"] = [{f: getattr(i, f) for f in ReconItemOut.model_fields}
                        for i in run.items]
    return out


@bp.post("/reconciliations")
@requires("manager")
@bp.input(ReconciliationIn, location="files", arg_name="body")
@bp.output(ReconciliationOut, status_code=201)
def reconcile(body: ReconciliationIn) -> dict[str, Any]:
    """Match the bank's EDC settlement file (CSV) against the recorded BPNT redemptions."""
    run = run_reconciliation(db_session(), read_upload(body.file),
                             body.file.filename or "")
    return _run_json(run, items=True)


@bp.get("/reconciliations/<int:run_id>")
@requires("manager")
@bp.output(ReconciliationOut)
def reconciliation(run_id: int) -> dict[str, Any]:
    """A stored reconciliation with every line."""
    run = get_or_404(db_session(), ReconciliationRun, run_id)
    return _run_json(run, items=True)
