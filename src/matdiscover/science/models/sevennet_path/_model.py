"""Loading the SevenNet checkpoints bundled in the ``sevenn`` wheel (never from the network).

Only the checkpoints that ship inside ``sevenn==0.13.0`` are accepted: ``7net-0``
(SevenNet-0, 11 July 2024) and ``7net-l3i5``, both trained on MPtrj. Every other name
(``7net-omat``, ``7net-mf-ompa``, ...) would make ``sevenn`` download a file at run time;
:func:`resolve_checkpoint` refuses those with :class:`~matdiscover.errors.InvalidInput`
before ``sevenn`` is asked anything. Checkpoints are loaded by file path, so ``sevenn``'s
own download code is never reached.

Calculators are loaded once per process and cached. Loading sets PyTorch to one intra-op
thread (competing thread pools made ML potentials 5-30x slower on small shared machines).
"""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from matdiscover.errors import ConfigurationError, InvalidInput

if TYPE_CHECKING:
    from sevenn.calculator import SevenNetCalculator

logger = logging.getLogger(__name__)

#: Bundled checkpoint name → file inside ``sevenn/pretrained_potentials/``.
BUNDLED_CHECKPOINTS: dict[str, str] = {
    "7net-0": "SevenNet_0__11Jul2024/checkpoint_sevennet_0.pth",
    "7net-l3i5": "SevenNet_l3i5/checkpoint_l3i5.pth",
}
#: Names accepted for the bundled checkpoints (sevenn's aliases) → canonical name.
_ALIASES: dict[str, str] = {
    "7net-0": "7net-0",
    "sevennet-0": "7net-0",
    "7net-0_11jul2024": "7net-0",
    "sevennet-0_11jul2024": "7net-0",
    "7net-l3i5": "7net-l3i5",
    "sevennet-l3i5": "7net-l3i5",
}


def canonical_checkpoint_name(name: str) -> str:
    """The canonical bundled name for ``name`` (``"SevenNet-0"`` → ``"7net-0"``).

    Raises:
        InvalidInput: ``name`` is not a checkpoint bundled in the ``sevenn`` wheel (it
            would need a download, which MatDiscover never does at run time).

    Example:
        >>> canonical_checkpoint_name("SevenNet-0")
        '7net-0'
    """
    key = name.strip().lower()
    if key not in _ALIASES:
        raise InvalidInput(
            f"SevenNet checkpoint {name!r} is not bundled with the installed sevenn wheel "
            f"and would have to be downloaded; MatDiscover never downloads models at run "
            f"time. Bundled checkpoints: {', '.join(BUNDLED_CHECKPOINTS)}"
        )
    return _ALIASES[key]


def resolve_checkpoint(name: str) -> Path:
    """Path of a bundled checkpoint file.

    Raises:
        InvalidInput: The name is not bundled (see :func:`canonical_checkpoint_name`).
        ConfigurationError: ``sevenn`` is missing or its wheel lacks the file.
    """
    canonical = canonical_checkpoint_name(name)
    try:
        import sevenn
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise ConfigurationError("the sevenn package is not installed") from exc
    path = Path(sevenn.__file__).parent / "pretrained_potentials" / BUNDLED_CHECKPOINTS[canonical]
    if not path.is_file():
        raise ConfigurationError(f"bundled SevenNet checkpoint missing: {path}")
    return path


def sevenn_version() -> str:
    """Installed ``sevenn`` version, e.g. ``"0.13.0"``."""
    from importlib.metadata import version

    return version("sevenn")


@lru_cache(maxsize=4)
def _load(canonical: str) -> SevenNetCalculator:
    import torch

    torch.set_num_threads(1)
    path = resolve_checkpoint(canonical)
    with warnings.catch_warnings():
        # sevenn/e3nn use torch.jit.script at import (deprecated in torch 2.13) and warn that
        # no tensor-product accelerator is available on CPU: known, harmless noise
        warnings.simplefilter("ignore")
        from sevenn.calculator import SevenNetCalculator

        calc = SevenNetCalculator(str(path), file_type="checkpoint", device="cpu")
    logger.info("loaded SevenNet %s from %s on cpu", canonical, path.name)
    return calc


def load_sevennet(name: str = "7net-0") -> SevenNetCalculator:
    """The cached ASE calculator of a bundled SevenNet checkpoint (CPU, one torch thread).

    Raises:
        InvalidInput: ``name`` is not bundled (no download is ever attempted).

    Example:
        >>> calc = load_sevennet("7net-0")
        >>> round(calc.cutoff, 1)
        5.0
    """
    return _load(canonical_checkpoint_name(name))


def supported_elements(name: str = "7net-0") -> frozenset[str]:
    """Element symbols the checkpoint was trained on (its type map)."""
    from ase.data import chemical_symbols

    return frozenset(chemical_symbols[int(z)] for z in load_sevennet(name).type_map)
