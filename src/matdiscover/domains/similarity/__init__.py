"""Similarity domain: owns nearest-neighbour search by composition and structure
embedding (pgvector HNSW, cosine), the ``composition_embeddings`` table and the derived
per-formula data (anonymous formulas, embeddings) computed for it. Uses ``materials``
(visible materials and their ``structure_embedding`` column, through its service)."""
