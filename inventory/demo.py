"""The demo shop's stock: an e-Warong catalogue, suppliers of every kind, months of deliveries.

The history tells a story the supplier-dependency page shows: three months ago nearly
everything came from a third-party agent; since then eggs come from a local farmer, tempe
and tofu from a KUBE member's kitchen, vegetables from the village farmers' group and rice
partly from Bulog. Goods are consumed between deliveries (`demo_sale` movements) so stock
levels, expiry and reorder lists look like a working shop's; when the selling domain's demo
is loaded too, consumption stops where its real sales begin: the first day of last month,
so the demo always holds one whole month of sales (and this month's so far), whatever today is.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ewarung.clock import happening_at, shop_today
from ewarung.i18n import format_rupiah
from ewarung.shop import shop_timezone
from inventory import adjustments, catalogue, receiving, reports, stock
from inventory.catalogue import is_fractional
from inventory.ledger import InsufficientStock

DAYS = 100
CONSUME_EVERY = 3

#: key → (name, kind, contact, phone, lead time in days)
SUPPLIERS = {
    "agen": ("CV Sinar Pangan (agen sembako)", "third_party", "Pak Hendra", "0812-1111-2040", 3),
    "grosir": ("Toko Grosir H. Amin", "other", "H. Amin", "0857-2222-3101", 2),
    "bulog": ("Perum Bulog Kancab Sukabumi", "bulog", "Bagian Penjualan", "0266-221-144", 4),
    "darto": ("Pak Darto (peternak ayam petelur)", "local_producer", "Pak Darto",
              "0813-3333-1212", 1),
    "poktan": ("Kelompok Tani Sukamaju (sayur)", "local_producer", "Pak Ujang",
               "0821-4444-5656", 1),
    "tpi": ("TPI Palabuhanratu (ikan)", "local_producer", "Bu Neneng", "0852-5555-7878", 2),
    "ijah": ("Bu Ijah, anggota KUBE (tempe & tahu)", "kube_member", "Bu Ijah",
             "0819-6666-9090", 1),
    "sumi": ("Bu Sumi, anggota KUBE (kebun buah)", "kube_member", "Bu Sumi",
             "0838-7777-2323", 2),
}

# sku, name, unit, price, group, reference, shelf life (days, None: not tracked),
# demand per day, delivered every n days, [(from day, supplier)], barcode
P = tuple[str, str, str, int, str, int | None, int | None, float, int,
          list[tuple[int, str]], str | None]
PRODUCTS: list[P] = [
    ("BRS-PRM-5", "Beras Premium 5 kg", "pack", 72000, "carbohydrate", 74000, None, 3, 7,
     [(0, "agen")], "8997035600017"),
    ("BRS-PRM-10", "Beras Premium 10 kg", "pack", 142000, "carbohydrate", 145000, None, 1.5, 7,
     [(0, "agen")], "8997035600024"),
    ("BRS-MED-5", "Beras Medium SPHP 5 kg", "pack", 62500, "carbohydrate", 62500, None, 4, 7,
     [(0, "agen"), (40, "bulog")], "8993163100057"),
    ("BRS-MED-10", "Beras Medium 10 kg", "pack", 122000, "carbohydrate", 125000, None, 1, 14,
     [(0, "agen"), (40, "bulog")], None),
    ("JGN-PPL", "Jagung Pipilan", "kg", 9000, "carbohydrate", 9500, None, 1.5, 14,
     [(0, "grosir"), (60, "poktan")], None),
    ("KTG", "Kentang", "kg", 18000, "carbohydrate", 19000, 30, 2, 7, [(0, "grosir")], None),
    ("SKG", "Singkong", "kg", 6000, "carbohydrate", 7000, 7, 1.5, 7, [(0, "poktan")], None),
    ("TLR-KG", "Telur Ayam Negeri", "kg", 29000, "animal_protein", 30000, 21, 8, 4,
     [(0, "agen"), (30, "darto")], None),
    ("TLR-KMP", "Telur Ayam Kampung", "butir", 2500, "animal_protein", 2700, 21, 15, 7,
     [(0, "darto")], None),
    ("AYM-KG", "Daging Ayam Broiler", "kg", 36000, "animal_protein", 38000, 4, 3, 3,
     [(0, "agen"), (55, "grosir")], None),
    ("DGS-KG", "Daging Sapi", "kg", 130000, "animal_protein", 135000, 4, 0.5, 7,
     [(0, "grosir")], None),
    ("IKN-BDG", "Ikan Bandeng", "kg", 32000, "animal_protein", 35000, 3, 1.5, 3,
     [(0, "agen"), (45, "tpi")], None),
    ("IKN-TGK", "Ikan Tongkol", "kg", 30000, "animal_protein", 32000, 3, 2, 3, [(0, "tpi")],
     None),
    ("IKN-LL", "Ikan Lele", "kg", 25000, "animal_protein", 27000, 3, 1.5, 3, [(0, "tpi")], None),
    ("TMP", "Tempe Papan", "pcs", 5000, "plant_protein", 5500, 3, 12, 2,
     [(0, "agen"), (25, "ijah")], None),
    ("THU", "Tahu Putih isi 10", "pack", 6000, "plant_protein", 6500, 3, 8, 2,
     [(0, "agen"), (25, "ijah")], None),
    ("KCG-HJU", "Kacang Hijau", "kg", 22000, "plant_protein", 24000, None, 1, 14,
     [(0, "agen")], "8992727000137"),
    ("KCG-TNH", "Kacang Tanah", "kg", 28000, "plant_protein", 30000, None, 0.7, 14,
     [(0, "grosir")], None),
    ("KCG-MRH", "Kacang Merah", "kg", 30000, "plant_protein", 32000, None, 0.5, 14,
     [(0, "grosir")], None),
    ("KDL", "Kedelai", "kg", 13000, "plant_protein", 14000, None, 1, 14, [(0, "grosir")], None),
    ("BYM", "Bayam", "ikat", 3000, "vitamins_minerals", 3500, 2, 10, 2,
     [(0, "agen"), (35, "poktan")], None),
    ("KKG", "Kangkung", "ikat", 3000, "vitamins_minerals", 3500, 2, 10, 2, [(0, "poktan")],
     None),
    ("WRT", "Wortel", "kg", 14000, "vitamins_minerals", 15000, 10, 1.5, 5,
     [(0, "agen"), (35, "poktan")], None),
    ("KBS", "Kubis", "kg", 10000, "vitamins_minerals", 11000, 10, 1.5, 5, [(0, "poktan")], None),
    ("TMT", "Tomat", "kg", 12000, "vitamins_minerals", 14000, 7, 1.5, 4, [(0, "poktan")], None),
    ("PSG", "Pisang Ambon", "sisir", 18000, "vitamins_minerals", 20000, 6, 2, 4,
     [(0, "agen"), (20, "sumi")], None),
    ("JRK", "Jeruk Lokal", "kg", 20000, "vitamins_minerals", 22000, 14, 1, 7, [(0, "agen")],
     None),
    ("PPY", "Pepaya", "kg", 10000, "vitamins_minerals", 11000, 6, 1.5, 4, [(0, "sumi")], None),
    ("MNY-1L", "Minyak Goreng 1 L", "botol", 17000, "none", None, None, 4, 7, [(0, "agen")],
     "8992826111106"),
    ("MNY-2L", "Minyak Goreng 2 L", "pack", 34000, "none", None, None, 1.5, 7, [(0, "agen")],
     "8992826111205"),
    ("GLA-1", "Gula Pasir 1 kg", "pack", 17500, "none", None, None, 3, 7, [(0, "agen")],
     "8993496101019"),
    ("TPG-1", "Tepung Terigu 1 kg", "pack", 12000, "none", None, None, 1.5, 14, [(0, "grosir")],
     "8992760221013"),
    ("MIE-GRG", "Mi Instan Goreng", "pcs", 3500, "none", None, 180, 20, 14, [(0, "grosir")],
     "8998866200301"),
    ("MIE-KUAH", "Mi Instan Kuah Ayam Bawang", "pcs", 3300, "none", None, 180, 12, 14,
     [(0, "grosir")], "8998866200318"),
    ("SBN-CP", "Sabun Cuci Piring 800 ml", "pcs", 13000, "none", None, None, 1, 14,
     [(0, "grosir")], "8999999002480"),
    ("SBN-MD", "Sabun Mandi Batang", "pcs", 4000, "none", None, None, 2, 14, [(0, "grosir")],
     "8999999037673"),
    ("KCP", "Kecap Manis 520 ml", "botol", 21000, "none", None, None, 0.7, 14, [(0, "grosir")],
     "8992696404448"),
    ("GRM", "Garam Beryodium 250 g", "pcs", 3000, "none", None, None, 1, 14, [(0, "grosir")],
     "8993093662109"),
    ("TEH", "Teh Celup isi 25", "pack", 7000, "none", None, None, 0.8, 14, [(0, "grosir")],
     "8991002101104"),
    ("SKM", "Susu Kental Manis 370 g", "pcs", 12500, "none", None, 240, 1, 14, [(0, "grosir")],
     "8992753101207"),
]
#: cost price as a share of the sale price, by commodity group
MARGIN = {"carbohydrate": 0.92, "animal_protein": 0.88, "plant_protein": 0.85,
          "vitamins_minerals": 0.8, "none": 0.9}
#: per supplier kind: what their price is against the usual cost (agents mark up)
MARKUP = {"third_party": 1.06, "other": 1.0, "bulog": 0.95, "local_producer": 0.97,
          "kube_member": 0.96}


def load_demo(session: Session) -> list[str]:
    """Add the catalogue, suppliers and about three months of deliveries and consumption."""
    rng = random.Random(3202)
    today = shop_today(session)
    start = today - timedelta(days=DAYS)
    sales_start = sales_demo_start(today)  # the selling demo (pos) takes over from there
    suppliers = {key: catalogue.create_supplier(session, {
        "name": name, "kind": kind, "contact_person": contact, "phone": phone,
        "lead_time_days": lead, "address": "Kab. Sukabumi"}).id
        for key, (name, kind, contact, phone, lead) in SUPPLIERS.items()}
    products = {spec[0]: _product(session, spec) for spec in PRODUCTS}
    receipts = 0
    for offset in range(DAYS + 1):
        day = start + timedelta(days=offset)
        with happening_at(_at(session, day, 8)):
            receipts += _deliver(session, rng, offset, day, suppliers, products)
        # From where the sales begin, the selling demo throws out what expired, day by day
        # after its sales: done here, ahead of those sales, it would throw out what they sell.
        if offset % CONSUME_EVERY == CONSUME_EVERY - 1 and day < sales_start:
            with happening_at(_at(session, day, 19)):
                write_off_expired(session, day)
                _consume(session, rng, offset, products)
    # What is left on hand is told by the selling demo, after its sales.
    return ["", f"Stock: {len(products)} products, {len(suppliers)} suppliers, {receipts} "
                f"goods receipts over {DAYS} days"]


def stock_value_line(session: Session) -> str:
    """What the stock on hand is worth, as the stock page shows it."""
    value = sum(line.value for line in reports.stock_overview(session))
    return f"stock on hand worth {format_rupiah(value)}"


def sales_demo_start(today: date) -> date:
    """Where the demo's sales begin: the first day of last month, so one month is whole."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _at(session: Session, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=shop_timezone(session))


