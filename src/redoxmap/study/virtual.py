"""A virtual study: instrument files written from the activation model, with the truth beside them.

For each temperature a composite-cathode cell is cycled in the model, and its files are
written as a lab would have them:

* a cycler file (Battery Data Format CSV): galvanostatic charge at 0.1 C (1 C = 250 mA/g) with
  the TM capacity on a slope from 3.6 to 4.4 V and the oxygen capacity on the plateau above
  4.4 V (region III of the reference study), and a sloping discharge to 2.0 V whose capacity is
  the model's; a little irreversible charge each cycle (coulombic efficiency 98 %, 85 % in the
  first);
* an impedance spectrum of the discharged cell from ``L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1`` whose
  charge-transfer resistance follows the interfacial resistance R_int(T) of the model, with
  0.2 % noise on each part;
* Mn L2,3 spectra in TEY and iPFY at the same states: the bundled Mn3+ (LaMnO3) and Mn4+ (SrMnO3)
  references (area-normalised) mixed to the model's Mn valence by mode, with 0.3 % noise, and the
  references themselves (MnO, LaMnO3, SrMnO3) for the LCF;
* O K-edge spectra in TEY and iPFY after the 1st, 12th and 22nd charge (the reference study's
  states), and of the uncycled material: pre-peaks A (529.6 eV) and B (531.0 eV) whose heights
  carry the model's r by mode, ``b = b0 + r a``, peak C and the edge step, with 0.3 % noise;
* ``study.toml`` (ready for ``redoxmap report``, with a ``[model]`` section that fits the model
  back) and ``truth.json`` (parameters, per-cycle capacities and r, the impedance truth).

* in situ XRD scans (Rigaku ``.ras`` with their start times) through the first cycle of the hottest
  cell: the (003) peak moving to lower angle as c expands on charge and back on discharge, the
  Li2MnO3 (020) peak fading as the oxygen plateau activates the domains (to ``1 - <a>``);
* a DEMS recording of each cell's first cycle (:mod:`redoxmap.dems.virtual`): O2 released on the
  region III plateau (a temperature-dependent share of that charge), CO2 above 4.2 V, through an
  inlet delay and a headspace lag, with the sensitivity factors in ``dems/calibration.json``;
* VAMAS files of each cell's C 1s and S 2p after the O K states' charges (:mod:`redoxmap.xps.virtual`):
  the electrolyte's decomposition shares growing with cycles and temperature, each sample charged
  by a known shift that the C 1s reveals;
* an SEM backscatter image with Mn, S, P, Cl and C maps of each composite (:mod:`redoxmap.sem.synthetic`):
  discs of active material whose contact with the electrolyte is ``SEM_CONTACT x phi_c``; and a third
  cell, a better-mixed composite (liquid-phase method) at 30 °C with ``phi_c = LPM_PHI_C``, whose SEM
  gives its phi_c and whose cycling the model must predict from it (it is left out of the fit).
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.eis.circuits import Circuit
from redoxmap.io.bdf import write_bdf
from redoxmap.io.tables import atomic_write
from redoxmap.model.cycle_model import ActivationParameters, interface_resistance, simulate_cycles

SPECIFIC_1C_MA_G = 250.0
EIS_CIRCUIT = "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1"
EIS_CPE2_Q = 3e-4  # the charge-transfer arc's CPE (F s^(alpha-1)): its peak near 0.3 Hz for R_int of ~1-2 kohm
O_K_STATES = (1, 12, 22)  # charges after which O K spectra are taken (the reference study's)
O_K_A, O_K_B0 = 1.0, 0.35  # pre-peak heights of the uncycled material (normalised to the edge step)
XRD_003_DEG, XRD_020_DEG, XRD_SHIFT_DEG = 18.65, 20.85, 0.20  # (003) moves by -0.20 deg at full charge
SEM_CONTACT, LPM_PHI_C, SEM_PIXEL_NM = 0.45, 1.4, 100.0  # contact of the reference composite (phi_c = 1)
SEM_FIELD_RADII = 32  # a field of view this many particle radii wide: ~100 sections, a median to ~5 %
REFERENCE_MIXING = "solid phase"  # the reference composite is hand-milled (the study's SPM)


def o_k_spectrum(r: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """A normalised O K pre-edge: A, B = b0 + r a, C and an arctan step, with 0.3 % noise."""
    energy = np.arange(524.0, 548.0, 0.1)

    def gauss(center, height, sigma=0.45):
        return height * np.exp(-0.5 * ((energy - center) / sigma) ** 2)

    mu = (gauss(529.6, O_K_A) + gauss(531.0, O_K_B0 + r * O_K_A) + gauss(532.4, 0.4)
          + 0.5 + np.arctan((energy - 536.0) / 1.0) / np.pi)
    return energy, mu + 0.003 * rng.normal(size=len(energy))


def discharge_curve(q: np.ndarray, capacity_tm: float, discharge: float) -> np.ndarray:
    """Voltage along a discharge (q in mAh/g): the Ni/Co capacity on a slope from 4.3 to 3.5 V, then the
    oxygen and Mn capacity from 3.4 to 3.0 V, a volt below where the oxygen was oxidised (the hysteresis of
    anionic redox), and the cut-off at the end."""
    tm_part = np.minimum(q, capacity_tm)
    rest = np.clip((q - capacity_tm) / max(discharge - capacity_tm, 1e-9), 0, 1)
    voltage = np.where(q <= capacity_tm, 4.3 - 0.8 * tm_part / max(capacity_tm, 1e-9), 3.4 - 0.4 * rest)
    voltage[-1] = 2.0
    return voltage


def cycler_table(run, *, mass_mg: float, c_rate: float = 0.1, points: int = 120) -> pd.DataFrame:
    """A galvanostatic record (time, voltage, current, cycle) with the model's capacities: the charge's
    oxygen on the plateau, its discharge with the oxygen hysteresis (:func:`discharge_curve`)."""
    current = c_rate * SPECIFIC_1C_MA_G * mass_mg * 1e-6  # A
    rows, clock = [], 0.0
    for row in run.table.itertuples():
        q_tm, q_o = row.capacity_tm_mAh_g, row.capacity_o_mAh_g
        discharge = row.capacity_mAh_g
        efficiency = 0.85 if row.cycle == 1 else 0.98
        charge = discharge / efficiency
        extra = charge - q_tm - q_o  # irreversible charge, at the top of the plateau
        q = np.linspace(0, charge, points)
        voltage = np.where(q < q_tm, 3.6 + 0.8 * q / max(q_tm, 1e-9),
                           4.45 + 0.1 * np.clip((q - q_tm) / max(q_o + extra, 1e-9), 0, 1))
        voltage[-1] = 4.7
        for segment, sign in ((voltage, 1.0), (None, -1.0)):
            if segment is None:
                q = np.linspace(0, discharge, points)
                segment = discharge_curve(q, q_tm, discharge)
            seconds = q * mass_mg * 1e-3 * 3.6 / current  # mAh/g x g -> mAh -> C / A
            rows.append(pd.DataFrame({"time_s": clock + seconds, "voltage_V": segment, "current_A": sign * current,
                                      "cycle": row.cycle}))
            clock += seconds[-1] + 1.0
    return pd.concat(rows, ignore_index=True)


def r_int_ohm(parameters: ActivationParameters, temperature_C: float, mass_mg: float) -> float:
    """The virtual cell's charge-transfer resistance (ohm): the model's interface resistance (ohm g, with
    its Arrhenius energy and contact) over the cell's active mass."""
    return interface_resistance(parameters, temperature_C + 273.15) / (mass_mg * 1e-3)


