"""One source of truth for the analysis defaults that several entry points share.

A function's signature, the command-line option that calls it and the study manifest's
parameter all read their default here, so the Python call, the command and a study fit the
same thing (they had drifted: an XRD window of 0.6 degrees in Python, 0.5 on the command line).
"""

# Cycling: dQ/dV on a voltage grid, smoothed, and its peaks.
DQDV_VOLTAGE_STEP_V = 0.005
DQDV_SMOOTHING_V = "auto"  # 7.5 mV, and at least twice the log's voltage resolution
DQDV_PEAK_PROMINENCE = 0.05  # of the curve's maximum

# X-ray diffraction: half width of each peak's fitting window.
XRD_HALF_WIDTH_DEG = 0.5
XRD_LATTICE_HALF_WIDTH_DEG = 0.4  # narrower: an indexed pattern has neighbouring reflections

# X-ray absorption: the O K pre-edge, its activation index, and the two-layer inversion.
LCF_WINDOW_EV = (-20.0, 60.0)  # a K edge's LCF window, relative to E0 (soft edges: the references' overlap)
O_K_PEAKS = ("A", "B", "C", "D")
O_K_WINDOW_EV = (526.0, 538.0)
R_FORMULA = "(b-b0)/a"
SURFACE_LAYER_NM = 5.0
TEY_DEPTH_NM = 4.0
BULK_DEPTH_NM = 150.0
LCF_BOOTSTRAP = 200
# Their standard errors, which the two-layer inversion carries into its results. TEY: 4-5 nm in the
# reference study, 2-5 nm commonly quoted for oxides (Frazer et al., Surf. Sci. 537, 161 (2003), give
# "maximum" depths of 5-10 nm near 530-640 eV). Bulk modes: 100-200 nm in the reference study; xraydb's
# tables give 1/e information depths of 101-123 nm (Mn L) and 144-324 nm (O K) for Li1.2Ni0.16Co0.08Mn0.56O2
# at 45/45 degrees. The layer: the spinel-like surface layer of a few nm seen by HRTEM, known to a half.
SURFACE_LAYER_STDERR_NM = 2.5
TEY_DEPTH_STDERR_NM = 1.0
BULK_DEPTH_STDERR_NM = 50.0

# Systematic floors of the activation map's numbers: what one measurement cannot show, as standard
# errors in each number's unit: the systematic difference between two measurements (two detection modes,
# two beamtimes), counted once in each comparison (redoxmap.study.budget; [map] error_floors overrides).
ERROR_FLOORS = {
    # O K activation index r between detection modes and beamtimes. No published figure exists; 0.02 is
    # the reproducibility users report between modes and beamtimes, and the self-absorption correction's
    # geometry and composition alone move a pre-edge height by 2-3 % (xraydb, 45/45 degrees).
    "r": 0.02,
    # O K pre-edge heights a, b and b - b0 on the edge-step scale: the post-edge level the spectrum is
    # normalised to (540-545 eV) moves them by a few per cent of a height of about 1; b - b0 = r a with a
    # near 1, so the same as r's, and a test of b - b0 and one of r agree.
    "o_k_height": 0.02,
    # Average valence by linear combination: 0.04 valence units for Mn K edges with a complete reference
    # set (Manceau, Marcus & Grangeon, Am. Mineral. 97, 816 (2012)); L edges need references of the same
    # session (Ji et al., Sci. Rep. 13, 2023) and have no published figure: 0.05 for both.
    "valence": 0.05,
}

# Impedance.
CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-W1"
EIS_STARTS = 24  # data-derived starts per spectrum (the CLI had 8 and missed minima the fit found with 24)
EIS_WEIGHTING = "modulus"
KK_THRESHOLD = 0.01  # largest Kramers-Kronig residual, as a fraction of |Z|, of a valid spectrum

# Micrographs: lattice fringes.
FRINGE_D_RANGE_NM = (0.15, 1.5)
FRINGE_MIN_SNR = 25.0
FRINGE_MAX_SPOTS = 6

# Photoelectron spectroscopy: where adventitious C-C/C-H is put for the charge correction (the common
# choice; some labs use 285.0 or 284.6 eV: Greczynski & Hultman, Prog. Mater. Sci. 107, 100591 (2020)).
ADVENTITIOUS_CARBON_EV = 284.8
# The peak model most labs fit with (CasaXPS's usual choice): a Shirley background under
# Gaussian-Lorentzian sum lines of 30 % Lorentzian character.
XPS_BACKGROUND = "shirley"
XPS_LINE_SHAPE = "SGL(30)"

# Fluorescence XAS geometry: beam and detector at 45 degrees to the sample surface, the usual
# arrangement of soft X-ray end stations (for the self-absorption correction and probing depths).
FLUORESCENCE_ANGLE_DEG = 45.0

# SEM/EDS cross-sections: bootstrap resamples over fields of view for the metrics' errors.
SEM_BOOTSTRAP = 200
