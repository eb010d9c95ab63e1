"""Maps and charts of monitoring campaigns, and the bundled example campaigns.

* ``summarise_sites``: a row per site of an `assess_samples` table (where it is, its worst
  parameter, ratios, share exceeding, limit, exceedance class); ``to_geojson`` and
  ``write_geojson`` turn it into an RFC 7946 FeatureCollection of Points at [lon, lat].
* ``draw_site_map``: a static map needing no tiles or network: a panel per cluster in an
  equirectangular projection with x shrunk by cos(latitude) (a kilometre as long east-west
  as north-south), each with a scale bar and a north arrow, and an overview of all
  clusters. Sites are coloured *and* shaped by class, which keeps classes apart with
  colour-vision deficiencies and in grey print. Each label goes to the nearest free place
  around its site (further out with a leader line): deterministic, so the same data give
  the same map.
* ``draw_time_series``: a site's parameter over time, the binding limit of the edition in
  force as a step line (a gap where the table has none), the WHO guideline dashed, values
  below detection hollow at their detection limit.
* ``example_campaigns`` / ``load_example_campaign``: the bundled campaigns (folders of
  ``data/examples`` with a ``campaign.json``), read by `read_samples`.

House style of `ecocluster.figure_style`; matplotlib is imported on first use.
"""

from __future__ import annotations

import contextlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key, normalize_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CLASSES", "draw_site_map", "draw_time_series", "example_campaigns", "exceedance_class",
    "load_example_campaign", "summarise_sites", "to_geojson", "write_geojson", "write_site_map",
    "write_time_series",
]  # fmt: skip

