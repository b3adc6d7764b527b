"""Loading the pretrained CHGNet model from the installed wheel (never from the network).

The model is loaded once per process and cached. Loading sets PyTorch to one intra-op
thread: on small shared machines competing thread pools made CHGNet 5-30x slower.
CHGNet's own ``print`` chatter is redirected into the ``logging`` system.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chgnet.model import CHGNet

logger = logging.getLogger(__name__)

#: The pretrained checkpoint shipped inside the ``chgnet`` wheel that this path uses.
CHGNET_MODEL_NAME = "0.3.0"

#: Elements whose entries in CHGNet's composition model are (nearly) untrained: MPtrj has no
#: or almost no structures containing them, so predictions involving them are unreliable.
#: Measured from ``CHGNet.composition_model`` weights (|w| < 0.5 for these, > 1 elsewhere).
UNTRAINED_ELEMENTS: frozenset[str] = frozenset({"Po", "At", "Rn", "Fr", "Ra"})

#: Highest atomic number CHGNet can represent (its element embedding has 94 rows).
MAX_ATOMIC_NUMBER = 94


@contextlib.contextmanager
def quiet_chgnet() -> Iterator[None]:
    """Capture CHGNet's stdout prints and its known harmless PyTorch warning.

    Captured text is forwarded to this module's logger at DEBUG level.
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Converting a tensor with requires_grad=True to a scalar"
        )
        warnings.filterwarnings("ignore", category=FutureWarning, module="chgnet")
        try:
            yield
        finally:
            text = buffer.getvalue().strip()
            if text:
                logger.debug("chgnet: %s", text)


@lru_cache(maxsize=1)
def load_chgnet() -> CHGNet:
    """Load the pretrained CHGNet (version :data:`CHGNET_MODEL_NAME`) on the CPU, once.

    The weights come from the ``chgnet`` wheel; nothing is downloaded. Sets
    ``torch.set_num_threads(1)``.

    Returns:
        The cached ``chgnet.model.CHGNet`` instance in evaluation mode.

    Example:
        >>> model = load_chgnet()
        >>> model.version
        '0.3.0'
    """
    import torch
    from chgnet.model import CHGNet

    torch.set_num_threads(1)
    with quiet_chgnet():
        model = CHGNet.load(model_name=CHGNET_MODEL_NAME, use_device="cpu", verbose=False)
    model.eval()
    logger.info("loaded CHGNet %s (%d parameters) on cpu", model.version, model.n_params)
    return model


def chgnet_version() -> str:
    """The version string of the loaded CHGNet checkpoint, e.g. ``"0.3.0"``."""
    return str(load_chgnet().version or CHGNET_MODEL_NAME)
