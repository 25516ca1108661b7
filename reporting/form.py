"""The form engine: which question comes next, where a question stands, what is missing.

The state is the draft's answers; everything here is derived from them, so a contact who
comes back after a crash, or a colleague on another phone, lands on the same question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reporting.campaign import Question


@dataclass(frozen=True)
class StoredAnswer:
    value: Any
    skipped: bool = False


@dataclass(frozen=True)
class FormState:
    questions: list[Question]
    answers: Mapping[str, StoredAnswer]

    def is_answered(self, question: Question) -> bool:
        answer = self.answers.get(question.id)
        return answer is not None and (answer.skipped or answer.value not in (None, [], ""))

    def next_unanswered(self) -> Question | None:
        return next((q for q in self.questions if not self.is_answered(q)), None)

    def position(self, question: Question) -> tuple[int, int]:
        """`(3, 11)` for `第 3/11 题`."""
        return self.index(question) + 1, len(self.questions)

    def index(self, question: Question) -> int:
        return next(i for i, q in enumerate(self.questions) if q.id == question.id)

    def previous(self, question: Question) -> Question | None:
        i = self.index(question)
        return self.questions[i - 1] if i > 0 else None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def value(self, question: Question) -> Any:
        answer = self.answers.get(question.id)
        return None if answer is None or answer.skipped else answer.value

    def missing_required(self) -> list[Question]:
        return [q for q in self.questions if q.required and self.value(q) in (None, [], "")]