Style = dict[str, Any]  # keyword arguments of a matplotlib call
#: Exceedance classes: (name, legend text, fill, marker). Light to dark fills for the
#: classes that exceed, blue for compliance, and a marker shape per class.
CLASSES: Final = (
    ("within", "≤ 1 × (within the limit)", "#56B4E9", "o"),
    ("1-2", "1–2 ×", "#FED976", "s"),
    ("2-5", "2–5 ×", "#FD8D3C", "^"),
    ("over-5", "> 5 ×", "#BD0026", "D"),
    ("no-limit", "no limit in force", "#FFFFFF", "o"),
)
_KM_PER_DEGREE: Final = (111.320, 110.574)  # longitude at the equator, latitude
_INK: Final = "#222222"
_FONT: Final = 7.0
_RADII: Final = (0.07, 0.17, 0.29, 0.43)  # inches from a site to its label
_DIRECTIONS: Final = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
_SCALES: Final = (0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
_MARK: Final[Style] = {"linestyle": "none", "markersize": 7, "markeredgecolor": "#333333"}
_LEADER: Final[Style] = {"arrowstyle": "-", "color": "#777777", "lw": 0.5, "shrinkB": 3}
_FRACTION: Final[Style] = {"xycoords": "axes fraction", "textcoords": "axes fraction"}
_PERIODS: Final = {"8h": "8-hour", "24h": "24-hour", "day_6_21": "day, 6-21 h",
                   "night_21_6": "night, 21-6 h"}  # fmt: skip
_CENTRE: Final[Style] = {"ha": "center", "va": "center"}
_ABOVE: Final[Style] = {"ha": "center", "va": "bottom"}
_ALIGN: Final = ({1: "left", -1: "right", 0: "center"}, {1: "bottom", -1: "top", 0: "center"})
_POINT: Final[Style] = {"linestyle": "none", "marker": "o", "markersize": 4.5}
_CENSORED: Final = "below detection (at the detection limit)"
_CAMPAIGN_COLUMNS: Final = ("name", "title", "synthetic", "period", "clusters", "source", "samples")
#: Site summary column: the column of `summarise_exceedance` it is taken from.
_PICKED: Final = {
    "worst_medium": "medium", "worst_parameter": "parameter", "worst_averaging": "averaging",
    "max_ratio": "max_ratio", "mean_ratio": "mean_ratio", "worst_share": "share",
    "standard": "worst_standard", "citation": "worst_citation", "limit": "worst_limit",
    "limit_unit": "limit_unit", "description": "description",
}  # fmt: skip
_EXAMPLES = Path(str(resources.files("ecocluster").joinpath("data", "examples")))
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in inches within a panel
Point = tuple[str, float, float, str]  # label, lon, lat, class


# --------------------------------------------------------------------- bundled campaigns
def example_campaigns() -> pd.DataFrame:
    """The bundled campaigns: name, title, synthetic, period, clusters, source, samples."""
    rows = []
    for folder in sorted(p for p in _EXAMPLES.iterdir() if (p / "campaign.json").is_file()):
        meta = json.loads((folder / "campaign.json").read_text(encoding="utf-8"))
        meta["clusters"] = ", ".join(meta.get("clusters", []))
        meta["samples"] = str(folder / meta.get("samples", "samples.csv"))
        rows.append({column: meta.get(column, "") for column in _CAMPAIGN_COLUMNS})
    return pd.DataFrame(rows, columns=list(_CAMPAIGN_COLUMNS)).astype({"synthetic": bool})


def load_example_campaign(name: str = "monitoring-red-river") -> pd.DataFrame:
    """A bundled campaign's samples table (`read_samples`); ``attrs["campaign"]`` its name."""
    from ecocluster.monitoring import read_samples

    campaigns = example_campaigns()
    found = campaigns[campaigns["name"].map(fold_key) == fold_key(name)]
    if found.empty:
        names = ", ".join(campaigns["name"])
        raise InputError(f"no campaign named {name!r}; bundled: {names}", rule="campaign")
    samples = read_samples(found["samples"].iloc[0])
    samples.attrs["campaign"] = str(found["name"].iloc[0])
    samples.attrs["synthetic"] = bool(found["synthetic"].iloc[0])
    return samples


# --------------------------------------------------------------------- site summary
def exceedance_class(ratio: Any) -> np.ndarray:
    """The class name (`CLASSES`) of each ratio; NaN (no limit, or every sample below
    detection) is "no-limit"."""
    r = np.asarray(ratio, dtype=float)
    names = [c[0] for c in CLASSES]
    return np.select([r <= 1, r <= 2, r <= 5, r > 5], names[:4], names[4]).astype(object)


def summarise_sites(assessed: pd.DataFrame, *, measure: str = "mean_ratio") -> pd.DataFrame:
    """One row per site: location, sample counts, the worst parameter and its class.

    The worst parameter is the (medium, parameter, averaging) with the highest `measure`
    ("mean_ratio", the typical sample, by default; "max_ratio", the worst sample), ties
    broken by the share exceeding; its `measure` gives ``exceedance_class``. ``share`` is
    over every sample with a limit at the site; ``description`` names the worst sample.
    """
    from ecocluster.assessment import describe_exceedance, summarise_exceedance

    if measure not in ("max_ratio", "mean_ratio"):
        raise ValueError(f"measure must be 'max_ratio' or 'mean_ratio', not {measure!r}")
    for column in ("site", "cluster", "lat", "lon", "time"):
        if column not in assessed.columns:
            raise InputError(f"the samples have no {column!r} column", column=column)
    frame = assessed.assign(site=assessed["site"].astype(str))
    where = frame[["site", "cluster", "lat", "lon", "time"]].astype({"cluster": object})
    aggregate = {"cluster": "first", "lat": "median", "lon": "median", "time": ["min", "max"]}
    sites = where.groupby("site", sort=True).agg(aggregate)
    sites.columns = ["cluster", "lat", "lon", "first_time", "last_time"]
    totals = summarise_exceedance(frame, by="site", period=None).set_index("site")
    sites = sites.join(totals[["samples", "assessed", "exceeding", "share"]])
    groups = summarise_exceedance(frame, ["site", "medium", "parameter", "averaging"], period=None)
    groups = groups[groups["assessed"] > 0]  # NaN ratios (all below detection) rank last
    ranked = groups.sort_values([measure, "share"], ascending=False, kind="stable")
    worst = ranked.drop_duplicates("site").set_index("site")
    worst["description"] = [describe_exceedance(row) for _, row in worst.iterrows()]
    for name, source in _PICKED.items():
        values = worst[source].reindex(sites.index)
        numeric = name in ("max_ratio", "mean_ratio", "worst_share", "limit")
        sites[name] = values.astype(float) if numeric else values.astype(object)
    sites["exceedance_class"] = exceedance_class(sites[measure])
    sites = sites.reset_index()
    order = sites["cluster"].map(lambda c: fold_key(str(c)) if pd.notna(c) else "")
    return sites.iloc[np.lexsort((sites["site"], order))].reset_index(drop=True)


def to_geojson(site_summary: pd.DataFrame) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: a Point per site at [lon, lat] (WGS 84, 6 decimals),
    the other columns as properties (NaN as null, times as ISO text)."""
    from ecocluster.json_data import to_json_data

    features = []
    for record in site_summary.to_dict(orient="records"):
        lon, lat = float(record.pop("lon")), float(record.pop("lat"))
        if not (abs(lon) <= 180 and abs(lat) <= 90):
            raise InputError(f"site {record.get('site')!r} has no valid coordinates", column="lat")
        properties = to_json_data({str(k): v for k, v in record.items()}, "site")
        geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(site_summary: pd.DataFrame, path: str | Path) -> Path:
    """`to_geojson` written whole or not at all (UTF-8, names with their diacritics)."""
    from ecocluster.output import fsync_write, write_file

    text = json.dumps(to_geojson(site_summary), ensure_ascii=False, indent=1) + "\n"
    return write_file(path, lambda temporary: fsync_write(temporary, text))


# --------------------------------------------------------------------- the map
def draw_site_map(
    site_summary: pd.DataFrame,
    *,
    clusters: list[str] | None = None,
    title: str = "",
    inset: bool = True,
) -> Figure:
    """Sites coloured by exceedance class, a panel per cluster (all, or `clusters` in that
    order, matched by folded name), with an overview panel of all clusters when `inset`."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from ecocluster.figure_style import STYLE, WIDTH_INCHES, plain_text

    sites = site_summary.assign(cluster=site_summary["cluster"].astype(object).fillna(""))
    sites["key"] = sites["cluster"].astype(str).map(fold_key)
    order = list(dict.fromkeys(sites["key"]))
    if clusters is not None:
        unknown = [c for c in clusters if fold_key(c) not in order]
        if unknown:
            known = ", ".join(dict.fromkeys(sites["cluster"]))
            raise InputError(f"no sites in {', '.join(unknown)}; clusters: {known}", rule="cluster")
        order = [fold_key(c) for c in clusters]
    if not order:
        raise InputError("the site summary has no sites", rule="empty")
    columns = 1 if len(order) == 1 else 2
    margin, gap, head = 0.12, 0.22, 0.28
    width = (WIDTH_INCHES - 2 * margin - (columns - 1) * gap) / columns
    height, band, top = min(width * 0.78, 3.6), 2.0 if inset else 0.9, 0.4 if title else 0.1
    total = top + band + math.ceil(len(order) / columns) * (height + head) + margin
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, total))
        canvas: Any = FigureCanvasAgg(figure)
        renderer = canvas.get_renderer()
        if title:
            figure.text(0.5, 1 - 0.22 / total, plain_text(title), **_CENTRE, size=10, weight="bold")

        def panel(x: float, y: float, size: tuple[float, float]) -> Axes:
            rect = (x / WIDTH_INCHES, y / total, size[0] / WIDTH_INCHES, size[1] / total)
            return figure.add_axes(rect)

        y_band, legend_x = total - top - band, margin
        if inset:
            size = (WIDTH_INCHES / 2 - margin - gap / 2, band - head)
            means = sites.groupby("key", sort=False).agg(
                cluster=("cluster", "first"), lon=("lon", "mean"), lat=("lat", "mean")
            )
            worst = sites.groupby("key", sort=False)["exceedance_class"].agg(
                lambda c: max(c, key=[n for n, *_ in CLASSES[4:] + CLASSES[:4]].index)
            )
            points = _points(means.assign(exceedance_class=worst), "cluster")
            _draw_panel(panel(margin, y_band, size), renderer, points, size, "All clusters")
            legend_x = WIDTH_INCHES / 2 + gap / 2
        legend = panel(legend_x, y_band, (WIDTH_INCHES - legend_x - margin, band - head))
        legend.set_axis_off()
        marks = [Line2D([], [], marker=m, mfc=f, label=t, **_MARK) for _, t, f, m in CLASSES]
        heading = "Worst parameter at the site,\ntimes the limit in force"
        legend.legend(handles=marks, title=heading, loc="upper left", alignment="left")
        for index, key in enumerate(order):
            row, column = divmod(index, columns)
            x, y = margin + column * (width + gap), y_band - (row + 1) * (height + head)
            part = sites[sites["key"] == key]
            points = _points(part, "site")
            name = str(part["cluster"].iloc[0]) or "no cluster"
            _draw_panel(panel(x, y, (width, height)), renderer, points, (width, height), name)
    return figure


