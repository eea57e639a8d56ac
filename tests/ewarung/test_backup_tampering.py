"""Backups that were edited, cut down or made elsewhere are refused cleanly, and nothing stays.

Each attacker below rewrites a good backup and recomputes every checksum the file carries
(what anyone with a text editor and `sha256sum` can do); only the key makes a backup.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from ewarung.backup import BackupRejected, restore_backup, sign_manifest, write_backup
from ewarung.cli import cli
from ewarung.db import Database
from pos.models import Sale, Tender
from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_product,
    make_sale,
    make_stock,
    make_user,
)

Members = dict[str, bytes]


def _shop(app: Any, db: Database) -> None:
    """Three sales: cash, BPNT with cash for the rest, and cash again."""
    key = card_key(app)
    with app.app_context(), db.unit_of_work() as s:
        cashier = make_user(s, "cashier")
        rice = make_product(s, "Beras 5 kg", price=65_000)
        oil = make_product(s, "Minyak 1 L", price=18_000, commodity_group="none")
        for product in (rice, oil):
            make_stock(s, product, 50)
        card = make_card_number()
        credit(s, make_beneficiary(s, key, card=card))
        make_sale(s, app, [(rice, 1)], cashier=cashier)
        make_sale(s, app, [(rice, 2), (oil, 1)], [
            {"kind": "bpnt", "card": card, "edc_ref": "004512"}, {"kind": "cash"}],
            cashier=cashier)
        make_sale(s, app, [(oil, 3)], cashier=cashier)


def _rewrite(src: Path, dst: Path, edit: Callable[[dict[str, Any], Members], None],
             sign_with: str | None = None) -> None:
    """Copy a backup through `edit`, then recompute its checksums (and sign, given a key)."""
    with zipfile.ZipFile(src) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    edit(manifest, members)
    for meta in manifest["tables"]:
        data = members.get(f"tables/{meta['name']}.jsonl", b"")
        meta["sha256"] = hashlib.sha256(data).hexdigest()
        meta["rows"] = data.count(b"\n")
    if "checksum" in manifest:
        body = {k: v for k, v in manifest.items() if k != "checksum"}
        manifest["checksum"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()
                                              ).hexdigest()
    if sign_with is not None:
        manifest["signature"] = sign_manifest(manifest, sign_with)
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        for name, data in members.items():
            zf.writestr(name, data)


def _change_a_tender_amount(manifest: dict[str, Any], members: Members) -> None:
    rows = [json.loads(line) for line in members["tables/tenders.jsonl"].splitlines()]
    amount = next(m for m in manifest["tables"] if m["name"] == "tenders")["columns"] \
        .index("amount")
    rows[0][amount] += 5_000
    members["tables/tenders.jsonl"] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def _leave_out_the_tenders(manifest: dict[str, Any], members: Members) -> None:
    manifest["tables"] = [m for m in manifest["tables"] if m["name"] != "tenders"]
    del members["tables/tenders.jsonl"]


def _add_an_unknown_table(manifest: dict[str, Any], members: Members) -> None:
    manifest["tables"].append({"name": "hadiah", "rows": 0, "sha256": "", "columns": ["id"]})
    members["tables/hadiah.jsonl"] = b"[1]\n"


def _claim_an_unknown_revision(manifest: dict[str, Any], members: Members) -> None:
    manifest["schema_revision"] = "0099_future"


@pytest.fixture
def target_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema) of the other kind."""
    if backend == "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture
def good_backup(app: Any, db: Database, tmp_path: Path) -> Path:
    _shop(app, db)
    path = tmp_path / "good.ewbackup"
    write_backup(db, path, app.config["SECRET_KEY"])
    return path


def _nothing_restored(db: Database) -> bool:
    return inspect(db.engine).get_table_names() == []


@pytest.mark.parametrize("attack", [_change_a_tender_amount, _leave_out_the_tenders],
                         ids=["tender-amount-changed", "tenders-left-out"])
