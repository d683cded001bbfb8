"""The 委托证明 PDF a unit downloads, stamps, signs, dates and uploads — read as a user's
software reads it: every font embedded, the text extracted exactly, the seal box and the
verification code where the platform admin looks for them."""
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from zcps.documents import (
    SEAL_BOX,
    UnprintableText,
    chinese_date,
    entrustment_code,
    entrustment_pdf,
    qr_payload,
    same_code,
    unprintable_characters,
)
from zcps.uploads import check_pdf

USCC = "91330106MA2AB1C2D4"
ID_NUMBER = "330106199003071231"
CODE = "1234-5678-9012"


def certificate(**overrides) -> bytes:
    fields = dict(
        unit_name="杭州市西湖区示例科技有限公司", uscc=USCC, legal_representative="张建国",
        address="浙江省杭州市西湖区文三路100号", officer_name="李晓梅",
        officer_id_number=ID_NUMBER, officer_mobile="13812345678", verification_code=CODE,
    )
    fields.update(overrides)
    return entrustment_pdf(**fields)


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 1
    # Table cells and paragraphs wrap, so compare without line breaks and spaces.
    return re.sub(r"\s+", "", reader.pages[0].extract_text())


def fonts_of(pdf: bytes) -> list[dict]:
    """Every font the PDF's pages use, with its descriptor (like ``pdffonts``)."""
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object().get("/FontDescriptor")
            found.append({"name": font["/BaseFont"],
                          "descriptor": descriptor.get_object() if descriptor else {}})
    return found


def test_certificate_is_one_page_with_the_units_and_officers_data():
    pdf = certificate()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 1
    assert reader.metadata.title == "委托证明"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4
    text = page_text(pdf)
    for expected in ("委托证明", "杭州市西湖区示例科技有限公司", USCC, "张建国",
                     "浙江省杭州市西湖区文三路100号", "李晓梅", ID_NUMBER, "13812345678",
                     "浙江省专业技术职务任职资格申报与评审管理服务平台",
                     "业绩档案审核", "申报资料审核", "信息公示", "资格审查推荐",
                     "对审核材料的真实性承担责任"):
        assert expected in text, expected


def test_every_font_is_embedded_as_a_truetype_subset():
    fonts = fonts_of(certificate())
    assert fonts
    for font in fonts:
        assert "/FontFile2" in font["descriptor"], font["name"]  # embedded TrueType
        assert re.match(r"/[A-Z]{6}\+", font["name"]), font["name"]  # a subset


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_poppler_reads_the_codes_without_gaps():
    pdf = certificate()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    # Read line by line as printed: each code on one line, its characters without a gap.
    for expected in ("杭州市西湖区示例科技有限公司", USCC, ID_NUMBER, "13812345678", CODE):
        assert any(expected in line for line in text.splitlines()), expected


def test_the_letter_has_addressee_signature_lines_seal_box_and_blank_date():
    pdf = certificate()
    text = page_text(pdf)
    assert text.startswith("委托证明浙江省专业技术职务任职资格申报与评审管理服务平台：兹有")
    for expected in ("法定代表人（签字）", "受托经办人（签字）", "委托单位（盖章）", "单位公章",
                     "年月日", f"验证码：{CODE}"):
        assert expected in text, expected
    assert "2026年" not in text  # the date is the unit's to write
    # The seal box: a rectangle at least 42 mm square in the page's drawing operators.
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    squares = [(float(w), float(h)) for w, h in
               re.findall(r"[-\d.]+ [-\d.]+ ([-\d.]+) ([-\d.]+) re", content)
               if abs(float(w) - float(h)) < 0.5]
    assert max(w for w, _ in squares) >= 42 / 25.4 * 72
    assert SEAL_BOX >= 42 / 25.4 * 72


def test_the_seal_box_keeps_its_size_when_long_data_shrinks_the_text():
    name = "浙江省杭州市西湖区" + "某" * 45 + "有限责任公司"
    address = "浙江省杭州市西湖区文三路100号示例大厦东区八楼" * 4
    pdf = certificate(unit_name=name, address=address)
    text = page_text(pdf)
    assert name in text and USCC in text and ID_NUMBER in text
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    sizes = [float(w) for w, h in re.findall(r"[-\d.]+ [-\d.]+ ([-\d.]+) ([-\d.]+) re", content)
             if abs(float(w) - float(h)) < 0.5]
    assert max(sizes) >= 42 / 25.4 * 72


def test_markup_characters_in_the_data_are_printed_as_written():
    text = page_text(certificate(unit_name="A&B<示例>科技有限公司"))
    assert "A&B<示例>科技有限公司" in text


def test_a_character_the_font_lacks_is_refused_not_printed_blank():
    assert unprintable_characters("浙江省温州市𬌗路1号") == "𬌗"
    assert unprintable_characters("杭州堃喆珺科技 ABC-123，（）") == ""
    with pytest.raises(UnprintableText) as caught:
        certificate(address="浙江省温州市𬌗路1号")
    assert str(caught.value) == "𬌗"


def test_the_verification_code_follows_the_unit_and_officer(app):
    code = entrustment_code(USCC, "李晓梅", ID_NUMBER, "13812345678")
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code)
    assert code == entrustment_code(USCC, "李晓梅", ID_NUMBER, "13812345678")
    assert code != entrustment_code("91330100MA28E7F6G9", "李晓梅", ID_NUMBER, "13812345678")
    assert code != entrustment_code(USCC, "李晓", ID_NUMBER, "13812345678")
    assert same_code(code.replace("-", " "), code) and same_code(code.replace("-", ""), code)
    assert same_code(qr_payload(USCC, code), code)  # what a phone reads off the QR code
    assert not same_code(entrustment_code("91330100MA28E7F6G9", "李晓梅", ID_NUMBER,
                                          "13812345678"), code)
    assert not same_code("ABC", code)
    assert not same_code("9" + code, code)


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="zbar-tools or poppler-utils is not installed (CI installs both)")
def test_the_qr_code_reads_back_as_the_units_code(tmp_path):
    source = tmp_path / "letter.pdf"
    source.write_bytes(certificate())
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(source),
                    str(tmp_path / "letter")], check=True)
    read = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "letter.png")],
                          capture_output=True, check=True, text=True).stdout.strip()
    assert read == qr_payload(USCC, CODE) == f"ZCPS-WTZM:{USCC}:{CODE}"
    assert same_code(read, CODE)


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(date(2026, 9, 29)) == "2026年9月29日"
    assert chinese_date(date(2027, 1, 5)) == "2027年1月5日"


def test_certificate_passes_the_upload_check():
    assert check_pdf(certificate(), 10 * 1024 * 1024) == 1
