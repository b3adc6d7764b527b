"""Interoperability with other materials databases (OPTIMADE filters and entries)."""
