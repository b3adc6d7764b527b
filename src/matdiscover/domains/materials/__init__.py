"""Materials domain: owns the ``materials`` table (uploaded structures and shared
reference entries side by side, with their indexes) and ``material_formulas``; ingests
uploads, finds duplicates, applies the tenancy filter and exports structures. Uses
``organizations`` (owners) and ``usage`` (storage and automatic-prediction quotas).
Materials search is its own domain, ``search``."""
