"""``python -m matdiscover.science.models.composition --out data/models/composition``."""

from __future__ import annotations

from matdiscover.science.models.composition.training import main

main()
