"""Size, time and geometry limits applied when reading and validating structures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseLimits:
    """Limits for reading untrusted structure files.

    Attributes:
        max_bytes: Largest accepted file (and archive member), in bytes.
        max_sites: Largest accepted number of sites per structure.
        timeout_s: Wall-clock limit for isolated parsing, in seconds.
        min_distance: Smallest accepted interatomic distance, in Å.
        occupancy_tolerance: Allowed excess of the summed occupancy of one site over 1
            (dimensionless); sums within it are normalised to 1, larger sums are rejected.
        max_archive_members: Largest accepted number of entries in a .zip archive.
        max_archive_bytes: Largest accepted total uncompressed size of an archive, in bytes.

    Example:
        >>> ParseLimits(max_sites=200).max_sites
        200
    """

    max_bytes: int = 10 * 1024 * 1024
    max_sites: int = 5000
    timeout_s: float = 30.0
    min_distance: float = 0.5
    occupancy_tolerance: float = 0.02
    max_archive_members: int = 1000
    max_archive_bytes: int = 200 * 1024 * 1024