def _points(frame: pd.DataFrame, label: str) -> list[Point]:
    columns = (frame[label].astype(str), frame["lon"], frame["lat"], frame["exceedance_class"])
    return [(a, float(b), float(c), str(d)) for a, b, c, d in zip(*columns, strict=True)]


def _draw_panel(
    axes: Axes, renderer: Any, points: list[Point], size: tuple[float, float], name: str
) -> None:
    """Points at their lon/lat (equirectangular, cos-latitude aspect), labels, scale, north."""
    from matplotlib.font_manager import FontProperties

    from ecocluster.figure_style import plain_text

    (w, h), styles = size, {c[0]: c for c in CLASSES}
    lons, lats = np.array([p[1] for p in points]), np.array([p[2] for p in points])
    kx, ky = _KM_PER_DEGREE[0] * math.cos(math.radians(float(lats.mean()))), _KM_PER_DEGREE[1]
    x_km, y_km = (lons - lons.mean()) * kx, (lats - lats.mean()) * ky
    # km per inch: the points fill the panel less a margin for labels; 0.4 km at least
    scale = max(np.ptp(x_km) / max(w - 1.2, 0.5), np.ptp(y_km) / max(h - 0.9, 0.5), 0.4 / w)
    cx, cy = (x_km.max() + x_km.min()) / 2, (y_km.max() + y_km.min()) / 2
    lon_c, lat_c = lons.mean() + cx / kx, lats.mean() + cy / ky
    axes.set_xlim(lon_c - w / 2 * scale / kx, lon_c + w / 2 * scale / kx)
    axes.set_ylim(lat_c - h / 2 * scale / ky, lat_c + h / 2 * scale / ky)
    axes.set(xticks=[], yticks=[])
    for spine in axes.spines.values():
        spine.set(visible=True, color="#999999")
    axes.set_title(plain_text(name), loc="left", fontsize=9, fontweight="bold", pad=4)
    for _, lon, lat, klass in points:
        _, _, fill, marker = styles.get(klass, CLASSES[-1])
        axes.plot([lon], [lat], marker=marker, markerfacecolor=fill, zorder=3, **_MARK)
    inches = np.column_stack([w / 2 + (x_km - cx) / scale, h / 2 + (y_km - cy) / scale])
    obstacles = [(x - 0.07, y - 0.07, x + 0.07, y + 0.07) for x, y in inches]
    obstacles += _draw_furniture(axes, w, h, scale)
    # Labels: crowded sites first, each at the nearest candidate position that stays inside
    # the panel and clear of markers, scale bar, arrow and the labels placed before it.
    font, dpi = FontProperties(family="DejaVu Sans", size=_FONT), axes.figure.dpi
    crowd = [int(np.sum(np.hypot(*(inches - p).T) < 0.6)) for p in inches]
    for i in sorted(range(len(points)), key=lambda i: (-crowd[i], points[i][0])):
        text, (px, py) = plain_text(points[i][0]), inches[i]
        tw, th, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        tw, th = tw / dpi + 0.04, th / dpi + 0.03
        choice = (_RADII[0], 1, 0, (px, py - th / 2, px + tw, py + th / 2))  # if nothing is free
        for radius, (ux, uy) in ((r, d) for r in _RADII for d in _DIRECTIONS):
            ax = px + ux * radius * (0.72 if uy else 1.0)
            ay = py + uy * radius * (0.72 if ux else 1.0)
            x0 = ax if ux > 0 else ax - tw if ux < 0 else ax - tw / 2
            y0 = ay if uy > 0 else ay - th if uy < 0 else ay - th / 2
            box = (x0, y0, x0 + tw, y0 + th)
            inside = x0 > 0.03 and y0 > 0.03 and box[2] < w - 0.03 and box[3] < h - 0.03
            if inside and not any(_overlap(box, other) for other in obstacles):
                choice = (radius, ux, uy, box)
                break
        radius, ux, uy, box = choice
        obstacles.append(box)
        # anchored at the box's side nearest the site, so the leader line meets the text
        x = box[0] if ux > 0 else box[2] if ux < 0 else (box[0] + box[2]) / 2
        y = box[1] if uy > 0 else box[3] if uy < 0 else (box[1] + box[3]) / 2
        ha, va = _ALIGN[0][ux], _ALIGN[1][uy]
        leader = _LEADER if radius > _RADII[0] else None
        where: Style = {"xy": (px / w, py / h), "xytext": (x / w, y / h), "ha": ha, "va": va}
        axes.annotate(text, **where, size=_FONT, arrowprops=leader, zorder=4, **_FRACTION)


