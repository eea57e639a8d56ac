"""Selling: beneficiaries (KPM), cards, the BPNT entitlement ledger, sales, shifts."""
