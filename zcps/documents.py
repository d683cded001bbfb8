"""The entrustment certificate (委托证明) a unit prints, stamps, signs and uploads.

Every PDF zcps makes uses one font, embedded as a subset: ``zcps/fonts/wqy-microhei-gbk.ttf``
(WenQuanYi Micro Hei cut to the GBK characters, Apache-2.0; why this one is in
``zcps/fonts/README.md``). Text the font has no glyph for — a character beyond the basic plane
such as 𬌗, or a rare one outside GBK — is refused on input (``printable`` in ``zcps/forms.py``)
and, should older data hold one, by the document itself (``UnprintableText``), never printed as
a blank.
"""
import hashlib
import hmac
import io
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
    paragraph,
)

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).parent / "fonts" / "wqy-microhei-gbk.ttf"
PLATFORM_NAME = "浙江省专业技术职务任职资格申报与评审管理服务平台"

MARGIN_X = 25 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm
SEAL_BOX = 45 * mm  # a round official seal is 42 mm across at most
QR_SIZE = 24 * mm

# reportlab's CJK line breaking knows the Japanese punctuation that may not start a line but
# not the full-width Chinese comma, semicolon, colon etc.; without them a line can begin "，".
CHINESE_CANNOT_START = "，；：！？”’》"

# Verification codes are twelve digits: read off a scan without confusing 0 and O, typed on
# any keyboard.
CODE_ALPHABET = "0123456789"


class UnprintableText(ValueError):
    """Data holds a character the embedded font cannot print."""


def _prepare_reportlab() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        # A TrueType font: reportlab embeds the glyphs used (FontFile2), so every viewer prints
        # the same shapes and widths, whatever fonts the PC has.
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    # Both line breakers (single-style and mixed-style paragraphs) read their own copy.
    for module in (textsplit, paragraph):
        missing = "".join(c for c in CHINESE_CANNOT_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


def unprintable_characters(text: str | None) -> str:
    """The characters of ``text`` the documents' font has no glyph for, each once, in order."""
    _prepare_reportlab()
    glyphs = pdfmetrics.getFont(FONT).face.charToGlyph
    found = []
    for char in text or "":
        if char not in "\r\n\t" and ord(char) not in glyphs and char not in found:
            found.append(char)
    return "".join(found)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def entrustment_code(uscc: str, officer_name: str, officer_id_number: str,
                     officer_mobile: str) -> str:
    """The verification code printed on a 委托证明: it follows from the unit and the officer
    it names (keyed by SECRET_KEY), so the platform admin's page computes the same code from
    the submitted record, and a scan made for another unit or officer shows a different one."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = "\x1f".join(("entrustment", uscc or "", officer_name or "", officer_id_number or "",
                           officer_mobile or "")).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(12):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    code = "".join(chars)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def authorization_code(authorization) -> str:
    """The verification code the letter for this submitted authorization carries."""
    return entrustment_code(authorization.unit.uscc, authorization.officer_name,
                            authorization.officer_id_number, authorization.officer_mobile)


def same_code(entered: str, expected: str) -> bool:
    """Whether a code read off a scan (with or without hyphens and spaces, or the whole text
    of its QR code) is ``expected``."""
    entered = entered.rsplit(":", 1)[-1]  # the QR code's text ends with the code
    cleaned = "".join(c for c in entered if c.isascii() and c.isdigit())
    return hmac.compare_digest(cleaned, expected.replace("-", ""))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=12, leading=19.5, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=24, leading=30, alignment=TA_CENTER, spaceAfter=12
        ),
        "addressee": ParagraphStyle("addressee", parent=base, spaceAfter=4),
        "body": ParagraphStyle(
            "body", parent=base, alignment=TA_JUSTIFY, firstLineIndent=24, spaceAfter=4
        ),
        "item": ParagraphStyle("item", parent=base, leftIndent=24, alignment=TA_JUSTIFY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=10.5, leading=15, alignment=TA_CENTER
        ),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=16),
        "sign": ParagraphStyle("sign", parent=base, fontSize=12, leading=16),
        "seal": ParagraphStyle("seal", parent=base, fontSize=10.5, leading=14,
                               textColor=colors.HexColor("#999999"), alignment=TA_CENTER),
        "date": ParagraphStyle("date", parent=base, fontSize=12, leading=16),
        "code": ParagraphStyle("code", parent=base, fontSize=9.5, leading=13),
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
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # empty cells too: reportlab's default is Helvetica
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


class SealBox(Flowable):
    """The dashed square where the unit's official seal goes, never shrunk below its size."""

    def __init__(self, size: float, caption: Paragraph):
        super().__init__()
        self.width = self.height = size
        self.caption = caption

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#888888"))
        canvas.setDash(3, 2)
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canvas.restoreState()
        _, height = self.caption.wrap(self.width, self.height)
        self.caption.drawOn(canvas, 0, (self.height - height) / 2)


def _qr_code(value: str, size: float) -> QrCode:
    # The flowable draws with the page's font state (a Drawing would set Helvetica, which a
    # PDF would then reference without embedding).
    return QrCode(value, width=size, height=size, qrLevel="M", qrBorder=2)


def qr_payload(uscc: str, code: str) -> str:
    """What the letter's QR code holds: the unit's USCC and the verification code."""
    return f"ZCPS-WTZM:{uscc}:{code}"


def _closing_block(styles, unit_name, uscc, code, width) -> Table:
    """Signatures on the left, the seal box, unit name and blank date on the right, the
    verification code and its QR code under the signatures."""
    left_width = width - SEAL_BOX - 16 * mm
    signatures = [
        Paragraph("法定代表人（签字）：________________", styles["sign"]),
        Spacer(1, 9 * mm),
        Paragraph("受托经办人（签字）：________________", styles["sign"]),
        Spacer(1, 8 * mm),
        Table(
            [[_qr_code(qr_payload(uscc, code), QR_SIZE),
              Paragraph(f"验证码：{code}<br/>平台审核时核对此码与本单位及经办人信息是否一致。",
                        styles["code"])]],
            colWidths=[QR_SIZE + 4 * mm, left_width - QR_SIZE - 4 * mm],
            style=TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
            hAlign="LEFT",
        ),
    ]
    seal = [
        SealBox(SEAL_BOX, Paragraph("单位公章", styles["seal"])),
        Spacer(1, 3 * mm),
        Paragraph(f"委托单位（盖章）：<br/>{escape(unit_name or '')}", styles["sign"]),
        Spacer(1, 3 * mm),
        Paragraph("&nbsp;" * 14 + "年" + "&nbsp;" * 8 + "月" + "&nbsp;" * 8 + "日", styles["date"]),
    ]
    table = Table([[signatures, seal]], colWidths=[left_width, width - left_width])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LEFTPADDING", (1, 0), (1, 0), 6 * mm),
    ]))
    return table


