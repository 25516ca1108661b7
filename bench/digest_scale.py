"""How the digest grows with the number of units: compile, then render chat text, Word and
Excel, for 15, 300 and 3,000 units with every question answered (target: no worse than
linear; 3,000 units to .docx under 15 s).

Run:  .venv/bin/python bench/digest_scale.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from reporting.campaign import QuestionType
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE, parse_campaign
from reporting.check_sheet import check_sheet_docx
from reporting.digest import SubmissionEntry, UnitEntry, compile_digest
from reporting.digest_text import digest_text
from reporting.digest_xlsx import digest_xlsx
from reporting.report_docx import report_docx

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TEXT = "线上线下联动，直播带货与年货大集结合，重点保障米面油肉蛋菜奶等生活必需品供应。" * 4


def answers(campaign, unit: int) -> dict:  # type: ignore[no-untyped-def]
    out = {}
    for q in campaign.questions_for("r2"):
        if q.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            out[q.id] = TEXT[: q.text_limit]
        elif q.type is QuestionType.INTEGER:
            out[q.id] = 100 + unit
        elif q.type is QuestionType.DECIMAL:
            out[q.id] = f"{1000 + unit}.5"
        elif q.type is QuestionType.CHOICE:
            out[q.id] = q.options[unit % len(q.options)].id
        elif q.type is QuestionType.MULTI_CHOICE:
            out[q.id] = [o.id for o in q.options[: 1 + unit % 3]]
        elif q.type is QuestionType.YES_NO:
            out[q.id] = unit % 2 == 0
        elif q.type is QuestionType.DATE:
            out[q.id] = "2021-01-20"
    return out


def one_size(n: int) -> dict[str, float]:
    data = yaml.safe_load(DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8"))
    data["units"] = [{"code": f"u{i}", "name": f"第{i}单位商务局", "short": f"单位{i}"}
                     for i in range(n)]
    campaign = parse_campaign(yaml.safe_dump(data, allow_unicode=True))
    units = [UnitEntry(code=u.code, name=u.name, short=u.short_name) for u in campaign.units]
    at = dt.datetime(2021, 2, 8, 12, tzinfo=SHANGHAI)
    current = [SubmissionEntry(unit=u.code, version=1, submitted_at=at, late=False,
                               review_state="pending", answers=answers(campaign, i))
               for i, u in enumerate(units)]
    previous = [SubmissionEntry(unit=u.code, version=1, submitted_at=at, late=False,
                                review_state="pending", answers=answers(campaign, i - 1))
                for i, u in enumerate(units)]
    times: dict[str, float] = {}
    began = time.perf_counter()
    digest = compile_digest(campaign, "r2", at + dt.timedelta(days=1), units, current, previous)
    times["compile"] = time.perf_counter() - began
    for name, render in (("text", digest_text), ("docx", report_docx),
                         ("check", check_sheet_docx), ("xlsx", digest_xlsx)):
        began = time.perf_counter()
        render(digest)
        times[name] = time.perf_counter() - began
    return times


def main() -> None:
    sizes = [15, 300, 3000]
    results = {n: one_size(n) for n in sizes}
    steps = ["compile", "text", "docx", "check", "xlsx"]
    print(f"{'units':>6} " + " ".join(f"{s:>10}" for s in steps))
    for n in sizes:
        print(f"{n:>6} " + " ".join(f"{results[n][s]:9.3f}s" for s in steps))
    for small, large in itertools.pairwise(sizes):
        ratios = " ".join(f"{results[large][s] / results[small][s]:9.1f}x" for s in steps)
        print(f"{small}→{large} ({large // small}x units): {ratios}")
    for step, label in (("docx", "the report (.docx)"), ("check", "the check sheet (.docx)"),
                        ("xlsx", "the workbook (.xlsx)")):
        print(f"3,000 units to {label}: {results[3000][step]:.1f} s (target under 15 s)")


if __name__ == "__main__":
    main()
