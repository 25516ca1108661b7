"""Hostile Word files against the quick submission's reader: how long each takes to be
refused, the longest the event loop is held meanwhile (a ticker on the loop), and the
process's peak memory. Run by hand: `.venv/bin/python bench/hostile_files.py`.
Goals: every file refused; no loop stall over 50 ms; peak RSS well under 200 MB."""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.form_files import read_word_file
from tests.hostile import (
    broken_xml_word_file,
    deeply_nested_word_file,
    word_bomb,
)


async def refuse(name: str, content: bytes) -> float:
    longest, stop = 0.0, False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    result = await read_word_file(content)
    took = time.perf_counter() - started
    stop = True
    await task
    verdict = "refused" if not isinstance(result, list) else "READ (unexpected)"
    print(f"{name:<34} {len(content) / 1024:>6.0f} KB packed  {verdict:<8} "
          f"in {took * 1000:6.1f} ms  longest loop stall {longest * 1000:5.1f} ms")
    return longest


async def main() -> None:
    cases = [("bomb, 50,000,000 paragraphs (300 MB)", word_bomb(50_000_000)),
             ("bomb, 1,000,000 paragraphs (6 MB)", word_bomb(1_000_000)),
             ("nesting 100,000 deep", deeply_nested_word_file()),
             ("broken XML", broken_xml_word_file())]
    stalls = [await refuse(name, content) for name, content in cases]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"longest stall {max(stalls) * 1000:.1f} ms (goal < 50 ms); "
          f"peak RSS {peak:.0f} MB (goal < 200 MB)")


if __name__ == "__main__":
    asyncio.run(main())
