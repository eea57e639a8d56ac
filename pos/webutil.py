"""What the till's pages and API take from the request: a manager's approval, the receipt
context."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from ewarung.auth.models import ROLES, User
from ewarung.auth.services import verify_approver
from ewarung.errors import AppError
from ewarung.web import current_user, db_session
from pos.receipts import ReceiptContext


def approve(username: str, pin: str) -> User:
    """The manager approving with their PIN; a wrong PIN counts against the signed-in user
    who sent it even though the request is refused (committed before the refusal)."""
    s = db_session()
    me = current_user()
    try:
        return verify_approver(s, username, pin, actor_id=me.id if me else None,
                               address=request.remote_addr)
    except AppError:
        s.commit()
        raise


def approvers() -> list[User]:
    """Who may approve at the till, to choose from: active managers and admins, by name."""
    may = [role for role in ROLES if role != "cashier"]
    return list(db_session().scalars(select(User).where(User.active.is_(True), User.role.in_(may))
                                     .order_by(User.full_name, User.username)))


def receipt_context() -> ReceiptContext:
    """Receipts made for this request point their QR code at the address the tablet used."""
    return ReceiptContext(request.url_root, str(current_app.config["SECRET_KEY"]))
