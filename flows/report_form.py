"""The report form, step by step, for one contact: no Telegram here.

Every step is one short transaction that commits the answer before a screen is returned,
so what the contact sees has already been kept. Where the contact is (which question a
typed message answers) is their cursor; what they answered is the unit's draft.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from flows import changes
from flows.form_files import MAX_FILE_BYTES, FileAnswers, IncomingFile
from flows.screens import (
    EditMenu,
    Notice,
    QuestionScreen,
    Receipt,
    ReviewItem,
    ReviewScreen,
    RoundChoice,
    RoundOption,
    Screen,
)
from flows.services import Services
from reporting.answers import (
    AnswerError,
    is_skip_word,
    is_valid_stored,
    parse_typed,
    understood,
)
from reporting.campaign import Campaign, Question, QuestionType
from reporting.digest import ReviewState
from reporting.entry_checks import figure_notes, magnitude_notes
from reporting.form import FormState, StoredAnswer
from storage import attachments, drafts
from storage import models as m
from storage.models import CursorMode
from storage.records import RoundRecord
from storage.taking_part import campaigns_of

__all__ = ["MAX_FILE_BYTES", "IncomingFile", "ReportFlow"]
Step = TypeVar("Step", bound=Callable[..., Awaitable[Any]])


def reporting_units_only(step: Step) -> Step:
    """A step of the form, refused for a unit retired from the campaign (its data stays)."""

    @functools.wraps(step)
    async def guarded(self: ReportFlow, *args: Any, **kwargs: Any) -> Screen:
        if self.retired:
            return Notice("form.unit_retired")
        return await step(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


class ReportFlow(FileAnswers):
    def __init__(self, services: Services, contact: m.Person, lang: str):
        self.services = services
        # The campaign of the round this step is about, once it is known (a report is for
        # one round of one campaign; the unit may take part in several).
        self.served = services
        self.contact = contact
        self.lang = lang
        # Within one step: each draft's answers and the cursor are read once, then kept
        # in step with what this step writes.
        self._answers: dict[int, dict[str, StoredAnswer]] = {}
        self._cursor: m.FormCursor | None = None
        self._cursor_loaded = False
        self._taking_part: set[int] | None = None  # the campaigns the unit reports in

    answer_file = reporting_units_only(FileAnswers.answer_file)

    @property
    def retired(self) -> bool:
        """No campaign lists the unit any more (its data stays)."""
        unit = self.contact.__dict__.get("unit")  # loaded with the contact, or unknown here
        return unit is not None and unit.retired_at is not None

    @property
    def campaign(self) -> Campaign:
        return self.served.campaign

    @property
    def now(self) -> dt.datetime:
        return self.services.clock.now()

    # -- starting -----------------------------------------------------------------------

    @reporting_units_only
    async def start(self) -> Screen:
        """`/report`: the one open round, a choice of rounds, or an offer to amend."""
        async with self.services.transaction() as session:
            rounds = await self._rounds(session)
            options: list[RoundOption] = []
            amendable: list[RoundOption] = []
            for rnd in rounds:
                if not self._accepting(rnd):
                    continue
                latest = await drafts.latest_submission(session, self.contact.unit_id, rnd.id)
                draft = await drafts.find_draft(session, self.contact.unit_id, rnd.id)
                option = RoundOption(code=rnd.code, title=self._title(rnd), due_at=rnd.due_at,
                                     late=await self._would_be_late(session, rnd),
                                     submitted_version=latest.version if latest else None,
                                     campaign_id=rnd.campaign_id,
                                     campaign=self._campaign_name(rnd))
                if latest is None or draft is not None or _returned(latest):
                    options.append(option)  # still to do: not sent, under way, or sent back
                else:
                    amendable.append(option)
            if len(options) == 1:
                return await self._enter(session, await self._round(
                    session, options[0].code, options[0].campaign_id))
        if options:
            return RoundChoice(options=options)
        if amendable:
            return RoundChoice(options=amendable, amend=True)
        return Notice("form.no_open_round")

    @reporting_units_only
    async def pick_round(self, code: str, amend: bool = False,
                         campaign_id: int | None = None) -> Screen:
        """A round chosen (from a list, a reminder): of `campaign_id`, or, from a button
        made before several campaigns were served, the first campaign with that code."""
        async with self.services.transaction() as session:
            rnd = await self._round(session, code, campaign_id)
            if rnd is None or not self._accepting(rnd):
                return Notice("form.round_closed")
            latest = await drafts.latest_submission(session, self.contact.unit_id, rnd.id)
            draft = await drafts.find_draft(session, self.contact.unit_id, rnd.id)
            if latest is not None and draft is None and not amend and not _returned(latest):
                return RoundChoice(options=[RoundOption(
                    code=rnd.code, title=self._title(rnd), due_at=rnd.due_at,
                    late=self.now > rnd.due_at, submitted_version=latest.version,
                    campaign_id=rnd.campaign_id, campaign=self._campaign_name(rnd))],
                    amend=True)
            return await self._enter(session, rnd)

    async def _enter(self, session: AsyncSession, rnd: RoundRecord | None) -> Screen:
        assert rnd is not None
        latest = await drafts.latest_submission(session, self.contact.unit_id, rnd.id)
        draft = await drafts.open_draft(session, self.contact.unit_id, rnd.id, self.now,
                                        start_from=latest)
        state = await self._state(session, draft, rnd)
        question = state.next_unanswered()
        if question is None:
            return await self._show_review(session, draft, rnd, state)
        screen = await self._ask(session, draft, rnd, state, question)
        if state.index(question) == 0 and any(q.section for q in state.questions):
            # A fresh start: the report already written in Word is the quickest way in.
            screen = replace(screen, notes=[("remind.word_hint", {})])
        return screen

    @reporting_units_only
    async def current(self) -> Screen:
        """The screen the contact is on, again (after a message the form cannot take)."""
        async with self.services.transaction() as session:
            found = await self._where(session)
            if found is None:
                return Notice("form.not_in_form")
            draft, rnd, cursor, state = found
            question = self._on_screen(cursor, state)
            if question is None:
                return await self._show_review(session, draft, rnd, state)
            return await self._ask(session, draft, rnd, state, question)

    # -- answering ------------------------------------------------------------------------

    @reporting_units_only
    async def answer_text(self, text: str) -> Screen:
        """A typed message: the answer to the question on the contact's screen."""
        async with self.services.transaction() as session:
            found = await self._where(session)
            if found is None:
                return Notice("form.not_in_form")
            draft, rnd, cursor, state = found
            if cursor.mode == CursorMode.REVIEW or cursor.question_id is None:
                return await self._show_review(session, draft, rnd, state,
                                               note="form.use_buttons")
            question = state.question(cursor.question_id)
            if question is None:
                return await self._advance(session, draft, rnd, cursor)
            if question.type is QuestionType.ATTACHMENT:
                return await self._ask(session, draft, rnd, state, question,
                                       error=AnswerError("form.error.attachment"))
            if question.type is QuestionType.MULTI_CHOICE:
                return await self._ask(session, draft, rnd, state, question,
                                       error=AnswerError("form.error.multi_choice"))
            if is_skip_word(question, text):  # 无 / 暂无 for an optional question
                await self._save(session, draft, question.id, None, skipped=True)
                return await self._advance(session, draft, rnd, cursor,
                                           [("form.skipped_by_word", {"word": text.strip()})])
            return await self._take_typed(session, draft, rnd, cursor, state, question, text)

    async def _take_typed(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord,
                          cursor: m.FormCursor, state: FormState, question: Question,
                          text: str) -> Screen:
        """A written answer (typed, or a figure from the unit's Word file confirmed):
        stored, and said back with what to verify; or the question again with why not."""
        today = self.services.clock.now().astimezone(self.campaign.zone)
        value = parse_typed(question, text, self.campaign.period.start.year, today.month)
        if isinstance(value, AnswerError):
            return await self._ask(session, draft, rnd, state, question, error=value)
        await self._save(session, draft, question.id, value)
        said = understood(question, text)
        notes = [(key, values) for key, values in (
            ("form.understood", {"said": said}),
            *magnitude_notes(question, value, said),
            *figure_notes(question, value, state, await self._previous_round_value(
                session, rnd, question) if question.cumulative else None))
            if all(v is not None for v in values.values())]
        return await self._advance(session, draft, rnd, cursor, notes)

    @reporting_units_only
    async def answer_button(self, draft_id: int, question_id: str, action: str,
                            arg: str = "") -> Screen:
        """A tap on one of the question's buttons: choice, yes/no, toggle, skip, keep...; or
        `several`: the options ticked on a card at once (`arg`: their ids, comma-separated)."""
        async with self.services.transaction() as session:
            checked = await self._own_draft(session, draft_id)
            if isinstance(checked, Notice):
                return checked
            draft, rnd = checked
            state = await self._state(session, draft, rnd)
            question = state.question(question_id)
            if question is None:
                return Notice("form.stale_button")
            cursor = await self._cursor_on(session, draft, question)
            if action == "back":
                previous = state.previous(question)
                return await self._ask(session, draft, rnd, state, previous or question)
            if action == "skip":
                if question.required:
                    return await self._ask(session, draft, rnd, state, question,
                                           error=AnswerError("form.error.required"))
                await self._save(session, draft, question.id, None, skipped=True)
                return await self._advance(session, draft, rnd, cursor)
            if action == "keep":
                return await self._advance(session, draft, rnd, cursor)
            if action == "suggested":  # a figure from the unit's Word file, confirmed
                offered = await drafts.suggestion(session, draft.id, question.id)
                if offered is None:
                    return Notice("form.stale_button")
                return await self._take_typed(session, draft, rnd, cursor, state, question,
                                              offered)
            if action == "toggle":
                chosen = list(state.value(question) or [])
                chosen = [c for c in chosen if c != arg] if arg in chosen else [*chosen, arg]
                order = [o.id for o in question.options]
                chosen = sorted((c for c in chosen if c in order), key=order.index)
                if chosen:
                    await self._save(session, draft, question.id, chosen)
                else:
                    await self._clear(session, draft, question.id)
                state = await self._state(session, draft, rnd)
                return await self._ask(session, draft, rnd, state, question,
                                       editing=cursor.mode == CursorMode.EDIT)
            if action == "several":  # a multiple choice ticked at once (WeCom's checkbox card)
                if question.type is not QuestionType.MULTI_CHOICE:
                    return Notice("form.stale_button")
                order = [o.id for o in question.options]
                chosen = [o for o in order if o in arg.split(",")]
                if chosen:
                    await self._save(session, draft, question.id, chosen)
                else:
                    await self._clear(session, draft, question.id)
                state = await self._state(session, draft, rnd)
                action = "done"
            if action == "done":
                if question.required and not state.value(question):
                    key = ("form.error.attachment_missing"
                           if question.type is QuestionType.ATTACHMENT
                           else "form.error.multi_choice")
                    return await self._ask(session, draft, rnd, state, question,
                                           error=AnswerError(key))
                if not state.is_answered(question):
                    await self._save(session, draft, question.id, None, skipped=True)
                return await self._advance(session, draft, rnd, cursor)
            value: Any
            if action == "same":
                value = await self._previous_round_value(session, rnd, question)
            elif action == "yes_no":
                value = arg == "1"
            else:  # "choice"
                value = arg
            if value is None or not is_valid_stored(question, value):
                return Notice("form.stale_button")
            await self._save(session, draft, question.id, value)
            return await self._advance(session, draft, rnd, cursor)

    # -- review, submit, cancel -------------------------------------------------------------

    @reporting_units_only
    async def review_action(self, draft_id: int, action: str, arg: str = "") -> Screen:
        """Submit, Edit (a menu, then one question), Later, or back to the review."""
        async with self.services.transaction() as session:
            checked = await self._own_draft(session, draft_id)
            if isinstance(checked, Notice):
                return checked
            draft, rnd = checked
            state = await self._state(session, draft, rnd)
            if action == "submit":
                return await self._submit(session, draft, rnd, state)
            if action == "edit":
                return EditMenu(draft_id=draft.id, questions=state.questions)
            if action == "edit_question":
                question = state.question(arg)
                if question is None:
                    return Notice("form.stale_button")
                return await self._ask(session, draft, rnd, state, question, editing=True)
            if action == "later":
                await self._drop_cursor(session)
                return Notice("form.saved_for_later")
            return await self._show_review(session, draft, rnd, state)

    async def _submit(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord,
                      state: FormState) -> Screen:
        if state.missing_required():
            return await self._show_review(session, draft, rnd, state, note="form.incomplete")
        if not self._accepting(rnd):
            return Notice("form.round_closed")
        done = await drafts.submit_draft(session, draft, self.contact.id, self.now,
                                         self.now > rnd.due_at,
                                         [q.id for q in state.questions])
        if done is None:
            return Notice("form.already_submitted")
        late = done.submission.late
        await changes.note_submission(session, self.served, rnd, done.submission,
                                      after_return=done.submission.review_state
                                      == ReviewState.REVISED)
        await self._audit(session, "submit", round=rnd.code, version=done.submission.version,
                          late=late)
        return Receipt(round_title=self._heading(rnd), submitted_at=done.submission.submitted_at,
                       version=done.submission.version, late=late)

    async def cancel(self) -> Screen:
        async with self.services.transaction() as session:
            if await self._load_cursor(session) is None:
                return Notice("form.nothing_to_cancel")
            await self._drop_cursor(session)
        return Notice("form.cancelled")

    # -- moving through the form -------------------------------------------------------------

    async def _advance(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord,
                       cursor: m.FormCursor,
                       notes: list[tuple[str, dict[str, Any]]] | None = None) -> Screen:
        """After an answer: back to the review when editing, else the next unanswered;
        `notes` about the answer just given go on top."""
        state = await self._state(session, draft, rnd)
        question = None if cursor.mode == CursorMode.EDIT else state.next_unanswered()
        if question is None:
            screen = await self._show_review(session, draft, rnd, state)
        else:
            screen = await self._ask(session, draft, rnd, state, question)
        return replace(screen, notes=notes) if notes else screen

    async def _ask(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord, state: FormState,
                   question: Question, error: AnswerError | None = None,
                   note: str | None = None, note_values: dict[str, Any] | None = None,
                   editing: bool = False) -> QuestionScreen:
        cursor = await self._load_cursor(session)
        keep_editing = editing or (cursor is not None and cursor.mode == CursorMode.EDIT
                                   and cursor.question_id == question.id)
        await self._move(session, draft, question.id, CursorMode.EDIT if keep_editing
                         else CursorMode.ASK)
        number, total = state.position(question)
        return QuestionScreen(
            draft_id=draft.id, round_title=self._heading(rnd), question=question, number=number,
            total=total, current=state.value(question), answered=state.is_answered(question),
            previous_round_value=await self._previous_round_value(session, rnd, question),
            error=error, note=note, note_values=note_values or {}, editing=keep_editing,
            can_go_back=state.index(question) > 0, example_day=self.campaign.period.start,
            suggested=await drafts.suggestion(session, draft.id, question.id)
            if question.is_figure and not state.is_answered(question) else None,
        )

    async def _show_review(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord,
                           state: FormState, note: str | None = None,
                           note_values: dict[str, Any] | None = None) -> ReviewScreen:
        await self._move(session, draft, None, CursorMode.REVIEW)
        ids = [i for q in state.questions if q.type is QuestionType.ATTACHMENT
               for i in (state.value(q) or [])]
        named = await attachments.described(session, ids)
        items = [ReviewItem(question=q, value=state.value(q),
                            skipped=not state.is_answered(q) or state.value(q) is None,
                            files=[named[i] for i in (state.value(q) or []) if i in named]
                            if q.type is QuestionType.ATTACHMENT else [])
                 for q in state.questions]
        return ReviewScreen(draft_id=draft.id, round_title=self._heading(rnd), due_at=rnd.due_at,
                            items=items, missing=state.missing_required(),
                            late=await self._would_be_late(session, rnd),
                            amending_version=draft.based_on_version, note=note,
                            note_values=note_values or {})

    async def _cursor_on(self, session: AsyncSession, draft: m.Draft,
                         question: Question) -> m.FormCursor:
        cursor = await self._load_cursor(session)
        if cursor is None or cursor.draft_id != draft.id:
            cursor = await self._move(session, draft, question.id, CursorMode.ASK)
        return cursor

    # -- lookups ------------------------------------------------------------------------------

    async def _where(
        self, session: AsyncSession
    ) -> tuple[m.Draft, RoundRecord, m.FormCursor, FormState] | None:
        found = await drafts.cursor_with_draft(session, self.contact.id)
        if found is None:
            self._cursor, self._cursor_loaded = None, True
            return None
        cursor, draft = found.cursor, found.draft
        self._cursor, self._cursor_loaded = cursor, True
        self._answers[draft.id] = dict(found.answers)
        rnd = await self._round_by_id(session, draft.round_id)
        if draft.unit_id != self.contact.unit_id or rnd is None:
            await self._drop_cursor(session)
            return None
        return draft, rnd, cursor, await self._state(session, draft, rnd)

    @staticmethod
    def _on_screen(cursor: m.FormCursor, state: FormState) -> Question | None:
        """The question on the contact's screen (None: the review)."""
        return state.question(cursor.question_id) if cursor.question_id else None

    async def _own_draft(self, session: AsyncSession,
                         draft_id: int) -> tuple[m.Draft, RoundRecord] | Notice:
        """The draft a button points at, if it is this contact's unit's and still open."""
        draft = await session.get(m.Draft, draft_id)
        if draft is None:
            return Notice("form.stale_button")
        if draft.unit_id != self.contact.unit_id:
            await self._audit(session, "refused_foreign_draft", draft=draft_id)
            return Notice("form.stale_button")
        rnd = await self._round_by_id(session, draft.round_id)
        if rnd is None:
            return Notice("form.round_closed")
        return draft, rnd

    async def _state(self, session: AsyncSession, draft: m.Draft, rnd: RoundRecord) -> FormState:
        if draft.id not in self._answers:
            self._answers[draft.id] = await drafts.draft_answers(session, draft.id)
        return FormState(questions=self.campaign.questions_for(rnd.code),
                         answers=dict(self._answers[draft.id]))

    async def _save(self, session: AsyncSession, draft: m.Draft, question_id: str, value: Any,
                    skipped: bool = False) -> None:
        """Keep one answer (committed with the step), and remember it for this step."""
        await drafts.save_answer(session, draft.id, question_id, value, self.contact.id,
                                 self.now, skipped=skipped)
        if draft.id in self._answers:
            self._answers[draft.id][question_id] = StoredAnswer(value=value, skipped=skipped)

    async def _clear(self, session: AsyncSession, draft: m.Draft, question_id: str) -> None:
        await drafts.clear_answer(session, draft.id, question_id)
        self._answers.get(draft.id, {}).pop(question_id, None)

    async def _load_cursor(self, session: AsyncSession) -> m.FormCursor | None:
        if not self._cursor_loaded:
            self._cursor = await drafts.cursor_of(session, self.contact.id)
            self._cursor_loaded = True
        return self._cursor

    async def _move(self, session: AsyncSession, draft: m.Draft, question_id: str | None,
                    mode: CursorMode) -> m.FormCursor:
        cursor = await self._load_cursor(session)
        if cursor is not None and (cursor.draft_id, cursor.question_id, cursor.mode) == (
                draft.id, question_id, mode):
            return cursor
        await drafts.set_cursor(session, self.contact.id, draft.id, question_id, mode, self.now)
        self._cursor = m.FormCursor(contact_id=self.contact.id, draft_id=draft.id,
                                    question_id=question_id, mode=mode, updated_at=self.now)
        return self._cursor

    async def _drop_cursor(self, session: AsyncSession) -> None:
        await drafts.drop_cursor(session, self.contact.id)
        self._cursor, self._cursor_loaded = None, True

    async def _previous_round_value(self, session: AsyncSession, rnd: RoundRecord,
                                    question: Question) -> Any:
        """The unit's answer to this question in the latest earlier round (for 同上次)."""
        if question.type is QuestionType.ATTACHMENT:
            return None
        continued = set(self.campaign.earlier_rounds(rnd.code))
        earlier = [r for r in self.served.rounds if r.code in continued]
        for previous in reversed(earlier):
            latest = await drafts.latest_submission(session, self.contact.unit_id, previous.id)
            if latest is None:
                continue
            value = (await drafts.submission_answers(session, latest.id)).get(question.id)
            if value is not None and is_valid_stored(question, value):
                return value
        return None

    async def _rounds(self, session: AsyncSession) -> list[RoundRecord]:
        """The rounds of every campaign the unit takes part in, soonest deadline first."""
        taking_part = await self._campaigns(session)
        rounds = [r for served in self.services.each() if served.campaign_id in taking_part
                  for r in served.rounds]
        return sorted(rounds, key=lambda r: (r.due_at, r.campaign_id, r.position))

    async def _round(self, session: AsyncSession, code: str,
                     campaign_id: int | None = None) -> RoundRecord | None:
        """The round `code` of `campaign_id` (any campaign, if None), if the unit reports
        in it; this step is then about its campaign."""
        found = next((r for r in await self._rounds(session) if r.code == code
                      and campaign_id in (None, r.campaign_id)), None)
        return self._use(found)

    async def _round_by_id(self, session: AsyncSession, round_id: int) -> RoundRecord | None:
        found = next((r for r in await self._rounds(session) if r.id == round_id), None)
        return self._use(found)

    def _use(self, rnd: RoundRecord | None) -> RoundRecord | None:
        if rnd is not None:
            self.served = self.services.of(rnd.campaign_id)
        return rnd

    async def _campaigns(self, session: AsyncSession) -> set[int]:
        if self._taking_part is None:
            self._taking_part = await campaigns_of(session, self.contact.unit_id)
        return self._taking_part

    def _campaign_name(self, rnd: RoundRecord) -> str | None:
        """The campaign's name beside its rounds, when the bot serves several."""
        if not self.services.several:
            return None
        return self.services.of(rnd.campaign_id).campaign.name.get(self.lang)

    async def _would_be_late(self, session: AsyncSession, rnd: RoundRecord) -> bool:
        """Submitting now counts as late only if the unit's first version of the round was
        (or would be) late: an on-time unit stays on time through every revision."""
        if self.now <= rnd.due_at:
            return False
        latest = await drafts.latest_submission(session, self.contact.unit_id, rnd.id)
        return latest is None or latest.late

    def _accepting(self, rnd: RoundRecord) -> bool:
        now = self.now
        return rnd.opens_at <= now and (rnd.late_until is None or now <= rnd.late_until)

    def _heading(self, rnd: RoundRecord) -> str:
        """The round as a screen of the form names it: after its campaign's name when the
        bot serves several, so a question is never taken for another campaign's."""
        return self.served.round_title(rnd.code, self.lang)

    def _title(self, rnd: RoundRecord) -> str:
        try:
            return self.campaign.round(rnd.code).title.get(self.lang)
        except KeyError:
            return rnd.title

    async def _audit(self, session: AsyncSession, action: str, **detail: Any) -> None:
        session.add(m.AuditEntry(at=self.now, actor_id=self.contact.id, action=action,
                                 detail=detail))


def _returned(latest: m.Submission) -> bool:
    """The province sent this version back: the round is to do again, not to amend."""
    return latest.review_state == ReviewState.RETURNED
