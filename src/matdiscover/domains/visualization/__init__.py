"""Visualisation domain: 3D scenes of stored materials for the web viewer."""
