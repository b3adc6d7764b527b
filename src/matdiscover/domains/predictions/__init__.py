"""Predictions domain: owns the registered ML models and the predictions they made
(``ml_models``, ``predictions``): runs the science core's models on materials, formulas
or inline structures and reads prediction history. Uses ``materials`` (what is
predicted) and ``usage`` (prediction quotas)."""
