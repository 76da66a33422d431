"""The built-in modalities, each declared once (:class:`redoxmap.study.modality.Modality`).

Their order is the order of a study's run, of the report's sections and of the CLI's groups. Each
parameter's default comes from :mod:`redoxmap.defaults` where one is shared with the functions; the
tasks, map records, report sections, checks and commands are named, not imported, so that this table
loads without any analysis package.
"""

from __future__ import annotations

from dataclasses import dataclass

from redoxmap import defaults
from redoxmap.study.modality import Modality, parameter

# --- each modality's manifest section: its parameters ---------------------------------------------


@dataclass(frozen=True)
class CyclingParameters:
    """The ``[cycling]`` section of a study manifest."""

    profile_cycles: list = parameter([1, 2, 5, 10, 20, 40], "cycles drawn as voltage profiles and dQ/dV", list)
    region_bounds_V: list = parameter([3.9, 4.4], "voltage boundaries between regions, in V", list)
    region_names: list = parameter(["I", "II", "III"], "names of the regions, low to high", list)
    voltage_step_V: float = parameter(defaults.DQDV_VOLTAGE_STEP_V, "dQ/dV grid spacing, in V", (int, float))
    smoothing_V: str | float = parameter(
        defaults.DQDV_SMOOTHING_V,
        "dQ/dV Gaussian kernel sigma, in V, or 'auto' (7.5 mV, at least twice the log's voltage resolution)",
        (str, int, float),
        choices=("auto",),
    )
    peak_prominence: float = parameter(
        defaults.DQDV_PEAK_PROMINENCE, "minimum dQ/dV peak prominence (fraction of max)", (int, float)
    )
    peak_windows: str | dict = parameter(
        "auto",
        "named dQ/dV peak windows: 'auto' (the reference windows Ox1-Ox4, "
        "Red1-Red3 for samples with chemistry = 'li-rich', none for others), "
        "'reference', 'none', or {charge = {Ox1 = [3.0, 3.9], ...}, discharge = {...}}",
        (str, dict),
    )
    linear_fade: bool = parameter(False, "fit a linear fade term in the activation law", bool)
    exclude_cv: bool = parameter(True, "leave constant-voltage holds out of dQ/dV", bool)


@dataclass(frozen=True)
class XasParameters:
    """The ``[xas]`` section of a study manifest."""

    references: list = parameter(
        [],
        "reference spectra: [{file = ..., edge = 'Mn-L3', valence = 2, "
        "mode = 'tey'}]; file may be a list of repeated scans",
        list,
    )
    fit_window_eV: list = parameter(list(defaults.LCF_WINDOW_EV), "K-edge LCF window relative to E0, in eV", list)
    reference_e0_eV: float = parameter(
        0.0, "calibrate K-edge scans on their irefer channel to this E0 (eV); 0 = no calibration", (int, float)
    )
    o_k_peaks: list = parameter(list(defaults.O_K_PEAKS), "O K pre-edge peaks to fit", list)
    o_k_window_eV: list = parameter(list(defaults.O_K_WINDOW_EV), "O K pre-edge fit window, in eV", list)
    r_formula: str = parameter(defaults.R_FORMULA, "oxygen activation index: (b-b0)/a, b/a or (b-b0)/b0", str)
    layer_nm: float = parameter(
        defaults.SURFACE_LAYER_NM, "surface-layer thickness of the two-layer inversion, nm", (int, float)
    )
    layer_stderr_nm: float = parameter(defaults.SURFACE_LAYER_STDERR_NM, "standard error of layer_nm, nm", (int, float))
    tey_depth_nm: float = parameter(defaults.TEY_DEPTH_NM, "TEY probing depth, nm", (int, float))
    tey_depth_stderr_nm: float = parameter(
        defaults.TEY_DEPTH_STDERR_NM, "standard error of tey_depth_nm, nm", (int, float)
    )
    bulk_depth_nm: float = parameter(defaults.BULK_DEPTH_NM, "iPFY/TFY probing depth, nm", (int, float))
    bulk_depth_stderr_nm: float = parameter(
        defaults.BULK_DEPTH_STDERR_NM, "standard error of bulk_depth_nm, nm", (int, float)
    )
    bootstrap: int = parameter(defaults.LCF_BOOTSTRAP, "residual bootstrap refits per LCF", int)
    composition: str = parameter(
        "",
        "chemical formula of the sample as the beam sees it, for the self-absorption "
        "correction of TFY/PFY (e.g. 'Li1.2Ni0.16Co0.08Mn0.56O2'; '' = no correction)",
        str,
    )
    incidence_deg: float = parameter(
        defaults.FLUORESCENCE_ANGLE_DEG, "beam angle to the sample surface, degrees (self-absorption)", (int, float)
    )
    exit_deg: float = parameter(
        defaults.FLUORESCENCE_ANGLE_DEG,
        "fluorescence detector angle to the sample surface, degrees (self-absorption)",
        (int, float),
    )


