"""Printing an export through LibreOffice and reading the PDF back, for the document tests."""
import math
import os
import shutil
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader


def needs_soffice():
    """LibreOffice (Debian's libreoffice-calc, installed by .ci/run) and poppler's pdfinfo; a
    missing one skips the test with the reason, except on CI (``CI`` set), where it fails."""
    missing = [tool for tool in ("soffice", "pdfinfo") if shutil.which(tool) is None]
    if missing:
        reason = (f"{' and '.join(missing)} not installed: apt-get install libreoffice-calc "
                  "poppler-utils to print the 公示表 through LibreOffice")
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this test may not be skipped)", pytrace=False)
        pytest.skip(reason)


def to_pdf(xlsx: bytes, folder) -> bytes:
    source = folder / "table.xlsx"
    source.write_bytes(xlsx)
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (folder / "table.pdf").read_bytes()


def printed_text(pdf: bytes) -> tuple[list[str], list[float]]:
    """Each page's text (without white space), and the printed size of every piece of text:
    its font size times the text and page scales."""
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]))

    pages = ["".join(page.extract_text(visitor_text=visit).split())
             for page in PdfReader(BytesIO(pdf)).pages]
    return pages, sizes


def printed_people(pdf: bytes, people: int, per_page: tuple[int, int]) -> list[str]:
    """Checks a printed list of ``people`` rows (申报人001…): A4 landscape, one page wide,
    ``per_page`` people a page at least and at most, each row whole and printed once, the headers
    on every page, nothing below 9 pt (the body is 10 pt). Returns each page's text."""
    reader = PdfReader(BytesIO(pdf))
    pages = len(reader.pages)
    assert all(round(float(page.mediabox.width)) == 842 for page in reader.pages)
    assert people / per_page[1] <= pages <= people / per_page[0], pages
    texts, sizes = printed_text(pdf)
    text = "".join(texts)
    for n in range(1, people + 1):
        assert text.count(f"申报人{n:03d}") == 1, n
    assert all("序号姓名性别出生年月" in page for page in texts)  # headers on every page
    assert min(sizes) >= 9.5, min(sizes)
    return texts
