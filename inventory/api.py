"""The stock API: products, suppliers, goods receipts, stock, write-offs, stocktakes, plans."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from apiflask import APIBlueprint
from flask import Response, request

from ewarung.clock import parse_month, shop_today
from ewarung.tabular import read_upload
from ewarung.web import CSV_MEDIA_TYPE, csv_answer, db_session, file_responses, requires
from inventory import adjustments, catalogue, csvio, receiving, reports, stocktake
from inventory.fields import FieldErrors
from inventory.ledger import ZERO
from inventory.models import GoodsReceipt, Product, Stocktake, Supplier
from inventory.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    ExpiringList,
    ExpiringQuery,
    MonthQuery,
    ProductDetail,
    ProductIn,
    ProductList,
    ProductPatch,
    ProductQuery,
    ReceiptIn,
    ReceiptOut,
    ReversalIn,
    StockList,
    StockQuery,
    StocktakeIn,
    StocktakeOut,
    SupplierIn,
    SupplierList,
    SupplierOut,
    SupplierPatch,
    WriteOffIn,
)
from inventory.search import expired_of, on_hand_of, search_products
from inventory.stock import on_hand

bp = APIBlueprint("inventory_api", __name__, url_prefix="/api/v1", tag="Stock")


def product_detail(product: Product) -> dict[str, Any]:
    """A product with everything the manager edits."""
    s = db_session()
    return {"id": product.id, "sku": product.sku, "barcode": product.barcode,
            "barcodes": [b.code for b in product.barcodes], "name": product.name,
            "unit": product.unit, "price": product.price,
            "commodity_group": product.commodity_group,
            "on_hand": on_hand_of(s, [product.id]).get(product.id, ZERO),
            "expired_on_hand": expired_of(s, [product.id]).get(product.id, ZERO),
            "active": product.active, "tracks_expiry": product.tracks_expiry,
            "reference_price": product.reference_price, "reorder_point": product.reorder_point,
            "allow_negative": product.allow_negative,
            "preferred_supplier_id": product.preferred_supplier_id}


@bp.get("/products")
@requires("cashier")
@bp.input(ProductQuery, location="query", arg_name="query")
@bp.output(ProductList)
def list_products(query: ProductQuery) -> Any:
    """Search products by name (any case, any accents), SKU or barcode; best matches first."""
    hits = search_products(db_session(), query.q, query.limit, query.include_inactive,
                           query.group)
    return ProductList.model_validate([asdict(h) for h in hits])


@bp.post("/products")
@requires("manager")
@bp.input(ProductIn, arg_name="body")
@bp.output(ProductDetail, status_code=201)
def add_product(body: ProductIn) -> Any:
    """Add a product (one `barcode`, or several `barcodes`)."""
    data = body.model_dump()
    data["barcodes"] = body.barcodes if body.barcodes is not None else (
        [body.barcode] if body.barcode else [])
    return product_detail(catalogue.create_product(db_session(), data))


@bp.get("/products/<int:product_id>")
@requires("cashier")
@bp.output(ProductDetail)
def get_product(product_id: int) -> Any:
    """One product."""
    return product_detail(catalogue.get_product(db_session(), product_id))


@bp.patch("/products/<int:product_id>")
@requires("manager")
@bp.input(ProductPatch, arg_name="body")
@bp.output(ProductDetail)
def edit_product(product_id: int, body: ProductPatch) -> Any:
    """Change some fields of a product."""
    data = body.model_dump(exclude_unset=True)
    return product_detail(catalogue.update_product(db_session(), product_id, data))


@bp.get("/products/export")
@requires("manager")
@bp.doc(responses=file_responses("CSV file (semicolon separated, UTF-8 with BOM)",
                                  CSV_MEDIA_TYPE))
def export_products() -> Response:
    """The whole catalogue as CSV, in the import format."""
    return csv_answer(csvio.export_products(db_session()), "produk.csv")


@bp.post("/products/import")
@requires("manager")
@bp.doc(responses={200: "{imported, updated, rejected: [{row, code, message}]}"})
def import_products() -> Any:
    """Add or update products from a CSV file (multipart field `file`), row by row."""
    upload = request.files.get("file")
    if upload is None:
        errors = FieldErrors()
        errors.add("file", csvio.NO_FILE)
        errors.raise_if_any()
    assert upload is not None
    return asdict(csvio.import_products(db_session(), read_upload(upload)))


@bp.get("/suppliers")
@requires("manager")
@bp.output(SupplierList)
def list_suppliers() -> Any:
    """Suppliers by name (active and inactive)."""
    return SupplierList.model_validate(
        [_supplier(s) for s in catalogue.suppliers(db_session(), include_inactive=True)])


@bp.post("/suppliers")
@requires("manager")
@bp.input(SupplierIn, arg_name="body")
@bp.output(SupplierOut, status_code=201)
def add_supplier(body: SupplierIn) -> Any:
    """Add a supplier."""
    return _supplier(catalogue.create_supplier(db_session(), body.model_dump()))


@bp.patch("/suppliers/<int:supplier_id>")
@requires("manager")
@bp.input(SupplierPatch, arg_name="body")
@bp.output(SupplierOut)
def edit_supplier(supplier_id: int, body: SupplierPatch) -> Any:
    """Change a supplier."""
    data = body.model_dump(exclude_unset=True)
    return _supplier(catalogue.update_supplier(db_session(), supplier_id, data))


def _supplier(supplier: Supplier) -> dict[str, Any]:
    return {name: getattr(supplier, name) for name in ("id", *catalogue.SUPPLIER_FIELDS)}


@bp.post("/goods-receipts")
@requires("manager")
@bp.input(ReceiptIn, arg_name="body")
@bp.output(ReceiptOut, status_code=201)
def add_receipt(body: ReceiptIn) -> Any:
    """Record goods received from a supplier."""
    return receipt_json(receiving.receive_goods(db_session(), body.model_dump()))


@bp.get("/goods-receipts/<int:receipt_id>")
@requires("manager")
@bp.output(ReceiptOut)
def get_receipt(receipt_id: int) -> Any:
    """One goods receipt."""
    return receipt_json(receiving.get_receipt(db_session(), receipt_id))


@bp.post("/goods-receipts/<int:receipt_id>/reverse")
@requires("manager")
@bp.input(ReversalIn, arg_name="body")
@bp.output(ReceiptOut, status_code=201)
def reverse_receipt(receipt_id: int, body: ReversalIn) -> Any:
    """Correct a receipt with a reversing receipt (all lines, or the quantities given)."""
    return receipt_json(receiving.reverse_receipt(db_session(), receipt_id, body.lines,
                                                  body.note))


def receipt_json(receipt: GoodsReceipt) -> dict[str, Any]:
    """A receipt as the API answers it."""
    reversal = receiving.reversal_of(db_session(), receipt.id)
    return {"id": receipt.id, "number": receipt.number, "supplier_id": receipt.supplier_id,
            "received_on": receipt.received_on, "reference": receipt.reference,
            "note": receipt.note, "total": receipt.total, "reverses_id": receipt.reverses_id,
            "reversed_by": reversal.id if reversal else None, "created_at": receipt.created_at,
            "lines": [{"id": ln.id, "product_id": ln.product_id, "quantity": ln.quantity,
                       "unit_cost": ln.unit_cost, "value": ln.value,
                       "expires_on": ln.expires_on, "batch_label": ln.batch_label,
                       "batch_id": ln.batch_id} for ln in receipt.lines]}


@bp.get("/stock")
@requires("manager")
@bp.input(StockQuery, location="query", arg_name="query")
@bp.output(StockList)
def list_stock(query: StockQuery) -> Any:
    """On hand and value per product, with the batches holding it (first expiry first)."""
    ids = [query.product_id] if query.product_id else None
    return StockList.model_validate([
        {**asdict(line), "batches": [asdict(b) for b in line.batches if not b.overdraft
                                     or b.quantity > 0]}
        for line in reports.stock_overview(db_session(), ids)])


@bp.get("/stock/expiring")
@requires("manager")
@bp.input(ExpiringQuery, location="query", arg_name="query")
@bp.output(ExpiringList)
def list_expiring(query: ExpiringQuery) -> Any:
    """Batches expiring within `days` (expired ones too), soonest first."""
    s = db_session()
    return ExpiringList.model_validate(
        [asdict(e) for e in reports.expiring(s, query.days, shop_today(s))])


@bp.post("/write-offs")
@requires("manager")
@bp.input(WriteOffIn, arg_name="body")
@bp.output(AdjustmentOut, status_code=201)
def add_write_off(body: WriteOffIn) -> Any:
    """Write off goods that cannot be sold, with a reason."""
    return _adjustment(adjustments.write_off(db_session(), body.model_dump()))


@bp.post("/stock-adjustments")
@requires("manager")
@bp.input(AdjustmentIn, arg_name="body")
@bp.output(AdjustmentOut, status_code=201)
def add_adjustment(body: AdjustmentIn) -> Any:
    """Correct a product's stock by hand (signed quantity), with a reason."""
    return _adjustment(adjustments.adjust(db_session(), body.model_dump()))


