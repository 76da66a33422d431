"""Lattice parameters of layered oxides from the pattern alone: patterns computed by pymatgen from
known cells, and real lab scans of LiCoO2-holding mixtures against LiCoO2's literature cell."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app

runner = CliRunner()
KA1, KA2 = 1.540593, 1.544414
LICOO2 = {"a": 2.8156, "c": 14.0542}  # Akimoto et al., J. Solid State Chem. 141, 298 (1998)
# Layered oxides (alpha-NaFeO2 type, R-3m) from c 13.9 to 14.5 A: literature cells of LiCoO2, LiNiO2,
# NMC811, NMC111, a Li-rich oxide in its R-3m description, and the two ends of the range.
CELLS = [("LiCoO2", 2.8156, 14.0542, "Co"), ("LiNiO2", 2.878, 14.19, "Ni"), ("NMC811", 2.872, 14.20, "Ni"),
         ("NMC111", 2.860, 14.22, "Co"), ("Li-rich", 2.850, 14.25, "Mn"), ("short c", 2.80, 13.90, "Co"),
         ("long c", 2.86, 14.50, "Ni")]


def _layered_pattern(path, a: float, c: float, metal: str, rng, *, displacement: float = 0.0,
                     foreign: tuple[float, float] | None = None) -> None:
    """A Cu K-alpha pattern computed by pymatgen's XRD calculator from the structure (positions and
    intensities of both lines), drawn as pseudo-Voigt peaks on a background with Poisson noise; every
    line moved by a sample ``displacement`` s/R (-2 s/R cos theta), and a ``foreign`` phase's line
    (position, height) added."""
    from pymatgen.analysis.diffraction.xrd import XRDCalculator
    from pymatgen.core import Lattice, Structure

    structure = Structure.from_spacegroup("R-3m", Lattice.hexagonal(a, c), ["Li", metal, "O"],
                                          [[0, 0, 0.5], [0, 0, 0], [0, 0, 0.2604]])
    x = np.arange(10.0, 90.0, 0.02)
    y = np.full_like(x, 200.0)
    for wavelength, share in ((KA1, 1.0), (KA2, 0.5)):
        lines = XRDCalculator(wavelength=wavelength).get_pattern(structure, two_theta_range=(8, 92))
        centers = lines.x - np.degrees(2 * displacement * np.cos(np.radians(lines.x) / 2))
        for center, height in [*zip(centers, lines.y), *([foreign] if foreign and share == 1.0 else [])]:
            u = (x - center) / 0.10
            y += share * 50.0 * height * (0.5 * np.exp(-4 * np.log(2) * u ** 2) + 0.5 / (1 + 4 * u ** 2))
    np.savetxt(path, np.column_stack([x, rng.poisson(y)]), fmt="%.4f %d")


@pytest.mark.parametrize(("name", "a", "c", "metal"), CELLS, ids=[c[0] for c in CELLS])
def test_layered_cells_from_computed_patterns(tmp_path, name, a, c, metal):
    """Without --hkl, a and c within 0.05 % of the cell the pattern was computed from."""
    path = tmp_path / f"{name}.xy"
    _layered_pattern(path, a, c, metal, np.random.default_rng(3))
    result = runner.invoke(app, ["xrd", "lattice", str(path), "--wavelength", str(KA1), "--radiation", "doublet",
                                 "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["indexed"] == "from the pattern"
    assert body["params"]["a"] == pytest.approx(a, rel=5e-4) and body["params"]["c"] == pytest.approx(c, rel=5e-4)
    used = [row for row in body["rows"] if row["status"] == "used"]
    assert len(used) >= 8 and {"0 0 3", "1 0 4", "1 0 1"} <= {row["hkl"] for row in used}


@pytest.mark.parametrize("mixture", ["Nb2O5_CuO_LiCoO2", "TiO2_ZrO2_CaCO3_LiCoO2", "NaAlO2-1.5H2O_ZrO2_LiCoO2"])
def test_licoo2_in_real_mixtures(data, mixture):
    """Real lab scans of three mixtures holding LiCoO2, indexed from the pattern with a sample
    displacement refined: a and c within 0.05 % of LiCoO2's literature cell."""
    path = data / "xrd_eis" / "jrneilson+dara" / "dataset" / "precursor_mixture" / f"{mixture}.12-min.xrdml"
    result = runner.invoke(app, ["xrd", "lattice", str(path), "--displacement", "--json"])
    assert result.exit_code == 0, result.output
    params = json.loads(result.stdout)["params"]
    assert params["a"] == pytest.approx(LICOO2["a"], rel=5e-4) and params["c"] == pytest.approx(LICOO2["c"], rel=5e-4)


