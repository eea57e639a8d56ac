"""The wheel, installed as a shop installs it: a venv of its own, away from this checkout.

The wheel is built from an sdist of the checkout, its dependencies come from the
hash-checked lock, and every command runs in another folder, so nothing can be read from
the source tree. The served shop answers every page for every demo role.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from babel.messages.pofile import read_po

from ewarung.auth.models import ROLE_RANK
from ewarung.web import PUBLIC
from tests.conftest import make_app
from tests.printer.printers import TcpPrinter

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "run.txt"
UV = Path(sys.executable).with_name("uv")
#: the demo's tables holding what a page's path parameter names
PARAM_TABLES = {"sale_id": "sales", "product_id": "products", "receipt_id": "goods_receipts",
                "supplier_id": "suppliers", "beneficiary_id": "beneficiaries",
                "stocktake_id": "stocktakes", "run_id": "reconciliation_runs",
                "job_id": "print_jobs"}
STATIC_LINK = re.compile(r"""(?:href|src)=["'](/static/[^"'?#]+)""")


def _run(*args: Any, **kwargs: Any) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=300, **kwargs)
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


def _install(tmp: Path, env: dict[str, str]) -> Path:
    """Build the sdist and the wheel from it, install the wheel in a new venv; its bin/."""
    dist = tmp / "dist"
    _run(UV, "build", "--quiet", "--python", sys.executable, "--out-dir", dist,
         "--build-constraints", LOCK, "--require-hashes", ROOT, env=env)
    (wheel,) = dist.glob("*.whl")
    venv.create(tmp / "venv", with_pip=False)
    python = tmp / "venv" / "bin" / "python"
    _run(UV, "pip", "install", "--quiet", "--python", python, "--require-hashes",
         "-r", LOCK, env=env)
    _run(UV, "pip", "install", "--quiet", "--python", python, "--no-deps", wheel, env=env)
    return python.parent


