"""The stock history survives a backup restored into the other kind of database."""

from __future__ import annotations

from sqlalchemy import func, select

from ewarung.backup import restore_backup, write_backup
from ewarung.clock import shop_today
from ewarung.db import Database
from inventory import reports, stock
from inventory.demo import load_demo
from inventory.models import StockMove
from tests.conftest import create_pg_database, drop_pg_database


def test_the_demo_stock_restores_into_the_other_database_kind_unchanged(app, db, backend,
                                                                         tmp_path):
    with app.app_context(), db.unit_of_work() as s:
        load_demo(s)
    path = tmp_path / "shop.ewbackup"
    write_backup(db, path, app.config["SECRET_KEY"])
    other_url = create_pg_database() if backend == "sqlite" else \
        f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    other = Database(other_url)
    try:
        restore_backup(other, path, app.config["SECRET_KEY"])
        figures = []
        for database in (db, other):
            with database.unit_of_work(write=False) as s:
                assert stock.discrepancies(s) == []
                month = shop_today(s).replace(day=1)
                figures.append((
                    s.scalar(select(func.count()).select_from(StockMove)),
                    [(line.name, line.on_hand, line.value,
                      [(b.expires_on, b.quantity) for b in line.batches])
                     for line in reports.stock_overview(s)],
                    [d.hhi for _, d in reports.supplier_dependency(s, month)[1]]))
        assert figures[0] == figures[1]
        with other.unit_of_work() as s:  # the restored shop keeps selling
            product_id = reports.stock_overview(s)[0].product_id
            stock.issue(s, product_id, 1, ref_type="sale", ref_id=1)
    finally:
        other.dispose()
        if backend == "sqlite":
            drop_pg_database(other_url)
