"""The reminder plan: what goes out when, computed from the campaign file.

For every round: the reminders before its deadline (to units that have not submitted),
the overdue notice (to those units) and the escalation (to the province) at the deadline,
and the digest after it. For every upstream deadline: reminders to the province.

A reminder to units that falls on a day off (China's public holidays and weekends, with
the make-up working days, 调休, from the `chinesecalendar` package) moves to the last
working day *before* it, at its time, so a warning is never swallowed by a holiday; one in
quiet hours moves to the morning (or to the last allowed time before the deadline if the
morning is too late). Before a holiday of three days or more that lands between a round's
opening and its deadline, units get one 节前提醒 on the last working day before it. The
province's own reminders go out in office hours on working days (the campaign's
`office_hours`, 09:00–17:30 by default). Two reminders of one round that land within two
hours of each other are one reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from reporting.campaign import Campaign, Reminder
from reporting.workdays import all_days, chinese_workday

MIN_GAP = dt.timedelta(hours=2)  # closer than this to an earlier reminder: one is enough


class Kind(StrEnum):
    OPENING = "opening"          # to every unit when a round opens: its deadline, its size
    REMINDER = "reminder"        # to units that have not submitted, before the deadline
    OVERDUE = "overdue"          # to those units, at the deadline
    ESCALATION = "escalation"    # to the province, naming the missing units
    DIGEST = "digest"            # the round's digest to the province
    UPSTREAM = "upstream"        # to the province, before its own deadline
    CHANGES = "changes"          # to the province: reports that came late or came back


@dataclass(frozen=True)
class PlannedItem:
    kind: Kind
    ref: str           # the code of the round it serves (or of the upstream deadline)
    label: str         # stable within (kind, ref): which reminder of the plan this is
    at: dt.datetime    # when, aware (campaign zone), after quiet hours and days off
    due: dt.datetime   # the deadline it serves

    @property
    def key(self) -> tuple[str, str, str]:
        return self.kind.value, self.ref, self.label


class Calendar:
    """Which moments may carry a reminder."""

    def __init__(self, campaign: Campaign,
                 workday: Callable[[dt.date], bool] | None = None):
        self.zone = campaign.zone
        self.quiet_start = campaign.quiet_hours.start
        self.quiet_end = campaign.quiet_hours.end
        self.workday = workday or (chinese_workday if campaign.holidays == "china" else all_days)

    def quiet(self, moment: dt.datetime) -> bool:
        t = moment.timetz().replace(tzinfo=None)
        if self.quiet_start > self.quiet_end:  # 22:00–08:00 crosses midnight
            return t >= self.quiet_start or t < self.quiet_end
        return self.quiet_start <= t < self.quiet_end

    def allowed(self, moment: dt.datetime) -> bool:
        return self.workday(moment.date()) and not self.quiet(moment)

    def next_allowed(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if allowed, else the start of the next allowed stretch."""
        local = moment.astimezone(self.zone)
        for _ in range(60):
            if self.allowed(local):
                return local
            if self.workday(local.date()) and local.timetz().replace(tzinfo=None) < \
                    self.quiet_end:
                local = local.replace(hour=self.quiet_end.hour, minute=self.quiet_end.minute,
                                      second=0, microsecond=0)
            else:
                local = dt.datetime.combine(local.date() + dt.timedelta(days=1),
                                            self.quiet_end, tzinfo=self.zone)
        return moment

    def last_allowed_before(self, moment: dt.datetime, deadline: dt.datetime) -> dt.datetime:
        """The latest allowed moment before `deadline` (and not before `moment`'s day)."""
        local = deadline.astimezone(self.zone).replace(second=0, microsecond=0)
        for _ in range(2 * 24 * 14):
            local -= dt.timedelta(minutes=30)
            if self.allowed(local):
                return local
        return moment

    def last_workday_before(self, day: dt.date) -> dt.date:
        for _ in range(60):
            day -= dt.timedelta(days=1)
            if self.workday(day):
                return day
        return day

    def place(self, moment: dt.datetime, deadline: dt.datetime | None,
              opens: dt.datetime | None = None) -> dt.datetime:
        """Where a reminder to units wanted at `moment` goes: on a day off, the last
        working day before (unless the round had not opened yet: then the next allowed
        time); in quiet hours, the next morning; never at or after the deadline."""
        local = moment.astimezone(self.zone)
        if not self.workday(local.date()):
            earlier = self.next_allowed(dt.datetime.combine(
                self.last_workday_before(local.date()), local.timetz()))
            if opens is None or earlier >= opens:
                local = earlier
        moved = self.next_allowed(local)
        if deadline is not None and moved >= deadline:
            return self.last_allowed_before(moment, deadline)
        return moved

    def office(self, moment: dt.datetime, deadline: dt.datetime, start: dt.time,
               end: dt.time) -> dt.datetime:
        """A reminder to the province: in office hours on a working day, at or before the
        moment it was wanted (at the start of the day when moved), before the deadline."""
        local = moment.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        day = local.date()
        if clock < start and self.workday(day):
            local = dt.datetime.combine(day, start, tzinfo=self.zone)
        elif not self.workday(day) or clock >= end:
            if self.workday(day):
                day += dt.timedelta(days=1)  # after hours: the work day is over
            day = self.last_workday_before(day)
            local = dt.datetime.combine(day, start, tzinfo=self.zone)
        while local >= deadline:
            local = dt.datetime.combine(self.last_workday_before(local.date()), start,
                                        tzinfo=self.zone)
        return local

    def opening(self, opens: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
        """When a round's opening is announced: at once in office hours on a working day,
        else at the start of the next working day."""
        local = opens.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        if self.workday(local.date()) and start <= clock < end:
            return local
        day = local.date() if self.workday(local.date()) and clock < start else \
            local.date() + dt.timedelta(days=1)
        while not self.workday(day):
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, start, tzinfo=self.zone)

    def holidays(self, opens: dt.datetime, deadline: dt.datetime,
                 shortest: int = 3) -> list[tuple[dt.date, dt.date]]:
        """Stretches of `shortest` or more days off that begin after `opens` and before
        the deadline's day (a weekend is two days: not a holiday)."""
        found, day = [], opens.astimezone(self.zone).date() + dt.timedelta(days=1)
        last = deadline.astimezone(self.zone).date()
        while day < last:
            if self.workday(day):
                day += dt.timedelta(days=1)
                continue
            end = day
            while not self.workday(end + dt.timedelta(days=1)) and end - day < \
                    dt.timedelta(days=30):
                end += dt.timedelta(days=1)
            if (end - day).days + 1 >= shortest:
                found.append((day, end))
            day = end + dt.timedelta(days=1)
        return found


