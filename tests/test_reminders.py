"""Reminders and escalations over the whole default campaign, each sent exactly once."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt

import pytest
from sqlalchemy import select

from flows.services import Services
from reporting.clock import FakeClock
from reporting.reminder_plan import Calendar, chinese_workday, plan
from standin.server import StandinServer
from storage import models as m
from tests.campaign_run import SHANGHAI, drained, local, run_campaign, submit
from tests.people import joined


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"wake_interval": 3600, "send_rate": 500}


async def received(services: Services) -> dict[str, list[tuple[str, str, dt.datetime]]]:
    """Per unit (or "province"): (kind, round or upstream, local time) of each sent row."""
    out: dict[str, list[tuple[str, str, dt.datetime]]] = collections.defaultdict(list)
    async with services.readers() as session:
        items = {i.id: i for i in await session.scalars(select(m.PlanItem))}
        rows = await session.execute(
            select(m.Delivery, m.Unit)
            .join(m.Person, m.Person.id == m.Delivery.contact_id)
            .join(m.Unit, m.Unit.id == m.Person.unit_id)
            .where(m.Delivery.state == "sent").order_by(m.Delivery.id))
        for delivery, unit in rows:
            kind, plan_id, *_ = delivery.key.split(":")
            item = items[int(plan_id)]
            owner = "province" if unit.is_province else unit.code
            out[owner].append((kind, item.ref, delivery.sent_at.astimezone(SHANGHAI)))
    return out


async def test_a_whole_campaign_reminds_exactly_who_has_not_submitted(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    units = [u.code for u in services.campaign.units]
    people = {code: await joined(standin, services, code, f"{code}联系人") for code in units}
    coordinator = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)

    async def sub(unit: str, rnd: str):
        return lambda: submit(services, unit, rnd)

    events: dict[dt.datetime, list] = collections.defaultdict(list)
    # r1: most submit early; anshan after two reminders; dandong late; fushun never.
    for code in units:
        if code not in {"anshan", "dandong", "fushun"}:
            events[local(1, 25, 10)].append(await sub(code, "r1"))
            events[local(2, 3, 10)].append(await sub(code, "r2"))
            events[local(2, 9, 10)].append(await sub(code, "r3"))
    events[local(1, 28, 12)].append(await sub("anshan", "r1"))
    events[local(2, 4, 10)].append(await sub("anshan", "r2"))
    events[local(2, 10, 10)].append(await sub("anshan", "r3"))
    events[local(1, 30, 10)].append(await sub("dandong", "r1"))  # late
    events[local(2, 3, 10)].append(await sub("dandong", "r2"))
    events[local(2, 10, 10)].append(await sub("dandong", "r3"))
    await run_campaign(services, running_app, clock, events, until=local(2, 19, 23))

    got = await received(services)
    times = lambda unit, kind: [(ref, t.strftime("%m-%d %H:%M")) for k, ref, t in got[unit]  # noqa: E731
                                if k == kind]
    assert times("dalian", "reminder") == []
    # Every unit is told when a round opens: the next working morning after the last
    # deadline (1月29日 is a Friday: Monday), in office hours.
    assert times("dalian", "opening")[-2:] == [("r2", "02-01 09:00"), ("r3", "02-09 09:00")]
    opened = next(m_ for m_ in people["dalian"].messages
                  if m_.text.startswith("📢 “第二次阶段性活动情况”开始报送"))
    assert "2月8日（周一）18:00 截止" in opened.text
    assert "共 16 题" in opened.text and ".docx" in opened.text
    assert opened.buttons == [("📝 立即填报", "rd:r2:1")]
    # anshan and dandong submit r3 on 2月10日 10:00, after the 节前提醒 of 09:00.
    assert times("anshan", "reminder") == [("r1", "01-26 09:00"), ("r1", "01-28 09:00"),
                                           ("r3", "02-10 09:00")]
    assert times("dandong", "reminder") == [
        ("r1", "01-26 09:00"), ("r1", "01-28 09:00"), ("r1", "01-29 09:00"), ("r1", "01-29 16:00"),
        ("r3", "02-10 09:00")]
    assert times("dandong", "overdue") == [("r1", "01-29 18:00")]
    assert times("fushun", "reminder") == [
        ("r1", "01-26 09:00"), ("r1", "01-28 09:00"), ("r1", "01-29 09:00"), ("r1", "01-29 16:00"),
        ("r2", "02-05 09:00"), ("r2", "02-07 09:00"), ("r2", "02-08 09:00"), ("r2", "02-08 16:00"),
        ("r3", "02-10 09:00"), ("r3", "02-18 09:00"), ("r3", "02-18 16:00")]
    assert times("fushun", "overdue") == [("r1", "01-29 18:00"), ("r2", "02-08 18:00"),
                                          ("r3", "02-18 18:00")]
    for unit, rows in got.items():
        for _, _, at in rows:
            assert 8 <= at.hour < 22, (unit, at)
            assert not dt.date(2021, 2, 11) <= at.date() <= dt.date(2021, 2, 17), (unit, at)
    escalations = [m_.text for m_ in coordinator.messages
                   if m_.text.startswith("📋") and "截止，已报送" in m_.text]
    assert len(escalations) == 3
    assert "尚未报送：抚顺、丹东" in escalations[0]  # exactly: anshan had submitted
    assert "尚未报送：抚顺" in escalations[1] and "尚未报送：抚顺" in escalations[2]
    assert times("province", "upstream") == [
        ("m1", "01-29 09:00"), ("m2", "02-08 09:00"),
        ("m2", "02-09 09:00"), ("m3", "02-18 09:00"), ("m3", "02-19 09:00")]
    # What the ledger says was sent is what the people have, and no more.
    fushun_reminders = [m_ for m_ in people["fushun"].messages if "⏰" in m_.text]
    assert len(fushun_reminders) == 11
    holiday = next(m_ for m_ in fushun_reminders if "节前提醒" in m_.text)
    assert "2月11日（周四）至2月17日（周三）放假" in holiday.text
    assert fushun_reminders[0].buttons == [("📝 立即填报", "rd:r1:1")]
    assert "本单位尚未开始填写（共 18 题" in fushun_reminders[0].text
    assert not [m_ for m_ in people["dalian"].messages if "⏰" in m_.text]


async def test_a_unit_that_submits_after_a_reminder_is_queued_does_not_get_it(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    user = await joined(standin, services, "dalian")
    clock.set(local(1, 26, 9))
    standin.faults.slow(user.id, 0.5)
    from flows.reminders import fire_due

    sender = running_app.bot_data["sender"]
    services.outbox.wake_with(None)  # queued, and the sender not told yet
    sender.poll_interval = 3600  # nor looking on its own: it would race the submission
    await asyncio.sleep(0.6)  # its current look at the ledger (every 0.5 s) is over
    assert await fire_due(services) == 1
    await submit(services, "dalian", "r1")  # the unit submits in the meantime
    services.outbox.wake_with(sender.nudge)
    sender.nudge()
    await drained(services)
    async with services.readers() as session:
        states = list(await session.scalars(select(m.Delivery.state)))
    assert states == ["cancelled"]
    assert not [m_ for m_ in user.messages if "⏰" in m_.text]


async def test_remind_sends_once_to_units_that_have_not_submitted(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    anshan = await joined(standin, services, "anshan")
    dalian = await joined(standin, services, "dalian")
    await submit(services, "dalian", "r1")
    coordinator = await joined(standin, services, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("remind", "r1")
    assert "已向尚未报送“第一次阶段性活动情况”的单位发出提醒（1 人）" in (
        await coordinator.next_message()).text
    await coordinator.command("remind", "r1")
    assert "刚刚已经提醒过" in (await coordinator.next_message()).text
    await drained(services)
    assert len([m_ for m_ in anshan.messages if "⏰" in m_.text]) == 1
    assert not [m_ for m_ in dalian.messages if "⏰" in m_.text]
    anshan.mark_read()
    await anshan.command("remind", "r1")
    assert (await anshan.next_message()).text == "您没有使用此功能的权限。"


def test_a_reminder_on_a_day_off_moves_to_the_working_day_before_it(campaign_text: str) -> None:
    from reporting.campaign_file import parse_campaign

    campaign = parse_campaign(campaign_text)
    calendar = Calendar(campaign, chinese_workday)
    # 春节 2021 (2月11日–17日): the warning comes before the holiday, not on the deadline.
    assert calendar.place(local(2, 15, 9), local(2, 18, 18), local(2, 8, 18)) == local(2, 10, 9)
    assert calendar.place(local(2, 7, 9), local(2, 8, 18)) == local(2, 7, 9)      # 调休 workday
    assert calendar.place(local(1, 28, 23), local(1, 29, 18)) == local(1, 29, 8)  # quiet
    # A Saturday before a Saturday deadline: the Friday.
    assert calendar.place(local(1, 30, 9), local(1, 30, 12)) == local(1, 29, 9)
    # Not before the round opened: then after the days off.
    assert calendar.place(local(2, 15, 9), local(2, 18, 18), local(2, 12, 0)) == local(2, 18, 8)
    # 春节 2026 (2月15日–23日): the working day before is 2月14日, a 调休 Saturday.
    spring_2026 = dt.datetime(2026, 2, 20, 9, tzinfo=local(1, 1).tzinfo)
    assert calendar.place(spring_2026, spring_2026 + dt.timedelta(days=5),
                          spring_2026 - dt.timedelta(days=30)) == \
        dt.datetime(2026, 2, 14, 9, tzinfo=spring_2026.tzinfo)
    assert calendar.holidays(local(2, 8, 18), local(2, 18, 18)) == [
        (dt.date(2021, 2, 11), dt.date(2021, 2, 17))]
    assert calendar.holidays(local(1, 20), local(1, 29, 18)) == []  # weekends are no holiday
    for item in plan(campaign):
        if item.kind == "reminder":
            assert chinese_workday(item.at.date()) and 8 <= item.at.hour < 22


def test_the_final_summary_gets_its_warning_before_the_spring_festival(
    campaign_text: str,
) -> None:
    """The 2月15日 and 2月17日 reminders fall in 春节: one 节前提醒 on 2月10日 instead,
    then the deadline day's reminders."""
    from reporting.campaign_file import parse_campaign

    items = [i for i in plan(parse_campaign(campaign_text))
             if i.kind == "reminder" and i.ref == "r3"]
    assert [(i.label, i.at) for i in items] == [
        ("holiday@20210211-20210217", local(2, 10, 9)),
        ("d0@0900", local(2, 18, 9)), ("h2", local(2, 18, 16))]