def model_section(cycles: int) -> str:
    """The ``[model]`` manifest section that fits the model back to the virtual cells."""
    return f"""
[model]
run = true
vary = ["r_int_ohm_g", "r_int_activation_energy_eV", "q_o_mAh_g", "u_ref"]
cycles = {cycles}
"""


def _pseudo_voigt_doublet(x, center, area, fwhm=0.12, eta=0.5):
    from redoxmap.xrd.profile import ka2_center

    def line(c):
        g = np.sqrt(4 * np.log(2) / np.pi) / fwhm * np.exp(-4 * np.log(2) * (x - c) ** 2 / fwhm ** 2)
        lorentz = 2 / (np.pi * fwhm) / (1 + 4 * (x - c) ** 2 / fwhm ** 2)
        return eta * lorentz + (1 - eta) * g
    return area * (line(center) + 0.5 * line(ka2_center(center, 1.544414 / 1.540593)))


def write_in_situ_xrd(out: Path, cycler: pd.DataFrame, activated: float, rng, *, scans: int = 40) -> list[dict]:
    """Rigaku .ras scans through the first cycle; returns the truth of each scan."""
    first = cycler[cycler["cycle"] == 1]
    time, current = first["time_s"].to_numpy(), first["current_A"].to_numpy()
    charge = np.concatenate([[0.0], np.cumsum(current[1:] * np.diff(time))])  # passed charge, A s
    charge_fraction = charge / charge.max()
    plateau = (first["voltage_V"].to_numpy() > 4.4) & (current > 0)
    o_progress = np.cumsum(plateau) / max(plateau.sum(), 1)  # share of the first plateau passed
    x = np.arange(17.5, 22.0, 0.01)
    start = pd.Timestamp("2026-01-05 09:00:00")
    truths = []
    for k, t in enumerate(np.linspace(time[0], time[-1], scans, endpoint=False)):
        i = int(np.searchsorted(time, t))
        center = XRD_003_DEG - XRD_SHIFT_DEG * charge_fraction[i]
        relative_020 = 1 - activated * o_progress[i]
        counts = 300 + _pseudo_voigt_doublet(x, center, 600.0) + _pseudo_voigt_doublet(x, XRD_020_DEG,
                                                                                        60.0 * relative_020)
        stamp = (start + pd.Timedelta(seconds=float(t))).strftime("%m/%d/%y %H:%M:%S")
        body = "\n".join(f"{a:.4f} {c:.0f} 1.0000" for a, c in zip(x, rng.poisson(counts)))
        text = (
            f'*RAS_DATA_START\n*RAS_HEADER_START\n*FILE_SAMPLE "virtual LLO"\n*HW_XG_WAVE_LENGTH_ALPHA1 "1.540593"\n'
            f'*HW_XG_WAVE_LENGTH_ALPHA2 "1.544414"\n*MEAS_SCAN_START_TIME "{stamp}"\n*MEAS_SCAN_UNIT_Y "counts"\n'
            f"*RAS_HEADER_END\n*RAS_INT_START\n{body}\n*RAS_INT_END\n*RAS_DATA_END\n"
        )
        path = out / f"scan_{k:03d}.ras"
        atomic_write(path, lambda tmp, text=text: tmp.write_text(text))
        truths.append({"file": path.name, "time_s": float(t), "center_003_deg": center, "relative_020": relative_020})
    return truths


