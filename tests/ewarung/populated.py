"""Populated shops for the walks and the fuzzing: the demo shop and a generated medium shop.

Each (shop, database) is built once per test run (xdist's workers share it) into a
template: a SQLite file, or a PostgreSQL database that copies are made from (`CREATE
DATABASE ... TEMPLATE`). A test gets its own copy (`populated_shop(kind, backend)`), so
what one test writes no other test sees.

Besides what `ewarung demo` and `bench.gen` put in, every shop gets one of each thing a GET
route can name, so that the URL table (tests/ewarung/routes.py) finds a real id for every
converter: an open stocktake, a bank reconciliation run, a print job (the printer is set to
an address nobody answers; no worker runs in tests), an open and a closed shift, KUBE
members and an expense. Each role has a user with a bearer token (`shop.tokens[role]`).
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.gen.shop import Size, build_shop
from ewarung.auth.models import ROLES
from ewarung.db import Database
from ewarung.demo import load_demo
from ewarung.migrate import upgrade
from inventory.models import Product
from pos.models import Sale, Tender
from printer.setup import save_printer_settings
from tests.conftest import PG_ADMIN_URL, create_pg_database, drop_pg_database, make_app
from tests.factories import make_user
from tests.helpers import ApiClient

KINDS = ("demo", "medium")
#: the generated medium shop: the medium size's catalogue and KPM (bench.gen.shop.SIZES),
#: with a fifth of its sales over four months so that building it stays within seconds
MEDIUM = Size(products=5_000, kpm=10_000, sales=20_000, days=120)
SEED = 11
SECRET = "populated-shop-secret-key-0123456789abcdef"
#: a printer address nobody answers (TEST-NET-1): jobs queue, nothing prints
PRINTER_URL = "network://192.0.2.1:9100"


@dataclass
class Template:
    """A built shop of one kind on one database, to copy from."""

    kind: str
    backend: str
    url: str
    #: role → bearer token of that role's user (None: the anonymous visitor)
    tokens: dict[str, str]
    seconds: float


@dataclass
class PopulatedShop:
    """A private copy of a template, served by its own app."""

    kind: str
    backend: str
    app: Any
    tokens: dict[str, str]
    url: str
    notes: list[str] = field(default_factory=list)

    @property
    def db(self) -> Database:
        database: Database = self.app.extensions["ewarung.db"]
        return database

    def client(self, role: str | None) -> ApiClient:
        """A client with `role`'s bearer token (None: signed out)."""
        client = ApiClient(self.app.test_client())
        client.token = self.tokens[role] if role else None
        return client

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.backend}"


class Templates:
    """The templates of this test run, built on first use, removed at the session's end.

    Under pytest-xdist the workers share them: the first worker to want a template builds it
    (holding a lock file in the run's shared folder) and writes down where it is; the others
    wait and copy from it. The last worker that used them drops the PostgreSQL templates.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[tuple[str, str], Template] = {}
        with self._locked("users"):
            self._count("users", +1)

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        with open(self.folder / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _count(self, name: str, step: int) -> int:
        path = self.folder / f"{name}.count"
        value = (int(path.read_text()) if path.exists() else 0) + step
        path.write_text(str(value))
        return value

    def get(self, kind: str, backend: str) -> Template:
        if (kind, backend) not in self.built:
            with self._locked(f"{kind}-{backend}"):
                known = self.folder / f"{kind}-{backend}.json"
                if known.exists():
                    template = Template(**json.loads(known.read_text()))
                else:
                    template = self._build(kind, backend)
                    known.write_text(json.dumps(asdict(template)))
            self.built[kind, backend] = template
        return self.built[kind, backend]

    def _build(self, kind: str, backend: str) -> Template:
        t0 = time.perf_counter()
        if backend == "sqlite":
            url = f"sqlite:///{self.folder / f'{kind}.sqlite3'}"
        else:
            url = create_pg_database()
        try:
            db = Database(url)
            upgrade(db.engine)
            db.dispose()
            app = make_app(self.folder / f"data-{kind}-{backend}", url, secret_key=SECRET)
            try:
                if kind == "demo":
                    with app.app_context(), app.extensions["ewarung.db"].unit_of_work() as s:
                        load_demo(s)
                else:
                    app.extensions["ewarung.db"].dispose()
                    build_shop(url, MEDIUM, seed=SEED, secret=SECRET)
                tokens = _complete(app)
                _settle(app.extensions["ewarung.db"])
            finally:
                app.extensions["ewarung.db"].dispose()
        except BaseException:
            if backend == "postgresql":
                drop_pg_database(url)
            raise
        return Template(kind, backend, url, tokens, time.perf_counter() - t0)

    def close(self) -> None:
        """This worker is done; the last one drops the PostgreSQL templates."""
        with self._locked("users"):
            if self._count("finished", +1) < self._count("users", 0):
                return
            for known in self.folder.glob("*-postgresql.json"):
                with self._locked(known.stem):
                    drop_pg_database(json.loads(known.read_text())["url"])
                    known.unlink()


def _settle(db: Database) -> None:
    """Leave the template whole in one file (SQLite), or with fresh statistics (PostgreSQL)."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if db.is_sqlite else "ANALYZE")
        conn.commit()


