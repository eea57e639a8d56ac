"""Every model of every domain, imported so the metadata (and Alembic) sees them all."""

from ewarung.audit import AuditEvent
from ewarung.auth.models import ApiToken, User
from ewarung.shop import Outlet, Setting
from kube.models import Expense, KubeMember
from pos.models import (
    Beneficiary,
    EntitlementEntry,
    KksCard,
    ReconciliationItem,
    ReconciliationRun,
)
from printer.models import PrintJob

__all__ = ["ApiToken", "AuditEvent", "Beneficiary", "EntitlementEntry", "Expense", "KksCard",
           "KubeMember", "Outlet", "PrintJob", "ReconciliationItem", "ReconciliationRun",
           "Setting", "User"]