def _adjustment(record: Any) -> dict[str, Any]:
    return {"id": record.id, "kind": record.kind, "product_id": record.product_id,
            "reason": record.reason, "note": record.note,
            "on_hand": on_hand(db_session(), record.product_id)}


@bp.post("/stocktakes")
@requires("manager")
@bp.input(StocktakeIn, arg_name="body")
@bp.output(StocktakeOut, status_code=201)
def add_stocktake(body: StocktakeIn) -> Any:
    """Open a stocktake with counted quantities; answers the variances it would post."""
    s = db_session()
    take = stocktake.start_stocktake(s, body.note)
    stocktake.record_counts(s, take.id, [line.model_dump() for line in body.lines])
    return stocktake_json(take)


@bp.get("/stocktakes/<int:stocktake_id>")
@requires("manager")
@bp.output(StocktakeOut)
def get_stocktake(stocktake_id: int) -> Any:
    """A stocktake with its variances (posted, or as they stand now)."""
    return stocktake_json(stocktake.get_stocktake(db_session(), stocktake_id))


@bp.post("/stocktakes/<int:stocktake_id>/counts")
@requires("manager")
@bp.input(StocktakeIn, arg_name="body")
@bp.output(StocktakeOut)
def add_counts(stocktake_id: int, body: StocktakeIn) -> Any:
    """Count more products (or count one again) in an open stocktake."""
    take = stocktake.record_counts(db_session(), stocktake_id,
                                   [line.model_dump() for line in body.lines])
    return stocktake_json(take)