def _draw_furniture(axes: Axes, w: float, h: float, scale: float) -> list[Box]:
    """A scale bar of a round length (about a quarter of the panel) at the lower left and a
    north arrow (up, in this projection) at the upper right; the boxes they take."""
    length = max((s for s in _SCALES if s <= 0.28 * w * scale), default=_SCALES[0])
    bar, x0, y0, x, y1 = length / scale, 0.12, 0.12, w - 0.16, h - 0.2
    axes.plot([x0 / w, (x0 + bar) / w], [y0 / h] * 2, color=_INK, lw=2.2, transform=axes.transAxes)
    text = f"{length * 1000:.0f} m" if length < 1 else f"{length:g} km"
    for where, words, size in (((x0 + bar / 2, y0 + 0.05), text, 6.5), ((x, y1 + 0.02), "N", 7)):
        axes.text(where[0] / w, where[1] / h, words, **_ABOVE, size=size, transform=axes.transAxes)
    arrow = {"arrowstyle": "-|>", "color": _INK, "linewidth": 1.0}
    axes.annotate("", (x / w, y1 / h), (x / w, (y1 - 0.22) / h), arrowprops=arrow, **_FRACTION)
    scale_box = (x0 - 0.05, y0 - 0.06, x0 + max(bar, 0.45) + 0.05, y0 + 0.24)
    return [scale_box, (x - 0.12, h - 0.5, w, h)]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def write_site_map(site_summary: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """`draw_site_map` as .svg or .png, whole or not at all."""
    from ecocluster.figure_style import write_figure

    return write_figure(lambda: draw_site_map(site_summary, **kwargs), path)


# --------------------------------------------------------------------- time series
def draw_time_series(
    assessed: pd.DataFrame, site: str, parameter: str, *, averaging: str | None = None,
    title: str = "", limits: pd.DataFrame | None = None,
) -> Figure:  # fmt: skip
    """Values of a parameter at a site over time (a series per averaging period) with the
    binding limit of each edition in force (solid steps), the WHO guideline (dashed) and
    censored values hollow. `parameter`: an id or a name a lab sheet uses; `limits`: the
    table given to `assess_samples` (the bundled one by default)."""
    import matplotlib
    from matplotlib import dates
    from matplotlib.lines import Line2D

    from ecocluster import standards
    from ecocluster.figure_style import PALETTE, STYLE, new_figure, plain_text

    table = standards.read_limits() if limits is None else limits
    rows = assessed[assessed["site"].astype(str) == normalize_text(site)]
    if rows.empty:
        known = ", ".join(sorted(assessed["site"].astype(str).unique()))
        raise InputError(f"no samples at site {site!r}; sites: {known}", rule="site")
    measured = sorted(rows["parameter"].astype(str).unique())
    wanted = parameter
    if parameter not in measured:  # a name as a lab sheet writes it: "Cr6+", "Bụi TSP"
        with contextlib.suppress(InputError):
            wanted = standards.match_parameter(parameter)
    rows = rows[rows["parameter"].astype(str) == wanted]
    rows = rows if averaging is None else rows[rows["averaging"].astype(str) == averaging]
    if rows.empty:
        message = f"no {parameter} samples at {site}; measured there: {', '.join(measured)}"
        raise InputError(message, rule="parameter")
    rows = rows.sort_values("time", kind="stable")
    unit, label = str(rows["unit"].mode().iloc[0]), _parameter_label(wanted)
    span = (rows["time"].min(), rows["time"].max())
    cluster = rows.get("cluster", pd.Series(dtype=object)).dropna().astype(str)
    heading = title or f"{label} at {site}" + (f" ({cluster.iloc[0]})" if len(cluster) else "")
    groups = list(rows.groupby(rows["averaging"].astype(str), sort=True))
    handles: list[Any] = []
    levels = [rows["value"].to_numpy(float)]
    with matplotlib.rc_context(STYLE), new_figure(3.4 + 0.5 * len(groups), heading) as figure:
        axes = figure.add_subplot()
        for index, (period, group) in enumerate(groups):
            several = len(groups) > 1
            colour = PALETTE[(0, 3, 2, 4)[index % 4]]
            name = f" ({_PERIODS.get(period, period)})" if several else ""
            times, values = group["time"].to_numpy(), group["value"].to_numpy(float)
            hollow = group["censored"].to_numpy(bool) if "censored" in group else values != values
            gaps = np.flatnonzero(np.diff(times) > np.timedelta64(400, "D")) + 1  # no line
            line = (np.insert(times, gaps, times[gaps]), np.insert(values, gaps, np.nan))
            axes.plot(*line, color=colour, linewidth=0.8, alpha=0.55)
            for mask, face, what in ((~hollow, colour, "measured"), (hollow, "white", _CENSORED)):
                look: Style = {"mfc": face, "mec": colour, "label": what + name}
                if mask.any():
                    handles += axes.plot(times[mask], values[mask], **_POINT, **look)
            key = (str(group["medium"].iloc[0]), wanted, period, _series_class(group))
            for binding in (True, False):
                ink = (colour if several else _INK) if binding else "#777777"
                style: Style = {"color": ink, "ls": "-" if binding else "--", "lw": 1.2}
                lines, covered = _limit_steps(table, key, binding, span, unit)
                for xs, ys, texts in lines:
                    axes.plot(xs, ys, **style)
                    levels.append(ys)
                    handles += [Line2D([], [], **style, label=f"{t}{name}") for t in texts]
                if binding and not covered:
                    text = f"no binding limit in the table for part of the time{name}"
                    handles.append(Line2D([], [], linestyle="none", label=text))
        high, low = float(np.nanmax(np.hstack(levels))), float(np.nanmin(np.hstack(levels)))
        if str(rows["medium"].iloc[0]) == "noise" or wanted == "ph":  # scales without a zero
            axes.set_ylim(low - 0.1 * (high - low), high + 0.12 * (high - low))
        else:
            axes.set_ylim(0, high * 1.12)
        pad = (span[1] - span[0]) / 40 + pd.Timedelta(days=20)
        axes.set_xlim(span[0] - pad, span[1] + pad)
        years: Any = dates  # untyped in matplotlib's stubs
        axes.xaxis.set_major_locator(years.YearLocator())
        axes.xaxis.set_major_formatter(years.DateFormatter("%Y"))
        axes.set_ylabel(plain_text(f"{label} ({_unit_text(unit)})" if _unit_text(unit) else label))
        axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.09), fontsize=7)
    return figure


