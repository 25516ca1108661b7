"""A bar chart of the main figures by unit, as PNG bytes (matplotlib, no screen).

Chinese labels need a CJK font; if the machine has none, the chart uses unit codes and
says so in the log (scripts/setup installs one where it can)."""

from __future__ import annotations

import io
import logging
from collections import Counter
from functools import cache
from typing import Any

from reporting.digest import Digest
from texts.text import clean_text

log = logging.getLogger(__name__)
CJK_HINTS = ("wqy", "wenquanyi", "notosanscjk", "notoserifcjk", "sourcehan", "simhei",
             "msyh", "droidsansfallback", "arphic", "uming", "ukai")


@cache
def cjk_font() -> str | None:
    """The family name of a font on this machine that has Chinese glyphs, if any."""
    from matplotlib import font_manager

    for path in font_manager.findSystemFonts():
        flat = path.lower().replace("-", "").replace("_", "").replace(" ", "")
        if any(hint in flat for hint in CJK_HINTS):
            try:
                font_manager.fontManager.addfont(path)
                return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError):
                continue
    return None


def figures_chart(digest: Digest, max_figures: int = 3, max_units: int = 30) -> bytes | None:
    """Grouped bars of the main figures, one group per unit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = [f for f in digest.figures if f.covered]
    if not figures:
        return None
    def measure_of(row: Any) -> str:
        return row.question.unit.zh if row.question.unit else ""

    # The main figures: those in the measure most figures share (万元 in the default).
    counts = Counter(measure_of(f) for f in figures)
    measure = max(counts, key=lambda unit: (counts[unit], -list(counts).index(unit)))
    chosen = [f for f in figures if measure_of(f) == measure][:max_figures]
    font = cjk_font()
    if font is None:
        log.warning("no CJK font on this machine: the chart labels units by code")
    units = digest.units
    if len(units) > max_units:  # a readable chart: the units with the largest first figure
        lead = chosen[0].values
        units = sorted(units, key=lambda u: lead.get(u.code) or 0, reverse=True)[:max_units]
    labels = [_label(u.short) if font else u.code for u in units]
    with plt.rc_context({"font.family": [font] if font else ["DejaVu Sans"],
                         "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
        width = 0.8 / len(chosen)
        for i, row in enumerate(chosen):
            values = [float(row.values.get(u.code) or 0) for u in units]
            positions = [x + i * width for x in range(len(labels))]
            name = _label(row.question.prompt.zh) if font else row.question.id
            ax.bar(positions, values, width=width, label=name)
        ax.set_xticks([x + width * (len(chosen) - 1) / 2 for x in range(len(labels))])
        ax.set_xticklabels(labels, rotation=45 if len(labels) > 8 else 0,
                           ha="right" if len(labels) > 8 else "center", fontsize=8)
        ax.set_ylabel(_label(measure) if font else "")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return buffer.getvalue()


def _label(text: str) -> str:
    """A label drawn as written: `$` would start matplotlib's math mode."""
    return clean_text(text).replace("$", r"\$")