@bp.post("/stocktakes/<int:stocktake_id>/approve")
@requires("manager")
@bp.output(StocktakeOut)
def approve(stocktake_id: int) -> Any:
    """Post the variances against the ledger as it is now."""
    return stocktake_json(stocktake.approve_stocktake(db_session(), stocktake_id))


def stocktake_json(take: Stocktake) -> dict[str, Any]:
    """A stocktake as the API answers it."""
    return {"id": take.id, "status": take.status, "started_at": take.started_at,
            "approved_at": take.approved_at,
            "lines": [asdict(v) for v in stocktake.preview(db_session(), take.id)]}


@bp.get("/reorder")
@requires("manager")
def reorder() -> Any:
    """What to buy, grouped by supplier, from the last 28 days of sales."""
    s = db_session()
    return [{"supplier_id": g.supplier_id, "supplier": g.supplier, "kind": g.kind,
             "lead_time_days": g.lead_time_days, "estimated_cost": g.estimated_cost,
             "items": [{**asdict(i), "on_hand": str(i.on_hand), "daily_rate": str(i.daily_rate)}
                       for i in g.items]}
            for g in reports.reorder_list(s, shop_today(s))]


@bp.get("/supplier-dependency")
@requires("manager")
@bp.input(MonthQuery, location="query", arg_name="query")
def supplier_dependency(query: MonthQuery) -> Any:
    """Purchases by supplier kind, top supplier, Herfindahl index, local share, trend."""
    s = db_session()
    month = parse_month(query.month) if query.month else shop_today(s).replace(day=1)
    dep, trend = reports.supplier_dependency(s, month)
    return reports.dependency_json(month, dep, trend)