MN_L_REFERENCES = {"MnO": 2.0, "LaMnO3": 3.0, "SrMnO3": 4.0}  # bundled in demo_data/xas/mn_l (MIT)


def _mn_l_references() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The bundled Mn L2,3 references, normalised as the analysis normalises them (alike, on the range
    all three cover: :func:`redoxmap.xas.files.normalize_references`), on a 0.05 eV grid inside it."""
    import warnings

    from redoxmap.resources import demo_source
    from redoxmap.xas.files import load_mu, normalize_references

    raw = {}
    for name in MN_L_REFERENCES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # digitised: repeated energies are averaged
            raw[name] = load_mu(demo_source() / "xas" / "mn_l" / f"{name}.csv")
    spectra = normalize_references(raw, edge="Mn-L3")
    grid = np.arange(max(e[0] for e, _ in spectra.values()) + 0.05, min(e[-1] for e, _ in spectra.values()) - 0.05,
                     0.05)
    return {name: (grid, np.interp(grid, *spectrum)) for name, spectrum in spectra.items()}


def _write_mn_l(path: Path, valence: float, references, rng) -> None:
    """A Mn L2,3 spectrum of average valence 3-4: Mn3+ and Mn4+ references mixed, noise added."""
    grid, mn3 = references["LaMnO3"]
    _, mn4 = references["SrMnO3"]
    mu = (4 - valence) * mn3 + (valence - 3) * mn4
    mu = mu + 0.003 * mu.max() * rng.normal(size=len(mu))
    text = "# Mn L2,3, virtual\n# energy mu\n" + "\n".join(f"{e:.3f} {m:.6g}" for e, m in zip(grid, mu)) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))


def mn_l_references_toml(out: Path, prefix: str = "") -> str:
    """Copy the Mn L references into ``out/xas/refs`` and return their ``[xas] references`` entries."""
    import shutil

    from redoxmap.resources import demo_source

    (out / "xas" / "refs").mkdir(parents=True, exist_ok=True)
    entries = []
    for name, valence in MN_L_REFERENCES.items():
        shutil.copyfile(demo_source() / "xas" / "mn_l" / f"{name}.csv", out / "xas" / "refs" / f"{name}.csv")
        entries.append(
            f'{{file = "{prefix}xas/refs/{name}.csv", edge = "Mn-L3", valence = {valence:g}, name = "{name}"}}'
        )
    return "references = [" + ", ".join(entries) + "]"


def _write_o_k(path: Path, r: float, rng) -> None:
    energy, mu = o_k_spectrum(r, rng)
    text = "# O K edge, virtual\n# energy mu\n" + "\n".join(f"{e:.2f} {m:.6f}" for e, m in zip(energy, mu)) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))


def write_virtual_cells(out: str | PathLike, *, parameters: ActivationParameters | None = None,
                        temperatures_C=(30.0, 50.0), cycles: int = 40, mass_mg: float = 4.0, seed: int = 0,
                        prefix: str = "", xas: bool = False, xrd: bool = False, dems: bool = False,
                        xps: bool = False, sem: bool = False) -> str:
    """Write the virtual cells' files and ``truth.json`` into ``out``.

    With ``xas``, O K spectra by mode and state are written too (and an uncycled sample that
    gives b0); their manifest needs ``[xas] o_k_peaks = ["A", "B", "C"]``. With ``xrd``, in situ
    scans through the first cycle of the last (hottest) cell. With ``dems``, each cell's first cycle
    as a spectrometer records its gas; their manifest needs the ``[dems]`` delay and lag of
    :func:`dems_section`. With ``xps``, C 1s and S 2p after the O K states' charges. With ``sem``, a
    section of each composite, and the better-mixed cell at 30 °C (see the module docstring).

    Returns
    -------
    str
        Their ``[[sample]]`` manifest entries, with file paths prefixed by ``prefix`` (the
        folder ``out`` relative to the manifest that will list them).

    Notes
    -----
    One function because every file of a cell comes from the same model run and random stream, in a
    fixed order (cycler file, impedance, then each optional modality), so that a seed always writes the
    same study; each modality's writing is a helper of its own (``_write_mn_l``, ``_write_dems``,
    ``_write_sem``, ``_write_xps``, ...), and what stays here is the loop over cells and the truth and
    manifest lines.
    """
    parameters = parameters or ActivationParameters()
    out = Path(out)
    (out / "cycling").mkdir(parents=True, exist_ok=True)
    (out / "eis").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    circuit = Circuit(EIS_CIRCUIT)
    frequency = np.logspace(5, -2, 57)
    truth = {"parameters": parameters.to_dict(), "cells": {}}
    samples = []
    for temperature in temperatures_C:
        name = f"virtual LLO-{temperature:g}"
        run = simulate_cycles(parameters, cycles, temperature_C=temperature)
        cycling_file = out / "cycling" / f"virtual_{temperature:g}C.bdf.csv"
        cycler = cycler_table(run, mass_mg=mass_mg)
        write_bdf(cycler, cycling_file)
        xrd_entry = ""
        if xrd and temperature == max(temperatures_C):
            (out / "xrd").mkdir(exist_ok=True)
            scans = write_in_situ_xrd(out / "xrd", cycler, float(run.table["activated_fraction"].iloc[0]), rng)
            truth["in_situ_xrd"] = {"cell": name, "scans": scans}
            names = ", ".join(f'"{prefix}xrd/{scan["file"]}"' for scan in scans)
            xrd_entry = (f'xrd = [{{file = [{names}], series = true, cycling = "{prefix}cycling/{cycling_file.name}"}}]'
                         "\n")
        r_ct = r_int_ohm(parameters, temperature, mass_mg)
        eis_parameters = [1e-6, 8.0, 25.0, 2e-6, 0.9, r_ct, EIS_CPE2_Q, 0.8, 5.0]
        z = circuit.impedance(eis_parameters, frequency)
        # 0.2 % per part: the largest of 114 such deviations stays below the 1 % Kramers-Kronig
        # threshold (at 0.3 % it reaches it by chance about one spectrum in ten).
        z = z + 0.002 * np.abs(z) * (rng.normal(size=len(z)) + 1j * rng.normal(size=len(z)))
        eis_file = out / "eis" / f"virtual_{temperature:g}C.csv"
        frame = pd.DataFrame({"freq/Hz": frequency, "Re(Z)/Ohm": z.real, "-Im(Z)/Ohm": -z.imag})
        atomic_write(eis_file, lambda tmp, frame=frame: frame.to_csv(tmp, index=False))
        xas_entries = []
        if xas:
            (out / "xas").mkdir(exist_ok=True)
            references = _mn_l_references()
            for cycle in (c for c in O_K_STATES if c <= cycles):
                row = run.table.iloc[cycle - 1]
                for mode, suffix in (("tey", "tey"), ("ipfy", "bulk")):
                    xas_file = out / "xas" / f"virtual_{temperature:g}C_charge{cycle}_O-K_{mode}.txt"
                    _write_o_k(xas_file, float(row[f"r_{suffix}"]), rng)
                    mn_file = out / "xas" / f"virtual_{temperature:g}C_charge{cycle}_Mn-L_{mode}.txt"
                    _write_mn_l(mn_file, float(row[f"mn_valence_{suffix}"]), references, rng)
                    for path, edge in ((xas_file, "O-K"), (mn_file, "Mn-L3")):
                        xas_entries.append(f'{{file = "{prefix}xas/{path.name}", edge = "{edge}", mode = "{mode}", '
                                           f'state = "charge {cycle}"}}')
        extra_entries, dems_truth, xps_truth = "", {}, {}
        if sem:
            extra_entries += _write_sem(out, name, parameters, prefix, truth, seed=int(temperature))
        if dems:
            extra_entries += _write_dems(out, cycler, temperature, mass_mg, rng, prefix, dems_truth)
        if xps:
            extra_entries += _write_xps(out, temperature, cycles, rng, prefix, xps_truth)
        truth["cells"][name] = {
            "temperature_C": temperature, "mass_mg": mass_mg,
            "capacity_mAh_g": run.table["capacity_mAh_g"].round(6).tolist(),
            "capacity_o_mAh_g": run.table["capacity_o_mAh_g"].round(6).tolist(),
            "r_tey": run.table["r_tey"].round(6).tolist(), "r_bulk": run.table["r_bulk"].round(6).tolist(),
            "mn_valence_tey": run.table["mn_valence_tey"].round(6).tolist(),
            "mn_valence_bulk": run.table["mn_valence_bulk"].round(6).tolist(),
            "eis": {"circuit": EIS_CIRCUIT, "parameters": eis_parameters, "R_int_ohm": r_ct}}
        if dems:
            truth["cells"][name]["dems"] = dems_truth
        if xps:
            truth["cells"][name]["xps"] = xps_truth
        samples.append(f"""
