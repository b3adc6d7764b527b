"""Similarity search over composition and structure embeddings (pgvector HNSW)."""
