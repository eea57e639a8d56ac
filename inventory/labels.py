"""What the pages call the stored codes (translated where they are shown)."""

from __future__ import annotations

from ewarung.errors import N_

COMMODITY_GROUP_LABELS = {
    "carbohydrate": N_("Karbohidrat"),
    "animal_protein": N_("Protein hewani"),
    "plant_protein": N_("Protein nabati"),
    "vitamins_minerals": N_("Vitamin dan mineral"),
    "none": N_("Bukan BPNT"),
}
SUPPLIER_KIND_LABELS = {
    "third_party": N_("Pihak ketiga"),
    "local_producer": N_("Produsen lokal"),
    "kube_member": N_("Anggota KUBE"),
    "bulog": N_("Bulog"),
    "other": N_("Lainnya"),
}
WRITE_OFF_REASON_LABELS = {
    "expired": N_("Kedaluwarsa"),
    "damaged": N_("Rusak"),
    "lost": N_("Hilang"),
    "other": N_("Lainnya"),
}
ADJUSTMENT_REASON_LABELS = {
    "correction": N_("Koreksi"),
    "found": N_("Ditemukan"),
    "lost": N_("Hilang"),
    "other": N_("Lainnya"),
}
MOVE_KIND_LABELS = {
    "receipt": N_("Penerimaan"),
    "sale": N_("Penjualan"),
    "return": N_("Retur"),
    "adjustment": N_("Penyesuaian"),
    "stocktake": N_("Stok opname"),
    "write_off": N_("Penghapusan"),
    "receipt_reversal": N_("Pembatalan penerimaan"),
}
STOCKTAKE_STATUS_LABELS = {
    "open": N_("Sedang dihitung"),
    "approved": N_("Disetujui"),
    "cancelled": N_("Dibatalkan"),
}
