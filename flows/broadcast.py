"""A broadcast's outcome, told to whoever sent it: the same words in chat and on the
command line."""

from __future__ import annotations

import html

from storage import broadcasts
from texts.catalog import t


def render_report(result: broadcasts.Report, lang: str) -> str:
    sep = t("list.sep", lang)
    lines = [t("broadcast.report", lang, sent=result.counts.get("sent", 0), total=result.total)]
    if result.blocked:
        lines.append(t("broadcast.report_blocked", lang, n=len(result.blocked),
                       names=html.escape(sep.join(result.blocked))))
    if result.failed:
        lines.append(t("broadcast.report_failed", lang, n=len(result.failed)))
        lines += [f"• {html.escape(who)}：{html.escape(why[:200])}" for who, why in result.failed]
    if result.uncertain:
        lines.append(t("broadcast.report_uncertain", lang, n=len(result.uncertain),
                       names=html.escape(sep.join(result.uncertain))))
    return "\n".join(lines)
