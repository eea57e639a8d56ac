"""Pages: products (with CSV import and export) and suppliers."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ewarung.errors import AppError
from ewarung.tabular import read_upload
from ewarung.web import csv_answer, db_session, requires
from inventory import catalogue, csvio
from inventory.models import COMMODITY_GROUPS, SUPPLIER_KINDS, UNITS
from inventory.search import search_products
from inventory.views import bp, refused

PRODUCT_FORM = "inventory/product_form.html"
SUPPLIER_FORM = "inventory/supplier_form.html"


@bp.get("/products")
@requires("manager")
def products() -> Any:
    """The catalogue, searchable."""
    q = request.args.get("q", "")
    inactive = request.args.get("inactive") == "1"
    hits = search_products(db_session(), q, 100, include_inactive=inactive)
    return render_template("inventory/products.html", hits=hits, q=q, inactive=inactive)


def _product_form(product: Any = None, values: dict[str, Any] | None = None) -> dict[str, Any]:
    if values is None and product is not None:
        values = {**catalogue.snapshot(product),
                  "barcodes": " ".join(b.code for b in product.barcodes)}
    return {"product": product, "values": values or {"active": True},
            "units": UNITS, "groups": COMMODITY_GROUPS,
            "suppliers": catalogue.suppliers(db_session())}


def _form_data() -> dict[str, Any]:
    form = request.form
    data: dict[str, Any] = {name: form.get(name, "") for name in catalogue.PRODUCT_FIELDS}
    for name in ("tracks_expiry", "allow_negative", "active"):
        data[name] = name in form
    data["reference_price"] = form.get("reference_price") or None
    return data


@bp.route("/products/new", methods=["GET", "POST"])
@requires("manager")
def new_product() -> Any:
    """Add a product."""
    if request.method == "GET":
        return render_template(PRODUCT_FORM, **_product_form())
    data = _form_data()
    try:
        product = catalogue.create_product(db_session(), data)
    except AppError as exc:
        return refused(PRODUCT_FORM, exc, **_product_form(values=data))
    flash(gettext("Produk %(name)s ditambahkan.", name=product.name))
    return redirect(url_for("inventory.products"))


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@requires("manager")
def edit_product(product_id: int) -> Any:
    """Change a product."""
    s = db_session()
    product = catalogue.get_product(s, product_id)
    if request.method == "GET":
        return render_template(PRODUCT_FORM, **_product_form(product))
    data = _form_data()
    try:
        catalogue.update_product(s, product_id, data)
    except AppError as exc:
        return refused(PRODUCT_FORM, exc, **_product_form(product, data))
    flash(gettext("Produk %(name)s disimpan.", name=product.name))
    return redirect(url_for("inventory.products"))


@bp.get("/products/export")
@requires("manager")
def export_products() -> Any:
    """Download the catalogue as CSV."""
    return csv_answer(csvio.export_products(db_session()), "produk.csv")


@bp.route("/products/import", methods=["GET", "POST"])
@requires("manager")
def import_products() -> Any:
    """Upload a CSV of products; every row is reported."""
    if request.method == "GET":
        return render_template("inventory/product_import.html", result=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("inventory/product_import.html", result=None,
                               error=gettext(csvio.NO_FILE)), 422
    try:
        result = csvio.import_products(db_session(), read_upload(upload), gettext)
    except AppError as exc:
        return refused("inventory/product_import.html", exc, result=None)
    return render_template("inventory/product_import.html", result=result)


@bp.get("/suppliers")
@requires("manager")
def suppliers() -> Any:
    """Suppliers and their kinds."""
    rows = catalogue.suppliers(db_session(), include_inactive=True)
    return render_template("inventory/suppliers.html", suppliers=rows)


def _supplier_form(supplier: Any = None, values: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
    if values is None and supplier is not None:
        values = {name: getattr(supplier, name) for name in catalogue.SUPPLIER_FIELDS}
    return {"supplier": supplier, "values": values or {"active": True, "lead_time_days": 2},
            "kinds": SUPPLIER_KINDS}


def _supplier_data() -> dict[str, Any]:
    data: dict[str, Any] = {name: request.form.get(name, "")
                            for name in catalogue.SUPPLIER_FIELDS}
    data["active"] = "active" in request.form
    return data


@bp.route("/suppliers/new", methods=["GET", "POST"])
@requires("manager")
def new_supplier() -> Any:
    """Add a supplier."""
    if request.method == "GET":
        return render_template(SUPPLIER_FORM, **_supplier_form())
    data = _supplier_data()
    try:
        supplier = catalogue.create_supplier(db_session(), data)
    except AppError as exc:
        return refused(SUPPLIER_FORM, exc, **_supplier_form(values=data))
    flash(gettext("Pemasok %(name)s ditambahkan.", name=supplier.name))
    return redirect(url_for("inventory.suppliers"))


@bp.route("/suppliers/<int:supplier_id>", methods=["GET", "POST"])
@requires("manager")
def edit_supplier(supplier_id: int) -> Any:
    """Change a supplier."""
    s = db_session()
    supplier = catalogue.get_supplier(s, supplier_id)
    if request.method == "GET":
        return render_template(SUPPLIER_FORM, **_supplier_form(supplier))
    data = _supplier_data()
    try:
        catalogue.update_supplier(s, supplier_id, data)
    except AppError as exc:
        return refused(SUPPLIER_FORM, exc, **_supplier_form(supplier, data))
    flash(gettext("Pemasok %(name)s disimpan.", name=supplier.name))
    return redirect(url_for("inventory.suppliers"))
