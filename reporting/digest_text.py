"""The digest in chat: one message a phone shows whole (HTML, everything users typed
escaped): the counts, who is late or missing, the main totals as people write them, and
what to check before forwarding. Each unit's figures and the long texts are in the Word
and Excel files that follow it."""

from __future__ import annotations

import html
from decimal import Decimal

from reporting.checks import check_line, find_checks
from reporting.digest import Digest, ReviewState, plain_number, written_unit
from texts.catalog import t
from texts.dates import moment, short_moment
from texts.text import clean_text, split_message

REVIEW = {state: f"digest.review.{state.value}" for state in ReviewState}
SHOWN_CHECKS = 5  # the rest are on /progress, where each comes with its return


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
    checks = find_checks(d)
    if d.figures:
        lines.append(t("digest.figures", lang))
    for fig in d.figures:
        q = fig.question
        unit_label = q.unit.get(lang) if q.unit else ""
        lines.append(t("digest.figure", lang, prompt=e(q.prompt.get(lang)),
                       total=e(amount(fig.total, unit_label)),
                       covered=fig.covered, of=len(d.units)))
    if checks:
        lines.append(t("digest.checks", lang, n=len(checks), code=d.round_code))
        lines += [t("digest.check", lang, unit=e(d.unit(c.unit).short), line=e(check_line(c, lang)))
                  for c in checks[:SHOWN_CHECKS]]
        if len(checks) > SHOWN_CHECKS:
            lines.append(t("digest.checks_more", lang, n=len(checks) - SHOWN_CHECKS,
                           code=d.round_code))
    lines.append(t("digest.in_files", lang))
    return split_message("\n".join(lines))


def amount(total: Decimal, unit: str) -> str:
    """A total as people write it: `2,502 万元`, `12.35 亿元` (from 123,456 万元), `3,200 家`."""
    value, written = written_unit(total, unit)
    if written != unit:
        return f"{plain_number(value.quantize(Decimal('0.01')))} {written}"
    return f"{plain_number(total)} {unit}".rstrip()
