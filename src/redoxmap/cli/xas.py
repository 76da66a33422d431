"""``redoxmap xas ...``: X-ray absorption from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap import defaults
from redoxmap.cli.common import (
    JsonOpt,
    OutOpt,
    choice,
    command,
    emit,
    parse_pair,
    parse_value_error,
    records,
    say,
)

xas_app = typer.Typer(help="X-ray absorption: normalisation, valence, O K pre-edge, surface/bulk.",
                      no_args_is_help=True, rich_markup_mode=None)

# An offset from an edge is tens of eV; a value this far from zero is an energy (the older convention).
ABSOLUTE_WINDOW_EV = 200.0


def _absolute_window(text: str, e0: float) -> tuple[float, float]:
    """The ``--window`` (relative to E0, as the manifest's ``fit_window_eV``) in absolute energies. Energies
    given instead (both beyond ±200 eV) are read as they are, with a warning."""
    low, high = parse_pair(text, "--window")
    if min(abs(low), abs(high)) > ABSOLUTE_WINDOW_EV:
        say("warning:", f"--window {low:g},{high:g} read as absolute energies; it is relative to E0 "
                        f"({e0:.1f} eV): {low - e0:g},{high - e0:g}", style="yellow")
        return low, high
    return e0 + low, e0 + high


SpectrumArg = Annotated[
    list[str],
    typer.Argument(
        help="Spectrum file(s): XDI, column text, Athena or Larch exports, SPEC (file::N for scan N), "
        "project.prj::group; several are merged."
    ),
]
ModeOpt = Annotated[
    str | None,
    typer.Option(
        help="Detection mode: transmission, tey, tfy, pfy or ipfy (default: the file's mu, else transmission).",
        **choice("transmission", "tey", "tfy", "pfy", "ipfy"),
    ),
]
RefE0Opt = Annotated[
    float | None,
    typer.Option(
        "--reference-e0",
        help="Calibrate on the reference (murefer, else ln(It/Iref)) to this E0 (eV), e.g. 6539.0 for Mn foil.",
    ),
]
MuOpt = Annotated[
    str | None,
    typer.Option(
        "--mu", help="A column that holds the absorption itself (mutrans, mufluor, norm, ...), used as it is."
    ),
]
ReferenceOpt = Annotated[
    str | None,
    typer.Option(
        "--reference", help="The reference foil's column: a ready-made absorption (murefer) or the raw channel."
    ),
]
ChannelOpt = Annotated[
    list[str] | None,
    typer.Option("--channel", help="Raw channel ROLE=COLUMN (repeat), e.g. --channel i0=Mon --channel itrans=Ion1."),
]


def spectrum_options(mode, mu, reference, channels, reference_e0=None) -> dict:
    """The options of :func:`redoxmap.xas.load_mu` that every XAS command takes."""
    channel_map = {}
    for item in channels or []:
        role, _, column = item.partition("=")
        if not role.strip() or not column.strip():
            raise typer.BadParameter(f"--channel takes ROLE=COLUMN (e.g. i0=Mon), not {item!r}")
        channel_map[role.strip().lower()] = column.strip()
    return {"mode": mode, "mu": mu, "reference": reference, "channel_map": channel_map or None,
            "reference_e0_eV": reference_e0}



@xas_app.command(
    "normalize", epilog="Example:  redoxmap xas normalize MnO_rt_01.xdi --edge Mn-K --reference-e0 6539 -o mno.csv"
)
@command
def xas_normalize(files: SpectrumArg, edge: Annotated[str, typer.Option(help="Mn-K, Mn-L3, O-K...")] = "K",
                  mode: ModeOpt = None, mu: MuOpt = None, reference: ReferenceOpt = None, channel: ChannelOpt = None,
                  reference_e0: RefE0Opt = None, as_json: JsonOpt = False, out: OutOpt = None) -> None:
    """Normalise a spectrum (K: edge step; L: area; O-K: level at 540-545 eV)."""
    import pandas as pd

    from redoxmap.xas.files import load_merged, normalize

    energy, values = load_merged(files, **spectrum_options(mode, mu, reference, channel, reference_e0))
    result = normalize(energy, values, edge=edge)
    frame = pd.DataFrame({"energy_eV": energy, "mu": values, "norm": result.norm})
    payload = {"e0_eV": result.e0, "edge_step": result.edge_step, "method": result.method,
               "parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in result.parameters.items()}}
    emit(
        frame, as_json=as_json, out=out, payload=payload, title=f"normalised ({result.method}), E0 = {result.e0:.2f} eV"
    )


@xas_app.command(
    "valence",
    epilog="Example:  redoxmap xas valence Mn3O4_1.xdi Mn3O4_2.xdi --ref MnO_1.xdi,MnO_2.xdi=2 "
    "--ref Mn2O3_1.xdi=3 --ref MnO2_1.xdi=4 --edge Mn-K --reference-e0 6539",
)
@command
def xas_valence(
    files: SpectrumArg,
    ref: Annotated[
        list[str],
        typer.Option("--ref", help="Reference FILE=VALENCE (repeat; repeated scans as FILE1,FILE2,...=VALENCE)."),
    ],
    edge: Annotated[str, typer.Option(help="Mn-K, Mn-L3, Ni-L3, ...")] = "K",
    window: Annotated[
        str | None,
        typer.Option(
            help="Fit window in eV relative to E0, as the manifest's fit_window_eV, "
            "e.g. -20,60 (the default for K edges; soft edges: where all "
            "references overlap)."
        ),
    ] = None,
    shifts: Annotated[float, typer.Option(help="Refine each reference's energy shift within +- this many eV.")] = 0.0,
    bootstrap: Annotated[
        int, typer.Option(help="Residual block-bootstrap refits for the valence spread.")
    ] = defaults.LCF_BOOTSTRAP,
    scale: Annotated[
        str,
        typer.Option(
            help="The spectrum's amplitude: fit (free: soft edges, normalised over a window), "
            "fixed (weights sum to one on the normalised data: K edges) or auto (by the edge).",
            **choice("auto", "fit", "fixed"),
        ),
    ] = "auto",
    mode: ModeOpt = None,
    mu: MuOpt = None,
    reference: ReferenceOpt = None,
    channel: ChannelOpt = None,
    reference_e0: RefE0Opt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Average valence by linear combination of references (weights >= 0, summing to 1); the references
    are normalised alike, on the energy window they all cover."""
    import pandas as pd

    from redoxmap.xas.files import (
        edge_kind,
        load_merged,
        load_references,
        normalize,
        parse_reference,
    )
    from redoxmap.xas.lcf import fit_lcf, self_check

    options = spectrum_options(mode, mu, reference, channel, reference_e0)
    references, valences = load_references([parse_reference(r) for r in ref], edge=edge, **options)
    energy, values = load_merged(files, **options)
    norm = normalize(energy, values, edge=edge)
    fit_window = _absolute_window(window, norm.e0) if window else (
        _absolute_window(",".join(map(str, defaults.LCF_WINDOW_EV)), norm.e0) if edge_kind(edge) == "K" else None)
    result = fit_lcf(energy, norm.norm, references, valences=valences, window=fit_window,
                     refine_shifts_eV=shifts, bootstrap=bootstrap, window_sensitivity_eV=5.0, edge=edge,
                     scale=scale)
    check = self_check(references, valences=valences, window=fit_window, edge=edge)
    frame = pd.DataFrame({"reference": result.names, "valence": [valences[n] for n in result.names],
                          "weight": result.weights, "weight_stderr": result.weights_stderr,
                          "energy_shift_eV": result.energy_shifts_eV})
    payload = {"spectrum": files, **result.summary(), "self_check": records(check)}
    emit(
        frame,
        as_json=as_json,
        out=out,
        payload=payload,
        title=f"valence {result.valence:.3f} ± {result.valence_stderr:.3f} "
        f"(bootstrap ± {result.bootstrap_valence_std:.3f}), R = {result.r_factor:.2g}",
    )
    if not as_json:
        emit(check, as_json=False, out=None, title="Self-check: each reference fitted with the others")


@xas_app.command(
    "edge",
    epilog="Example:  redoxmap xas edge Mn3O4_1.xdi --ref MnO_1.xdi=2 --ref Mn2O3_1.xdi=3 --ref MnO2_1.xdi=4 "
    "--reference-e0 6539",
)
@command
def xas_edge(
    files: SpectrumArg,
    ref: Annotated[
        list[str],
        typer.Option("--ref", help="Reference FILE=VALENCE (repeat; repeated scans as FILE1,FILE2,...=VALENCE)."),
    ],
    level: Annotated[float, typer.Option(help="Normalised level that defines the edge position.")] = 0.5,
    mode: ModeOpt = None,
    mu: MuOpt = None,
    reference: ReferenceOpt = None,
    channel: ChannelOpt = None,
    reference_e0: RefE0Opt = None,
    as_json: JsonOpt = False,
) -> None:
    """K-edge valence from the edge position (half height) against a line through references."""
    import pandas as pd

    from redoxmap.xas.edge_position import calibrate_edge_position
    from redoxmap.xas.files import edge_position, parse_reference

    options = {**spectrum_options(mode, mu, reference, channel, reference_e0), "level": level}
    frame = pd.DataFrame([{"reference": Path(paths[0]).name, "valence": valence,
                           "edge_eV": edge_position(paths, **options)}
                          for paths, valence in map(parse_reference, ref)])
    calibration = calibrate_edge_position(frame["edge_eV"], frame["valence"])
    e0 = edge_position(files, **options)
    valence, error = calibration.valence(e0)
    payload = {"spectrum": files, "edge_eV": e0, "valence": valence, "valence_stderr": error,
               "slope_per_eV": calibration.slope_per_eV, "references": records(frame)}
    emit(frame, as_json=as_json, out=None, payload=payload,
          title=f"edge at {e0:.2f} eV: valence {valence:.2f} ± {error:.2f} ({calibration.slope_per_eV:.3f} per eV)")


@xas_app.command(
    "oxygen", epilog="Example:  redoxmap xas oxygen charged_TEY.txt --pristine pristine_TEY.txt --mode tey"
)
@command
def xas_oxygen(
    files: SpectrumArg,
    pristine: Annotated[str | None, typer.Option(help="Uncycled material's O K spectrum, same mode (for b0).")] = None,
    peaks: Annotated[str, typer.Option(help="Peaks to fit, from A,B,C,D.")] = ",".join(defaults.O_K_PEAKS),
    window: Annotated[str, typer.Option(help="Fit window in eV.")] = ",".join(f"{e:g}" for e in defaults.O_K_WINDOW_EV),
    formula: Annotated[
        str, typer.Option(help="(b-b0)/a, b/a or (b-b0)/b0.", **choice("(b-b0)/a", "b/a", "(b-b0)/b0"))
    ] = defaults.R_FORMULA,
    shape: Annotated[
        str, typer.Option(help="gaussian or pseudo-voigt.", **choice("gaussian", "pseudo-voigt"))
    ] = "gaussian",
    mode: ModeOpt = None,
    mu: MuOpt = None,
    channel: ChannelOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Fit the O K pre-edge peaks and compute the oxygen activation index r."""
    import pandas as pd

    from redoxmap.xas.files import load_merged, normalize
    from redoxmap.xas.oxygen import activation_index, fit_pre_edge

    names = tuple(p.strip().upper() for p in peaks.split(",") if p.strip())
    span = parse_pair(window, "--window")

    options = spectrum_options(mode, mu, None, channel)

    def fitted(paths):
        energy, values = load_merged(paths, **options)
        norm = normalize(energy, values, edge="O-K")
        return fit_pre_edge(energy, norm.norm, peaks=names, window=span, shape=shape, mode=mode)

    sample = fitted(files)
    frame = pd.DataFrame([{"peak": k, **v} for k, v in sample.peaks.items()])
    payload = {"spectrum": files, "r_squared": sample.r_squared, "notes": sample.notes}
    if {"A", "B"} <= set(names) and (pristine or "b0" not in formula):
        r, r_err = activation_index(sample, fitted([pristine]) if pristine else None, formula=formula)
        payload.update({"r": r, "r_stderr": r_err, "formula": formula})
    title = f"O K pre-edge (R^2 = {sample.r_squared:.4f})"
    if "r" in payload:
        title += f"; r = {payload['r']:.3f} ± {payload['r_stderr']:.3f}"
    emit(frame, as_json=as_json, out=out, payload=payload, title=title)


@xas_app.command(
    "depth",
    epilog="Example:  redoxmap xas depth --tey 3.84+-0.02 --bulk 3.99+-0.02 --layer-nm 5 "
    "--formula Li1.2Ni0.16Co0.08Mn0.56O2 --density 4.2 --incident-ev 640 --emission-ev 525",
)
@command
def xas_depth(
    tey: Annotated[str, typer.Option(help="Value in the surface mode, VALUE or VALUE+-ERROR.")],
    bulk: Annotated[str, typer.Option(help="Value in the bulk mode (iPFY/TFY), VALUE or VALUE+-ERROR.")],
    layer_nm: Annotated[float, typer.Option(help="Surface layer thickness in nm.")] = defaults.SURFACE_LAYER_NM,
    tey_depth_nm: Annotated[float, typer.Option(help="TEY probing depth in nm.")] = defaults.TEY_DEPTH_NM,
    bulk_depth_nm: Annotated[
        float | None, typer.Option(help="Bulk-mode probing depth in nm (or give the composition).")
    ] = None,
    formula: Annotated[
        str | None, typer.Option(help="Composition, for the bulk depth from attenuation (xraydb).")
    ] = None,
    density: Annotated[float, typer.Option(help="Density in g/cm3, with --formula.")] = 4.2,
    incident_ev: Annotated[float, typer.Option(help="Incident energy in eV, with --formula.")] = 640.0,
    emission_ev: Annotated[float, typer.Option(help="Detected emission energy in eV, with --formula.")] = 525.0,
    as_json: JsonOpt = False,
) -> None:
    """Surface-layer and bulk values from a TEY and a bulk-mode value (two-layer inversion)."""
    import pandas as pd

    from redoxmap.xas.depth import fluorescence_probing_depth_nm, two_layer

    if bulk_depth_nm is None:
        bulk_depth_nm = (fluorescence_probing_depth_nm(formula, density, incident_ev, emission_ev)
                         if formula else defaults.BULK_DEPTH_NM)
    (s, s_err), (b, b_err) = parse_value_error(tey, "--tey"), parse_value_error(bulk, "--bulk")
    result = two_layer(s, b, surface_mode_stderr=s_err, bulk_mode_stderr=b_err, layer_nm=layer_nm,
                       surface_depth_nm=tey_depth_nm, bulk_depth_nm=bulk_depth_nm)
    frame = pd.DataFrame([{"layer": "surface", "value": result.surface, "stderr": result.surface_stderr},
                          {"layer": "bulk", "value": result.bulk, "stderr": result.bulk_stderr},
                          {"layer": "surface - bulk", "value": result.asynchrony, "stderr": result.asynchrony_stderr}])
    emit(frame, as_json=as_json, out=None, payload=result.summary(),
          title=f"two-layer inversion: layer {layer_nm:g} nm, depths {tey_depth_nm:g} / {bulk_depth_nm:.0f} nm")