def _product(session: Session, spec: P) -> dict[str, Any]:
    sku, name, unit, price, group, ref, life, demand, every, sources, barcode = spec
    product = catalogue.create_product(session, {
        "sku": sku, "name": name, "unit": unit, "price": price, "commodity_group": group,
        "reference_price": ref, "tracks_expiry": life is not None,
        "reorder_point": str(round(demand * 2)) if demand >= 1 else "1",
        "barcodes": [barcode] if barcode else [], "allow_negative": sku == "KKG"})
    return {"id": product.id, "unit": unit, "price": price, "group": group, "life": life,
            "demand": demand, "every": every, "sources": sources}


def _deliver(session: Session, rng: random.Random, offset: int, day: date,
             suppliers: dict[str, int], products: dict[str, dict[str, Any]]) -> int:
    """Today's deliveries, one receipt per supplier; returns how many receipts."""
    lines: dict[str, list[dict[str, Any]]] = {}
    for sku, p in products.items():
        if (offset + len(sku)) % p["every"]:
            continue
        source = [key for since, key in p["sources"] if since <= offset][-1]
        qty = p["demand"] * p["every"] * rng.uniform(0.9, 1.12)
        cost = p["price"] * MARGIN[p["group"]] * MARKUP[SUPPLIERS[source][1]]
        lines.setdefault(source, []).append({
            "product_id": p["id"], "quantity": _quantity(qty, p["unit"]),
            "unit_cost": int(round(cost, -1)),
            "expires_on": day + timedelta(days=p["life"]) if p["life"] else None})
    for key, body in lines.items():
        receiving.receive_goods(session, {"supplier_id": suppliers[key], "lines": body,
                                          "received_on": day,
                                          "reference": f"SJ-{day:%m%d}-{suppliers[key]}"})
    return len(lines)


def _consume(session: Session, rng: random.Random, offset: int,
             products: dict[str, dict[str, Any]]) -> None:
    """What the shop sold over the last few days (before the selling domain's own sales)."""
    for p in products.values():
        qty = Decimal(_quantity(p["demand"] * CONSUME_EVERY * rng.uniform(0.85, 1.1), p["unit"]))
        have = stock.on_hand(session, p["id"])
        qty = min(qty, have)
        if qty > 0:
            stock.issue(session, p["id"], qty, ref_type="demo_sale", ref_id=offset)


def write_off_expired(session: Session, day: date) -> None:
    """Write off every batch that expired by `day`, as the shop does in the evening."""
    for batch in reports.expiring(session, -1, day):
        try:
            adjustments.write_off(session, {
                "product_id": batch.product_id, "batch_id": batch.batch_id,
                "quantity": batch.quantity, "reason": "expired"})
        except InsufficientStock:  # pragma: no cover - the batch was just read
            continue


def _quantity(raw: float, unit: str) -> str:
    if is_fractional(unit):
        return f"{max(raw, 0.5):.1f}"
    return str(max(1, round(raw)))
