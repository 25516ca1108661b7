"""What to verify in a figure as it is typed, said back to the reporter on the next
screen (the province's own check list is reporting/checks.py): a running total below last
round's, a part above its whole (or a whole below one of its parts), and a bare number so
large in 万元 that it was most likely typed in 元. Pure: each note is a catalog key and its
values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reporting.answers import display
from reporting.campaign import Question
from reporting.form import FormState

Note = tuple[str, dict[str, Any]]
IN_YUAN_LIKELY = Decimal(1_000_000)  # 万元: 100 亿元 typed bare is most likely 元


def magnitude_notes(question: Question, value: Any, said: str | None) -> list[Note]:
    """A bare number of a million 万元 or more was most likely typed in 元: ask, showing
    both readings (`said` is set when the person typed a unit or magnitude themselves)."""
    unit = question.unit.zh if question.unit else ""
    if unit != "万元" or said is not None or value is None:
        return []
    amount = Decimal(str(value))
    if amount < IN_YUAN_LIKELY:
        return []
    return [("form.warn.magnitude", {
        "value": f"{amount.normalize():,f}", "yi": f"{amount / 10000:,.2f}",
        "converted": f"{(amount / 10000).normalize():,f}"})]


def figure_notes(question: Question, value: Any, state: FormState,
                 before: Any = None) -> list[Note]:
    """A running total below `before` (last round's), and a part above its whole, with
    the draft's other answers in `state`."""
    if not question.is_figure or value is None:
        return []
    out: list[Note] = []
    if before is not None and Decimal(str(value)) < Decimal(str(before)):
        out.append(("form.warn.dropped", {"prompt": question.prompt.zh,
                                          "before": display(question, before, "zh"),
                                          "value": display(question, value, "zh")}))
    pairs = [(question, state.question(question.part_of))] if question.part_of else []
    pairs += [(q, question) for q in state.questions if q.part_of == question.id]
    for part, whole in pairs:
        if whole is None or part is None:
            continue
        p = value if part is question else state.value(part)
        w = value if whole is question else state.value(whole)
        if p is not None and w is not None and Decimal(str(p)) > Decimal(str(w)):
            out.append(("form.warn.part", {
                "part": part.prompt.zh, "part_value": display(part, p, "zh"),
                "whole": whole.prompt.zh, "whole_value": display(whole, w, "zh")}))
    return out
