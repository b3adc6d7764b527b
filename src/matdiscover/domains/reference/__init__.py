"""reference domain: bundled reference entries (MP, AFLOW, OQMD)."""
