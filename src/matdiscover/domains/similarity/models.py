"""The similarity domain's table: one composition embedding per distinct reduced formula.

Written by :mod:`matdiscover.domains.similarity.derived` (bulk, with COPY, and lazily for
formulas uploaded since); searched by :mod:`matdiscover.domains.similarity.service`.
"""

from __future__ import annotations

from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, hnsw_cosine_index

#: Dimension of ``composition_embeddings.embedding`` (``mat2vec-slots``, see
#: ``matdiscover.science.embeddings``); the older per-row ``materials.composition_embedding``
#: column (200-d) is not used by similarity search.
FORMULA_EMBEDDING_DIM = 184


class CompositionEmbedding(Base):
    """One composition embedding per distinct reduced formula (shared by all tenants).

    Embeddings depend only on the reduced formula, so ~1.1 M reference rows share
    ~400 k vectors; similarity search runs over formulas and joins back to materials.
    """

    __tablename__ = "composition_embeddings"
    __table_args__ = (hnsw_cosine_index("ix_composition_embeddings_hnsw", "embedding"),)

    reduced_formula: Mapped[str] = mapped_column(String(200), primary_key=True)
    embedding: Mapped[Any] = mapped_column(Vector(FORMULA_EMBEDDING_DIM))
