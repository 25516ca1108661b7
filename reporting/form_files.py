"""The report form's files: photos and documents for attachment questions, and a Word
file in place of the narrative sections. Part of `ReportFlow` (see report_flow.py); the
file is downloaded by the handler and kept in the database with the draft."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.answers import AnswerError
from reporting.campaign import Question, QuestionType
from reporting.docx_sections import split_sections
from reporting.form import FormState
from reporting.screens import Notice, Screen
from storage import models as m

if TYPE_CHECKING:
    from bot.services import Services

MAX_FILE_BYTES = 20 * 1024 * 1024  # what Telegram lets a bot download


@dataclass(frozen=True)
class IncomingFile:
    content: bytes
    file_name: str
    mime_type: str
    telegram_file_id: str | None = None


class FileAnswers:
    """The file-taking steps of the form; `ReportFlow` supplies the rest."""

    services: Services
    contact: m.Contact
    lang: str
    _where: Any
    _ask: Any
    _save: Any
    _advance: Any
    _state: Any
    _show_review: Any
    _on_screen: Any
    now: Any

    async def answer_file(self, incoming: IncomingFile) -> Screen:
        """A photo or document: an attachment, or a Word file in place of the sections."""
        async with self.services.transaction() as session:
            found = await self._where(session)
            if found is None:
                return Notice("form.not_in_form")
            draft, rnd, cursor, state = found
            question = self._on_screen(cursor, state)
            if question is not None and question.type is QuestionType.ATTACHMENT:
                return await self._attach(session, draft, rnd, cursor, state, question, incoming)
            if incoming.file_name.lower().endswith(".docx") and any(
                q.section for q in state.questions
            ):
                return await self._quick_submission(session, draft, rnd, state, incoming)
            if question is None:
                return await self._show_review(session, draft, rnd, state,
                                               note="form.use_buttons")
            return await self._ask(session, draft, rnd, state, question,
                                   error=AnswerError("form.error.not_a_file"))

    async def _attach(self, session: AsyncSession, draft: m.Draft, rnd: m.Round,
                      cursor: m.FormCursor, state: FormState, question: Question,
                      incoming: IncomingFile) -> Screen:
        have = list(state.value(question) or [])
        if len(have) >= question.file_limit:
            return await self._ask(session, draft, rnd, state, question,
                                   error=AnswerError("form.error.too_many_files",
                                                     {"limit": question.file_limit}))
        attachment = await self._store_file(session, incoming)
        have.append(attachment.id)
        await self._save(session, draft, question.id, have)
        if len(have) >= question.file_limit:
            return await self._advance(session, draft, rnd, cursor)
        state = await self._state(session, draft, rnd)
        return await self._ask(session, draft, rnd, state, question, note="form.file_received",
                               note_values={"n": len(have), "limit": question.file_limit})

    async def _store_file(self, session: AsyncSession, incoming: IncomingFile) -> m.Attachment:
        attachment = m.Attachment(
            unit_id=self.contact.unit_id, file_name=incoming.file_name[:255],
            mime_type=incoming.mime_type[:100], size=len(incoming.content),
            sha256=hashlib.sha256(incoming.content).hexdigest(), content=incoming.content,
            telegram_file_id=incoming.telegram_file_id, uploaded_by=self.contact.id,
            created_at=self.now,
        )
        session.add(attachment)
        await session.flush()
        return attachment

    async def _quick_submission(self, session: AsyncSession, draft: m.Draft, rnd: m.Round,
                                state: FormState, incoming: IncomingFile) -> Screen:
        sections = [q for q in state.questions if q.section]
        try:
            found = split_sections(incoming.content, [(q.id, q.prompt.zh) for q in sections])
        except ValueError:
            return Notice("form.docx_unreadable")
        for qid, text in found.items():
            question = state.question(qid)
            assert question is not None
            await self._save(session, draft, qid, text[: question.text_limit])
        await self._store_file(session, incoming)
        state = await self._state(session, draft, rnd)
        matched = "、".join(q.prompt.get(self.lang) for q in sections if q.id in found)
        next_question = state.next_unanswered()
        if next_question is not None:
            return await self._ask(session, draft, rnd, state, next_question,
                                   note="form.docx_filled", note_values={"sections": matched})
        return await self._show_review(session, draft, rnd, state, note="form.docx_filled",
                                       note_values={"sections": matched})