def _parameter_label(parameter: str) -> str:
    """The short name a report uses: the first alias ("TSP", "Cr6+"), else the id."""
    from ecocluster.standards import read_parameters

    table = read_parameters()
    aliases = str(table.at[parameter, "aliases"]) if parameter in table.index else ""
    return aliases.split("|")[0].strip() or parameter


def _unit_text(unit: str) -> str:
    """A unit as people write it: "ug/m^3" → "µg/m³", "dBA" → "dB(A)", "pH" → ""."""
    text = {"dBA": "dB(A)", "pH": "", "degC": "°C", "Pt_Co": "Pt-Co"}.get(unit, unit)
    return text.replace("ug/", "µg/").replace("^3", "³").replace("^2", "²")


def _series_class(group: pd.DataFrame) -> str:
    """The class the limits were looked up with: ``limit_class`` where a limit was found,
    else the sample's own ``class`` (the commonest, should a series mix them)."""
    for column in ("limit_class", "class"):
        values = group.get(column, pd.Series(dtype=object)).dropna().astype(str)
        if (values != "").any():
            return str(values[values != ""].mode().iloc[0])
    return ""


def _limit_steps(
    table: pd.DataFrame, key: tuple[str, ...], binding: bool, span: tuple[Any, Any], unit: str
) -> tuple[list[tuple[np.ndarray, np.ndarray, list[str]]], bool]:
    """Step lines (upper, and lower where set) of the rows in force over `span`, a level
    per edition and a gap where none is, with a legend text per edition; and whether the
    rows cover the whole span."""
    from ecocluster.monitoring import convert
    from ecocluster.standards import read_parameters

    medium, parameter, averaging, klass = key
    mine = table[(table["medium"] == medium) & (table["parameter"] == parameter)]
    mine = mine[(mine["averaging"] == averaging) & (mine["binding"].astype(bool) == binding)]
    if binding:
        mine = mine[mine["class"].fillna("").astype(str).isin([klass, ""])]
    rows = mine.sort_values("valid_from", kind="stable").to_dict(orient="records")
    masses = read_parameters()["molar_mass_g_per_mol"]
    mass = masses.get(parameter) if medium == "ambient_air" else None
    lines, reach = [], span[0]
    for row in rows:
        end = pd.Timestamp.max if pd.isna(row["valid_to"]) else row["valid_to"]
        reach = max(reach, end) if row["valid_from"] <= reach else reach
    for bound in ("upper", "lower"):
        xs: list[Any] = []
        ys: list[float] = []
        texts: list[str] = []
        for row in rows:
            begin = max(pd.Timestamp(row["valid_from"]), span[0])
            finish = span[1] if pd.isna(row["valid_to"]) else min(row["valid_to"], span[1])
            value = float(row[bound])
            if math.isnan(value) or begin >= finish:
                continue
            if row["unit"] != unit:
                value = convert([value], row["unit"], unit, molar_mass_g_per_mol=mass).item()
            xs, ys = ([*xs, xs[-1]], [*ys, math.nan]) if xs and xs[-1] < begin else (xs, ys)
            xs, ys = [*xs, begin, finish], [*ys, value, value]
            kind = ("limit" if bound == "upper" else "minimum") if binding else "guideline"
            since = f" from {begin:%Y-%m-%d}" if texts else ""
            where = f" {row['class']}" if binding and row["class"] else ""
            texts.append(f"{row['standard']}{where} {kind}{since}: {value:g} {_unit_text(unit)}")
        if xs:
            lines.append((np.array(xs, dtype="datetime64[ns]"), np.array(ys), texts))
    return lines, bool(reach > span[1])


def write_time_series(
    assessed: pd.DataFrame, site: str, parameter: str, path: str | Path, **kwargs: Any
) -> Path:
    """`draw_time_series` as .svg or .png, whole or not at all."""
    from ecocluster.figure_style import write_figure

    return write_figure(lambda: draw_time_series(assessed, site, parameter, **kwargs), path)
