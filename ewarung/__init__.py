"""e-Warung POS: the application shell shared by the pos, inventory and printer domains."""
