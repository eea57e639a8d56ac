"""Receipts on ESC/POS thermal printers, their queue, and receipt verification."""
