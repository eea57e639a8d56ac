"""The import benchmark's files are real: every generated row imports, as XLSX and as CSV."""

from __future__ import annotations

from aid.kpm_file import parse_file, rows_to_csv
from aid.reconcile import SETTLEMENT_LIMITS, read_settlement
from bench.gen.beneficiaries import kpm_list_rows
from bench.gen.catalogue import product_file_rows
from bench.gen.xlsx import excel_xlsx
from bench.imports import N_SETTLEMENT, settlement_rows
from inventory import csvio


def test_a_generated_kpm_list_imports_without_a_rejected_row_as_xlsx_and_csv():
    rows = kpm_list_rows(400, seed=3)
    for data in (excel_xlsx(rows), rows_to_csv(rows).encode()):
        plan = parse_file(data)
        assert plan.rejected == [] and len(plan.rows) == 400
        assert plan.rows[0].nik == rows[1][0] and plan.rows[-1].card_number == rows[-1][2]


def test_a_generated_catalogue_and_settlement_file_import_whole(db):
    with db.unit_of_work() as s:
        result = csvio.import_products(s, rows_to_csv(product_file_rows(300)).encode())
    assert (result.imported, result.rejected) == (300, [])
    settlement = read_settlement(rows_to_csv(settlement_rows(200)).encode(), {})
    assert (len(settlement.txns), settlement.problems) == (200, [])
    assert SETTLEMENT_LIMITS.rows - 1 == N_SETTLEMENT  # the benchmark's file is the longest
