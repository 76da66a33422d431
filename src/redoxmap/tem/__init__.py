"""Micrographs: reading images with their pixel size, and lattice-fringe spacings from their FFT."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.io.images": ["Micrograph", "read_image"],
    "redoxmap.tem.fft": ["FringeResult", "default_candidates", "fringe_spacings", "parse_candidates"],
})