@dataclass(frozen=True)
class XrdParameters:
    """The ``[xrd]`` section of a study manifest."""

    peaks: list = parameter(
        [],
        "peaks to fit: [{label = '003', phase = 'R-3m', hkl = [0, 0, 3], near = 18.6}, ...] "
        "(default: LiTMO2 (003) and (104), Li2MnO3 (020))",
        list,
    )
    half_width_deg: float = parameter(
        defaults.XRD_HALF_WIDTH_DEG, "half width of each peak's fitting window, in degrees", (int, float)
    )
    cif: list = parameter([], "CIF files of reference phases for the d-spacing check (needs the cif extra)", list)
    wavelength_A: float = parameter(
        0.0, "wavelength in Angstrom for files without one (0 = the file's, else Cu K-alpha)", (int, float)
    )
    radiation: str = parameter(
        "", "'doublet' (K-alpha1 + K-alpha2), 'single', or '' for what the file says", str, ("", "doublet", "single")
    )


@dataclass(frozen=True)
class ImagesParameters:
    """The ``[images]`` section of a study manifest."""

    pixel_nm: float = parameter(
        0.0, "pixel size in nm for images whose file gives none (0 = required from the file)", (int, float)
    )
    d_range_nm: list = parameter(list(defaults.FRINGE_D_RANGE_NM), "fringe spacings to look for, in nm", list)
    min_snr: float = parameter(
        defaults.FRINGE_MIN_SNR, "a spot's power over the median power at its spatial frequency", (int, float)
    )
    max_spots: int = parameter(defaults.FRINGE_MAX_SPOTS, "most spots per region", int)
    candidates: list = parameter([], "reflections to match, 'NAME=D_NM' (default: built-in phases)", list)


@dataclass(frozen=True)
class EisParameters:
    """The ``[eis]`` section of a study manifest."""

    circuit: str = parameter(defaults.CIRCUIT, "equivalent circuit, impedance.py syntax", str)
    weighting: str = parameter(
        defaults.EIS_WEIGHTING,
        "residual weighting: modulus, proportional or unit",
        str,
        ("modulus", "proportional", "unit"),
    )
    kk_threshold: float = parameter(
        defaults.KK_THRESHOLD, "largest Kramers-Kronig residual (fraction of |Z|) of a valid spectrum", (int, float)
    )
    arc_labels: str = parameter(
        "auto",
        "names of the RC arcs: 'auto' (bulk / interface / charge transfer for a "
        "cell_type that says solid-state, numbered by time constant otherwise), 'solid-state' "
        "or 'time constant'",
        str,
        ("auto", "solid-state", "time constant"),
    )


@dataclass(frozen=True)
class CvParameters:
    """The ``[cv]`` section of a study manifest."""

    electrons: float = parameter(1.0, "electrons per molecule, n, for Randles-Sevcik", (int, float))
    area_cm2: float = parameter(0.0, "electrode area in cm2 for Randles-Sevcik (0 = no D)", (int, float))
    concentration_mol_cm3: float = parameter(
        0.0, "bulk concentration in mol/cm3 for Randles-Sevcik (0 = no D)", (int, float)
    )
    intercept: bool = parameter(False, "fit i_p against v^1/2 with an intercept", bool)


