"""A reader checks that what it read is physically its measurement, and an analysis bounds its memory by
its input: another modality's file is refused by name, never analysed (the cases the CLI sweep met)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.eis.relaxation import MAX_POINTS, drt
from redoxmap.errors import AnalysisError, ReadError
from redoxmap.io.archives import SafeZip, unpacked_bound

runner = CliRunner()


def _refused(args, *phrases):
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, (SystemExit, type(None))), result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def test_a_diffraction_pattern_is_no_impedance_spectrum(data):
    """Three columns, 2theta 10-100 deg at 0.01 deg: one decade at 9,001 points per decade, where the
    public impedance sweeps span 2 to 8 decades at 2.6 to 20 points per decade."""
    path = data / "xrd_eis" / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "Li2MnO3+MnO+TiO2.xy"
    _refused(["eis", "drt", str(path)], path.name, "not an impedance sweep")


def test_a_voltammogram_is_no_diffraction_pattern(data):
    path = (data / "dems" / "ixdat+ixdat-large-test-files" / "zilien_version_2" / "2022-09-19 11_27_59 test-1"
            / "2022-09-19 11_27_59 test-21_01_01_CV_C01.mpt")
    _refused(["xrd", "lattice", str(path)], path.name, "not a diffraction scan")


def test_a_navigation_camera_view_has_no_phases_by_contrast(data):
    path = (data / "images" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / "tiff" / "tiff_FEI_Helios"
            / "FEI-Helios-navcam.tif")
    _refused(["sem", "analyze", str(path)], path.name, "grey level")


def test_the_drt_refuses_before_it_allocates():
    """More points than the bound: refused at once (the 9,001-point pattern once grew to 12.8 GB)."""
    f = np.logspace(6, -2, MAX_POINTS + 1)
    with pytest.raises(AnalysisError, match="at most"):
        drt(f, 1.0 + 1.0 / (1 + 1j * 2 * np.pi * f))


def test_an_archive_may_unpack_to_fifty_times_its_size(tmp_path):
    """A member of 150 MB at about 140-fold (under the ratio limit, as the fuzz made one of 1.9 GB) is
    refused from the archive's directory alone: the bound is 50 times the archive, at least 100 MB."""
    assert unpacked_bound(1_000_000) == 100_000_000 and unpacked_bound(10**9) == 2_000_000_000
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, 1 << 14, dtype=np.uint8).tobytes()  # 16 kB of noise per 2.3 MB: ~140-fold
    block = noise + b"\0" * (2_300_000 - len(noise))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("data.xml", "w", force_zip64=True) as member:
        for _ in range(65):
            member.write(block)
    path = tmp_path / "large.rasx"
    path.write_bytes(buffer.getvalue())
    info = zipfile.ZipFile(path).infolist()[0]
    assert 50 < info.file_size / info.compress_size < 200
    with pytest.raises(ReadError, match="large.rasx.*unpacks to"):
        SafeZip(path)
