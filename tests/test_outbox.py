"""The outbox: what is queued wakes the sender once the transaction commits, not before,
and not at all if it rolls back; a notice reads back from the ledger as it was written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from flows.services import Services
from storage import models as m
from storage.notices import Attached, Button, NewDelivery, Notice


def notice_for(key: str) -> NewDelivery:
    return NewDelivery(key=key, purpose="test", chat_id=7, notice=Notice(
        text="<b>请于1月29日前报送</b>", buttons=((Button("立即填报", "rd:r1"),),),
        attachment_id=None, unless_submitted=(3, 4)))


async def test_the_sender_is_woken_after_the_commit_only(services: Services) -> None:
    woken: list[str] = []
    services.outbox.wake_with(lambda: woken.append("woken"))
    async with services.transaction() as session:
        assert await services.outbox.enqueue(session, [notice_for("a")],
                                             services.clock.now()) == 1
        assert woken == []  # not yet: the sender would find nothing to claim
    assert woken == ["woken"]
    with pytest.raises(RuntimeError):
        async with services.transaction() as session:
            await services.outbox.enqueue(session, [notice_for("b")], services.clock.now())
            raise RuntimeError("the decision to send was undone")
    async with services.transaction() as session:  # a key already queued adds nothing
        assert await services.outbox.enqueue(session, [notice_for("a")],
                                             services.clock.now()) == 0
    assert woken == ["woken"]


async def test_a_notice_reads_back_as_it_was_written(services: Services) -> None:
    sent = Notice(text="附件", attachment_id=9, attached=Attached.PHOTO,
                  buttons=((Button("一", "rd:r1"), Button("二", "ra:r1")),),
                  unless_submitted=(1, 2))
    async with services.transaction() as session:
        await services.outbox.enqueue(session, [NewDelivery(key="k", purpose="test", chat_id=1,
                                                         notice=sent)], services.clock.now())
    async with services.readers() as session:
        row = await session.scalar(select(m.Delivery).where(m.Delivery.key == "k"))
    assert row is not None and Notice.from_payload(row.payload) == sent
