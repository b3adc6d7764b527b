"""Reference domain: owns the bundled reference tables (Materials Project, AFLOW, OQMD,
experimental gaps) and the ledger of loaded ones (``reference_loads``); loads them into
``materials`` idempotently and fast. Uses ``materials`` (its table's columns and
indexes) and ``similarity`` (derived formulas and embeddings after a load)."""
