"""Units nobody can be reached in are named wherever the province acts on the missing:
/remind, /progress and a broadcast's preview; /remind and the preview give an invite link
for each, and the link joins that unit."""

from __future__ import annotations

import re

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.people import answer_current, joined

LINK = re.compile(r"(\S+)：https://t\.me/\S+\?start=([A-Za-z0-9_-]{32})")


async def test_units_with_nobody_joined_are_named_with_invite_links(
    running_bot: Services, standin: StandinServer
) -> None:
    services = running_bot
    dalian = await joined(standin, services, "dalian")  # the only unit with anybody in it
    admin = await joined(standin, services, "province", "尹涛", m.Role.ADMIN)
    others = [u.short_name for u in services.campaign.units if u.code != "dalian"]

    await admin.command("remind", "r1")
    reply = (await admin.next_message()).text
    assert "已向尚未报送“第一次阶段性活动情况”的单位发出提醒（1 人）" in reply
    assert "以下单位无人可接收提醒" in reply and "、".join(others) in reply
    links = dict(LINK.findall(reply))
    assert list(links) == others

    await standin.wait_until(lambda: any("⏰" in m_.text for m_ in dalian.messages))
    dalian.mark_read()
    await dalian.command("report")  # 大连 is two questions into its draft
    screen = await answer_current(dalian, await dalian.next_message())
    await answer_current(dalian, screen)
    await admin.command("progress", "r1")
    progress = (await admin.next_message()).text
    assert "<b>尚未报送</b>（15）" not in progress  # 大连 counts among them, by name:
    total = len(services.campaign.questions_for("r1"))
    assert f"• 大连：填写中 2/{total}　联络员：李娜" in progress
    for name in others:
        assert f"• {name}：无人加入\n" in progress
    assert progress.endswith("发送 /remind 可获取无人加入单位的邀请链接，转发给该单位即可加入。")

    await admin.command("broadcast")
    await admin.next_message()
    await admin.send("请各单位于1月29日前报送。")
    audience = await admin.next_message()
    await admin.press("尚未报送某节点的单位", audience)
    await standin.wait_until(lambda: audience.buttons[0][1].startswith("bc:miss"))
    await admin.press(audience.buttons[0][0], audience)  # the first round
    shown = await admin.read_all(settle=0.5)
    preview = shown[-1].text
    assert "以下单位无人能收到本通知" in preview
    assert list(dict(LINK.findall(preview))) == others

    # A link given by /remind joins its unit.
    anshan = standin.user("鞍山联系人")
    await anshan.command("start", links["鞍山"])
    assert "鞍山市商务局" in (await anshan.next_message()).text