[[sample]]
name = "{name}"
description = "virtual cell from the activation model (see {prefix}truth.json)"
active_mass_mg = {mass_mg}
temperature_C = {temperature:g}
specific_current_mA_g = {SPECIFIC_1C_MA_G:g}
cell_type = "all-solid-state (virtual)"
simulated = true
chemistry = "li-rich"
variables = {{mixing = "{REFERENCE_MIXING}"}}
[sample.files]
cycling = "{prefix}cycling/{cycling_file.name}"
eis = [{{file = "{prefix}eis/{eis_file.name}", state = "discharged", temperature_C = {temperature:g}}}]
""" + (f"xas = [{', '.join(xas_entries)}]\n" if xas_entries else "") + xrd_entry + extra_entries)
    if sem:
        samples.append(_write_better_mixed_cell(out, parameters, cycles, mass_mg, prefix, truth))
    if xas:
        pristine = []
        references = _mn_l_references()
        for mode in ("tey", "ipfy"):
            xas_file = out / "xas" / f"virtual_pristine_O-K_{mode}.txt"
            _write_o_k(xas_file, 0.0, rng)
            mn_file = out / "xas" / f"virtual_pristine_Mn-L_{mode}.txt"
            _write_mn_l(mn_file, 4.0, references, rng)  # the model's Mn before any oxygen activation
            for path, edge, extra in ((xas_file, "O-K", ", pristine = true"), (mn_file, "Mn-L3", "")):
                pristine.append(f'{{file = "{prefix}xas/{path.name}", edge = "{edge}", mode = "{mode}", '
                                f'state = "uncycled"{extra}}}')
        samples.append(f"""
