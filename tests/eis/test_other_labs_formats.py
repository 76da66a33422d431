"""Impedance and potentiostat files from other labs: Gamry in a decimal-comma locale, spectra in
spreadsheets, and BioLogic PEIS exports with a published fit (PyEIS's tutorial)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redoxmap.eis import Circuit, fit_circuit, read_impedance
from redoxmap.errors import DataWarning
from redoxmap.io import read_raw_cycling

GAMRY = ("eis", "bcliang+gamry-parser", "tests")


def test_a_gamry_file_in_a_decimal_comma_locale_reads_as_its_twin(data):
    """gamry-parser's CHRONOA pair: one written with decimal commas, one with points; 10 samples 30 s apart
    (its test). The repository's comma file differs from its twin only in the first row."""
    comma = read_raw_cycling(data.joinpath(*GAMRY, "chronoa_de_data.dta"))
    point = read_raw_cycling(data.joinpath(*GAMRY, "chronoa_data.dta"))
    assert comma.reader == "gamry-dta" and comma.metadata["technique"] == "CHRONOA"
    assert len(comma.table) == len(point.table) == 10
    np.testing.assert_allclose(np.diff(comma.table["time_s"]), 30.0, atol=1e-3)
    pd.testing.assert_frame_equal(comma.table.iloc[1:], point.table.iloc[1:])


def test_a_hand_trimmed_gamry_table_reads_its_rows_and_says_what_it_left(data):
    """eispot_data.dta: six rows in Gamry's tab layout, then four space-separated copies (trimmed by hand,
    as its repository notes)."""
    with pytest.warns(DataWarning, match="4 lines after the ZCURVE table"):
        spectrum = read_impedance(data.joinpath(*GAMRY, "eispot_data.dta"))[0]
    np.testing.assert_allclose(spectrum.frequency_Hz, [10000, 5000, 1000, 500.1, 100, 50])


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_spectra_in_a_workbook_one_per_sheet(data, tmp_path, suffix):
    """A real spectrum written by pandas' own spreadsheet writers (openpyxl, odfpy) on two sheets beside a
    notes sheet: each data sheet is a spectrum, equal to the source."""
    source = read_impedance(data / "xrd_eis" / "ECSHackWeek+impedance.py" / "data" / "exampleDataGamry.DTA")[0]
    frame = pd.DataFrame({"Freq (Hz)": source.frequency_Hz, "Z' (Ohm)": source.z_ohm.real,
                          "-Z'' (Ohm)": -source.z_ohm.imag})
    book = tmp_path / f"cell{suffix}"
    with pd.ExcelWriter(str(book)) as writer:  # a str: pandas picks the writer from its extension
        pd.DataFrame({"note": ["cell A, 25 C"]}).to_excel(writer, sheet_name="notes", index=False)
        frame.to_excel(writer, sheet_name="cycle 1", index=False)
        frame.to_excel(writer, sheet_name="cycle 2", index=False)
    spectra = read_impedance(book)
    assert [s.attrs["sheet"] for s in spectra] == ["cycle 1", "cycle 2"]
    np.testing.assert_allclose(spectra[0].z_ohm, source.z_ohm)
    np.testing.assert_allclose(spectra[1].frequency_Hz, source.frequency_Hz)


@pytest.mark.parametrize(("name", "published"), [
    ("ex1", (2262.11, 10910.93, 4.3514, 0.96681, 10554.04)),
    ("ex2", (2258.76, 8686.40, 5.6112, 0.94239, 9804.44)),
])
def test_a_randles_fit_reaches_the_published_one_or_better(data, name, published):
    """PyEIS's tutorial fits cycle 2 of each BioLogic PEIS export (0.1 Hz - 10 kHz, modulus weighting) with a
    Randles circuit R-(Q(RW)) and publishes its parameters. On the same points redoxmap's fit reaches a
    chi-square no higher than those parameters give, with R_s within 3 % and R, n, sigma within 10 %."""
    spectra = read_impedance(data / "eis" / "kbknudsen+PyEIS" / "Tutorials" / "data" / f"{name}.mpt")
    assert len(spectra) == 2
    spectrum = spectra[1]
    keep = (spectrum.frequency_Hz >= 0.1) & (spectrum.frequency_Hz <= 1e4)
    f, z = spectrum.frequency_Hz[keep], spectrum.z_ohm[keep]
    assert 2 * len(f) == 80  # PyEIS counts real and imaginary parts
    fit = fit_circuit((f, z), "R0-p(CPE1,R1-W1)", weighting="modulus")
    rs, r, fs, n, sigma = published
    q = 1 / (r * (2 * np.pi * fs) ** n)  # PyEIS's summit frequency -> the CPE's Q
    model = np.asarray(Circuit("R0-p(CPE1,R1-W1)").impedance(np.array([[rs, q, n, r, sigma]]), f))[0]
    relative = (z - model) / np.abs(z)
    assert fit.chi_square <= np.sum(relative.real ** 2 + relative.imag ** 2)
    values = fit.values
    assert values["R0"] == pytest.approx(rs, rel=0.03)
    assert values["R1"] == pytest.approx(r, rel=0.10)
    assert values["CPE1_alpha"] == pytest.approx(n, rel=0.10)
    assert values["W1_sigma"] == pytest.approx(sigma, rel=0.10)
