"""PDF pages to small PNGs for docs/preview/: the first pages of each file, in few colours."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

PAGES = {"报告": 4, "内部核查单": 2, "数据明细": 2}  # how many pages of each to keep
NAMES = {"报告": "report", "内部核查单": "check-sheet", "数据明细": "workbook"}


def main(pdf_dir: Path, out: Path) -> None:
    for pdf in sorted(pdf_dir.glob("*.pdf")):
        kind = next(k for k in PAGES if f"_{k}_" in pdf.name)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", str(PAGES[kind]),
                            str(pdf), f"{tmp}/page"], check=True)
            for i, page in enumerate(sorted(Path(tmp).glob("page-*.png")), 1):
                picture = Image.open(page).convert("RGB").quantize(colors=32)
                picture.save(out / f"{NAMES[kind]}-{i}.png", optimize=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