[[sample]]
name = "virtual LLO, uncycled"
description = "virtual uncycled material: gives b0 of the O K pre-edge and the pristine Mn valence"
[sample.files]
xas = [{', '.join(pristine)}]
""")
    atomic_write(out / "truth.json", lambda tmp: tmp.write_text(json.dumps(truth, indent=1)))
    return "".join(samples)


DEMS_DELAY_S, DEMS_LAG_S = 40.0, 90.0


def dems_section(prefix: str = "") -> str:
    """The ``[dems]`` section for the virtual cells' recordings."""
    return (f'\n[dems]\ncalibration = "{prefix}dems/calibration.json"\ndelay_s = {DEMS_DELAY_S}\n'
            f"lag_s = {DEMS_LAG_S}\n")


def _write_dems(out: Path, cycler: pd.DataFrame, temperature: float, mass_mg: float, rng, prefix: str,
                truth: dict) -> str:
    """The first cycle of a cell as a spectrometer records its gas; returns the manifest line."""
    from redoxmap.dems.calibration import save_calibration
    from redoxmap.dems.virtual import gas_recording, sensitivities, write_columns

    (out / "dems").mkdir(exist_ok=True)
    first = cycler[cycler["cycle"] == 1] if "cycle" in cycler else cycler
    columns, found = gas_recording(cycler["time_s"], cycler["voltage_V"], cycler["current_A"], mass_g=mass_mg / 1000,
                                   temperature_C=temperature, rng=rng, delay_s=DEMS_DELAY_S, lag_s=DEMS_LAG_S,
                                   until_s=float(first["time_s"].iloc[-1]))
    file = out / "dems" / f"virtual_{temperature:g}C_ms.csv"
    write_columns(file, columns)
    save_calibration(sensitivities(), out / "dems" / "calibration.json")
    truth.update(found)
    return (
        f'dems = [{{file = "{prefix}dems/{file.name}", cycling = "{prefix}cycling/virtual_{temperature:g}C.bdf.csv", '
        f'offset_s = {found["offset_s"]}, state = "cycle 1"}}]\n'
    )


