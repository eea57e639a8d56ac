"""Stock: catalogue, suppliers, goods receipts, the stock ledger, stocktakes."""
