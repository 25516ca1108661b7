"""Hostile files for the tests: Word bombs, broken XML, deep nesting, characters XML cannot
hold. Each is built here, small on disk, the way an attacker would build it."""

from __future__ import annotations

import io
import zipfile

from docx import Document

WORD_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BAD_CHARACTERS = "\x00\x01\x08\x0b\x1f\ufffe\uffff"
_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
         b"<w:body>")
_FOOT = b"</w:body></w:document>"


def word_file(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _with_document(body_writer) -> bytes:  # type: ignore[no-untyped-def]
    """A real .docx whose word/document.xml is replaced by what `body_writer` writes."""
    source = zipfile.ZipFile(io.BytesIO(word_file("x")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename == "word/document.xml":
                with target.open(item.filename, "w", force_zip64=True) as stream:
                    body_writer(stream)
            else:
                target.writestr(item, source.read(item.filename))
    return out.getvalue()


def word_bomb(paragraphs: int) -> bytes:
    """`paragraphs` empty paragraphs: 1,000,000 of them pack to about 30 KB and unpack to
    7 MB; 50,000,000 pack to under 1 MB and unpack to hundreds of MB."""
    block = b"<w:p/>" * 100_000

    def write(stream) -> None:  # type: ignore[no-untyped-def]
        stream.write(_HEAD)
        for _ in range(paragraphs // 100_000):
            stream.write(block)
        stream.write(_FOOT)

    return _with_document(write)


def broken_xml_word_file() -> bytes:
    return _with_document(lambda s: s.write(_HEAD + b"<w:p><w:r><w:t>unclosed" + _FOOT))


def deeply_nested_word_file(depth: int = 100_000, tag: bytes = b"<w:r>") -> bytes:
    """Nesting far deeper than lxml parses (256 levels without its huge-tree option)."""
    return _with_document(lambda s: s.write(_HEAD + tag * depth + _FOOT))


def not_a_zip() -> bytes:
    return b"PK\x03\x04 this is not really a zip file" * 10


def padded_word_file(text: str, size: int) -> bytes:
    """A readable report carrying `size` bytes of incompressible media besides its text."""
    import os

    out = io.BytesIO(word_file("一、活动特点", text))
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("word/media/padding.bin", os.urandom(size))
    return out.getvalue()


def raw_word_file(*paragraphs: str) -> bytes:
    """A report written as raw XML, the way a hand-made or hostile file is: characters XML
    cannot hold appear as character references (`&#x1f;`), which python-docx would refuse
    to write and lxml refuses to read."""
    from xml.sax.saxutils import escape

    def reference(text: str) -> str:
        return "".join(c if c.isprintable() or c in "\t\n" else f"&#x{ord(c):x};"
                       for c in escape(text))

    body = "".join(f"<w:p><w:r><w:t>{reference(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return _with_document(lambda s: s.write(_HEAD + body.encode("utf-8") + _FOOT))