def test_the_provinces_reminders_come_in_office_hours(campaign_text: str) -> None:
    from reporting.campaign_file import parse_campaign

    campaign = parse_campaign(campaign_text)
    calendar = Calendar(campaign, chinese_workday)
    start, end = dt.time(9), dt.time(17, 30)
    # Saturday 1月30日 12:00 is the ministry's deadline: Friday 09:00, not Friday night.
    assert calendar.office(local(1, 30, 9), local(1, 30, 12), start, end) == local(1, 29, 9)
    assert calendar.office(local(1, 29, 21, 30), local(1, 30, 12), start, end) == local(1, 29, 9)
    assert calendar.office(local(2, 8, 7), local(2, 9, 12), start, end) == local(2, 8, 9)
    upstream = [i for i in plan(campaign) if i.kind == "upstream"]
    assert upstream and all(chinese_workday(i.at.date()) and i.at.time() == dt.time(9)
                            for i in upstream)
    assert [i.at for i in upstream if i.ref == "m1"] == [local(1, 29, 9)]


async def test_a_changed_deadline_re_plans_what_has_not_fired(
    services: Services, tmp_path, clock: FakeClock, campaign_text: str
) -> None:
    from tests.conftest import make_settings

    async with services.transaction() as session:
        first = await session.scalar(select(m.PlanItem).where(
            m.PlanItem.ref == "r1", m.PlanItem.label == "d3@0900"))
        assert first is not None
        first.state, first.fired_at = "done", clock.now()
    moved = tmp_path / "moved.yaml"
    moved.write_text(campaign_text.replace('due: "2021-01-29"', 'due: "2021-01-27"'),
                     encoding="utf-8")
    again = Services.create(make_settings(services.settings.database_url,
                                          campaign_file=moved), clock=clock)
    changes = await again.initialise()
    assert any(c.startswith("提醒计划：") and "调整" in c for c in changes)
    async with again.readers() as session:
        r1 = {i.label: (i.state, i.at.astimezone(SHANGHAI))
              for i in await session.scalars(select(m.PlanItem).where(
                  m.PlanItem.ref == "r1", m.PlanItem.kind == "reminder"))}
    assert r1["d3@0900"] == ("done", local(1, 26, 9))        # sent stays as sent
    assert r1["d1@0900"] == ("planned", local(1, 26, 9))
    assert r1["h2"] == ("planned", local(1, 27, 16))
    await again.close()


