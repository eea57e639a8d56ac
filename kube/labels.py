"""What the KUBE pages and the monthly report call the stored codes (translated when shown)."""

from __future__ import annotations

from ewarung.errors import N_

CATEGORY_LABELS = {"transport": N_("Transportasi"), "electricity": N_("Listrik"),
                   "rent": N_("Sewa"), "bags": N_("Kantong plastik"), "wages": N_("Upah"),
                   "other": N_("Lain-lain")}
BUCKET_LABELS = {"reserve": N_("Cadangan"), "members": N_("Anggota"),
                 "management": N_("Pengurus"), "social": N_("Dana sosial"),
                 "other": N_("Lain-lain")}
TENDER_LABELS = {"bpnt": N_("BPNT"), "cash": N_("Tunai"),
                 "other": N_("Lainnya (QRIS, transfer)")}
REFUSAL_LABELS = {
    "not_eligible_for_bpnt": N_("Barang bukan BPNT dibayar BPNT"),
    "bpnt_balance_exceeded": N_("Melebihi sisa hak BPNT"),
    "price_above_reference": N_("Harga di atas harga acuan"),
    "card_not_registered": N_("Kartu tidak terdaftar"),
    "invalid_card_number": N_("Nomor kartu tidak sah"),
}
RECONCILIATION_LABELS = {
    "matched": N_("Cocok"), "amount_differs": N_("Nominal berbeda"),
    "bank_only": N_("Hanya di bank"), "shop_only": N_("Hanya di toko"),
    "unreadable": N_("Baris tidak terbaca"),
}