@dataclass(frozen=True)
class XpsParameters:
    """The ``[xps]`` section of a study manifest."""

    regions: list = parameter(["S 2p", "P 2p"], "regions to fit (each with its preset, or its own components)", list)
    presets: dict = parameter(
        {"S 2p": "argyrodite-S2p", "P 2p": "argyrodite-P2p"},
        "component preset of each region (redoxmap.xps.PRESETS; a region without one takes "
        "the preset made for it, e.g. oxide-O1s for O 1s)",
        dict,
    )
    components: dict = parameter(
        {},
        'components of a region of your own, e.g. {"F 1s" = [{name = "LiF", '
        'position_eV = 685.3}, {name = "C-F", position_range_eV = [687, 689], '
        "position_eV = 688}]}",
        dict,
    )
    background: str = parameter(
        defaults.XPS_BACKGROUND, "shirley, tougaard or linear", str, ("shirley", "tougaard", "linear")
    )
    fit_background: bool = parameter(
        True, "fit the background's scale with the peaks (false: fix it from the data)", bool
    )
    line_shape: str = parameter(defaults.XPS_LINE_SHAPE, "SGL(m) or GL(m), m = % Lorentzian", str)
    charge_reference: str = parameter(
        "C 1s", "region with adventitious carbon for the charge correction ('' = none)", str
    )
    reference_eV: float = parameter(
        defaults.ADVENTITIOUS_CARBON_EV, "binding energy of adventitious C-C/C-H", (int, float)
    )


@dataclass(frozen=True)
class DemsParameters:
    """The ``[dems]`` section of a study manifest."""

    calibration: str = parameter(
        "", "sensitivity factors (JSON from `redoxmap dems calibrate`), for entries without one", str
    )
    delay_s: float = parameter(0.0, "inlet delay from the cell to the spectrometer, s", (int, float))
    lag_s: float = parameter(0.0, "headspace time constant (volume / flow), s; 0 = no correction", (int, float))
    count_co2: bool = parameter(False, "count CO2's oxygen as lattice oxygen lost (an upper bound)", bool)


@dataclass(frozen=True)
class SemParameters:
    """The ``[sem]`` section of a study manifest."""

    phases: dict = parameter(
        {"cathode": ["Mn", "Ni", "Co"], "electrolyte": ["S", "P", "Cl"], "carbon": ["C"]},
        "phases and their marker elements",
        dict,
    )
    active_phase: str = parameter("cathode", "the active material (contact, particle sizes)", str)
    transport_phase: str = parameter("electrolyte", "the phase whose tortuosity is measured", str)
    method: str = parameter(
        "likelihood",
        "likelihood (Poisson mixture) or random_walker for ambiguous pixels",
        str,
        ("likelihood", "random_walker"),
    )
    pixel_nm: float = parameter(
        0.0, "pixel size in nm for files without one (0 = required from the file)", (int, float)
    )
    bootstrap: int = parameter(defaults.SEM_BOOTSTRAP, "bootstrap resamples over fields of view", int)
    reference_sample: str = parameter(
        "", "the composite whose contact fraction defines phi_c = 1 (its cells are the model's); '' = none", str
    )
    predict: list = parameter(
        [],
        "samples the model predicts from their SEM contact (left out of the model fit; their cycling is the check)",
        list,
    )


# --- the options a file entry may carry --------------------------------------------------------------

STATE = {"state": str}

