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
O_K_PEAKS = ("A", "B", "C", "D")
O_K_WINDOW_EV = (526.0, 538.0)
R_FORMULA = "(b-b0)/a"
SURFACE_LAYER_NM = 5.0
TEY_DEPTH_NM = 4.0
BULK_DEPTH_NM = 150.0
LCF_BOOTSTRAP = 200

# Impedance.
CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-W1"
EIS_WEIGHTING = "modulus"
KK_THRESHOLD = 0.01  # largest Kramers-Kronig residual, as a fraction of |Z|, of a valid spectrum

# Micrographs: lattice fringes.
FRINGE_D_RANGE_NM = (0.15, 1.5)
FRINGE_MIN_SNR = 25.0
FRINGE_MAX_SPOTS = 6
