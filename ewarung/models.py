"""Every model of every domain, imported so the metadata (and Alembic) sees them all."""

from ewarung.audit import AuditEvent
from ewarung.auth.models import ApiToken, User
from ewarung.shop import Outlet, Setting
from printer.models import PrintJob

__all__ = ["ApiToken", "AuditEvent", "Outlet", "PrintJob", "Setting", "User"]
