"""Lattice-fringe spacings from the Fourier transform of a micrograph or of boxes in it.

A box of the image is Hann-windowed (so that its edges do not streak the transform), its
power spectrum searched for spots in a ring of spatial frequency, and each spot refined
to a fraction of a pixel by evaluating the Fourier transform on a fine local grid (a
matrix DFT: exact, unlike interpolating the FFT). ``d = 1/|k|`` with ``k`` in 1/nm from
the calibrated pixel size. Each spot is then matched to candidate reflections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.ndimage import maximum_filter

from redoxmap.defaults import FRINGE_D_RANGE_NM, FRINGE_MAX_SPOTS, FRINGE_MIN_SNR
from redoxmap.errors import AnalysisError
from redoxmap.io.images import Micrograph

HANN_LOBE_FWHM_BINS = 2.0  # main-lobe FWHM of a Hann-windowed sinusoid in the power spectrum
UPSAMPLE = 40  # refinement grid: 1/40 of an FFT bin


@dataclass
class FringeResult:
    """Spots of one box of a micrograph.

    Attributes
    ----------
    spots : pandas.DataFrame
        ``kx_inv_nm``, ``ky_inv_nm``, ``k_inv_nm``, ``d_nm``, ``d_stderr_nm``, ``angle_deg``
        (fringe normal, from the x axis), ``snr``, and the match: ``phase``, ``hkl``, ``d_ref_nm``,
        ``deviation_percent``.
    power : numpy.ndarray
        Centred log10 power spectrum of the box (for figures).
    k_extent : float
        Half width of the power spectrum in 1/nm (Nyquist).
    box : tuple
        ``(x0, y0, width, height)`` in pixels.
    label : str
    """

    spots: pd.DataFrame
    power: np.ndarray = field(repr=False)
    k_extent: tuple
    box: tuple
    label: str = "image"


def _local_dft(windowed: np.ndarray, u0: float, v0: float, span: float = 1.5) -> tuple[float, float, float]:
    """Maximum of |F|^2 near FFT bin (u0, v0), on a grid 1/UPSAMPLE of a bin fine."""
    height, width = windowed.shape
    offsets = np.arange(-span, span + 1e-9, 1.0 / UPSAMPLE)
    us, vs = u0 + offsets, v0 + offsets
    ex = np.exp(-2j * np.pi * np.outer(np.arange(width), us) / width)  # (width, nu)
    ey = np.exp(-2j * np.pi * np.outer(vs, np.arange(height)) / height)  # (nv, height)
    power = np.abs(ey @ windowed @ ex) ** 2  # (nv, nu)
    iv, iu = np.unravel_index(np.argmax(power), power.shape)
    du = dv = 0.0
    if 0 < iu < len(us) - 1:
        a, b, c = np.log(power[iv, iu - 1:iu + 2] + 1e-300)
        du = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c else 0.0
    if 0 < iv < len(vs) - 1:
        a, b, c = np.log(power[iv - 1:iv + 2, iu] + 1e-300)
        dv = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c else 0.0
    step = 1.0 / UPSAMPLE
    return us[iu] + du * step, vs[iv] + dv * step, float(power[iv, iu])


def fringe_spacings(micrograph: Micrograph, *, box: tuple[int, int, int, int] | None = None, label: str = "image",
                    d_range_nm: tuple[float, float] = FRINGE_D_RANGE_NM, max_spots: int = FRINGE_MAX_SPOTS,
                    min_snr: float = FRINGE_MIN_SNR,
                    candidates: pd.DataFrame | None = None, tolerance_percent: float = 3.0,
                    pixel_relative_error: float = 0.0) -> FringeResult:
    """Find lattice-fringe spots in the FFT of a micrograph box and measure their spacings.

    Parameters
    ----------
    micrograph : Micrograph
        With a pixel size (from the file or the user).
    box : (x0, y0, width, height), optional
        Region in pixels (default: the whole image).
    d_range_nm : (float, float)
        Spacings to look for.
    max_spots : int
        Most spots to keep (strongest first); Friedel mates are counted once.
    min_snr : float
        A spot's power over the median power at the same spatial frequency. Noise power is
        exponential, so 25 leaves ~1 false spot in 10^7 pixels.
    candidates : pandas.DataFrame, optional
        ``phase``, ``hkl``, ``d_nm`` of reflections to match (default: :func:`default_candidates`).
    tolerance_percent : float
        A match must lie within this relative distance (or 3 standard errors, if larger).
    pixel_relative_error : float
        Relative uncertainty of the pixel size, added to each spacing's error.

    Raises
    ------
    AnalysisError
        Without a pixel size, with a box outside the image, or a box too small for the range.

    Examples
    --------
    Noisy fringes 0.47 nm apart on a 0.02 nm pixel grid (Li2MnO3's (001) is 0.474 nm):

    >>> import numpy as np
    >>> from redoxmap.tem import Micrograph
    >>> x = np.arange(512)[None, :] * np.ones((512, 1))
    >>> image = np.cos(2 * np.pi * x * 0.02 / 0.47) + np.random.default_rng(0).normal(0, 0.5, (512, 512))
    >>> spot = fringe_spacings(Micrograph(image, pixel_nm=0.02)).spots.iloc[0]
    >>> print(round(spot["d_nm"], 3), spot["phase"], spot["hkl"])
    0.47 Li2MnO3 (C2/m) 0 0 1
    """
    pixel = micrograph.require_pixel_size()
    image = micrograph.data
    x0, y0, width, height = box if box is not None else (0, 0, image.shape[1], image.shape[0])
    if x0 < 0 or y0 < 0 or x0 + width > image.shape[1] or y0 + height > image.shape[0] or min(width, height) < 32:
        raise AnalysisError(f"box {box} does not fit a {image.shape[1]} x {image.shape[0]} image with at least "
                            "32 x 32 pixels", path=micrograph.attrs.get("source_file"))
    region = image[y0:y0 + height, x0:x0 + width].astype(float)
    windowed = (region - region.mean()) * np.outer(np.hanning(height), np.hanning(width))
    spectrum = np.fft.fftshift(np.abs(np.fft.fft2(windowed)) ** 2)
    ky = np.fft.fftshift(np.fft.fftfreq(height)) / pixel  # 1/nm
    kx = np.fft.fftshift(np.fft.fftfreq(width)) / pixel
    KX, KY = np.meshgrid(kx, ky)
    radius = np.hypot(KX, KY)
    k_lo, k_hi = 1 / d_range_nm[1], 1 / d_range_nm[0]
    if k_hi > min(kx.max(), ky.max()):
        raise AnalysisError(f"a spacing of {d_range_nm[0]} nm needs a pixel size below {d_range_nm[0] / 2:.4f} nm "
                            f"(this image: {pixel} nm)", path=micrograph.attrs.get("source_file"))
    ring = (radius >= k_lo) & (radius <= k_hi)
    # Noise floor at each spatial frequency: the median power of a thin annulus.
    bin_width = 1.0 / (min(width, height) * pixel)
    annulus = np.round(radius / bin_width).astype(int)
    medians = np.zeros(annulus.max() + 1)
    for index in np.unique(annulus[ring]):
        medians[index] = np.median(spectrum[annulus == index])
    snr = np.divide(spectrum, medians[annulus], out=np.zeros_like(spectrum), where=ring & (medians[annulus] > 0))
    peaks = (snr == maximum_filter(snr, size=5)) & (snr >= min_snr)
    # One of each Friedel pair: the half plane ky > 0 (or ky = 0, kx > 0).
    peaks &= (KY > 0) | ((KY == 0) & (KX > 0))
    rows_idx, cols_idx = np.nonzero(peaks)
    order = np.argsort(snr[rows_idx, cols_idx])[::-1][:max_spots]
    centre_row, centre_col = height // 2, width // 2
    candidates = default_candidates() if candidates is None else candidates
    rows = []
    for i in order:
        r, c = rows_idx[i], cols_idx[i]
        u, v, _ = _local_dft(windowed, c - centre_col, r - centre_row)
        kx_fine, ky_fine = u / (width * pixel), v / (height * pixel)
        k = float(np.hypot(kx_fine, ky_fine))
        spot_snr = float(snr[r, c])
        sigma_bins = 0.5 * HANN_LOBE_FWHM_BINS / np.sqrt(spot_snr)
        sigma_k = sigma_bins / (min(width, height) * pixel)
        d = 1 / k
        d_err = d * np.hypot(sigma_k / k, pixel_relative_error)
        row = {"kx_inv_nm": kx_fine, "ky_inv_nm": ky_fine, "k_inv_nm": k, "d_nm": d, "d_stderr_nm": d_err,
               "angle_deg": float(np.degrees(np.arctan2(ky_fine, kx_fine))), "snr": spot_snr}
        rows.append(row | _match(d, d_err, candidates, tolerance_percent))
    spots = pd.DataFrame(rows, columns=["kx_inv_nm", "ky_inv_nm", "k_inv_nm", "d_nm", "d_stderr_nm", "angle_deg",
                                        "snr", "phase", "hkl", "d_ref_nm", "deviation_percent"])
    power = np.log10(spectrum + spectrum.max() * 1e-9)
    return FringeResult(spots, power, (float(np.abs(kx).max()), float(np.abs(ky).max())),
                        (x0, y0, width, height), label)


def _match(d: float, d_err: float, candidates: pd.DataFrame, tolerance_percent: float) -> dict:
    if candidates is None or candidates.empty:
        return {"phase": None, "hkl": None, "d_ref_nm": np.nan, "deviation_percent": np.nan}
    deviation = 100 * (d - candidates["d_nm"].to_numpy()) / candidates["d_nm"].to_numpy()
    i = int(np.argmin(np.abs(deviation)))
    allowed = max(tolerance_percent, 300 * d_err / d)
    if abs(deviation[i]) > allowed:
        return {"phase": None, "hkl": None, "d_ref_nm": np.nan, "deviation_percent": np.nan}
    best = candidates.iloc[i]
    return {"phase": best["phase"], "hkl": best["hkl"], "d_ref_nm": float(best["d_nm"]),
            "deviation_percent": float(deviation[i])}


def default_candidates(d_range_nm: tuple[float, float] = (0.15, 1.5)) -> pd.DataFrame:
    """Reflections of the built-in phases (layered R-3m, Li2MnO3 C2/m, spinel Fd-3m), in nm."""
    from redoxmap.xrd.phases import PHASES

    tables = [p.table(1.5406) for p in PHASES.values()]
    table = pd.concat(tables, ignore_index=True)
    table["d_nm"] = table["d_A"] / 10
    inside = table["d_nm"].between(*d_range_nm)
    return table.loc[inside, ["phase", "hkl", "d_nm"]].reset_index(drop=True)


def parse_candidates(items: list[str]) -> pd.DataFrame:
    """Candidates from ``"name=d_nm"`` strings (e.g. ``"Li2MnO3 (020)=0.427"``)."""
    rows = []
    for item in items:
        name, _, value = item.rpartition("=")
        try:
            d = float(value)
        except ValueError:
            raise AnalysisError(f"candidate {item!r} is not NAME=D_NM") from None
        rows.append({"phase": name.strip() or item, "hkl": "", "d_nm": d})
    return pd.DataFrame(rows, columns=["phase", "hkl", "d_nm"])
