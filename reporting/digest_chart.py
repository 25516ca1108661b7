"""A bar chart of the main figures by unit, as PNG bytes (matplotlib, no screen): a title,
axis numbers with separators in the unit people use (亿元 once a total passes 10,000 万元),
and a visible mark on each unit that has not reported.

Chinese labels need a CJK font. scripts/setup installs one where it can; without one there
is no chart (never one labelled in codes), and the bot says so once at start-up
(`warn_without_cjk_font`)."""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from reporting.digest import Digest, FigureRow, written_unit
from texts.text import clean_text

log = logging.getLogger(__name__)
CJK_HINTS = ("wqy", "wenquanyi", "notosanscjk", "notoserifcjk", "sourcehan", "simhei",
             "msyh", "droidsansfallback", "arphic", "uming", "ukai")
NOT_REPORTED = "未报送"


FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts",
             "~/.local/share/fonts", "/Library/Fonts", "/System/Library/Fonts",
             "C:/Windows/Fonts")
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


@cache
def cjk_font_file() -> Path | None:
    """A font file on this machine with Chinese glyphs, found by name in the usual font
    folders, without loading matplotlib (start-up asks)."""
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            flat = path.name.lower().replace("-", "").replace("_", "").replace(" ", "")
            if path.suffix.lower() in FONT_SUFFIXES and any(h in flat for h in CJK_HINTS):
                return path
    return None


@cache
def cjk_font() -> str | None:
    """The family name of that font, registered with matplotlib (when a chart is drawn)."""
    path = cjk_font_file()
    if path is None:
        return None
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    except (OSError, RuntimeError):
        return None


def warn_without_cjk_font() -> bool:
    """Log once, at start-up, that the digest will have no chart; True if a font is there."""
    if cjk_font_file() is None:
        log.warning("no Chinese (CJK) font on this machine: the digest's chart is left out. "
                    "Install one (Debian: apt-get install fonts-wqy-microhei) and restart.")
        return False
    return True


@dataclass(frozen=True)
class ChartPlan:
    figures: list[FigureRow]  # the bars of each unit
    measure: str  # the unit of the axis: 亿元, 万元, 家, …
    divisor: Decimal  # stored values are divided by it (10,000 for 万元 shown in 亿元)

    @property
    def name(self) -> str:
        """What the chart shows: 活动期间网络零售额 (the first figure, without （累计）)."""
        prompt = clean_text(self.figures[0].question.prompt.zh)
        return prompt.replace("（累计）", "").replace("(累计)", "")


def chart_plan(digest: Digest, max_figures: int = 3) -> ChartPlan | None:
    """The main figures (those in the measure most figures share: 万元 in the default)."""
    figures = [f for f in digest.figures if f.covered]
    if not figures:
        return None

    def measure_of(row: FigureRow) -> str:
        return row.question.unit.zh if row.question.unit else ""

    counts = Counter(measure_of(f) for f in figures)
    measure = max(counts, key=lambda unit: (counts[unit], -list(counts).index(unit)))
    chosen = [f for f in figures if measure_of(f) == measure][:max_figures]
    largest = max((f.total for f in chosen), key=abs)
    value, written = written_unit(largest, measure)
    return ChartPlan(chosen, written, largest / value if value else Decimal(1))


def figures_chart(digest: Digest, max_units: int = 30) -> bytes | None:
    """Grouped bars of the main figures, one group per unit; None without a CJK font."""
    plan = chart_plan(digest)
    font = cjk_font()
    if plan is None or font is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    units = digest.units
    if len(units) > max_units:  # a readable chart: the units with the largest first figure
        lead = plan.figures[0].values
        units = sorted(units, key=lambda u: lead.get(u.code) or 0, reverse=True)[:max_units]
    reported = [u.code in digest.submissions for u in units]
    labels = [_label(u.short) + ("" if done else f"\n（{NOT_REPORTED}）")
              for u, done in zip(units, reported, strict=True)]
    places = 2 if plan.measure == "亿元" else 0
    with plt.rc_context({"font.family": [font], "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
        width = 0.8 / len(plan.figures)
        for i, row in enumerate(plan.figures):
            values = [float((row.values.get(u.code) or 0) / plan.divisor) for u in units]
            positions = [x + i * width for x in range(len(labels))]
            ax.bar(positions, values, width=width, label=_label(row.question.prompt.zh))
        ax.set_xticks([x + width * (len(plan.figures) - 1) / 2 for x in range(len(labels))])
        rotate = len(labels) > 8
        ax.set_xticklabels(labels, rotation=45 if rotate else 0,
                           ha="right" if rotate else "center", fontsize=8)
        for tick, done in zip(ax.get_xticklabels(), reported, strict=True):
            if not done:
                tick.set_color("#888888")
        for x, done in enumerate(reported):
            if not done:  # a mark where the bars would be: not zero, not reported
                ax.annotate("×", (x + width * (len(plan.figures) - 1) / 2, 0),
                            ha="center", va="bottom", color="#888888", fontsize=12)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.{places}f}"))
        ax.set_ylabel(_label(plan.measure))
        ax.set_title(_label(f"{digest.round_title}：各单位{plan.name}"), fontsize=12)
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        if not all(reported):
            fig.text(0.99, 0.01, f"× {NOT_REPORTED}", ha="right", va="bottom",
                     fontsize=8, color="#888888")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return buffer.getvalue()


def _label(text: str) -> str:
    """A label drawn as written: `$` would start matplotlib's math mode."""
    return clean_text(text).replace("$", r"\$")
