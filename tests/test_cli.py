"""The command line as an operator uses it: each command, and one clear line for each
mistake, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from standin.server import StandinServer
from tests.processes import run_cli


@pytest.fixture
def db_env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url}


@pytest.mark.parametrize("command", ["init", "status", "invite", "import-contacts", "run", "demo",
                                     "campaigns"])
async def test_every_command_has_help(tmp_path: Path, command: str) -> None:
    code, out, _ = await run_cli(tmp_path, command, "--help")
    assert code == 0
    assert out.startswith("usage: python -m bot " + command)


async def test_init_then_status_shows_the_campaign_in_chinese(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    code, out, err = await run_cli(tmp_path, "init", LANG="zh_CN.UTF-8", **db_env)
    assert code == 0, err
    assert "15 个报送单位、3 个报送节点" in out
    assert "本次变更：新增活动 liaoning-2021；新增单位 shenyang；" in out  # all in Chinese
    assert "提醒计划：新增 " in out and "added" not in out
    code, out, err = await run_cli(tmp_path, "status", **db_env)
    assert code == 0, err
    assert "报送单位（15 个）：沈阳、大连、鞍山" in out
    assert "第一次阶段性活动情况：1月29日（周五）18:00 截止，已报送 0/15" in out
    assert "最后工作总结：2月18日（周四）18:00 截止，已报送 0/15" in out
    assert "报商务部电子商务司（全面总结）：2月19日（周五）12:00" in out
    code, again, _ = await run_cli(tmp_path, "init", LANG="zh_CN.UTF-8", **db_env)
    assert "与上次相比没有变化" in again


async def test_init_speaks_english_with_lang_en(tmp_path: Path, db_env: dict[str, str]) -> None:
    code, out, err = await run_cli(tmp_path, "init", LANG="en_US.UTF-8", **db_env)
    assert code == 0, err
    assert "campaign liaoning-2021 added; unit shenyang added;" in out
    assert "reminder plan: " in out and "新增" not in out


async def test_status_of_one_round(tmp_path: Path, db_env: dict[str, str]) -> None:
    await run_cli(tmp_path, "init", **db_env)
    code, out, _ = await run_cli(tmp_path, "status", "r2", **db_env)
    assert code == 0
    assert "第二次阶段性活动情况" in out and "第一次阶段性活动情况" not in out
    code, _, err = await run_cli(tmp_path, "status", "r7", **db_env)
    assert code == 1 and "r1, r2, r3" in err


async def test_status_before_init_says_to_run_init(tmp_path: Path, db_env: dict[str, str]) -> None:
    code, _, err = await run_cli(tmp_path, "status", **db_env)
    assert code == 1
    assert err.strip() == "错误：数据库尚未初始化，请先运行 python -m bot init。"


async def test_invite_prints_a_deep_link_and_the_code(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    await run_cli(tmp_path, "init", **db_env)
    code, out, err = await run_cli(
        tmp_path, "invite", "dalian", BOT_USERNAME="ln_report_bot", **db_env
    )
    assert code == 0, err
    link = re.search(r"https://t\.me/ln_report_bot\?start=([A-Za-z0-9_-]+)", out)
    assert link is not None and len(link.group(1)) >= 32
    assert f"邀请码：{link.group(1)}" in out
    assert "大连市商务局的联络员邀请（14 天内有效" in out


async def test_an_unknown_unit_lists_the_valid_codes(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    await run_cli(tmp_path, "init", **db_env)
    code, out, err = await run_cli(tmp_path, "invite", "beijing", **db_env)
    assert code == 1 and out == ""
    assert err.startswith("错误：没有代码为“beijing”的单位。可用的代码：shenyang, dalian")
    assert "Traceback" not in err


async def test_run_without_a_token_names_the_variable(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    code, _, err = await run_cli(tmp_path, "run", **db_env)
    assert code == 1
    assert "TELEGRAM_BOT_TOKEN" in err and len(err.strip().splitlines()) == 1


async def test_run_with_a_refused_token_says_so_without_showing_it(
    tmp_path: Path, db_env: dict[str, str], standin: StandinServer
) -> None:
    await run_cli(tmp_path, "init", **db_env)
    wrong = "4242:THIS-TOKEN-IS-WRONG"
    code, out, err = await run_cli(
        tmp_path, "run", TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=standin.root, **db_env
    )
    assert code == 1
    assert "Telegram 拒绝了 TELEGRAM_BOT_TOKEN" in err
    assert wrong not in out + err and "Traceback" not in err


async def test_an_unreachable_database_is_named_with_its_password_hidden(tmp_path: Path) -> None:
    url = "postgresql://reporter:s3cret-pw@127.0.0.1:9/reports"
    code, _, err = await run_cli(tmp_path, "status", DATABASE_URL=url)
    assert code == 1
    assert err.startswith(
        "错误：无法连接数据库 postgresql+asyncpg://reporter:***@127.0.0.1:9/reports"
    )
    assert "s3cret-pw" not in err


async def test_a_broken_campaign_file_lists_its_problems(
    tmp_path: Path, db_env: dict[str, str], campaign_text: str
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        campaign_text.replace('due: "2021-02-08"', 'due: "2021-02-30"'), encoding="utf-8"
    )
    code, _, err = await run_cli(tmp_path, "init", CAMPAIGN_FILE=str(broken), **db_env)
    assert code == 1
    assert '  rounds[1].due: "2021-02-30" is not a valid date' in err.splitlines()


async def test_import_contacts_from_csv_then_join_by_phone_is_possible(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    await run_cli(tmp_path, "init", **db_env)
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "姓名,手机,单位,角色\n王丽,138 0000 1111,大连,联系人\n"
        "杜四龙,+86 139-0000-2222,province,协调人\n",
        encoding="utf-8",
    )
    code, out, err = await run_cli(tmp_path, "import-contacts", str(roster), **db_env)
    assert code == 0, err
    assert "新增 2 人，更新 0 人" in out
    code, out, _ = await run_cli(tmp_path, "import-contacts", str(roster), **db_env)
    assert "新增 0 人，更新 2 人" in out


async def test_import_contacts_from_excel(tmp_path: Path, db_env: dict[str, str]) -> None:
    from openpyxl import Workbook

    await run_cli(tmp_path, "init", **db_env)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "phone", "unit", "role"])
    sheet.append(["Li Na", "13800001111", "dalian", "contact"])
    book.save(tmp_path / "roster.xlsx")
    code, out, err = await run_cli(
        tmp_path, "import-contacts", str(tmp_path / "roster.xlsx"), **db_env
    )
    assert code == 0, err
    assert "新增 1 人" in out


async def test_a_roster_with_mistakes_imports_nobody(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    await run_cli(tmp_path, "init", **db_env)
    roster = tmp_path / "bad.csv"
    roster.write_text("姓名,手机,单位\n王丽,138 0000 1111,北京\n,12,大连\n", encoding="utf-8")
    code, _, err = await run_cli(tmp_path, "import-contacts", str(roster), **db_env)
    assert code == 1
    assert 'line 2: unknown unit "北京"' in err
    assert "line 3: the name is empty" in err and 'line 3: "12" is not a phone number' in err


async def test_operator_mistakes_give_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, _, err = await run_cli(tmp_path, "init", DATABASE_URL=db)
    assert code == 0, err
    picture = tmp_path / "roster.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    cases = [
        (("status",), {"DATABASE_URL": "not a url"}, "DATABASE_URL 无法识别或不受支持"),
        (("status",), {"DATABASE_URL": "mysql://u@h/d"}, "DATABASE_URL 无法识别或不受支持"),
        (("invite", "dalian", "--days", "0"), {}, "1 到 365"),
        (("invite", "dalian", "--days", "-3"), {}, "1 到 365"),
        (("invite", "dalian", "--days", "9" * 30), {}, "1 到 365"),
        (("digest", "r1", "--out", "/proc/no-such/x.txt"), {}, "无法写入"),
        (("contacts", "deactivate", "9" * 30), {}, "人员编号"),
        (("import-contacts", str(picture)), {}, "不是名单文件"),
    ]
    for args, env, expected in cases:
        code, _, err = await run_cli(tmp_path, *args, **{"DATABASE_URL": db, **env})
        assert code != 0, args
        assert expected in err, (args, err)
        assert "Traceback" not in err and "无法连接数据库" not in err, (args, err)


async def test_a_database_of_a_newer_schema_is_left_alone(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "newer.db"
    code, _, err = await run_cli(tmp_path, "init", DATABASE_URL=f"sqlite:///{db}")
    assert code == 0, err
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00d0000beef'")
    for command in ("init", "status"):
        code, _, err = await run_cli(tmp_path, command, DATABASE_URL=f"sqlite:///{db}")
        assert code == 1
        assert err.strip().count("\n") == 0 and "更新版本" in err and "python -m bot init" not in err


async def test_campaigns_lists_both_and_archives_only_a_finished_one(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    """The 2021 festival (finished by the wall clock) and the 2026 monthly report (still
    running) in one database: listed with their state; only the finished one archives, and
    an `init` after that plans nothing more for it."""
    monthly = str(Path(__file__).resolve().parent.parent / "reporting" / "campaigns" /
                  "ec-monthly-2026.yaml")
    at = {"CLOCK_START": "2026-06-10T10:00+08:00"}
    assert (await run_cli(tmp_path, "init", **db_env))[0] == 0
    assert (await run_cli(tmp_path, "init", CAMPAIGN_FILE=monthly, **db_env))[0] == 0
    code, out, _ = await run_cli(tmp_path, "campaigns", **at, **db_env)
    assert code == 0
    assert "liaoning-2021  2021 辽宁网上年货节  [已结束]  3 个报送节点" in out
    assert "ec-monthly-2026  2026年电子商务统计月报  [进行中]  12 个报送节点" in out
    code, _, err = await run_cli(tmp_path, "campaigns", "archive", "ec-monthly-2026",
                                 **at, **db_env)
    assert code == 1 and "进行中" in err and "结束后才能归档" in err and "Traceback" not in err
    code, _, err = await run_cli(tmp_path, "campaigns", "archive", "nosuch", **at, **db_env)
    assert code == 1 and "liaoning-2021" in err
    code, out, _ = await run_cli(tmp_path, "campaigns", "archive", "liaoning-2021", **at,
                                 **db_env)
    assert code == 0 and "已归档活动“2021 辽宁网上年货节”" in out and "数据保留" in out
    code, out, _ = await run_cli(tmp_path, "campaigns", **at, **db_env)
    assert "[已归档]" in out and "已收报告 0 份" in out
    code, out, _ = await run_cli(tmp_path, "campaigns", "archive", "liaoning-2021", **at,
                                 **db_env)
    assert code == 0 and "已于 6月10日（周三）10:00 归档" in out  # when, in its own zone
    code, out, _ = await run_cli(tmp_path, "init", **db_env)
    assert code == 0 and "不再安排提醒" in out and "提醒计划" not in out
    # Its data stays readable: the digest on request.
    code, out, _ = await run_cli(tmp_path, "digest", "r1", **db_env)
    assert code == 0 and "第一次阶段性活动情况" in out and "已报送 0/15" in out
    # The shipped folder: both files; the archived festival stays archived, and a round
    # code two campaigns could share is asked about by campaign.
    code, out, _ = await run_cli(tmp_path, "init", CAMPAIGN_FILE="", **db_env)
    assert code == 0 and "活动 liaoning-2021 已归档" in out, out
    code, out, _ = await run_cli(tmp_path, "status", CAMPAIGN_FILE="", **at, **db_env)
    assert code == 0 and "2026年电子商务统计月报" in out and "网上年货节" not in out
    code, _, err = await run_cli(tmp_path, "digest", "r9", "--campaign", "nosuch",
                                 CAMPAIGN_FILE="", **db_env)
    assert code == 1 and "没有代码为“nosuch”的活动" in err and "ec-monthly-2026" in err