def entrustment_pdf(unit_name: str, uscc: str, legal_representative: str, address: str,
                    officer_name: str, officer_id_number: str, officer_mobile: str,
                    verification_code: str) -> bytes:
    """The one-page A4 委托证明 as an official letter, pre-filled with the unit's and the
    officer's data and carrying ``verification_code`` (:func:`entrustment_code`) in text and as
    a QR code; the date is left for the unit to write. Raises ``UnprintableText`` when the
    data holds a character the font cannot print."""
    _prepare_reportlab()
    fields = (unit_name, uscc, legal_representative, address, officer_name, officer_id_number,
              officer_mobile)
    bad = unprintable_characters("".join(value or "" for value in fields))
    if bad:
        raise UnprintableText(bad)
    code = verification_code
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4,
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title="委托证明", subject=f"{PLATFORM_NAME}经办人委托证明", author=unit_name, creator="zcps",
        initialFontName=FONT,
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

    text = [
        Paragraph("委托证明", styles["title"]),
        Paragraph(f"{PLATFORM_NAME}：", styles["addressee"]),
        Paragraph(intro, styles["body"]),
        *[Paragraph(item, styles["item"]) for item in items],
        Spacer(1, 4),
        Paragraph(responsibility, styles["body"]),
        Paragraph(validity, styles["body"]),
        Paragraph("特此证明。", styles["body"]),
        Spacer(1, 6),
        _data_table(styles, unit_name, uscc, legal_representative, address,
                    officer_name, officer_id_number, officer_mobile, doc.width),
    ]
    closing = _closing_block(styles, unit_name, uscc, code, doc.width)
    note = Paragraph(
        "注：本证明须加盖单位公章并由法定代表人、受托经办人签字，填写日期，"
        "扫描为PDF文件后上传至平台。",
        styles["note"],
    )
    # The closing block (seal box, signatures, code) keeps its size; whatever the length of
    # the unit's data, the text above shrinks so that the letter stays on one page.
    _, closing_height = closing.wrap(doc.width, doc.height)
    _, note_height = note.wrap(doc.width, doc.height)
    # 12 mm of spacers below, the frame's 6 pt padding above and below, and 2 mm to spare.
    room = doc.height - closing_height - note_height - 14 * mm - 12
    doc.build([
        KeepInFrame(doc.width, room, text, mode="shrink"),
        Spacer(1, 8 * mm),
        closing,
        Spacer(1, 4 * mm),
        note,
    ])
    return buffer.getvalue()
