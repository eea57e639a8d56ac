"""A realistic demo shop, for trying the software and for the tests of the whole."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ewarung.auth.services import create_user
from ewarung.domains import DOMAINS
from ewarung.shop import Outlet, get_outlet

#: (username, role, full name, pin, password): printed so the demo can be signed into
DEMO_USERS = (
    ("admin", "admin", "Admin Toko", None, "admin-demo-1"),
    ("ketua", "manager", "Bu Sri Wahyuni (Ketua)", "2468", "ketua-demo-1"),
    ("siti", "cashier", "Siti Aminah", "1234", None),
    ("budi", "cashier", "Budi Santoso", "5678", None),
)



def load_demo(session: Session) -> list[str]:
    """Create the demo outlet, users and each domain's data; returns lines to print."""
    if get_outlet(session) is not None:
        return ["The demo shop is already loaded; nothing changed."]
    session.add(Outlet(
        name="e-Warong KUBE Sejahtera Makmur", kube_name="KUBE Sejahtera Makmur",
        address="Jl. Raya Desa Sukamaju No. 12, RT 02/RW 03", village="Sukamaju",
        district="Kec. Cibeureum, Kab. Sukabumi", ewarong_id="EW-3202-0147",
        phone="0812-0000-1471", code="EW"))
    lines = ["Demo shop loaded: e-Warong KUBE Sejahtera Makmur", "", "Sign in with:"]
    for username, role, full_name, pin, password in DEMO_USERS:
        create_user(session, username, role, full_name=full_name, pin=pin, password=password)
        secret = f"password {password}" if role != "cashier" else f"PIN {pin}"
        lines.append(f"  {role:<8} {username:<6} {secret}")
    for domain in DOMAINS:  # in the list's order: stock, KPM, sales, the KUBE
        if domain.demo is not None:
            lines.extend(domain.demo(session))
    return lines
