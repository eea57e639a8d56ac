"""Every model of every domain, imported so the metadata (and Alembic) sees them all."""

from ewarung.audit import AuditEvent
from ewarung.auth.models import ApiToken, User
from ewarung.installation import Installation
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
from kube.models import ClosedMonth, Expense, KubeMember
from pos.models import (
    Beneficiary,
    EntitlementEntry,
    KksCard,
    ReconciliationItem,
    ReconciliationRun,
)
from pos.sale_models import (
    CashMovement,
    Sale,
    SaleCounter,
    SaleLine,
    SaleRefusal,
    SaleReturn,
    SaleReturnLine,
    Shift,
    Tender,
)
from printer.models import PrintJob

__all__ = ["ApiToken", "AuditEvent", "Barcode", "Beneficiary", "CashMovement", "ClosedMonth",
           "EntitlementEntry", "Expense", "GoodsReceipt", "GoodsReceiptLine", "Installation",
           "KksCard",
           "KubeMember", "Outlet", "PrintJob", "Product", "ReconciliationItem",
           "ReconciliationRun", "Sale", "SaleCounter", "SaleLine", "SaleRefusal", "SaleReturn",
           "SaleReturnLine", "Setting", "Shift", "StockAdjustment", "StockBatch", "StockMove",
           "Stocktake", "StocktakeLine", "Supplier", "Tender", "User"]
