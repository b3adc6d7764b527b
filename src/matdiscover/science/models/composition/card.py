"""Model cards for composition models (JSON + short Markdown)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["ModelCard"]


@dataclass(frozen=True)
class ModelCard:
    """Everything needed to judge and reproduce a model artifact."""

    name: str
    version: str
    property: str
    unit: str
    description: str
    architecture: str
    training_space: str
    training_data: dict[str, Any]
    split: dict[str, Any]
    features: str
    hyperparameters: dict[str, Any]
    metrics_test: dict[str, float]
    calibration: dict[str, Any]
    out_of_domain: dict[str, Any]
    command: str
    training_seconds: float
    trained_at: str
    artifact_bytes: int
    energy_convention: str | None = None

    @classmethod
    def read(cls, folder: Path) -> ModelCard:
        """Read ``card.json`` from an artifact folder."""
        return cls(**json.loads((folder / "card.json").read_text(encoding="utf-8")))

    def to_markdown(self) -> str:
        def rows(d: dict[str, Any]) -> str:
            return "\n".join(
                f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |"
                for k, v in d.items()
            )

        conv = f"\nEnergy convention: {self.energy_convention}.\n" if self.energy_convention else ""
        return (
            f"# {self.name}\n\n"
            f"Version {self.version}, trained {self.trained_at} "
            f"in {self.training_seconds:.0f} s.\n\n"
            f"**{self.property}** ({self.unit}): {self.description}. "
            f"{self.architecture}; trained on {self.training_space}.\n{conv}\n"
            f"Data: `{self.training_data['table']}` ({self.training_data['rows_used']:,} rows, "
            f"sha256 `{self.training_data['parquet_sha256'][:16]}...`), see data/PROVENANCE.md.\n\n"
            f"Split: {self.split['method']}; test {self.split['n_test']:,} rows "
            f"(random_state={self.split['test_random_state']}), calibration "
            f"{self.split['n_calibration']:,}, train {self.split['n_train']:,}.\n\n"
            f"Features: {self.features}.\n\n"
            "## Held-out test metrics\n\n| metric | value |\n|---|---|\n"
            f"{rows(self.metrics_test)}\n\n"
            "## Calibration (coverage measured on the test split)\n\n| item | value |\n|---|---|\n"
            f"{rows(self.calibration)}\n\n"
            f"## Out of domain\n\n{self.out_of_domain['rule']}.\n\n"
            f"## Rebuild\n\n`{self.command}`\n"
        )

    def write(self, folder: Path) -> None:
        """Write ``card.json`` and ``card.md`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "card.json").write_text(
            json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8"
        )
        (folder / "card.md").write_text(self.to_markdown(), encoding="utf-8")
