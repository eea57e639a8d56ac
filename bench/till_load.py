"""Loading the till with 20,000 products on a slow tablet: time to interactive and bytes.

`ewarung serve` runs as a subprocess on a generated catalogue (bench/gen/catalogue.py).
Headless Chromium (Debian's) signs a cashier in, throttles the CPU 4× through the DevTools
protocol (a cheap Android tablet), and opens /till/ with an empty cache. Interactive means
the product grid shows its first tiles and the till's script has wired every control (it
marks the page ready); bytes are everything the page transferred
(Network.loadingFinished). Median of several cold loads.

    .venv/bin/python -m bench.till_load [sqlite] [postgresql]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, table
from bench.gen.catalogue import generate_products, generate_stock
from bench.gen.databases import fresh_database
from bench.server import serve

N_PRODUCTS = 20_000
LOADS = 5
CPU_SLOWDOWN = 4
TARGET_TTI_MS = 1000.0
TARGET_KB = 100.0
CHROMIUM = os.environ.get("EWARUNG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def _prepare(url: str) -> None:
    from ewarung.auth.services import create_user, use_hash_profile
    from ewarung.db import Database
    from pos.shifts import open_shift

    use_hash_profile("cheap")
    db = Database(url)
    with db.unit_of_work() as s:
        ids = generate_products(s, N_PRODUCTS, seed=3)
        generate_stock(s, ids, seed=3)
        kasir = create_user(s, "kasir", "cashier", pin="1234", full_name="Kasir Bench")
        open_shift(s, kasir.id, 0)  # the till asks for the float before the first sale
    db.dispose()


def _one_load(browser: object, base: str) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    login = context.request.post(base + "/api/v1/auth/login",
                                 data={"username": "kasir", "pin": "1234"})
    assert login.ok, login.text()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    received: list[int] = []
    cdp.on("Network.loadingFinished", lambda e: received.append(int(e["encodedDataLength"])))
    page.goto(base + "/till/", wait_until="commit")
    tti = page.wait_for_function(
        "document.body.dataset.ready && document.querySelector('.product-tile')"
        " ? performance.now() : null",
        timeout=30000).json_value()
    page.wait_for_load_state("networkidle")
    context.close()
    return float(tti), sum(received)


def _measure(kind: str) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    with fresh_database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        _prepare(url)
        with serve(url, Path(tmp)) as served, sync_playwright() as pw:
            base = served.url
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            _one_load(browser, base)  # warm the server
            loads = [_one_load(browser, base) for _ in range(LOADS)]
            browser.close()
    tti = statistics.median(t for t, _ in loads)
    kb = statistics.median(b for _, b in loads) / 1024
    note = f"{N_PRODUCTS} products, CPU {CPU_SLOWDOWN}x slower, median of {LOADS} cold loads"
    return [Figure("till time to interactive", tti, "ms", TARGET_TTI_MS, False, kind, note),
            Figure("till page weight", kb, "KB", TARGET_KB, False, kind)]


def run(databases: list[str]) -> list[Figure]:
    """Till load on each database."""
    figures: list[Figure] = []
    for kind in databases:
        figures += _measure(kind)
    return figures


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite"])))