def test_an_edited_backup_with_recomputed_checksums_is_refused(app, good_backup, target_url,
                                                               tmp_path, attack):
    bad = tmp_path / "bad.ewbackup"
    _rewrite(good_backup, bad, attack)
    target = Database(target_url)
    try:
        with pytest.raises(BackupRejected) as err:
            restore_backup(target, bad, app.config["SECRET_KEY"])
        assert "tanda tangan" in err.value.message()
        assert _nothing_restored(target)
    finally:
        target.dispose()


@pytest.mark.parametrize(("attack", "says"), [
    (_change_a_tender_amount, "pembayaran"),
    (_leave_out_the_tenders, "tenders"),
], ids=["tender-amount-changed", "tenders-left-out"])
def test_a_signed_but_inconsistent_backup_is_refused(app, good_backup, target_url, tmp_path,
                                                     attack, says):
    """Even with the key (a bug, or an insider), the data must hold together."""
    bad = tmp_path / "bad.ewbackup"
    _rewrite(good_backup, bad, attack, sign_with=app.config["SECRET_KEY"])
    target = Database(target_url)
    try:
        with pytest.raises(BackupRejected) as err:
            restore_backup(target, bad, app.config["SECRET_KEY"])
        assert says in err.value.message()
        assert _nothing_restored(target)
    finally:
        target.dispose()


@pytest.mark.parametrize(("attack", "says"), [
    (_add_an_unknown_table, "hadiah"),
    (_claim_an_unknown_revision, "0099_future"),
], ids=["unknown-table", "unknown-revision"])
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_restore_refuses_unknown_tables_and_revisions_without_a_traceback(
        app, good_backup, target_url, tmp_path, attack, says, signed):
    bad = tmp_path / "bad.ewbackup"
    _rewrite(good_backup, bad, attack, sign_with=app.config["SECRET_KEY"] if signed else None)
    target_app = make_app(tmp_path / "target", target_url, secret_key=app.config["SECRET_KEY"])
    target = target_app.extensions["ewarung.db"]
    try:
        result = target_app.test_cli_runner().invoke(cli, ["restore", str(bad)], obj=target_app)
        assert type(result.exception) is SystemExit, result.exception
        assert result.exit_code != 0
        assert (says if signed else "tanda tangan") in result.output
        assert "Traceback" not in result.output
        assert _nothing_restored(target)
    finally:
        target.dispose()


def test_a_backup_with_a_row_count_changed_and_signed_is_refused(app, good_backup, target_url,
                                                                 tmp_path):
    def drop_a_sale_line(manifest: dict[str, Any], members: Members) -> None:
        lines = members["tables/sale_lines.jsonl"].splitlines(keepends=True)
        members["tables/sale_lines.jsonl"] = b"".join(lines[:-1])

    bad = tmp_path / "bad.ewbackup"
    _rewrite(good_backup, bad, drop_a_sale_line, sign_with=app.config["SECRET_KEY"])
    target = Database(target_url)
    try:
        with pytest.raises(BackupRejected):
            restore_backup(target, bad, app.config["SECRET_KEY"])
        assert _nothing_restored(target)
    finally:
        target.dispose()


def test_a_backup_restores_only_under_the_key_it_was_made_with(app, good_backup, target_url,
                                                               tmp_path):
    other_app = make_app(tmp_path / "other", target_url, secret_key="a-different-key")
    target = other_app.extensions["ewarung.db"]
    try:
        result = other_app.test_cli_runner().invoke(cli, ["restore", str(good_backup)],
                                                    obj=other_app)
        assert result.exit_code == 1
        assert "kunci rahasia lain" in result.output
        assert "EWARUNG_SECRET_KEY" in result.output
        assert _nothing_restored(target)
    finally:
        target.dispose()
    same_key = Database(target_url)
    try:
        counts = restore_backup(same_key, good_backup, app.config["SECRET_KEY"])
        assert counts["sales"] == 3
        with same_key.unit_of_work(write=False) as s:
            assert s.scalar(select(func.count()).select_from(Tender)) == 4
            assert s.scalar(select(func.sum(Sale.total))) == 65_000 * 3 + 18_000 * 4
    finally:
        same_key.dispose()
