"""OPTIMADE: our structures served as an OPTIMADE v1.2 provider, and imports from others."""