def test_patterns_that_cannot_fix_the_cell_are_refused(data):
    """An undersampled 2-minute scan (peaks not fittable) and a pattern without a layered phase: a
    non-zero exit with the reason, never a cell."""
    folder = data / "xrd_eis"
    fast = folder / "jrneilson+dara" / "dataset" / "precursor_mixture" / "Nb2O5_CuO_LiCoO2.2-min.xrdml"
    rutile = folder / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "TiO2.xy"
    for path in (fast, rutile):
        result = runner.invoke(app, ["xrd", "lattice", str(path)])
        assert result.exit_code == 1, result.output
        assert path.name in result.output and ("too few" in result.output or "(003)" in result.output
                                               or "do not agree" in result.output)


def test_a_reflection_under_another_phase_is_left_out_and_listed(tmp_path):
    """A foreign line 0.09 deg beside LiCoO2's (1 0 4) (less than its width): the (1 0 4) is left out
    and named, the cell refined on the rest is still the one the pattern was computed from."""
    path = tmp_path / "two-phase.xy"
    a, c = LICOO2["a"], LICOO2["c"]
    _layered_pattern(path, a, c, "Co", np.random.default_rng(5), foreign=(45.318, 60.0))
    result = runner.invoke(app, ["xrd", "lattice", str(path), "--wavelength", str(KA1), "--radiation", "doublet",
                                 "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    status = {row["hkl"]: row["status"] for row in body["rows"]}
    assert status["1 0 4"] in ("outlier", "off peak") and any("1 0 4" in note for note in body["notes"])
    assert body["params"]["a"] == pytest.approx(a, rel=5e-4) and body["params"]["c"] == pytest.approx(c, rel=5e-4)


def test_a_displaced_sample_is_refined_with_its_displacement_and_says_so(tmp_path):
    """Every line moved as a sample 0.1 % of the goniometer radius off the focusing circle: without
    --displacement the reflections disagree, so the displacement is refined, said in a note, and
    recovered with the cell."""
    path = tmp_path / "displaced.xy"
    a, c = LICOO2["a"], LICOO2["c"]
    _layered_pattern(path, a, c, "Co", np.random.default_rng(7), displacement=1e-3)
    result = runner.invoke(app, ["xrd", "lattice", str(path), "--wavelength", str(KA1), "--radiation", "doublet",
                                 "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert any("sample displacement" in note for note in body["notes"])
    assert body["params"]["displacement"] == pytest.approx(1e-3, rel=0.05)
    assert body["params"]["a"] == pytest.approx(a, rel=5e-4) and body["params"]["c"] == pytest.approx(c, rel=5e-4)


def test_the_four_phase_pattern_without_options(data):
    """The TiO2/ZrO2/CaCO3/LiCoO2 mixture with the defaults only: LiCoO2's cell within 0.05 % of the
    literature, (0 1 5) (beside a ZrO2 line) left out and listed, the displacement refined and said."""
    path = data / "xrd_eis" / "jrneilson+dara" / "dataset" / "precursor_mixture" / "TiO2_ZrO2_CaCO3_LiCoO2.12-min.xrdml"
    result = runner.invoke(app, ["xrd", "lattice", str(path), "--phase", "R-3m", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["params"]["a"] == pytest.approx(LICOO2["a"], rel=5e-4)
    assert body["params"]["c"] == pytest.approx(LICOO2["c"], rel=5e-4)
    assert {row["hkl"]: row["status"] for row in body["rows"]}["0 1 5"] == "outlier"
    assert any("0 1 5" in note for note in body["notes"]) and any("displacement" in n for n in body["notes"])
