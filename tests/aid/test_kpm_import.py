"""Importing beneficiary lists through the API and the command line."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from aid.beneficiaries import import_beneficiaries
from aid.kpm_file import BeneficiaryRow, ImportPlan, cell_text, parse_file, rows_to_csv
from aid.models import Beneficiary, KksCard
from ewarung.audit import AuditEvent
from ewarung.text import has_unwritable
from tests.factories import make_card_number, make_nik
from tests.helpers import error_code
from tests.pos.conftest import run_cli


def upload(client, data: bytes, name: str = "kpm.csv"):
    return client.post("/api/v1/beneficiaries/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def messy_file():
    """Semicolons, a BOM, quote prefixes, a destroyed number, a duplicate NIK, a bad Luhn."""
    goods = [(make_nik(), make_card_number()) for _ in range(3)]
    dup_nik = goods[0][0]
    card = make_card_number()
    bad_luhn = card[:-1] + str((int(card[-1]) + 1) % 10)
    lines = [
        "No;NIK;Nama;No_KKS;Desa;No_KK;Alamat;Kecamatan",
        f"1;'{goods[0][0]};Siti Aminah;'{goods[0][1]};Sukamaju;'{goods[0][0]};RT 01;Cibeureum",
        f"2; '{goods[1][0]} ;  Budi Santoso ; {goods[1][1][:8]} {goods[1][1][8:]};Sukamaju;;;",
        f"3;3.52701E+15;Rusak Excel;'{make_card_number()};Sukamaju;;;",
        f"4;'{dup_nik};Dobel NIK;'{make_card_number()};Sukamaju;;;",
        f"5;'{make_nik()};Salah Luhn;'{bad_luhn};Sukamaju;;;",
        f"6;'{goods[2][0]};Ani;'{goods[2][1]};Mekarsari;;;",
    ]
    data = b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
    return data, goods, bad_luhn


def test_a_messy_file_imports_the_good_rows_and_rejects_each_bad_row_with_a_reason(
        manager, db):
    data, goods, bad_luhn = messy_file()
    resp = upload(manager, data)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["imported"], body["updated"]) == (3, 0)
    assert [(r["row"], r["code"]) for r in body["rejected"]] == [
        (4, "number_destroyed"), (5, "duplicate_nik"), (6, "invalid_card_number")]
    messages = {r["code"]: r["message"] for r in body["rejected"]}
    assert "tidak bisa dipulihkan" in messages["number_destroyed"]
    assert "baris 2" in messages["duplicate_nik"]
    assert "angka terakhirnya tidak cocok" in messages["invalid_card_number"]
    assert bad_luhn not in resp.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        rows = s.scalars(select(Beneficiary).order_by(Beneficiary.id)).all()
        assert [(b.nik, b.name) for b in rows] == [
            (goods[0][0], "Siti Aminah"), (goods[1][0], "Budi Santoso"), (goods[2][0], "Ani")]
        assert rows[0].no_kk == goods[0][0] and rows[0].kecamatan == "Cibeureum"
        assert [c.masked for c in s.scalars(select(KksCard).order_by(KksCard.id))] == [
            f"{c[:6]}******{c[-4:]}" for _, c in goods]


def test_reimport_updates_by_nik_and_moves_a_replaced_card_to_the_same_kpm(manager, db):
    nik, old_card, new_card = make_nik(), make_card_number(), make_card_number()
    upload(manager, f"nik,nama,no_kks,desa\n{nik},Siti,{old_card},Sukamaju\n".encode())
    resp = upload(manager, f"nik,nama,no_kks,desa\n{nik},Siti Aminah,{new_card},Sukamaju\n"
                  .encode())
    assert resp.get_json() | {"rejected": []} == {
        "imported": 0, "updated": 1, "unchanged": 0, "rejected": []}
    with db.unit_of_work(write=False) as s:
        [b] = s.scalars(select(Beneficiary)).all()
        assert b.name == "Siti Aminah"
        assert [(c.masked[-4:], c.status) for c in b.cards] == [
            (old_card[-4:], "replaced"), (new_card[-4:], "active")]
        assert b.cards[1].replaces_id == b.cards[0].id
    again = upload(manager, f"nik,nama,no_kks,desa\n{nik},Siti Aminah,{new_card},Sukamaju\n"
                   .encode()).get_json()
    assert (again["updated"], again["unchanged"]) == (0, 1)
    back = upload(manager, f"nik,nama,no_kks,desa\n{nik},Siti Aminah,{old_card},Sukamaju\n"
                  .encode()).get_json()
    assert [r["code"] for r in back["rejected"]] == ["card_replaced"]


def test_a_card_of_another_kpm_is_rejected_for_that_row_only(manager):
    card = make_card_number()
    upload(manager, f"nik,nama,no_kks,desa\n{make_nik()},Siti,{card},Sukamaju\n".encode())
    other = make_nik()
    body = upload(manager, (f"nik,nama,no_kks,desa\n{other},Budi,{card},Sukamaju\n"
                            f"{make_nik()},Ani,{make_card_number()},Sukamaju\n").encode()
                  ).get_json()
    assert body["imported"] == 1
    assert [(r["row"], r["code"]) for r in body["rejected"]] == [(2, "card_in_use")]


def test_xlsx_files_import_too(manager, db):
    # A number cell: a NIK ending in 0 may be one Excel cut, refused (the test below).
    nik, card = next(n for n in iter(make_nik, None) if not n.endswith("0")), make_card_number()
    book = Workbook()
    book.active.append(["Desa", "NIK", "Nama", "No KKS"])
    book.active.append(["Sukamaju", int(nik), "Siti", card])
    buf = io.BytesIO()
    book.save(buf)
    body = upload(manager, buf.getvalue(), "kpm.xlsx").get_json()
    assert body["imported"] == 1 and body["rejected"] == []


def test_a_nik_excel_cut_to_15_digits_is_rejected_saying_how_to_fix_the_column(manager, db):
    cut = next(n for n in iter(make_nik, None) if n.endswith("0"))
    kept = next(n for n in iter(make_nik, None) if not n.endswith("0"))
    book = Workbook()
    book.active.append(["NIK", "Nama", "No KKS", "Desa"])
    book.active.append([int(cut), "Siti", make_card_number(), "Sukamaju"])
    book.active.append([int(kept), "Budi", make_card_number(), "Sukamaju"])
    buf = io.BytesIO()
    book.save(buf)
    body = upload(manager, buf.getvalue(), "kpm.xlsx").get_json()
    assert body["imported"] == 1
    [refused] = body["rejected"]
    assert (refused["row"], refused["code"]) == (2, "number_unreliable")
    assert "Format kolom nik sebagai Teks" in refused["message"]
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Beneficiary.nik)).all() == [kept]


def test_a_file_without_required_columns_is_refused_and_nothing_is_written(manager, db):
    resp = upload(manager, b"nik;nama\n3527011204850001;Siti\n")
    assert resp.status_code == 422 and error_code(resp) == "validation_error"
    assert "file" in resp.get_json()["error"]["details"]["fields"]
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Beneficiary)).all() == []


def test_import_without_a_file_is_a_validation_error(manager):
    resp = manager.post("/api/v1/beneficiaries/import", data={},
                        content_type="multipart/form-data")
    assert resp.status_code == 422 and error_code(resp) == "validation_error"


def test_cashiers_may_not_import(cashier):
    resp = upload(cashier, b"nik;nama;no_kks;desa\n")
    assert resp.status_code == 403


def test_the_command_line_import_prints_a_summary_and_each_rejected_row(app, db, tmp_path):
    data, _, _ = messy_file()
    path = tmp_path / "kpm.csv"
    path.write_bytes(data)
    result = run_cli(app, "kpm", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "3 baru" in result.output and "3 ditolak" in result.output
    assert "baris 4" in result.output and "number_destroyed" in result.output
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Beneficiary)).all()) == 3
        assert s.scalar(select(AuditEvent.after).where(
            AuditEvent.action == "beneficiary.import"))["imported"] == 3


def test_the_command_line_credits_a_period_once(app, db, key):
    from tests.factories import make_beneficiary

    with db.unit_of_work() as s:
        make_beneficiary(s, key)
        make_beneficiary(s, key, active=False)
    first = run_cli(app, "kpm", "credit", "2030-05", "200000")
    assert first.exit_code == 0 and "ke 1 KPM (0 sudah menerima)" in first.output
    again = run_cli(app, "kpm", "credit", "2030-05", "200000")
    assert "ke 0 KPM (1 sudah menerima)" in again.output
    bad = run_cli(app, "kpm", "credit", "2030-5", "200000")
    assert bad.exit_code == 2 and "TTTT-BB" in bad.output  # a usage error, as click has it


def test_a_row_with_a_control_character_is_rejected_alone_naming_its_column(manager, db):
    rows = [["nik", "nama", "no_kks", "desa", "alamat", "kecamatan", "id_dtks"]]
    bad = [("nama", "Siti\x1b@Aminah"), ("desa", "Suka\x07maju"), ("alamat", "RT\x0c01"),
           ("alamat", "RT 01\u2028RW 02"), ("kecamatan", "Cibe\x7fureum"),
           ("id_dtks", "DT\x1b-1")]
    for column, value in bad:
        row = {"nik": make_nik(), "nama": "Siti", "no_kks": make_card_number(),
               "desa": "Sukamaju", "alamat": "", "kecamatan": "", "id_dtks": "", column: value}
        rows.append(list(row.values()))
    good_nik = make_nik()  # a line break in an address is kept; a tab in a name is a space
    rows.append([good_nik, "Budi\tSantoso", make_card_number(), "Sukamaju", "RT 01\nRW 02",
                 "Cibeureum", "DT-2"])
    resp = upload(manager, rows_to_csv(rows).encode())
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["imported"], body["updated"]) == (1, 0)
    assert [(r["row"], r["code"]) for r in body["rejected"]] == [
        (i, "validation_error") for i in range(2, 8)]
    for (column, _value), refused in zip(bad, body["rejected"], strict=True):
        assert f"Kolom {column} berisi karakter kendali" in refused["message"], refused
    with db.unit_of_work(write=False) as s:
        [kpm] = s.scalars(select(Beneficiary)).all()
        assert (kpm.nik, kpm.name, kpm.address) == (good_nik, "Budi Santoso", "RT 01\nRW 02")


def test_the_import_service_refuses_control_characters_from_any_caller(db, key):
    plan = ImportPlan(rows=[BeneficiaryRow(row=3, nik=make_nik(), name="Siti\tAminah",
                                           village="Sukamaju", card_number=make_card_number())])
    with db.unit_of_work() as s:
        result = import_beneficiaries(s, key, plan)
    assert [(r.row, r.code, r.params) for r in result.rejected] == [
        (3, "validation_error", {"column": "nama"})]
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Beneficiary)).all() == []


_unicode = st.text(st.characters(codec="utf-8"), max_size=140)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=_unicode, address=_unicode)
def test_any_unicode_name_is_imported_as_written_or_refused_with_a_reason(db, key, name,
                                                                          address):
    nik = make_nik()
    data = rows_to_csv([["nik", "nama", "no_kks", "desa", "alamat"],
                        [nik, name, make_card_number(), "Sukamaju", address]]).encode()
    with db.unit_of_work() as s:
        result = import_beneficiaries(s, key, parse_file(data))
    with db.unit_of_work(write=False) as s:
        stored = s.scalar(select(Beneficiary).where(Beneficiary.nik == nik))

    def cleaned(text):  # what reading a cell keeps: NULs dropped, spaces and a ' trimmed
        return cell_text(text.replace("\x00", ""))
    expected = " ".join(cleaned(name).split())
    if result.rejected:
        assert stored is None and result.imported == 0
        [refused] = result.rejected
        assert refused.row == 2 and refused.code in ("validation_error", "missing_value",
                                                     "value_too_long")
        assert refused.message()
        # a readable name and address are never refused
        assert not (expected and len(cleaned(name)) <= 120 and len(cleaned(address)) <= 300
                    and not has_unwritable(expected)
                    and not has_unwritable(cleaned(address), multiline=True)), refused
    else:
        assert result.imported == 1 and stored is not None
        assert (stored.name, stored.address) == (expected, cleaned(address))
        assert not has_unwritable(stored.name)  # no ESC for a printer, no NUL for PostgreSQL
        assert not has_unwritable(stored.address, multiline=True)
