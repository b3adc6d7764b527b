"""Molecules: an organisation's small molecules (SMILES) with descriptors, interference
alerts, bioactivities, ligand-efficiency indices and the O[Q/P/L]A score."""
