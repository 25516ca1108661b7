"""The anchors the benchmarks measure the bot against, each a bare PTB program run in a
process of its own against the same kind of stand-in: an echo bot (the form's path, idle
memory, start-up) and a `send_message` loop (the sender's ceiling)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

TEXT = "请各单位于1月29日18:00前报送阶段性活动情况。"


def start_child(target: Callable[[dict[str, Any]], None],
                config: dict[str, Any]) -> multiprocessing.Process:
    child = multiprocessing.get_context("spawn").Process(target=target, args=(config,),
                                                         daemon=True)
    child.start()
    return child


def _application(config: dict[str, Any]) -> Application[Any, Any, Any, Any, Any, Any]:
    return (Application.builder().token(config["token"]).base_url(f"{config['root']}/bot")
            .base_file_url(f"{config['root']}/file/bot").build())


def run_echo_bot(config: dict[str, Any]) -> None:
    """A bare PTB bot that polls and echoes every text."""
    logging.basicConfig(level=logging.CRITICAL)  # quiet when it is terminated

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    application = _application(config)
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(timeout=1, poll_interval=0, close_loop=False)


def run_send_loop(config: dict[str, Any]) -> None:
    """A bare PTB `send_message` loop: `chats` chats from `first`, `concurrency` requests
    at a time, no database and no rate limiter: what PTB itself can send here. Its CPU
    time while sending goes to `cpu` (a shared value)."""
    logging.basicConfig(level=logging.CRITICAL)

    async def main() -> None:
        application = _application(config)
        chats = iter(range(config["first"], config["first"] + config["chats"]))

        async def worker() -> None:
            for chat in chats:
                await application.bot.send_message(chat, TEXT, parse_mode="HTML")

        async with application:
            began = time.process_time()
            await asyncio.gather(*(worker() for _ in range(config["concurrency"])))
            config["cpu"].value = time.process_time() - began

    asyncio.run(main())
