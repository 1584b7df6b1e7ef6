"""Helpers that measure what genloom delivers, shared by benchmarks and tests."""
