"""The entrustment certificate (委托证明) a unit prints, stamps, signs and uploads."""
import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
    paragraph,
)

FONT = "STSong-Light"
PLATFORM_NAME = "浙江省专业技术职务任职资格申报与评审管理服务平台"

MARGIN_X = 25 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm

# reportlab's CJK line breaking knows the Japanese punctuation that may not start a line but
# not the full-width Chinese comma, semicolon, colon etc.; without them a line can begin "，".
CHINESE_CANNOT_START = "，；：！？”’》"


def _prepare_reportlab() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    # Both line breakers (single-style and mixed-style paragraphs) read their own copy.
    for module in (textsplit, paragraph):
        missing = "".join(c for c in CHINESE_CANNOT_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=12, leading=19.5, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=24, leading=30, alignment=TA_CENTER, spaceAfter=12
        ),
        "body": ParagraphStyle(
            "body", parent=base, alignment=TA_JUSTIFY, firstLineIndent=24, spaceAfter=4
        ),
        "item": ParagraphStyle("item", parent=base, leftIndent=24, alignment=TA_JUSTIFY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=10.5, leading=15, alignment=TA_CENTER
        ),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=16),
        "box": ParagraphStyle("box", parent=base, fontSize=11, leading=15),
        "date": ParagraphStyle("date", parent=base, alignment=TA_RIGHT),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#444444")
        ),
    }


def _data_table(styles, unit_name, uscc, legal_representative, address,
                officer_name, officer_id_number, officer_mobile, width) -> Table:
    def label(text):
        return Paragraph(text, styles["label"])

    def value(text):
        return Paragraph(escape(text or ""), styles["cell"])

    rows = [
        [Paragraph("委托单位", styles["heading"]), "", "", ""],
        [label("单位名称"), value(unit_name), "", ""],
        [label("统一社会信用代码"), value(uscc), label("法定代表人"), value(legal_representative)],
        [label("单位地址"), value(address), "", ""],
        [Paragraph("受托经办人", styles["heading"]), "", "", ""],
        [label("姓名"), value(officer_name), label("手机号码"), value(officer_mobile)],
        [label("身份证号"), value(officer_id_number), "", ""],
    ]
    label_width = 34 * mm
    value_width = (width - 2 * label_width) / 2
    # The second label column is narrower: its labels are shorter than 统一社会信用代码.
    table = Table(
        rows, colWidths=[label_width, value_width + 8 * mm, label_width - 8 * mm, value_width]
    )
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("SPAN", (0, 0), (-1, 0)),
        ("SPAN", (1, 1), (-1, 1)),
        ("SPAN", (1, 3), (-1, 3)),
        ("SPAN", (0, 4), (-1, 4)),
        ("SPAN", (1, 6), (-1, 6)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("BACKGROUND", (0, 4), (-1, 4), colors.HexColor("#eeeeee")),
    ]))
    return table


def _signature_boxes(styles) -> Table:
    box_width = 62 * mm
    table = Table(
        [[Paragraph("单位（盖章）", styles["box"]), "", Paragraph("法定代表人（签字）", styles["box"])]],
        colWidths=[box_width, 8 * mm, box_width],
        rowHeights=[36 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (0, 0), 0.8, colors.black),
        ("BOX", (2, 0), (2, 0), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return table


def entrustment_pdf(unit_name: str, uscc: str, legal_representative: str, address: str,
                    officer_name: str, officer_id_number: str, officer_mobile: str,
                    issued_on: date) -> bytes:
    """The one-page A4 委托证明, pre-filled with the unit's and the officer's data."""
    _prepare_reportlab()
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4,
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title="委托证明", subject=f"{PLATFORM_NAME}经办人委托证明", author=unit_name, creator="zcps",
    )
    intro = (
        f"兹有<u>{escape(unit_name or '')}</u>（统一社会信用代码：{escape(uscc or '')}，"
        f"法定代表人：{escape(legal_representative or '')}，单位地址：{escape(address or '')}）"
        f"委托<u>{escape(officer_name or '')}</u>同志（身份证号：{escape(officer_id_number or '')}，"
        f"手机号码：{escape(officer_mobile or '')}）为本单位职称工作经办人，"
        f"代表本单位在{PLATFORM_NAME}办理本单位专业技术职务任职资格申报评审相关工作。委托事项如下："
    )
    items = [
        "一、业绩档案审核：审核本单位申报人员提交的个人业绩档案；",
        "二、申报资料审核：审核本单位申报人员的职称申报材料，签署审核意见；",
        "三、信息公示：组织本单位申报人员的信息公示，登记并处理公示期间的异议；",
        "四、资格审查推荐：公示期满后，向受理点办理资格审查推荐。",
    ]
    responsibility = (
        "本单位对经办人在委托范围内的审核行为负责，对审核材料的真实性承担责任，"
        "并承担经办人在委托范围内行为所产生的法律后果。"
    )
    validity = "委托期限：自本证明经平台审核通过之日起，至本单位书面撤销委托之日止。"

    content = [
        Paragraph("委托证明", styles["title"]),
        Paragraph(intro, styles["body"]),
        *[Paragraph(text, styles["item"]) for text in items],
        Spacer(1, 4),
        Paragraph(responsibility, styles["body"]),
        Paragraph(validity, styles["body"]),
        Paragraph("特此证明。", styles["body"]),
        Spacer(1, 6),
        _data_table(styles, unit_name, uscc, legal_representative, address,
                    officer_name, officer_id_number, officer_mobile, doc.width),
        Spacer(1, 10),
        _signature_boxes(styles),
        Spacer(1, 8),
        Paragraph(chinese_date(issued_on), styles["date"]),
        Spacer(1, 8),
        Paragraph(
            "注：本证明须加盖单位公章并由法定代表人签字，扫描为PDF文件后上传至平台。",
            styles["note"],
        ),
    ]
    # Whatever the length of the unit's data, the certificate stays on one page.
    doc.build([KeepInFrame(doc.width, doc.height, content, mode="shrink")])
    return buffer.getvalue()
