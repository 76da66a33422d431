"""HRTEM fringe spacings on images of known spacing, image files with and without calibration."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from redoxmap.errors import AnalysisError, MissingDependencyError, ReadError
from redoxmap.study.analyses.images import ImageEntry, analyze_images
from redoxmap.tem import Micrograph, fringe_spacings, parse_candidates, read_image

PIXEL_NM = 0.0105


def fringes(spacings_nm, angles_rad, shape=(512, 512), noise=5.0, seed=1):
    """Cosine fringes of known spacing and direction, with Gaussian noise."""
    y, x = np.mgrid[0:shape[0], 0:shape[1]] * PIXEL_NM
    image = 100.0 + np.random.default_rng(seed).normal(0, noise, shape)
    for d, angle, amplitude in zip(spacings_nm, angles_rad, (10.0, 6.0, 4.0)):
        image += amplitude * np.cos(2 * np.pi * (x * np.cos(angle) + y * np.sin(angle)) / d)
    return image


def test_the_issue_check_0427_and_0232_nm_within_half_a_percent():
    result = fringe_spacings(Micrograph(fringes([0.427, 0.232], [0.3, 1.4]), PIXEL_NM, {}))
    spots = result.spots.sort_values("d_nm", ascending=False).reset_index(drop=True)
    assert len(spots) == 2  # the noise gives no false spot at the default threshold
    assert spots["d_nm"][0] == pytest.approx(0.427, rel=5e-3)
    assert spots["d_nm"][1] == pytest.approx(0.232, rel=5e-3)
    assert spots["angle_deg"][0] == pytest.approx(np.degrees(0.3), abs=0.5)
    assert spots["hkl"][0] == "0 2 0" and "Li2MnO3" in spots["phase"][0]
    assert (spots["d_stderr_nm"] > 0).all() and (spots["d_stderr_nm"] < 0.005 * spots["d_nm"]).all()


def test_boxes_see_their_own_phase():
    """Left half: 0.427 nm fringes ('bulk'); right half: 0.232 nm ('surface')."""
    image = fringes([0.427], [0.2], shape=(256, 512))
    image[:, 256:] = fringes([0.232], [1.0], shape=(256, 256), seed=2)
    candidates = parse_candidates(["Li2MnO3 (020)=0.427", "spinel (222)=0.232"])
    entry = ImageEntry(file=None, boxes={"bulk": [0, 0, 256, 256], "surface": [256, 0, 256, 256]})
    bulk = fringe_spacings(Micrograph(image, PIXEL_NM, {}), box=tuple(entry.boxes["bulk"]), candidates=candidates)
    surface = fringe_spacings(Micrograph(image, PIXEL_NM, {}), box=tuple(entry.boxes["surface"]),
                              candidates=candidates)
    assert bulk.spots["phase"].iloc[0] == "Li2MnO3 (020)" and surface.spots["phase"].iloc[0] == "spinel (222)"
    assert bulk.spots["d_nm"].iloc[0] == pytest.approx(0.427, rel=5e-3)


def test_pure_noise_has_no_spots():
    noise = np.random.default_rng(0).normal(100, 5, (512, 512))
    assert fringe_spacings(Micrograph(noise, PIXEL_NM, {})).spots.empty


def test_imagej_tiff_carries_its_pixel_size(tmp_path):
    """An ImageJ-style TIFF: XResolution = pixels per unit, 'unit=nm' in the description."""
    path = tmp_path / "hrtem.tif"
    image = Image.fromarray(fringes([0.427], [0.5]).astype(np.float32))
    image.save(path, tiffinfo={270: "ImageJ=1.54f\nunit=nm\n", 282: 1 / PIXEL_NM, 283: 1 / PIXEL_NM, 296: 1})
    micrograph = read_image(path)
    assert micrograph.pixel_nm == pytest.approx(PIXEL_NM, rel=1e-6) and micrograph.attrs["pixel_source"] == "file"
    analysis = analyze_images("s", [ImageEntry(path, state="4 cycles")])
    assert analysis.spots["d_nm"].iloc[0] == pytest.approx(0.427, rel=5e-3)
    assert analysis.spots["state"].iloc[0] == "4 cycles"


def test_png_without_pixel_size_needs_one(tmp_path):
    path = tmp_path / "fringes.png"
    data = fringes([0.427], [0.5])
    Image.fromarray(((data - data.min()) / np.ptp(data) * 255).astype(np.uint8)).save(path)
    with pytest.raises(AnalysisError, match="fringes.png.*no pixel size"):
        fringe_spacings(read_image(path))
    given = fringe_spacings(read_image(path, pixel_nm=PIXEL_NM))
    assert given.spots["d_nm"].iloc[0] == pytest.approx(0.427, rel=5e-3)


def test_bad_images_and_boxes(tmp_path):
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00" + b"\x00" * 50)
    with pytest.raises(ReadError, match="broken.tif"):
        read_image(broken)
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    with pytest.raises(ReadError, match="notes.txt"):
        read_image(text)
    image = Micrograph(fringes([0.427], [0.5]), PIXEL_NM, {})
    with pytest.raises(AnalysisError, match="does not fit"):
        fringe_spacings(image, box=(400, 400, 256, 256))
    with pytest.raises(AnalysisError, match="pixel size below"):
        fringe_spacings(Micrograph(image.data, 0.2, {}))


def test_damaged_dm3_is_a_read_error(tmp_path):
    path = tmp_path / "image.dm3"
    path.write_bytes(b"\x00\x00\x00\x03" + b"\x01" * 200)
    try:
        import rsciio  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match=r"redoxmap\[tem\]"):
            read_image(path)
    else:
        with pytest.raises(ReadError, match="image.dm3"):
            read_image(path)
