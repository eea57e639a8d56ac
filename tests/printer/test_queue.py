"""The print queue: jobs commit with the sale, print after it, and never get lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ewarung.audit import AuditEvent
from ewarung.backup import restore_backup, write_backup
from ewarung.db import Database, utcnow
from ewarung.shop import set_setting
from printer.models import PrintJob
from printer.queue import (
    DRAWER_KICK_LIMIT,
    JobNotRetryable,
    PrinterNotConfigured,
    enqueue_receipt,
    enqueue_report,
    enqueue_test_page,
    reprint_job,
    retry_job,
)
from printer.render import paper_profile, render_receipt
from printer.worker import MAX_ATTEMPTS, backoff, process_pending, recover_interrupted
from tests.factories import make_sale_receipt
from tests.printer.conftest import PROFILE_58, PROFILE_80, setup_for
from tests.printer.escpos_decode import decode


def _jobs(db):
    with db.unit_of_work(write=False) as s:
        return s.scalars(select(PrintJob).order_by(PrintJob.id)).all()


def _enqueue(db, url, receipt=None, profile=PROFILE_80, **kwargs):
    setup = setup_for(db, url, profile)
    with db.unit_of_work() as s:
        job = enqueue_receipt(s, receipt or make_sale_receipt("bpnt"), setup=setup, **kwargs)
        return job.id if job else None


def test_a_receipt_job_commits_with_the_callers_transaction(db, tcp_printer):
    job_id = _enqueue(db, tcp_printer.url, sale_id=17)
    (job,) = _jobs(db)
    assert (job.id, job.kind, job.state, job.sale_id, job.attempts) == (job_id, "receipt",
                                                                        "queued", 17, 0)
    assert job.target == tcp_printer.url and job.profile == PROFILE_80
    assert job.data is None  # rendered by the worker, outside the sale's transaction
    assert tcp_printer.connections == []  # nothing is sent from inside the transaction
    process_pending(db)
    (job,) = _jobs(db)
    expected = render_receipt(make_sale_receipt("bpnt", sale_number=job.payload["sale_number"]),
                              paper_profile(PROFILE_80))
    assert job.data == expected and tcp_printer.jobs() == [expected]


def test_a_rolled_back_sale_leaves_no_job_and_prints_nothing(db, tcp_printer):
    setup = setup_for(db, tcp_printer.url)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        enqueue_receipt(s, make_sale_receipt(), setup=setup)
        raise RuntimeError("the sale was refused")
    assert _jobs(db) == []
    assert process_pending(db) is None
    assert tcp_printer.connections == []


def test_process_pending_prints_queued_jobs_in_order_and_marks_them_done(db, tcp_printer):
    first = _enqueue(db, tcp_printer.url)
    second = _enqueue(db, tcp_printer.url)
    assert process_pending(db) is None
    jobs = {job.id: job for job in _jobs(db)}
    assert tcp_printer.jobs() == [jobs[first].data, jobs[second].data]
    assert all(j.state == "done" and j.printed_at and j.attempts == 1 for j in jobs.values())


def test_printing_switched_off_queues_nothing(db):
    assert _enqueue(db, "none") is None
    assert _jobs(db) == []
    with db.unit_of_work() as s, pytest.raises(PrinterNotConfigured):
        enqueue_test_page(s, setup=setup_for(db, "none"))


@pytest.mark.parametrize(("payment", "kicks"), [("cash", 1), ("mixed", 1), ("bpnt", 0)])
def test_the_drawer_is_kicked_only_on_sales_with_cash(db, tcp_printer, payment, kicks):
    _enqueue(db, tcp_printer.url, make_sale_receipt(payment))
    process_pending(db)
    sent = [decode(data).names() for data in tcp_printer.jobs()]
    assert sum(names.count("drawer_kick") for names in sent) == kicks
    if kicks:
        assert sent[0] == ["drawer_kick"]  # opened first, while the receipt prints


def test_reprints_and_voided_receipts_never_open_the_drawer(db, tcp_printer):
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash", copy=True))
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash", voided=True))
    assert [job.kind for job in _jobs(db)] == ["receipt", "receipt"]


def test_the_drawer_kick_can_be_switched_off(db, tcp_printer):
    with db.unit_of_work() as s:
        set_setting(s, "printer.cash_drawer", False)
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash"))
    assert [job.kind for job in _jobs(db)] == ["receipt"]


def test_a_drawer_kick_older_than_its_limit_is_dropped_not_sent(db, tcp_printer):
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash"))
    late = utcnow() + DRAWER_KICK_LIMIT + timedelta(seconds=1)
    process_pending(db, now=late)
    kick, receipt = _jobs(db)
    assert (kick.kind, kick.state, kick.attempts) == ("drawer", "dropped", 0)
    assert receipt.state == "done"
    assert [decode(data).names().count("drawer_kick") for data in tcp_printer.jobs()] == [0]


def test_bpnt_sales_get_an_archive_copy_when_the_shop_wants_one(db, tcp_printer):
    with db.unit_of_work() as s:
        set_setting(s, "printer.bpnt_archive_copy", True)
    _enqueue(db, tcp_printer.url, make_sale_receipt("bpnt"))
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash"))
    process_pending(db)
    receipts = [j for j in _jobs(db) if j.kind == "receipt"]
    assert len(receipts) == 3
    assert "*** ARSIP TOKO ***" in decode(receipts[1].data).text()
    assert "ARSIP" not in decode(receipts[0].data).text() + decode(receipts[2].data).text()


def test_a_reprint_is_laid_out_again_as_a_copy(db, tcp_printer):
    original = _enqueue(db, tcp_printer.url, make_sale_receipt("bpnt"), sale_id=5)
    with db.unit_of_work() as s:
        copy = reprint_job(s, original, setup=setup_for(db, tcp_printer.url, PROFILE_58))
        copy_id = copy.id
        assert s.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "printer.reprint")) == "printer.reprint"
    process_pending(db)
    jobs = {j.id: j for j in _jobs(db)}
    assert (jobs[copy_id].reprint_of, jobs[copy_id].sale_id) == (original, 5)
    text = decode(jobs[copy_id].data).text()
    assert "*** SALINAN ***" in text and "SALINAN" not in decode(jobs[original].data).text()
    assert max(len(line) for line in text.splitlines()) <= 32  # today's 58 mm printer


def test_a_report_or_test_page_is_reprinted_byte_for_byte(db, tcp_printer):
    setup = setup_for(db, tcp_printer.url)
    with db.unit_of_work() as s:
        report = enqueue_report(s, "LAPORAN SHIFT (X)", [("Tunai", "Rp10.000")], setup=setup)
        assert report is not None
        copy = reprint_job(s, report.id, setup=setup)
        assert copy.data == report.data and copy.kind == "report"


def test_a_drawer_kick_cannot_be_reprinted(db, tcp_printer):
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash"))
    kick = _jobs(db)[0]
    with db.unit_of_work() as s, pytest.raises(JobNotRetryable):
        reprint_job(s, kick.id, setup=setup_for(db, tcp_printer.url))


def test_failures_back_off_then_give_up_and_a_retry_prints_it(db, tcp_printer):
    tcp_printer.refuse()
    job_id = _enqueue(db, tcp_printer.url)
    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        wait = process_pending(db, now=now)
        (job,) = _jobs(db)
        assert job.attempts == attempt and "DeviceNotFoundError" in job.last_error
        if attempt < MAX_ATTEMPTS:
            assert job.state == "queued" and wait == backoff(attempt).total_seconds()
        now = job.not_before
    assert job.state == "failed" and wait is None
    tcp_printer.accept()
    with db.unit_of_work() as s:
        retry_job(s, job_id, setup=setup_for(db, tcp_printer.url))
    process_pending(db)
    (job,) = _jobs(db)
    assert job.state == "done" and job.attempts == 1
    assert tcp_printer.jobs() == [job.data]


def test_only_failed_jobs_can_be_retried(db, tcp_printer):
    job_id = _enqueue(db, tcp_printer.url)
    with db.unit_of_work() as s, pytest.raises(JobNotRetryable):
        retry_job(s, job_id, setup=setup_for(db, tcp_printer.url))


def test_a_success_lets_jobs_waiting_in_backoff_go_at_once(db, tcp_printer):
    tcp_printer.refuse()
    _enqueue(db, tcp_printer.url)
    process_pending(db)
    tcp_printer.accept()
    _enqueue(db, tcp_printer.url)  # the next sale: the printer is back
    assert process_pending(db) is None
    assert [j.state for j in _jobs(db)] == ["done", "done"]
    assert len(tcp_printer.jobs()) == 2


def test_jobs_cut_off_by_a_stopped_process_print_again_but_kicks_do_not(db, tcp_printer):
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash"))
    with db.unit_of_work() as s:
        for job in s.scalars(select(PrintJob)):
            job.state = "printing"
    assert recover_interrupted(db) == 2
    assert [j.state for j in _jobs(db)] == ["dropped", "queued"]


def test_unreachable_usb_and_cups_printers_fail_the_job_not_the_worker(db):
    for url in ("usb://04b8:0e15", "cups://POS58"):
        _enqueue(db, url)
    process_pending(db)
    jobs = _jobs(db)
    assert [j.state for j in jobs] == ["queued", "queued"]
    assert all(j.attempts == 1 and j.last_error for j in jobs)


def test_a_test_page_shows_the_profile_and_is_audited(db, tcp_printer):
    with db.unit_of_work() as s:
        job = enqueue_test_page(s, setup=setup_for(db, tcp_printer.url, PROFILE_58))
        assert job.kind == "test"
    process_pending(db)
    printed = decode(tcp_printer.jobs()[0])
    assert "HALAMAN UJI PRINTER" in printed.text() and "POS-5890" in printed.text()
    assert "12345678901234567890123456789012" in printed.lines
    assert "raster_image" in printed.names()


def test_print_jobs_and_their_bytes_survive_a_backup_into_the_other_database(
        app, db, tcp_printer, other_backend_url, tmp_path):
    _enqueue(db, tcp_printer.url, make_sale_receipt("cash"), sale_id=3)
    process_pending(db)
    path = tmp_path / "shop.ewbackup"
    assert write_backup(db, path, app.config["SECRET_KEY"])["print_jobs"] == 2
    target = Database(other_backend_url)
    try:
        restore_backup(target, path, app.config["SECRET_KEY"])
        assert [(j.kind, j.state, j.data, j.payload) for j in _jobs(target)] == \
            [(j.kind, j.state, j.data, j.payload) for j in _jobs(db)]
    finally:
        target.dispose()


def test_a_receipt_that_cannot_be_rendered_fails_its_job_not_the_worker(db, tcp_printer):
    job_id = _enqueue(db, tcp_printer.url)
    with db.unit_of_work() as s:
        s.get(PrintJob, job_id).payload = {"sale_number": "broken"}
    second = _enqueue(db, tcp_printer.url)
    process_pending(db)
    jobs = {j.id: j for j in _jobs(db)}
    assert jobs[job_id].state == "queued" and "KeyError" in jobs[job_id].last_error
    assert jobs[second].state == "done" and tcp_printer.jobs() == [jobs[second].data]


def test_a_font_b_receipt_is_rendered_for_the_wider_columns(db, tcp_printer):
    with db.unit_of_work() as s:
        set_setting(s, "printer.font", "b")
    _enqueue(db, tcp_printer.url, profile=PROFILE_58)
    process_pending(db)
    printed = decode(tcp_printer.jobs()[0])
    assert max(len(line) for line in printed.lines) == 42
    assert ("font", b"\x01") in printed.commands
