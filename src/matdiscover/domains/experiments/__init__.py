"""Experiments domain: owns ``experimental_results`` (measured property values, in the
catalogue units) and their edit history (``measurement_versions``); edit, soft-delete
and read single measurements. Imports into projects go through ``projects.importing``.
Declared to use ``materials``, ``predictions`` and ``audit``."""