HOLIDAY = "holiday"


def holiday_label(first: dt.date, last: dt.date) -> str:
    """`holiday@20210211-20210217`: the 节前提醒 before that stretch of days off."""
    return f"{HOLIDAY}@{first:%Y%m%d}-{last:%Y%m%d}"


def holiday_of(label: str) -> tuple[dt.date, dt.date] | None:
    """The stretch a 节前提醒's label names; None for any other reminder."""
    if not label.startswith(f"{HOLIDAY}@"):
        return None
    first, last = label.split("@", 1)[1].split("-")
    return (dt.datetime.strptime(first, "%Y%m%d").date(),
            dt.datetime.strptime(last, "%Y%m%d").date())


def _label(reminder: Reminder) -> str:
    if reminder.hours_before is not None:
        return f"h{reminder.hours_before:g}"
    assert reminder.at is not None
    return f"d{reminder.days_before}@{reminder.at.strftime('%H%M')}"


def plan(campaign: Campaign, workday: Callable[[dt.date], bool] | None = None,
         ) -> list[PlannedItem]:
    calendar = Calendar(campaign, workday)
    items: list[PlannedItem] = []
    for rnd in campaign.rounds:
        deadline = campaign.deadline(rnd.code)
        opens = campaign.round_opens_at(rnd.code)
        opening = calendar.opening(opens, campaign.office_hours.start, campaign.office_hours.end)
        if opening < deadline:
            items.append(PlannedItem(Kind.OPENING, rnd.code, "open", opening, deadline))
        kept: list[dt.datetime] = [opening]
        reminders = campaign.reminders_for(rnd.code)
        first_at = next((r.at for r in reminders if r.at is not None), dt.time(9))
        for first, last in calendar.holidays(opens, deadline) \
                if campaign.holidays == "china" else []:
            at = calendar.next_allowed(dt.datetime.combine(
                calendar.last_workday_before(first), first_at, tzinfo=calendar.zone))
            if opens <= at < deadline:
                kept.append(at)
                items.append(PlannedItem(Kind.REMINDER, rnd.code, holiday_label(first, last),
                                         at, deadline))
        for reminder in sorted(reminders, key=lambda r: r.when(deadline)):
            wanted = reminder.when(deadline)
            if wanted >= deadline or wanted < opens:
                continue
            at = calendar.place(wanted, deadline, opens)
            if at < opens or any(abs(at - other) < MIN_GAP for other in kept):
                continue
            kept.append(at)
            items.append(PlannedItem(Kind.REMINDER, rnd.code, _label(reminder), at, deadline))
        items.append(PlannedItem(Kind.OVERDUE, rnd.code, "due", deadline, deadline))
        items.append(PlannedItem(Kind.ESCALATION, rnd.code, "due", deadline, deadline))
        digest_at = deadline + dt.timedelta(minutes=campaign.digest_after_minutes)
        items.append(PlannedItem(Kind.DIGEST, rnd.code, "after", digest_at, deadline))
    for up in campaign.upstream:
        deadline = campaign.upstream_deadline(up.code)
        kept = []
        for reminder in campaign.upstream_reminders:
            wanted = reminder.when(deadline)
            if wanted >= deadline:
                continue
            at = calendar.office(wanted, deadline, campaign.office_hours.start,
                                 campaign.office_hours.end)
            if any(abs(at - other) < MIN_GAP for other in kept):
                continue
            kept.append(at)
            items.append(PlannedItem(Kind.UPSTREAM, up.code, _label(reminder), at, deadline))
    return items
