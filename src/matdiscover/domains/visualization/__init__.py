"""Visualisation domain: 3D viewer scenes of stored materials (atoms, bonds, polyhedra,
cell; cached in-process) and models' parity plots; owns no table. Uses ``materials``
(the visible material to draw)."""
