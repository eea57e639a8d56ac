"""Files that took the shop down: each one is a `validation_error` through the API, the
page and the command line, on both databases, and stays so under a memory limit."""

from __future__ import annotations

import functools
import io
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aid.models import Beneficiary
from bench.gen.xlsx import far_cell_xlsx, shared_strings_bomb, whitespace_xlsx
from tests.aid.test_kpm_import import upload
from tests.factories import PASSWORD, make_card_number, make_nik, make_user
from tests.helpers import error_code
from tests.pos.conftest import run_cli

#: each made once per run; on disk none is over 300 KB
HOSTILE: dict[str, Callable[[], bytes]] = {
    "cell at XFD1048576": functools.cache(far_cell_xlsx),
    "256 MB of spaces": functools.cache(lambda: whitespace_xlsx(256 << 20)),
    "5 million shared strings": functools.cache(lambda: shared_strings_bomb(5_000_000)),
}
#: address space for the command line in a child process: it needs about 300 MB to run
MEMORY_LIMIT = 512 << 20


def _csv_with_a_long_field() -> bytes:
    """A KPM list whose one address is longer than the csv module's 131,072-character limit."""
    return (f"nik;nama;no_kks;desa;alamat\n{make_nik()};Siti;{make_card_number()};Sukamaju;"
            f"{'RT 01 ' * 30_000}\n").encode()


def _count(db) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Beneficiary)) or 0)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_spreadsheet_is_a_validation_error_from_the_api(manager, db, name):
    resp = upload(manager, HOSTILE[name](), "kpm.xlsx")
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_data()
    assert list(resp.get_json()["error"]["details"]["fields"]) == ["file"]
    assert _count(db) == 0


def test_a_csv_field_over_the_csv_limit_is_a_validation_error_from_the_api(manager, db):
    resp = upload(manager, _csv_with_a_long_field())
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_data()
    message = resp.get_json()["error"]["message"]
    assert "Baris 2" in message and "lebih dari 32.767 huruf" in message, message
    assert _count(db) == 0


@pytest.fixture
def signed_in(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    return client


@pytest.mark.parametrize("name", [*HOSTILE, "long CSV field"])
def test_the_import_page_shows_why_a_hostile_file_is_refused(signed_in, db, name):
    data = HOSTILE[name]() if name in HOSTILE else _csv_with_a_long_field()
    resp = signed_in.post("/kpm/import", data={"file": (io.BytesIO(data), "kpm.xlsx")},
                          content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422, html[:300]
    assert any(words in html for words in ("ditolak tanpa dibuka", "Kolom wajib",
                                           "lebih dari 32.767 huruf")), html
    assert _count(db) == 0


@pytest.mark.parametrize("name", [*HOSTILE, "long CSV field"])
def test_the_command_line_refuses_a_hostile_file_with_a_message(app, db, tmp_path, name):
    path = tmp_path / "kpm.xlsx"
    path.write_bytes(HOSTILE[name]() if name in HOSTILE else _csv_with_a_long_field())
    result = run_cli(app, "kpm", "import", str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert any(words in result.output for words in ("ditolak tanpa dibuka", "Kolom wajib",
                                                    "lebih dari 32.767 huruf")), result.output
    assert _count(db) == 0


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_under_a_memory_limit_a_hostile_import_is_refused_not_killed(database_url, tmp_path,
                                                                     db, name):
    exe = str(Path(sys.executable).with_name("ewarung"))
    env = {**os.environ, "EWARUNG_DATABASE_URL": database_url,
           "EWARUNG_DATA_DIR": str(tmp_path / "data"), "EWARUNG_SECRET_KEY": "k" * 40}
    good, hostile = tmp_path / "good.csv", tmp_path / "hostile.xlsx"
    good.write_text(f"nik;nama;no_kks;desa\n{make_nik()};Siti;{make_card_number()};Sukamaju\n")
    hostile.write_bytes(HOSTILE[name]())
    runs = [subprocess.run([exe, "kpm", "import", str(path)], env=env, capture_output=True,
                           text=True, timeout=300, preexec_fn=_limit_memory)
            for path in (good, hostile)]
    assert runs[0].returncode == 0 and "1 baru" in runs[0].stdout, runs[0].stderr[-2000:]
    refused = runs[1]  # the limit leaves room for a real import, and the hostile one is refused
    assert refused.returncode == 1, (refused.returncode, refused.stderr[-2000:])
    assert "Traceback" not in refused.stderr and "MemoryError" not in refused.stderr
    assert "ditolak tanpa dibuka" in refused.stderr or "Kolom wajib" in refused.stderr, (
        refused.stderr[-2000:])
    assert _count(db) == 1
