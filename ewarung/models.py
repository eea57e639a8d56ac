"""Every model of every domain, imported so the metadata (and Alembic) sees them all."""

from ewarung.audit import AuditEvent
from ewarung.auth.models import ApiToken, User
from ewarung.shop import Outlet, Setting
from inventory.models import (
    Barcode,
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    StockAdjustment,
    StockBatch,
    StockMove,
    Stocktake,
    StocktakeLine,
    Supplier,
)

__all__ = ["ApiToken", "AuditEvent", "Outlet", "Setting", "User"]
__all__ += ["Barcode", "GoodsReceipt", "GoodsReceiptLine", "Product", "StockAdjustment",
            "StockBatch", "StockMove", "Stocktake", "StocktakeLine", "Supplier"]
