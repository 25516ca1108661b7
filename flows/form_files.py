"""The report form's files: photos and documents for attachment questions, and a Word
file in place of the narrative sections. Part of `ReportFlow` (see report_form.py); the
file is downloaded by the handler and kept in the database with the draft."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.screens import Notice, Screen
from reporting.answers import AnswerError
from reporting.campaign import Question, QuestionType
from reporting.docx_sections import (
    UnreadableWordFile,
    WordText,
    figures_in,
    read_word,
    split_sections,
)
from reporting.form import FormState
from storage import attachments, drafts
from storage import models as m
from storage.records import RoundRecord
from texts.text import shorten

if TYPE_CHECKING:
    from flows.services import Services

MAX_FILE_BYTES = 20 * 1024 * 1024  # what Telegram lets a bot download
OTHER_WORD_FORMATS = (".doc", ".wps", ".wpt", ".rtf", ".odt", ".pdf")  # read: .docx only
FIRST = 24  # characters of a section shown back after a Word file is read
# One Word file is read at a time, in a worker thread: the loop keeps answering everyone
# else, and two bombs at once cannot double the memory a reading takes.
_WORD_READER = asyncio.Semaphore(1)


async def read_word_file(content: bytes) -> WordText | UnreadableWordFile:
    """The text of a Word file, read off the event loop; or why it cannot be read."""
    async with _WORD_READER:
        try:
            return await asyncio.to_thread(read_word, content)
        except UnreadableWordFile as problem:
            return problem


@dataclass(frozen=True)
class IncomingFile:
    content: bytes
    file_name: str
    mime_type: str
    telegram_file_id: str | None = None
    caption: str | None = None  # what the contact wrote with it


class FileAnswers:
    """The file-taking steps of the form; `ReportFlow` supplies the rest."""

    services: Services
    campaign: Any
    contact: m.Person
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
        """A photo or document: an attachment, or a Word file in place of the sections.
        A Word file is read before the step's transaction, never while holding it."""
        word: WordText | UnreadableWordFile | None = None
        name = incoming.file_name.lower()
        # Read before the round is known: worth it if any campaign served has sections.
        has_sections = any(q.section for served in self.services.each()
                           for q in served.campaign.questions)
        if name.endswith(".docx") and has_sections:
            word = await read_word_file(incoming.content)
        other_format = has_sections and name.endswith(OTHER_WORD_FORMATS)
        async with self.services.transaction() as session:
            found = await self._where(session)
            if found is None:
                return Notice("form.not_in_form")
            draft, rnd, cursor, state = found
            question = self._on_screen(cursor, state)
            if question is not None and question.type is QuestionType.ATTACHMENT:
                return await self._attach(session, draft, rnd, cursor, state, question, incoming)
            if word is not None and any(q.section for q in state.questions):
                return await self._quick_submission(session, draft, rnd, state, incoming, word)
            sections = any(q.section for q in state.questions)
            if other_format and question is not None and sections:  # .doc, .pdf: how to save
                return await self._ask(session, draft, rnd, state, question,
                                       error=AnswerError("form.error.word_format"))
            if question is None:
                return await self._show_review(session, draft, rnd, state,
                                               note="form.use_buttons")
            return await self._ask(session, draft, rnd, state, question,
                                   error=AnswerError("form.error.not_a_file"))

    async def _attach(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord,
                      cursor: m.FormCursor, state: FormState, question: Question,
                      incoming: IncomingFile) -> Screen:
        have = list(state.value(question) or [])
        if len(have) >= question.file_limit:
            return await self._ask(session, draft, rnd, state, question,
                                   error=AnswerError("form.error.too_many_files",
                                                     {"limit": question.file_limit}))
        attachment = await self._store_file(session, incoming, rnd.id)
        if isinstance(attachment, AnswerError):
            return await self._ask(session, draft, rnd, state, question, error=attachment)
        if attachment.id in have:  # the same file again: kept once
            return await self._ask(session, draft, rnd, state, question,
                                   error=AnswerError("form.error.same_file"))
        have.append(attachment.id)
        await self._save(session, draft, question.id, have)
        if len(have) >= question.file_limit:
            return await self._advance(session, draft, rnd, cursor)
        state = await self._state(session, draft, rnd)
        return await self._ask(session, draft, rnd, state, question, note="form.file_received",
                               note_values={"n": len(have), "limit": question.file_limit})

    async def _store_file(self, session: AsyncSession, incoming: IncomingFile,
                          round_id: int) -> m.Attachment | AnswerError:
        """Keep the file once per unit (the same content again is the same row), within
        the unit's storage bound."""
        digest = hashlib.sha256(incoming.content).hexdigest()
        same = await attachments.same_file(session, self.contact.unit_id, digest)
        if same is not None:
            if incoming.caption:  # the same photo sent again with words: keep the words
                same.caption = incoming.caption
            return same
        limit = self.services.settings.unit_storage_mb
        used = await attachments.unit_usage(session, self.contact.unit_id)
        if used + len(incoming.content) > limit * 1024 * 1024:
            return AnswerError("form.error.storage_full", {"limit": limit})
        attachment = m.Attachment(
            unit_id=self.contact.unit_id, round_id=round_id,
            file_name=incoming.file_name[:255],
            mime_type=incoming.mime_type[:100], size=len(incoming.content),
            sha256=digest, content=incoming.content,
            telegram_file_id=incoming.telegram_file_id, uploaded_by=self.contact.id,
            created_at=self.now, caption=incoming.caption,
        )
        session.add(attachment)
        await session.flush()
        return attachment

    async def _quick_submission(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord,
                                state: FormState, incoming: IncomingFile,
                                word: WordText | UnreadableWordFile) -> Screen:
        if isinstance(word, UnreadableWordFile):
            return Notice("form.docx_too_big" if word.too_big else "form.docx_unreadable")
        sections = [q for q in state.questions if q.section]
        found = split_sections(word.paragraphs,
                               [(q.id, q.prompt.zh, q.headings) for q in sections])
        figures = figures_in(word.tables, [(q.id, q.prompt.zh) for q in state.questions
                                           if q.is_figure and not state.is_answered(q)])
        await drafts.suggest(session, draft.id, figures, self.now)
        stored = await self._store_file(session, incoming, rnd.id)
        if isinstance(stored, AnswerError):
            return Notice(stored.key, stored.values)
        for qid, text in found.items():
            question = state.question(qid)
            assert question is not None
            await self._save(session, draft, qid, shorten(text, question.text_limit))
        state = await self._state(session, draft, rnd)
        # What will be stored, section by section: its first words, or that it was not
        # found (asked for next, to type or to fix by typing).
        notes: list[tuple[str, dict[str, Any]]] = [("form.docx_read", {})]
        for q in sections:
            if q.id in found:
                notes.append(("form.docx_section", {
                    "name": q.prompt.get(self.lang), "start": shorten(found[q.id], FIRST)}))
            else:
                notes.append(("form.docx_missing", {"name": q.prompt.get(self.lang)}))
        if figures:  # offered at their questions, each counted once confirmed
            notes.append(("form.docx_figures", {"n": len(figures)}))
        next_question = state.next_unanswered()
        if next_question is not None:
            screen: Screen = await self._ask(session, draft, rnd, state, next_question)
        else:
            screen = await self._show_review(session, draft, rnd, state)
        return replace(screen, notes=notes)
