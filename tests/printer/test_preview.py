"""The receipt as HTML, for the tablet preview and the public /r/CODE page."""

from __future__ import annotations

import html

from printer.layout import layout_receipt
from printer.preview import receipt_html
from printer.render import paper_profile
from tests.factories import make_sale_receipt
from tests.printer.conftest import PROFILE_58, PROFILE_80


def test_the_html_receipt_has_the_paper_lines_a_qr_code_and_the_roll_size(app):
    receipt = make_sale_receipt("mixed", voided=True)
    with app.test_request_context():
        page = str(receipt_html(receipt, paper_profile(PROFILE_58)))
    for line in layout_receipt(receipt, 32).all_lines():
        assert html.escape(line, quote=False) in page
    assert "@page { size: 58mm" in page and "--receipt-columns: 32" in page
    assert page.count("<svg") == 1 and "<?xml" not in page
    assert "<b>" in page and "DIBATALKAN" in page


def test_names_are_escaped_not_interpreted(app):
    receipt = make_sale_receipt(items=[("<script>alert(1)</script>", "1", "pcs", 1000, False)])
    with app.test_request_context():
        page = str(receipt_html(receipt, paper_profile(PROFILE_80)))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_receipt_without_an_address_to_verify_has_no_qr_code(app):
    with app.test_request_context():
        page = str(receipt_html(make_sale_receipt(verify_url=""), paper_profile(PROFILE_80)))
    assert "<svg" not in page