MODALITIES = [
    Modality(
        "cycling",
        "galvanostatic cycling",
        CyclingParameters,
        {},
        planner="redoxmap.study.run:plan_cycling",
        records="redoxmap.study.map_records:collect_cycling",
        section="redoxmap.report.cycling_section:build_cycling_section",
        check="redoxmap.study.manifest:check_cycling",
        command="cycling",
        cli="redoxmap.cli.cycling:cycling_app",
    ),
    Modality(
        "xas",
        "X-ray absorption",
        XasParameters,
        {**STATE, "edge": str, "mode": str, "pristine": bool, "channel_map": str, "cycle": int},
        required_options=("edge",),
        path_options=("channel_map",),
        planner="redoxmap.study.run:plan_xas",
        records="redoxmap.study.map_records:xas_records",
        section="redoxmap.report.xas_section:build_xas_section",
        check="redoxmap.study.manifest:check_xas",
        command="xas",
        cli="redoxmap.cli.xas:xas_app",
    ),
    Modality(
        "xrd",
        "X-ray diffraction",
        XrdParameters,
        {**STATE, "series": bool, "cycling": str, "time_offset_s": (int, float)},
        path_options=("cycling",),
        task="redoxmap.study.run:analyze_xrd_sample",
        records="redoxmap.study.map_records:xrd_records",
        section="redoxmap.report.structure_section:build_structure_section",
        check="redoxmap.study.manifest:check_xrd",
        command="xrd",
        cli="redoxmap.cli.structure:xrd_app",
    ),
    Modality(
        "images",
        "electron micrographs (HRTEM lattice fringes)",
        ImagesParameters,
        {**STATE, "pixel_nm": (int, float), "boxes": dict},
        task="redoxmap.study.run:analyze_images_sample",
        section="redoxmap.report.structure_section:build_structure_section",
        command="tem",
        cli="redoxmap.cli.structure:tem_app",
    ),
    Modality(
        "eis",
        "impedance spectroscopy",
        EisParameters,
        {**STATE, "temperature_C": (int, float)},
        task="redoxmap.study.analyses.eis:analyze_eis_sample",
        records="redoxmap.study.map_records:eis_records",
        section="redoxmap.report.eis_section:build_eis_section",
        command="eis",
        cli="redoxmap.cli.eis:eis_app",
    ),
    Modality(
        "xps",
        "photoelectron spectroscopy",
        XpsParameters,
        {**STATE, "cycle": int, "temperature_C": (int, float), "shift_eV": (int, float)},
        task="redoxmap.study.run:analyze_xps_sample",
        records="redoxmap.study.map_records:xps_records",
        section="redoxmap.report.interface_section:build_interface_section",
        check="redoxmap.study.manifest:check_xps",
        command="xps",
        cli="redoxmap.cli.xps:xps_app",
    ),
    Modality(
        "dems",
        "differential electrochemical mass spectrometry",
        DemsParameters,
        {**STATE, "cycling": str, "calibration": str, "offset_s": (int, float)},
        path_options=("cycling", "calibration"),
        task="redoxmap.study.run:analyze_dems_sample",
        records="redoxmap.study.map_records:dems_records",
        section="redoxmap.report.interface_section:build_interface_section",
        check="redoxmap.study.manifest:check_dems",
        command="dems",
        cli="redoxmap.cli.dems:dems_app",
    ),
    Modality(
        "sem",
        "SEM/EDS cross-sections",
        SemParameters,
        {**STATE, "pixel_nm": (int, float), "maps": dict},
        path_options=("maps",),
        task="redoxmap.study.analyses.sem:analyze_sem_sample",
        records="redoxmap.study.map_records:sem_records",
        section="redoxmap.report.microstructure_section:build_microstructure_section",
        check="redoxmap.study.manifest:check_sem",
        command="sem",
        cli="redoxmap.cli.sem:sem_app",
    ),
    Modality(
        "cv",
        "cyclic voltammetry",
        CvParameters,
        {"scan_rate_mV_s": (int, float)},
        task="redoxmap.study.run:analyze_cv_sample",
        section="redoxmap.report.cv_section:build_cv_section",
        command="cv",
        cli="redoxmap.cli.cv:cv_app",
    ),
]
