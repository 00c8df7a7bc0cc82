"""The annual report's charts as PNG images, drawn by matplotlib (Agg) from the dashboard's own chart data.

``dashboard.pages.charts`` gives the data Chart.js draws on the dashboard page (labels, datasets,
colours); this module draws the same data as images for the report's .docx and print view, so the
charts cannot show other figures than the page.

Chinese labels need a CJK font. ``cjk_font`` finds one that matplotlib knows (``make browser``
installs fonts-wqy-microhei; fonts-noto-cjk works too); without one, no chart is drawn and the
report says so, rather than printing boxes for every character.
"""

from __future__ import annotations

import io
import os
import threading

from django.conf import settings

# Fonts with the Chinese characters, best first; the names matplotlib's font manager knows them by.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
WIDTH_INCHES = 6.2  # the text block of an A4 page in the official layout is 15.6 cm wide
DPI = 200
INK, GRID = "#1f2328", "#d0d7de"
# matplotlib sets rcParams globally: one chart at a time in a process, whatever its threads.
_drawing = threading.Lock()


def _matplotlib():
    """matplotlib, with its font cache under VAR_DIR (the one folder the app writes) unless set."""
    os.environ.setdefault("MPLCONFIGDIR", str(settings.VAR_DIR / "matplotlib"))
    import matplotlib

    return matplotlib


def cjk_font() -> str | None:
    """The name of an installed font with Chinese characters, or None."""
    _matplotlib()
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _has_data(spec: dict) -> bool:
    return any(value for dataset in spec["datasets"] for value in dataset["data"])


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _style(axes, *, value_axis: str) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(GRID)
    axes.spines["bottom"].set_color(GRID)
    axes.tick_params(colors=INK, labelsize=10)
    axes.grid(axis=value_axis, color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    from matplotlib.ticker import MaxNLocator

    (axes.yaxis if value_axis == "y" else axes.xaxis).set_major_locator(MaxNLocator(integer=True))


def _bar(spec: dict):
    """A bar chart as the dashboard draws it: vertical or horizontal, stacked or side by side."""
    from matplotlib.figure import Figure

    labels = spec["labels"]
    horizontal = bool(spec.get("horizontal"))
    stacked = bool(spec.get("stacked"))
    datasets = [d for d in spec["datasets"] if d.get("type") != "line"]
    height = max(1.8, 0.45 * len(labels) + 1.0) if horizontal else 3.2
    figure = Figure(figsize=(WIDTH_INCHES, height))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    base = [0] * len(labels)
    width = 0.6 if stacked or len(datasets) == 1 else 0.8 / len(datasets)
    for index, dataset in enumerate(datasets):
        values = dataset["data"]
        offsets = positions if stacked or len(datasets) == 1 else [p - 0.4 + width * (index + 0.5) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        extra = {"left": base} if horizontal else {"bottom": base}
        bars = draw(
            offsets, values, width, color=dataset["colour"], label=dataset["label"], **(extra if stacked else {})
        )
        if not stacked or len(datasets) == 1:
            axes.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=9, color=INK, padding=2)
        if stacked:
            base = [b + v for b, v in zip(base, values, strict=True)]
    if horizontal:
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()  # the first row on top, as on the page
    else:
        axes.set_xticks(positions, labels)
    _style(axes, value_axis="x" if horizontal else "y")
    if len(datasets) > 1:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(datasets), frameon=False, fontsize=10)
    return figure


def _doughnut(spec: dict):
    from matplotlib.figure import Figure

    dataset = spec["datasets"][0]
    shown = [
        (label, value, colour)
        for label, value, colour in zip(spec["labels"], dataset["data"], dataset["colour"], strict=True)
        if value
    ]
    figure = Figure(figsize=(WIDTH_INCHES, 3.0))
    axes = figure.add_subplot()
    total = sum(value for _label, value, _colour in shown)
    axes.pie(
        [value for _label, value, _colour in shown],
        labels=[f"{label}  {value}（{value * 100 / total:.1f}%）" for label, value, _colour in shown],
        colors=[colour for _label, _value, colour in shown],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.45, "edgecolor": "white"},
        textprops={"fontsize": 10, "color": INK},
    )
    axes.set_aspect("equal")
    return figure


def draw(spec: dict, font: str) -> bytes | None:
    """One chart of ``pages.charts`` as a PNG, None when it has nothing to show."""
    if not _has_data(spec):
        return None
    matplotlib = _matplotlib()
    with (
        _drawing,
        matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [font], "axes.unicode_minus": False}),
    ):
        figure = _doughnut(spec) if spec["type"] == "doughnut" else _bar(spec)
        return _png(figure)
