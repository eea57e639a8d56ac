"""The worker thread against printers that go away, come back and hang up mid-job."""

from __future__ import annotations

import time

from sqlalchemy import select

from printer.models import PrintJob
from printer.queue import enqueue_receipt
from tests.factories import make_sale_receipt
from tests.printer.conftest import setup_for


def _job(db, job_id):
    with db.unit_of_work(write=False) as s:
        return s.get(PrintJob, job_id)


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _sell(db, url, receipt=None):
    """A stand-in for the sale's unit of work: the receipt commits with it."""
    setup = setup_for(db, url)
    started = time.perf_counter()
    with db.unit_of_work() as s:
        job = enqueue_receipt(s, receipt or make_sale_receipt("bpnt"), setup=setup)
        assert job is not None
        job_id = job.id
    return job_id, time.perf_counter() - started


def test_a_committed_receipt_is_printed_by_the_worker_at_once(db, tcp_printer, worker):
    job_id, _ = _sell(db, tcp_printer.url)
    (connection,) = tcp_printer.wait_for(1)
    job = _wait(lambda: (j := _job(db, job_id)).state == "done" and j)
    assert bytes(connection.data) == job.data


def test_a_refusing_printer_never_holds_up_the_sale_and_prints_once_when_back(
        db, tcp_printer, worker):
    tcp_printer.refuse()
    job_id, took = _sell(db, tcp_printer.url)
    assert took < 0.5  # the sale committed without waiting for the printer
    failed = _wait(lambda: (job := _job(db, job_id)).attempts >= 1 and job.last_error
                   and job.state == "queued" and job)
    assert "refused" in failed.last_error
    tcp_printer.accept()
    assert len(tcp_printer.wait_for(1, timeout=15)) == 1
    done = _wait(lambda: (job := _job(db, job_id)).state == "done" and job)
    time.sleep(1.5)  # a second delivery would have happened by now
    assert tcp_printer.jobs() == [done.data]
    assert done.attempts >= 2


def test_a_printer_dropping_the_connection_mid_job_gets_the_whole_job_again(
        db, tcp_printer, worker):
    tcp_printer.drop_after(100)
    job_id, _ = _sell(db, tcp_printer.url)
    first, second = tcp_printer.wait_for(2, timeout=15)
    job = _wait(lambda: (j := _job(db, job_id)).state == "done" and j)
    assert first.dropped and len(first.data) == 100 and job.data.startswith(bytes(first.data))
    assert bytes(second.data) == job.data and not second.dropped
    assert job.attempts == 2


def test_a_kick_that_waited_past_its_limit_is_not_sent_by_the_worker(db, tcp_printer, worker):
    tcp_printer.refuse()  # the printer is off while the cash sale happens
    _sell(db, tcp_printer.url, make_sale_receipt("cash"))
    with db.unit_of_work(write=False) as s:
        kick = s.scalars(select(PrintJob).where(PrintJob.kind == "drawer")).one()
    _wait(lambda: _job(db, kick.id).state == "dropped", timeout=15)
    tcp_printer.accept()
    receipt_conn = tcp_printer.wait_for(1, timeout=15)
    assert receipt_conn and b"\x1bp" not in bytes(receipt_conn[0].data)
    time.sleep(0.5)
    assert len(tcp_printer.connections) == 1


def test_ewarung_serve_starts_the_worker_through_its_hook(app, db, tcp_printer):
    from printer import start_worker

    assert start_worker in app.extensions["ewarung.on_serve"]
    for hook in app.extensions["ewarung.on_serve"]:
        hook(app)
    assert app.extensions["printer.worker"].running
    job_id, _ = _sell(db, tcp_printer.url)
    assert tcp_printer.wait_for(1)
    assert _wait(lambda: _job(db, job_id).state == "done")
