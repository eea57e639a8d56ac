"""The KUBE behind the shop: members, operating expenses, the SHU split and the monthly report."""
