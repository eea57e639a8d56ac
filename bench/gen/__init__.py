"""Generators of realistic shop data for benchmarks (reusable: later benchmarks build on them)."""
