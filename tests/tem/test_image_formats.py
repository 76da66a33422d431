"""Micrographs from other labs' instruments, with the pixel sizes RosettaSciIO's own tests publish for
these files (``rsciio/tests/test_*.py``) and openNCEM's for the Velox file."""

from __future__ import annotations

import pytest

from redoxmap.errors import FormatError
from redoxmap.tem import read_image

RSCIIO = ("images", "hyperspy+rosettasciio", "rsciio", "tests", "data")


@pytest.mark.parametrize(("parts", "reader", "pixel_nm", "shape"), [
    (("tia", "old", "64x64_TEM_images_acquire.emi"), "tia", 6.281833, (64, 64)),
    (("tia", "new", "128x128-TEM_search.emi"), "tia", 5.26121, (128, 128)),
    (("mrc", "HAADFscan.mrc"), "mrc", 5.679131317138672, (16, 16)),
    (("tiff", "tiff_Zeiss_SEM", "test_tiff_Zeiss_SEM_1k.tif"), "tiff", 2614.514, (768, 1024)),
    (("tiff", "tiff_Zeiss_SEM", "test_tiff_Zeiss_SEM_512pix.tif"), "tiff", 11.649976, (384, 512)),
    (("tiff", "tiff_FEI_Helios", "FEI-Helios-Ebeam-8bits.tif"), "tiff", 3372.4, (471, 512)),
    (("tiff", "test_dm_image_um_unit.dm3"), "dm", 168.67, None),
], ids=lambda value: value[-1] if isinstance(value, tuple) and value and isinstance(value[-1], str) else None)
def test_vendor_images_carry_their_published_pixel_size(data, parts, reader, pixel_nm, shape):
    image = read_image(data.joinpath(*RSCIIO, *parts))
    assert image.attrs["format"] == reader and image.attrs["pixel_source"] == "file"
    assert image.pixel_nm == pytest.approx(pixel_nm, rel=5e-5)  # published to 5-7 significant digits
    assert shape is None or image.data.shape == shape


def test_a_velox_emd_image(data):
    """openNCEM's test: the STEM HAADF image's pixel is 87.3708 nm (rounded to four digits)."""
    image = read_image(data / "images" / "ercius+openNCEM" / "ncempy" / "data" / "STEM HAADF Diffraction Micro.emd")
    assert image.attrs["format"] == "velox" and round(image.pixel_nm, 4) == pytest.approx(87.3708)


def test_a_diffraction_pattern_has_no_length_pixel(data):
    """Its axes are in 1/nm: no real-space pixel size, so the fringe analysis asks for one."""
    image = read_image(data.joinpath(*RSCIIO, "tia", "old", "64x64_diffraction_acquire.emi"))
    assert image.pixel_nm is None and image.data.shape == (64, 64)


def test_files_without_an_image_say_what_they_hold(data):
    with pytest.raises(FormatError, match="holds no image.*EDS"):
        read_image(data / "images" / "hyperspy+exspy" / "exspy" / "data" / "EDS_SEM_TM002.hspy")
    with pytest.raises(FormatError, match="16 x 16"):  # a 2-frame stack of 3 x 3 images
        read_image(data.joinpath(*RSCIIO, "emd", "fei_example_tem_stack.emd"))
