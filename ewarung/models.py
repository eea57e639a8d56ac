"""The shell's own models; every domain's come through `ewarung.domains.load_models()`."""

from ewarung.audit import AuditEvent
from ewarung.auth.models import ApiToken, SignInLimit, User, UserSession
from ewarung.installation import Installation
from ewarung.outbox import OutboxCounter, OutboxEvent, SyncState
from ewarung.shop import Outlet, Setting

__all__ = ["ApiToken", "AuditEvent", "Installation", "OutboxCounter", "OutboxEvent", "Outlet",
           "Setting", "SignInLimit", "SyncState", "User", "UserSession"]
