"""Usage domain: owns metered usage per organisation (``usage_records``: predictions,
batch rows, stored bytes) and the plans' limits, and refuses what exceeds a plan. Uses
``organizations`` (the plan of an organisation)."""