def _complete(app: Any) -> dict[str, str]:
    """Add one of each thing a GET route names, through the API where it can; returns tokens."""
    from ewarung.auth.services import create_token

    db: Database = app.extensions["ewarung.db"]
    tokens: dict[str, str] = {}
    with db.unit_of_work() as s:
        for role in ROLES:
            tokens[role] = create_token(s, make_user(s, role, username=f"walk_{role}"))
        save_printer_settings(s, url=PRINTER_URL, profile="", font="a", archive_copy=False,
                              cash_drawer=False)
        sale_id = s.scalars(select(Sale.id).order_by(Sale.id.desc()).limit(1)).one()
        product_id = s.scalars(select(Product.id).order_by(Product.id).limit(1)).one()
        bpnt = s.execute(select(Tender.edc_ref, Tender.amount, Tender.masked_card,
                                Sale.created_at).join(Sale).where(Tender.kind == "bpnt")
                         .order_by(Tender.id.desc()).limit(3)).all()
    manager, cashier = ApiClient(app.test_client()), ApiClient(app.test_client())
    manager.token, cashier.token = tokens["manager"], tokens["cashier"]

    def ok(resp: Any, what: str) -> dict[str, Any]:
        assert resp.status_code in (200, 201, 202), (what, resp.status_code, resp.get_json())
        body: dict[str, Any] = resp.get_json()
        return body

    ok(manager.post(f"/api/v1/sales/{sale_id}/print", json={}), "print a receipt")
    counts = [{"product_id": product_id, "counted": "1"}]
    ok(manager.post("/api/v1/stocktakes", json={"note": "opname uji", "lines": counts}),
       "open a stocktake")
    rows = ["tanggal;kode_approval;nominal;no_kartu"] + [
        f"{at.astimezone(_jakarta()):%d/%m/%Y %H:%M};{ref};{amount};{masked}"
        for ref, amount, masked, at in bpnt]
    ok(manager.post("/api/v1/reconciliations", content_type="multipart/form-data",
                    data={"file": (io.BytesIO("\n".join(rows).encode()), "edc.csv")}),
       "reconcile a bank file")
    closed = ok(cashier.post("/api/v1/shifts", json={"opening_float": 100_000}), "open a shift")
    ok(cashier.post(f"/api/v1/shifts/{closed['id']}/close", json={"counted_cash": 100_000}),
       "close the shift")
    ok(cashier.post("/api/v1/shifts", json={"opening_float": 150_000}), "open a shift again")
    if not manager.get("/api/v1/kube/members").get_json():
        for name in ("Sri Wahyuni", "Euis Kurniasih"):
            ok(manager.post("/api/v1/kube/members", json={"name": name}), "add a member")
        ok(manager.post("/api/v1/expenses", json={
            "spent_on": _today(db).isoformat(), "category": "transport", "amount": 75_000,
            "note": "ongkos angkut"}), "record an expense")
    return tokens


def _jakarta() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Jakarta")


def _today(db: Database) -> Any:
    from ewarung.clock import shop_today

    with db.unit_of_work(write=False) as s:
        return shop_today(s)


def _copy(template: Template, folder: Path) -> str:
    """A private copy of the template's database; returns its URL."""
    if template.backend == "sqlite":
        path = folder / "ewarung.sqlite3"
        shutil.copy(make_url(template.url).database or "", path)
        return f"sqlite:///{path}"
    name = f"ewt_shop_{uuid.uuid4().hex[:10]}"
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE '
                              f'"{make_url(template.url).database}"'))
    finally:
        engine.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def populated_shop(templates: Templates, kind: str, backend: str,
                   folder: Path) -> Iterator[PopulatedShop]:
    """A private copy of the (kind, backend) shop with its app; dropped afterwards."""
    template = templates.get(kind, backend)
    url = _copy(template, folder)
    app = make_app(folder / "data", url, secret_key=SECRET)
    shop = PopulatedShop(kind, backend, app, dict(template.tokens), url)
    try:
        yield shop
    finally:
        shop.db.dispose()
        if backend == "postgresql":
            drop_pg_database(url)


@pytest.fixture(scope="session")
def populated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The populated shops' templates of this test run (shared by xdist's workers)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "populated"  # the run's, shared
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("populated")
    templates = Templates(folder)
    yield templates
    templates.close()
