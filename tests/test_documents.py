"""The 委托证明 PDF a unit downloads, fills in by hand where needed, stamps and uploads."""
import io
import re
from datetime import date

from pypdf import PdfReader

from zcps.documents import chinese_date, entrustment_pdf
from zcps.uploads import check_pdf

USCC = "91330106MA2AB1C2D4"
ID_NUMBER = "330106199003071231"
ISSUED_ON = date(2026, 9, 29)


def certificate(**overrides) -> bytes:
    fields = dict(
        unit_name="杭州市西湖区示例科技有限公司", uscc=USCC, legal_representative="张建国",
        address="浙江省杭州市西湖区文三路100号", officer_name="李晓梅",
        officer_id_number=ID_NUMBER, officer_mobile="13812345678", issued_on=ISSUED_ON,
    )
    fields.update(overrides)
    return entrustment_pdf(**fields)


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 1
    # Table cells and paragraphs wrap, so compare without line breaks and spaces.
    return re.sub(r"\s+", "", reader.pages[0].extract_text())


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
                     "2026年9月29日", "单位（盖章）", "法定代表人（签字）",
                     "浙江省专业技术职务任职资格申报与评审管理服务平台",
                     "业绩档案审核", "申报资料审核", "信息公示", "资格审查推荐",
                     "对审核材料的真实性承担责任"):
        assert expected in text, expected


def test_long_unit_name_and_address_stay_on_one_page():
    name = "浙江省杭州市西湖区" + "某" * 45 + "有限责任公司"
    assert len(name) == 60
    address = "浙江省杭州市西湖区文三路100号示例大厦东区八楼" * 4
    text = page_text(certificate(unit_name=name, address=address))
    assert name in text
    assert USCC in text and "李晓梅" in text and ID_NUMBER in text


def test_markup_characters_in_the_data_are_printed_as_written():
    text = page_text(certificate(unit_name="A&B<示例>科技有限公司"))
    assert "A&B<示例>科技有限公司" in text


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(date(2026, 9, 29)) == "2026年9月29日"
    assert chinese_date(date(2027, 1, 5)) == "2027年1月5日"


def test_certificate_passes_the_upload_check():
    assert check_pdf(certificate(), 10 * 1024 * 1024) == 1
