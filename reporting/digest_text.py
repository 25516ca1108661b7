"""The digest as chat messages (HTML, everything users typed escaped), split under 4096
characters at line boundaries."""

from __future__ import annotations

import html

from reporting.answers import display
from reporting.digest import Digest, ReviewState, plain_number
from texts.catalog import t
from texts.dates import moment, short_moment
from texts.text import clean_text, split_message

REVIEW = {state: f"digest.review.{state.value}" for state in ReviewState}


def digest_text(d: Digest, lang: str = "zh") -> list[str]:
    zone, sep = d.campaign.zone, t("list.sep", lang)

    def e(text: str) -> str:
        return html.escape(clean_text(text))

    lines = [t("digest.title", lang, campaign=e(d.campaign.name.get(lang)),
               round=e(d.campaign.round(d.round_code).title.get(lang)))]
    if d.provisional:
        lines.append(t("digest.provisional", lang, when=short_moment(d.as_of, zone, lang),
                       due=moment(d.due, zone, lang)))
    lines.append(t("digest.counts", lang, n=len(d.submissions), total=len(d.units),
                   on_time=len(d.on_time), late=len(d.late), missing=len(d.missing)))
    if d.late:
        lines.append(t("digest.late", lang, names=e(sep.join(u.short for u in d.late))))
    if d.missing:
        lines.append(t("digest.missing", lang, names=e(sep.join(u.short for u in d.missing))))
    if d.unreachable:
        lines.append(t("digest.unreachable", lang, names=e(sep.join(d.unreachable))))
    if any(s.review_state != ReviewState.PENDING for s in d.submissions.values()):
        states = [f"{d.unit(c).short}（{t(REVIEW[s.review_state], lang)}）"
                  for c, s in d.submissions.items() if s.review_state != ReviewState.PENDING]
        lines.append(t("digest.reviews", lang, items=e(sep.join(states))))
    for fig in d.figures:
        q = fig.question
        unit_label = q.unit.get(lang) if q.unit else ""
        lines += ["", t("digest.figure", lang, prompt=e(q.prompt.get(lang)),
                        total=plain_number(fig.total), unit=e(unit_label),
                        covered=fig.covered, of=len(d.units))]
        parts = []
        for u in d.units:
            value = fig.values.get(u.code)
            if value is None:
                continue
            item = f"{e(u.short)} {plain_number(value)}"
            change = fig.change(u.code)
            if change is not None:
                item += t("digest.change", lang, sign="+" if change >= 0 else "",
                          n=plain_number(change))
            if u.code in fig.dropped:
                item += " ⚠️"
            parts.append(item)
        if parts:
            lines.append(sep.join(parts))
        if fig.dropped:
            lines.append(t("digest.dropped", lang,
                           names=e(sep.join(d.unit(c).short for c in fig.dropped))))
    for q, answered in d.others:
        values = sep.join(f"{e(u.short)}：{e(display(q, v, lang))}" for u, v in answered)
        lines += ["", f"<b>{e(q.prompt.get(lang))}</b>", values or t("digest.none", lang)]
    for q, answered in d.sections:
        lines += ["", f"📌 <b>{e(q.prompt.get(lang))}</b>"]
        if not answered:
            lines.append(t("digest.none", lang))
        for u, text in answered:
            lines.append(f"<b>{e(u.short)}</b>：{e(text)}")
    return split_message("\n".join(lines))
