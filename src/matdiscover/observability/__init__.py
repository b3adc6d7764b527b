"""Prometheus metrics of the API and workers (see :mod:`.metrics` for the series)."""
