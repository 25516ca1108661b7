"""Every file units sent for a round reaches the province: `/files ROUND` in chat and
`python -m bot files ROUND --out DIR` give one zip with a folder per unit."""

from __future__ import annotations

import io
import zipfile

from docx import Document

from flows.services import Services
from reporting.file_bundle import pack
from standin.server import StandinServer
from storage import models as m
from tests.people import answer_current, answer_until_review, joined, question_id
from tests.processes import run_cli

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def test_files_gives_each_units_files_under_its_name(
    running_bot: Services, standin: StandinServer, tmp_path, database_url: str
) -> None:
    panjin = await joined(standin, running_bot, "panjin")
    await panjin.command("report")
    screen = await panjin.next_message()
    while question_id(screen) != "case_files":
        screen = await answer_current(panjin, screen)
    photo = b"\xff\xd8\xff" + b"photo-bytes" * 100
    await panjin.send_photo(photo)
    await panjin.next_message()
    await panjin.send_document(b"%PDF-1.4 case study", "典型案例.pdf", "application/pdf")
    done = await panjin.next_message()
    await panjin.press("✔️ 完成（不再发送）", done)
    review = await answer_until_review(panjin, await panjin.next_message())
    await panjin.press("✅ 提交", review)
    await panjin.next_message()

    tieling = await joined(standin, running_bot, "tieling")  # a Word report, not yet sent
    await tieling.command("report")
    screen = await tieling.next_message()
    while question_id(screen) != "features":
        screen = await answer_current(tieling, screen)
    document = Document()
    document.add_heading("一、活动特点", level=2)
    document.add_paragraph("直播带货进乡村。")
    word = io.BytesIO()
    document.save(word)
    await tieling.send_document(word.getvalue(), "铁岭总结.docx", DOCX)
    await tieling.next_message()

    coordinator = await joined(standin, running_bot, "province", "杜四龙", m.Role.COORDINATOR)
    await coordinator.command("files", "r1")
    sent = await coordinator.next_message()
    assert sent.document is not None and (sent.document.name or "").endswith("_附件.zip")
    assert "共 3 个文件，按单位分文件夹" in sent.text
    archive = zipfile.ZipFile(io.BytesIO(sent.document.content))
    names = sorted(archive.namelist())
    assert names[1:] == ["盘锦市商务局/典型案例.pdf", "铁岭市商务局/铁岭总结.docx"]
    assert names[0].startswith("盘锦市商务局/photo") and archive.read(names[0]) == photo
    assert archive.read("铁岭市商务局/铁岭总结.docx") == word.getvalue()

    await coordinator.command("files", "r3")
    assert "暂无单位上传附件" in (await coordinator.next_message()).text

    code, out, err = await run_cli(tmp_path, "files", "r1", "--out", str(tmp_path / "zips"),
                                   DATABASE_URL=database_url)
    assert code == 0, err
    written = list((tmp_path / "zips").iterdir())
    assert len(written) == 1 and "（3 个文件）" in out
    assert sorted(zipfile.ZipFile(written[0]).namelist()) == sorted(archive.namelist())


def test_a_bundle_past_the_limit_is_split_and_names_stay_safe() -> None:
    files = [("大连市商务局", "../../etc/passwd", b"x" * 600),
             ("大连市商务局", "a.jpg", b"y" * 600), ("大连市商务局", "a.jpg", b"z" * 600)]
    packed = pack("附件", files, limit=1000)
    assert [p.name for p in packed] == ["附件_1.zip", "附件_2.zip", "附件_3.zip"]
    names = [n for p in packed for n in zipfile.ZipFile(io.BytesIO(p.content)).namelist()]
    assert names == ["大连市商务局/passwd", "大连市商务局/a.jpg", "大连市商务局/a（2）.jpg"]