def _clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EWARUNG_", "VIRTUAL_ENV", "PYTHON", "UV_"))}
    env["EWARUNG_DATA_DIR"] = str(data_dir)
    return env


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _served(bin_dir: Path, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """`ewarung serve` on a free port; its base URL."""
    port = _free_port()
    log = cwd / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(bin_dir / "ewarung"), "serve", "--port", str(port)],
                                cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                requests.get(base + "/login", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    for messages in (log, Path(env["EWARUNG_DATA_DIR"]) / "logs" / "ewarung.log"):
        text = messages.read_text()
        assert "Traceback" not in text and " ERROR " not in text, text[-5000:]


def _demo_users(output: str) -> dict[str, dict[str, str]]:
    """The first demo user of each role, as a sign-in body."""
    users: dict[str, dict[str, str]] = {}
    for role, name, kind, secret in re.findall(
            r"^\s+(cashier|manager|admin)\s+(\S+)\s+(password|PIN) (\S+)$", output, re.M):
        users.setdefault(role, {"username": name, kind.lower(): secret})
    assert set(users) == set(ROLE_RANK), output
    return users


def _sign_in(base: str, body: dict[str, str]) -> requests.Session:
    http = requests.Session()
    resp = http.post(base + "/api/v1/auth/login", json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    http.headers["X-CSRFToken"] = resp.json()["csrf_token"]
    return http


def _make_the_rest(base: str, users: dict[str, dict[str, str]],
                   printer: TcpPrinter, month: str) -> None:
    """What the demo leaves out, so every page has something to show: a stocktake, a
    bank reconciliation, a printed job."""
    manager = _sign_in(base, users["manager"])
    take = manager.post(base + "/api/v1/stocktakes", timeout=30,
                        json={"lines": [{"product_id": 1, "counted": "1"}]})
    assert take.status_code == 201, take.text
    settlement = f"tanggal;kode_approval;nominal;no_kartu\n01/{month[5:]}/{month[:4]} 09:00;" \
                 "123456;50.000;5264220000000000\n"
    recon = manager.post(base + "/api/v1/reconciliations", timeout=30,
                         files={"file": ("edc.csv", settlement.encode(), "text/csv")})
    assert recon.status_code == 201, recon.text
    admin = _sign_in(base, users["admin"])
    job = admin.post(base + "/api/v1/printer/test", timeout=30)
    assert job.status_code == 202, job.text
    (printed,) = printer.wait_for(1, timeout=30)
    assert printed.data.startswith(b"\x1b@") and b"\x1dV" in printed.data, printed.data[:200]


def _pages(shop_db: Path, tmp: Path) -> list[tuple[str, str]]:
    """Every GET page of the app (not the API), with the role it needs, its parameters
    filled from the shop's data."""
    app = make_app(tmp / "routes", "sqlite://")
    pages = []
    with sqlite3.connect(f"file:{shop_db}?mode=ro", uri=True) as conn:
        for rule in app.url_map.iter_rules():
            if ("GET" not in (rule.methods or ()) or rule.endpoint == "static"
                    or rule.rule.startswith(("/api/", "/r/"))):
                continue
            values = {name: conn.execute(f"SELECT min(id) FROM {PARAM_TABLES[name]}")
                      .fetchone()[0] for name in rule.arguments}
            assert None not in values.values(), (rule.rule, values)
            path = rule.build(values, append_unknown=False)[1]
            pages.append((path, app.view_functions[rule.endpoint]._access))
    app.extensions["ewarung.db"].dispose()
    return sorted(pages)


def _visit_as(base: str, http: requests.Session, role: str,
              pages: list[tuple[str, str]]) -> set[str]:
    """Every page answers as the role's rank says; the static files the pages link."""
    linked: set[str] = set()
    for path, needs in pages:
        resp = http.get(base + path, timeout=60)
        allowed = needs == PUBLIC or ROLE_RANK[role] >= ROLE_RANK[needs]
        assert resp.status_code == (200 if allowed else 403), (role, path, resp.status_code,
                                                                 resp.text[:2000])
        assert resp.content, (role, path)
        if resp.headers["Content-Type"].startswith("text/html"):
            linked |= set(STATIC_LINK.findall(resp.text))
    return linked


def _check_english(base: str) -> None:
    """The English catalogue is found in the installed package."""
    with (ROOT / "ewarung/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        english = read_po(po)["Nama pengguna"].string
    assert english and english != "Nama pengguna"
    assert english not in requests.get(base + "/login", timeout=30).text
    assert english in requests.get(base + "/login?lang=en", timeout=30).text


def _check_receipt_and_reports(base: str, users: dict[str, dict[str, str]],
                               shop_db: Path, month: str) -> None:
    """A sale's public /r/CODE page, and the monthly report's files."""
    with sqlite3.connect(f"file:{shop_db}?mode=ro", uri=True) as conn:
        (sale_id,) = conn.execute("SELECT max(id) FROM sales").fetchone()
    manager = _sign_in(base, users["manager"])
    verify_url = manager.get(f"{base}/api/v1/sales/{sale_id}",
                             timeout=30).json()["receipt"]["verify_url"]
    assert re.fullmatch(re.escape(base) + r"/r/[A-Za-z0-9_-]{16}", verify_url), verify_url
    page = requests.get(verify_url, timeout=30)
    assert page.status_code == 200 and "<html" in page.text, page.text[:2000]
    pdf = manager.get(f"{base}/api/v1/reports/monthly/{month}.pdf", timeout=120)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:500]
    xlsx = manager.get(f"{base}/api/v1/reports/monthly/{month}.xlsx", timeout=120)
    assert xlsx.status_code == 200 and zipfile.is_zipfile(io.BytesIO(xlsx.content))


def _check_commands(bin_dir: Path, cwd: Path, env: dict[str, str], month: str) -> None:
    """init on a new data folder (twice), a backup, the report as PDF and as HTML."""
    fresh = {**env, "EWARUNG_DATA_DIR": str(cwd / "fresh")}
    for _ in range(2):
        _run(bin_dir / "ewarung", "init", cwd=cwd, env=fresh)
    assert (cwd / "fresh" / "ewarung.sqlite3").exists()
    _run(bin_dir / "ewarung", "backup", cwd / "shop-backup.zip", cwd=cwd, env=env)
    assert zipfile.is_zipfile(cwd / "shop-backup.zip")
    for fmt, start in (("pdf", b"%PDF"), ("html", b"<!")):
        out = cwd / f"report.{fmt}"
        _run(bin_dir / "ewarung", "report", "monthly", month, "--format", fmt, "-o", out,
             cwd=cwd, env=env)
        assert out.read_bytes().lstrip().upper().startswith(start.upper()), fmt
    # the standalone page carries the report's style sheet inside it
    assert (ROOT / "static/css/kube.css").read_text("utf-8") in (cwd / "report.html").read_text()


@pytest.mark.slow
@pytest.mark.real_clock  # the shop runs in other processes, on the machine's clock
def test_the_installed_wheel_serves_every_page_for_every_role(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env(tmp_path / "shop")
    bin_dir = _install(tmp_path, env)
    where = _run(bin_dir / "python", "-c", "import ewarung; print(ewarung.__file__)",
                 cwd=elsewhere, env=env)
    assert Path(where.strip()).is_relative_to(tmp_path / "venv"), where
    demo = _run(bin_dir / "ewarung", "demo", cwd=elsewhere, env=env)
    users = _demo_users(demo)
    month = re.search(r"credited Rp[\d.]+ for (\d{4}-\d{2})", demo)[1]  # type: ignore[index]
    _check_commands(bin_dir, elsewhere, env, month)
    printer = TcpPrinter()
    try:
        with _served(bin_dir, elsewhere, {**env, "EWARUNG_PRINTER": printer.url}) as base:
            _make_the_rest(base, users, printer, month)
            shop_db = tmp_path / "shop" / "ewarung.sqlite3"
            pages = _pages(shop_db, tmp_path)
            assert len(pages) > 30, pages
            linked = _visit_as(base, requests.Session(), "anonymous-login", [
                (p, n) for p, n in pages if n == PUBLIC])
            for role, body in users.items():
                linked |= _visit_as(base, _sign_in(base, body), role, pages)
            _check_english(base)
            assert linked, "no page links a static file"
            for path in sorted(linked):
                assert requests.get(base + path, timeout=30).status_code == 200, path
            _check_receipt_and_reports(base, users, shop_db, month)
    finally:
        printer.close()
