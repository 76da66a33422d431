"""SEM/EDS microstructure: every metric against a geometry whose answer is known, the whole chain
(EDS cube -> element maps -> phases -> metrics) against synthetic sections with designed contact, and
the readers against the values published with real files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.errors import FormatError
from redoxmap.io import read_sem
from redoxmap.sem import (
    analyze_microstructure,
    area_fractions,
    contact_fractions,
    contact_ratio,
    element_maps,
    packed_discs,
    particle_table,
    section_with_eds,
    spanning_share,
    tortuosity,
)
from redoxmap.sem.synthetic import PHASES

runner = CliRunner()


@pytest.fixture(scope="module")
def bruker(data):
    return data / "images" / "hyperspy+rosettasciio" / "rsciio" / "tests" / "data" / "bruker"


# ---------------------------------------------------------------------------- metrics on exact geometries

def test_tortuosity_of_open_fields_straight_channels_and_a_serpentine():
    assert tortuosity(np.ones((40, 60), bool), 1) == pytest.approx((1.0, 1.0))
    channels = np.zeros((40, 60), bool)
    channels[::4] = True  # straight channels along x, one pixel wide
    tau, relative = tortuosity(channels, 1)
    assert tau == pytest.approx(1.0) and relative == pytest.approx(channels.mean())
    assert tortuosity(channels, 0)[0] == math.inf  # they do not connect top and bottom
    # a one-pixel path of n pixels across a field of width W: in this discretisation J = 1/n, the open
    # field's J = H/W and epsilon = n/(H W), so tau = (n / W)^2 exactly
    field = np.zeros((21, 41), bool)
    for (r0, c0), (r1, c1) in (((10, 0), (10, 10)), ((2, 10), (10, 10)), ((2, 10), (2, 30)), ((2, 30), (18, 30)),
                               ((18, 30), (18, 40))):
        field[min(r0, r1):max(r0, r1) + 1, min(c0, c1):max(c0, c1) + 1] = True
    tau, _ = tortuosity(field, 1)
    assert tau == pytest.approx((field.sum() / field.shape[1]) ** 2, rel=1e-9)


def test_contact_and_fractions_of_a_designed_disc():
    yy, xx = np.mgrid[0:101, 0:101]
    distance = np.hypot(yy - 50, xx - 50)
    angle = np.arctan2(yy - 50, xx - 50) % (2 * math.pi)
    labels = np.zeros((101, 101), np.int16)
    ring = (distance >= 30) & (distance < 33)
    labels[ring & ((angle % (math.pi / 8)) < 0.4 * math.pi / 8)] = 2  # 40 % of the perimeter in 16 arcs
    labels[distance < 30] = 1
    contact = contact_fractions(labels, PHASES, "cathode")
    assert contact["electrolyte"] == pytest.approx(0.40, abs=0.02) and contact["carbon"] == 0
    assert area_fractions(labels, PHASES)["cathode"] == pytest.approx(math.pi * 30 ** 2 / 101 ** 2, rel=0.01)
    particles = particle_table(labels == 1, pixel_nm=50.0)
    assert len(particles) == 1 and particles["ecd_um"].iloc[0] == pytest.approx(3.0, rel=0.01)  # 60 px x 50 nm
    assert spanning_share(labels == 1, 1) == 0.0 and spanning_share(np.ones((5, 5), bool), 0) == 1.0


# ---------------------------------------------------------------------------- the chain on synthetic sections

@pytest.mark.parametrize("contact", [0.3, 0.7])
def test_synthetic_sections_give_back_their_contact_fraction_and_particles(contact):
    labels, truth = packed_discs(contact=contact, seed=1)
    section = section_with_eds(labels, seed=2)
    result = analyze_microstructure([section], name=f"contact {contact}")
    assert result.value("contact", "electrolyte") == pytest.approx(contact, abs=0.02)
    assert result.value("area_fraction", "cathode") == pytest.approx(truth["cathode_fraction"], abs=0.01)
    assert result.value("d50_um", "cathode") == pytest.approx(truth["diameter_px"] * 0.1, rel=0.03)
    assert result.value("clark_evans", "cathode") > 1.2  # discs placed with a minimum distance: regular
    segmentation = result.segmentations[0]
    assert (segmentation.labels == labels).mean() > 0.98
    assert any("tiles" in note for note in result.notes)  # one field: the error's basis is stated


def test_better_contact_is_measured_as_a_larger_phi_c():
    worse = analyze_microstructure([section_with_eds(packed_discs(contact=0.35, seed=4)[0], seed=5)], name="SPM")
    better = analyze_microstructure([section_with_eds(packed_discs(contact=0.7, seed=6)[0], seed=7)], name="LPM")
    ratio, error = contact_ratio(better, worse)
    assert ratio == pytest.approx(2.0, rel=0.1) and 0 < error < 0.2


def test_fields_are_bootstrapped():
    sections = [section_with_eds(packed_discs(contact=0.5, seed=k, shape=(128, 128))[0], seed=10 + k)
                for k in range(4)]
    result = analyze_microstructure(sections, name="four fields", bootstrap=100)
    row = result.table.query("metric == 'contact' and phase == 'electrolyte'").iloc[0]
    assert row.value == pytest.approx(0.5, abs=0.04) and 0 < row.stderr < 0.05
    assert result.settings["error_units"] == "fields"


def test_element_maps_recover_the_lines_put_in():
    labels = np.zeros((20, 20), np.int16)
    labels[:, 10:] = 1  # cathode on the right, void on the left
    section = section_with_eds(labels, counts=400.0, seed=3)
    maps = element_maps(section.cube, section.energy_keV, ["Mn", "S"])
    assert maps["Mn"][:, 10:].mean() > 50 * max(maps["Mn"][:, :10].mean(), 0.01)
    assert maps["S"][:, 10:].mean() < 0.05 * maps["Mn"][:, 10:].mean()
    with pytest.raises(ValueError, match="no X-ray line"):
        element_maps(section.cube, section.energy_keV, ["Xx"])


# ---------------------------------------------------------------------------- real files

def test_bruker_hypermap_reads_with_its_published_calibration(bruker):
    section = read_sem(bruker / "30x30_instructively_packed_16bit_compressed.bcf")
    assert section.pixel_nm == pytest.approx(1667.40910949362, rel=1e-9)  # rsciio's test: 1.66740910949362 µm
    assert section.cube.shape == (30, 30, 2048)
    assert np.diff(section.energy_keV)[0] == pytest.approx(0.009999, rel=1e-6)


def test_a_file_without_a_pixel_size_needs_one(bruker):
    with pytest.raises(FormatError, match="pixel_nm"):
        read_sem(bruker / "Hitachi_TM3030Plus.bcf")
    section = read_sem(bruker / "Hitachi_TM3030Plus.bcf", pixel_nm=500.0)
    assert section.attrs["pixel_source"] == "user" and section.image.shape == (240, 320)


def test_real_sparse_hypermap_is_called_by_the_lines_that_dominate_it(bruker):
    """Hitachi TM3030Plus map listing Al and Cu, at 2.2 counts per pixel: summed over the neighbourhood the
    segmentation uses, Al outcounts Cu in almost no pixel (counted here from the cube's raw energy windows,
    without redoxmap's background subtraction), so the two cannot be told apart: the segmentation says so
    and calls the field copper."""
    from redoxmap.sem.segment import _neighbourhood

    section = read_sem(bruker / "Hitachi_TM3030Plus.bcf", pixel_nm=500.0)
    with pytest.warns(Warning, match="same composition"):
        result = analyze_microstructure([section], name="Al/Cu", phases={"aluminium": ("Al",), "copper": ("Cu",)},
                                        active="copper", transport="aluminium")
    segmentation = result.segmentations[0]
    window = segmentation.parameters["window"]
    energy = section.energy_keV
    al = _neighbourhood(section.cube[:, :, (energy > 1.40) & (energy < 1.58)].sum(axis=2).astype(float), window)
    cu = _neighbourhood(section.cube[:, :, (energy > 7.95) & (energy < 8.15)].sum(axis=2).astype(float), window)
    solid = segmentation.labels > 0
    direct_copper = ((cu >= al) & solid).sum() / solid.sum()
    segmented_copper = result.value("area_fraction", "copper") / (1 - result.value("area_fraction", "void"))
    assert direct_copper > 0.95 and segmented_copper == pytest.approx(direct_copper, abs=0.05)


def test_cli_analyze_json_and_figure(tmp_path, bruker):
    figure = tmp_path / "phases.png"
    result = runner.invoke(app, ["sem", "analyze", str(bruker / "Hitachi_TM3030Plus.bcf"), "--pixel-nm", "500",
                                 "--phase", "aluminium=Al", "--phase", "copper=Cu", "--active", "copper",
                                 "--transport", "aluminium", "--plot", str(figure), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    fractions = [r["value"] for r in body["rows"] if r["metric"] == "area_fraction"]
    assert sum(fractions) == pytest.approx(1.0) and figure.stat().st_size > 10_000
    bad = runner.invoke(app, ["sem", "analyze", str(bruker / "Hitachi_TM3030Plus.bcf")])
    assert bad.exit_code == 1 and "pixel_nm" in bad.output and "Traceback" not in bad.output