def _write_sem(out: Path, name: str, parameters: ActivationParameters, prefix: str, truth: dict, *, seed: int) -> str:
    """A backscatter image and element maps of a polished cross-section of a composite whose contact is
    ``SEM_CONTACT x phi_c``, its particles spheres of the model's radius cut at random heights; returns
    the manifest line."""
    from PIL import Image

    from redoxmap.sem.synthetic import backscatter_image, element_count_maps, packed_discs

    (out / "sem").mkdir(exist_ok=True)
    phi_c = parameters.phi_c
    contact = SEM_CONTACT * phi_c
    radius_px = parameters.radius_nm / SEM_PIXEL_NM
    side = int(np.clip(round(SEM_FIELD_RADII * radius_px), 128, 1024))
    labels, found = packed_discs((side, side), radius_px=radius_px, contact=contact, sphere_sections=True, seed=seed)
    stem = name.replace("virtual ", "").replace(",", "").replace(" ", "_")
    image_file = out / "sem" / f"{stem}_bse.png"
    atomic_write(image_file, lambda tmp: Image.fromarray(backscatter_image(labels, seed=seed).astype(np.uint8)).save(
        tmp, format="PNG"))
    maps = []
    for element, counts in element_count_maps(labels, seed=seed).items():
        map_file = out / "sem" / f"{stem}_{element}.png"
        atomic_write(map_file, lambda tmp, counts=counts: Image.fromarray(counts).save(tmp, format="PNG"))
        maps.append(f'{element} = "{prefix}sem/{map_file.name}"')
    truth.setdefault("sem", {})[name] = {"contact": contact, "phi_c": phi_c,
                                         "cathode_fraction": found["cathode_fraction"],
                                         "sphere_diameter_um": found["diameter_px"] * SEM_PIXEL_NM / 1000,
                                         "sphere_radius_nm": parameters.radius_nm}
    return (f'sem = [{{file = "{prefix}sem/{image_file.name}", pixel_nm = {SEM_PIXEL_NM}, state = "as made", '
            f'maps = {{{", ".join(maps)}}}}}]\n')