async def draft_with(services: Services, unit_code: str, answered: int | None) -> None:
    """A draft of round 1 answering the first `answered` questions (None: all)."""
    from storage import drafts
    from tests.campaign_run import sample_value

    now = services.clock.now()
    rnd = next(r for r in services.rounds if r.code == "r1")
    async with services.transaction() as session:
        unit = await session.scalar(select(m.Unit).where(m.Unit.code == unit_code))
        assert unit is not None
        draft = await drafts.open_draft(session, unit.id, rnd.id, now)
        for q in services.campaign.questions_for("r1")[:answered]:
            value = sample_value(q)
            await drafts.save_answer(session, draft.id, q.id, value, None, now,
                                     skipped=value is None)


async def test_a_reminder_says_what_a_draft_lacks_or_that_it_is_complete(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    """A complete draft is told to submit (with a button for it), not that it lacks 0
    answers; a draft lacking more than the list shows says 等."""
    from flows.reminders import fire_due

    services: Services = running_app.bot_data["services"]
    complete = await joined(standin, services, "dalian")
    started = await joined(standin, services, "anshan")
    await draft_with(services, "dalian", None)
    await draft_with(services, "anshan", 2)
    clock.set(local(1, 26, 9))
    await fire_due(services)
    await drained(services)
    done = next(m_ for m_ in complete.messages if m_.text.startswith("⏰"))
    assert "草稿已填写完整，尚未提交" in done.text and "缺 0 项" not in done.text
    assert done.buttons == [("✅ 核对并提交", "rd:r1:1")]
    lacking = next(m_ for m_ in started.messages if m_.text.startswith("⏰"))
    assert "本单位草稿还缺 13 项必答内容：" in lacking.text and lacking.text.endswith("等")
    assert lacking.buttons == [("📝 立即填报", "rd:r1:1")]


async def test_a_fan_out_stopped_half_way_resumes_and_queues_each_reminder_once(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reminder to many is queued a few units at a time, each chunk its own transaction.
    Stopped after its first chunk (a crash, a stop), the item stays `firing`; a later
    wake-up takes it again and queues the rest, and nobody gets the reminder twice."""
    import asyncio

    from flows import reminders
    from storage.plan import RESUME_AFTER
    from tests.ledger import add_people

    monkeypatch.setattr(reminders, "UNITS_PER_CHUNK", 2)
    people = await add_people(services, 45)  # three in each of the 15 units
    async with services.readers() as session:
        item = await session.scalar(select(m.PlanItem).where(
            m.PlanItem.ref == "r1", m.PlanItem.label == "d3@0900"))
    assert item is not None
    clock.set(item.at)
    firing = asyncio.create_task(reminders.fire_due(services, ["reminder"]))
    services.outbox.wake_with(firing.cancel)  # stopped once the first chunk is committed
    with pytest.raises(asyncio.CancelledError):
        await firing
    services.outbox.wake_with(None)

    async def queued() -> collections.Counter[int]:
        async with services.readers() as session:
            return collections.Counter(await session.scalars(
                select(m.Delivery.contact_id).where(m.Delivery.key.startswith(
                    f"reminder:{item.id}:"))))

    async def state() -> str:
        async with services.readers() as session:
            return (await session.get_one(m.PlanItem, item.id, populate_existing=True)).state

    assert 0 < sum((await queued()).values()) < len(people)
    assert await state() == "firing"
    assert await reminders.fire_due(services, ["reminder"]) == 0  # not yet: it may be running
    clock.set(item.at + RESUME_AFTER + dt.timedelta(seconds=1))
    await reminders.fire_due(services, ["reminder"])
    assert await queued() == {p.id: 1 for p in people}
    assert await state() == "done"
