"""`ewarung district init`, `outlet add` and `outlet revoke`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from district.cli import district
from district.migrate import current_revision, head_revision, schema_drift
from district.models import Outlet
from district.services import hash_key
from ewarung.migrate import current_revision as shop_revision
from ewarung.migrate import head_revision as shop_head
from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.district.events import event, push
from tests.helpers import ApiClient, error_code


def _run(app, *args):
    return app.test_cli_runner().invoke(district, list(args), obj=app)


@pytest.fixture
def empty_district(tmp_path: Path):
    url = create_pg_database()
    app = make_app(tmp_path / "data", url)
    yield app
    app.extensions["ewarung.db"].dispose()
    drop_pg_database(url)


def test_init_creates_the_district_and_is_safe_twice(empty_district):
    engine = empty_district.extensions["ewarung.db"].engine
    first = _run(empty_district, "init")
    assert first.exit_code == 0, first.output
    assert "upgraded from empty to d0001_district" in first.output
    assert current_revision(engine) == head_revision()
    assert shop_revision(engine) == shop_head()  # its users sign in through the shell
    assert schema_drift(engine) == []
    second = _run(empty_district, "init")
    assert second.exit_code == 0 and "nothing to do" in second.output


def test_init_refuses_sqlite(tmp_path):
    app = make_app(tmp_path / "data", f"sqlite:///{tmp_path / 'd.sqlite3'}")
    result = _run(app, "init")
    assert result.exit_code == 1 and "PostgreSQL" in result.output
    app.extensions["ewarung.db"].dispose()


def test_outlet_add_prints_the_key_alone_and_keeps_only_its_hash(district_app, district_db):
    result = app_result = _run(district_app, "outlet", "add", "kpj-01", "--name",
                               "Warung Sejahtera", "--kecamatan", "Kepanjen",
                               "--desa", "Ngadilangkung")
    assert app_result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert "\n" not in key and len(key) >= 40
    with district_db.unit_of_work(write=False) as s:
        outlet = s.scalar(select(Outlet))
    assert outlet.code == "KPJ-01" and outlet.kecamatan == "Kepanjen"
    assert outlet.key_hash == hash_key(key) and key not in outlet.key_hash
    again = _run(district_app, "outlet", "add", "KPJ-01", "--name", "Lain")
    assert again.exit_code == 1 and "sudah terdaftar" in again.output
    client = ApiClient(district_app.test_client())
    assert push(client, key, [event(1)]).status_code == 200


def test_revoke_stops_the_key(district_app, outlet_key):
    client = ApiClient(district_app.test_client())
    assert push(client, outlet_key, [event(1)]).status_code == 200
    result = _run(district_app, "outlet", "revoke", "W001")
    assert result.exit_code == 0, result.output
    refused = push(client, outlet_key, [event(2)])
    assert refused.status_code == 403 and error_code(refused) == "outlet_revoked"
    unknown = _run(district_app, "outlet", "revoke", "NOPE")
    assert unknown.exit_code == 1
