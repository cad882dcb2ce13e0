"""Laptop-only tooling for the local stack (emulated AWS); never shipped to Lambda."""
