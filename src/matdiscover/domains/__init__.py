"""The business domains, one package each: ``models`` (tables), ``service`` (rules),
``schemas`` (API/CLI contracts) and, if it serves HTTP, a thin ``router``. A domain imports
another only through its ``service``/``schemas`` and only along the declared graph
(``DOMAIN_DEPENDENCIES`` in ``tests/test_architecture.py``); ``identity`` (who is calling)
is shared by all and imports no domain."""