def _write_better_mixed_cell(out: Path, parameters: ActivationParameters, cycles: int, mass_mg: float, prefix: str,
                             truth: dict) -> str:
    """The composite made by the liquid-phase method: better contact (phi_c = LPM_PHI_C), cycled at 30 °C."""
    name = "virtual LLO-30, liquid-phase mixed"
    run = simulate_cycles(parameters.with_values(phi_c=LPM_PHI_C), cycles, temperature_C=30.0)
    cycling_file = out / "cycling" / "virtual_30C_LPM.bdf.csv"
    write_bdf(cycler_table(run, mass_mg=mass_mg), cycling_file)
    entry = _write_sem(out, name, parameters.with_values(phi_c=LPM_PHI_C), prefix, truth, seed=303)
    truth["cells"][name] = {"temperature_C": 30.0, "mass_mg": mass_mg, "phi_c": LPM_PHI_C, "predicted_not_fitted": True,
                            "capacity_mAh_g": run.table["capacity_mAh_g"].round(6).tolist()}
    return f"""
[[sample]]
name = "{name}"
description = "virtual composite mixed in the liquid phase: its SEM gives phi_c, its cycling checks the prediction"
active_mass_mg = {mass_mg}
temperature_C = 30
specific_current_mA_g = {SPECIFIC_1C_MA_G:g}
cell_type = "all-solid-state (virtual)"
simulated = true
chemistry = "li-rich"
variables = {{mixing = "liquid phase"}}
[sample.files]
cycling = "{prefix}cycling/{cycling_file.name}"
""" + entry


def _write_xps(out: Path, temperature: float, cycles: int, rng, prefix: str, truth: dict) -> str:
    """C 1s and S 2p after the O K states' charges; returns the manifest line."""
    from redoxmap.io.vamas import write_vamas
    from redoxmap.xps.virtual import decomposition_shares, virtual_regions

    (out / "xps").mkdir(exist_ok=True)
    entries = []
    for cycle in (c for c in O_K_STATES if c <= cycles):
        shares = decomposition_shares(cycle, temperature)
        shift = float(rng.uniform(0.3, 1.5))  # the sample charged positive: lines appear at higher BE
        file = out / "xps" / f"virtual_{temperature:g}C_charge{cycle}.vms"
        write_vamas(virtual_regions(shares, charge_shift_eV=shift, rng=rng), file, sample=file.stem)
        truth[f"charge {cycle}"] = {"shares": shares, "charging_eV": shift}
        entries.append(f'{{file = "{prefix}xps/{file.name}", state = "charge {cycle}", cycle = {cycle}}}')
    return f"xps = [{', '.join(entries)}]\n"


def simulate_study(out: str | PathLike, *, cycles: int = 40, temperatures_C=(30.0, 50.0), **options) -> Path:
    """Write a complete virtual study (files, ``truth.json``, ``study.toml``) into ``out``.

    Options are those of :func:`write_virtual_cells`. Returns the ``study.toml``.
    """
    out = Path(out)
    samples = write_virtual_cells(out, cycles=cycles, temperatures_C=temperatures_C, xas=True, xrd=True, dems=True,
                                  xps=True, sem=True, **options)
    truth = options.get("parameters") or ActivationParameters()  # its probing depths are the manifest's
    manifest = f"""# A virtual study written by `redoxmap simulate study`: every file comes from the activation
# model, and truth.json holds what each analysis should find.
[study]
name = "virtual study: asynchronous activation at {', '.join(f'{t:g}' for t in temperatures_C)} °C"

[cycling]
profile_cycles = [1, 2, 5, 10, 20, {cycles}]

[eis]
circuit = "{EIS_CIRCUIT}"

[xrd]
peaks = [{{label = "003", phase = "R-3m", hkl = [0, 0, 3], near = {XRD_003_DEG}}},
         {{label = "020", phase = "C2/m", hkl = [0, 2, 0], near = {XRD_020_DEG}}}]
half_width_deg = 0.5

[xas]
o_k_peaks = ["A", "B", "C"]
bootstrap = 50
{mn_l_references_toml(out)}
tey_depth_nm = {truth.tey_nm:g}
bulk_depth_nm = {truth.bulk_nm:g}

[xps]
regions = ["S 2p"]

[sem]
phases = {{cathode = ["Mn"], electrolyte = ["S", "P", "Cl"], carbon = ["C"]}}
reference_sample = "virtual LLO-{min(temperatures_C):g}"
predict = ["virtual LLO-30, liquid-phase mixed"]
""" + dems_section() + model_section(cycles) + samples
    return atomic_write(out / "study.toml", lambda tmp: tmp.write_text(manifest))
