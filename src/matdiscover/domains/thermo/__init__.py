"""Thermodynamics domain: phase diagrams and stability of materials against the
reference convex hull (Materials Project formation energies) plus the caller's
predictions; owns no table. Uses ``materials`` (the caller's entries) and ``search``
(their reference and predicted property values)."""
