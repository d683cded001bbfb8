"""申报评审表: one application as the A4 form the unit signs and stamps and the acceptance point
files — basic information, the extracted records and achievements, the applicant's declaration
(with when it was confirmed), the unit's review, the publicity and its outcome, the
recommendation, each opinion with its date and a box for signature and seal.

Always in Chinese (a document, whatever the reader's language), in the embedded font of
``zcps.documents``. Built only from what the application holds: its profile snapshot, its
extracted items (as submitted) and its decisions.
"""
import io
from xml.sax.saxutils import escape

from flask import current_app
from flask_babel import force_locale
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from models import ArchiveCategory, ObjectionOutcome, ObjectionStatus, RouteDecision, Sex
from zcps.archive_fields import summary
from zcps.documents import FONT, UnprintableText, _prepare_reportlab, unprintable_characters
from zcps.exports import local_moment
from zcps.workflow import DECLARATION, route_of

MARGIN = 18 * mm
SEAL_BOX = 42 * mm
WRITING_LINES = 5  # ruled lines of an opinion still to be written by hand
NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
RECORD_CATEGORIES = (ArchiveCategory.EDUCATION, ArchiveCategory.WORK, ArchiveCategory.ASSESSMENT,
                     ArchiveCategory.CONTINUING_EDUCATION)
ACHIEVEMENT_CATEGORIES = (ArchiveCategory.PAPER, ArchiveCategory.AWARD, ArchiveCategory.PROJECT,
                          ArchiveCategory.PATENT, ArchiveCategory.CERTIFICATE,
                          ArchiveCategory.OTHER)
_SEX_LABELS = {member.value: member.zh for member in Sex}
_CATEGORY_LABELS = {
    ArchiveCategory.EDUCATION: "教育经历", ArchiveCategory.WORK: "工作经历",
    ArchiveCategory.ASSESSMENT: "考核情况", ArchiveCategory.CONTINUING_EDUCATION: "继续教育",
    ArchiveCategory.PAPER: "论文论著", ArchiveCategory.AWARD: "获奖",
    ArchiveCategory.PROJECT: "项目课题", ArchiveCategory.PATENT: "专利",
    ArchiveCategory.CERTIFICATE: "资格证书", ArchiveCategory.OTHER: "其他",
}


def _day(value) -> str:
    if value is None:
        return ""
    value = local_moment(value) if hasattr(value, "hour") else value
    return f"{value.year}年{value.month}月{value.day}日"


def _moment(value) -> str:
    if value is None:
        return ""
    value = local_moment(value)
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


def _month(iso: str | None) -> str:
    if not iso or len(iso) < 7:
        return ""
    return f"{iso[:4]}.{iso[5:7]}"


def _period(item) -> str:
    start = f"{item.start_date:%Y.%m}" if item.start_date else ""
    end = f"{item.end_date:%Y.%m}" if item.end_date else ""
    return f"{start}—{end}" if start and end else start or end


def publicity_outcome(application) -> str:
    """公示情况: the period and what came of it."""
    publicity = application.publicity
    if publicity is None:
        return "尚未公示"
    period = f"公示期：{_day(publicity.start_date)}至{_day(publicity.end_date)}"
    objections = list(application.objections)
    upheld = [o for o in objections if o.status is ObjectionStatus.UPHELD]
    if upheld:
        outcome = ("异议属实，不予推荐" if upheld[-1].outcome is ObjectionOutcome.NOT_RECOMMENDED
                   else "异议属实，退回修改")
    elif any(o.status is ObjectionStatus.OPEN for o in objections):
        outcome = "有异议待处理"
    elif publicity.closed_at is None:
        outcome = "公示中"
    elif objections:
        outcome = f"收到异议{len(objections)}件，经核查不属实"
    else:
        outcome = "公示期满，无异议"
    return f"{period}；{outcome}。"


class _Styles:
    def __init__(self):
        base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
        self.title = ParagraphStyle("title", parent=base, fontSize=18, leading=24,
                                    alignment=TA_CENTER, spaceAfter=4)
        self.subtitle = ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER,
                                       textColor=colors.HexColor("#444444"), spaceAfter=8)
        self.heading = ParagraphStyle("heading", parent=base, fontSize=11.5, leading=16,
                                      spaceBefore=8, spaceAfter=3)
        self.cell = base
        self.label = ParagraphStyle("label", parent=base, alignment=TA_CENTER)
        self.sign = ParagraphStyle("sign", parent=base, fontSize=10.5, leading=16)


def _grid(rows, widths, header=False, spans=()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 10),
             ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    style.extend(("SPAN", *span) for span in spans)
    table.setStyle(TableStyle(style))
    return table


def _opinion_block(styles, width, heading, text, day, signer) -> KeepTogether:
    """An opinion with its date, and a box for the signature and the seal; ``text`` None: ruled
    lines to write the opinion on by hand."""
    body_width = width - SEAL_BOX - 14 * mm
    if text is None:
        body = Table([[""]] * WRITING_LINES, colWidths=[body_width - 12],
                     rowHeights=[8 * mm] * WRITING_LINES)
        body.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                                  ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey)]))
    else:
        body = Paragraph(escape(text or "（无）"), styles.cell)
    sign = [Paragraph(f"{signer}（签字、盖章）", styles.sign), Spacer(1, SEAL_BOX - 16 * mm),
            Paragraph(day or "&nbsp;" * 10 + "年" + "&nbsp;" * 6 + "月" + "&nbsp;" * 6 + "日",
                      styles.sign)]
    table = Table([[body, sign]], colWidths=[body_width, SEAL_BOX + 14 * mm],
                  rowHeights=[SEAL_BOX + 6 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("BOX", (0, 0), (-1, -1), 0.5, colors.black),
        ("LINEBEFORE", (1, 0), (1, 0), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 5)]))
    return KeepTogether([Paragraph(heading, styles.heading), table])


def level_stops(application) -> list:
    """The reviewing levels of the application's latest recommendation (its route's stops but
    the acceptance point's, which is last), in order; none without a route."""
    if application.id is None:
        return []
    return route_of(application)[:-1]


def level_opinion(stop) -> str | None:
    """What a level's box says: its opinion once it decided (退回 with the reason), else None."""
    if stop.decided_at is None:
        return None
    if stop.decision is RouteDecision.RETURNED:
        return f"退回：{stop.opinion}"
    return stop.opinion or RouteDecision.PASSED.zh


def _text_of(application) -> str:
    """Everything the form prints that came from people, to check against the font."""
    profile = application.profile_snapshot or {}
    parts = [str(value) for value in profile.values()]
    parts += [application.applicant.id_number or "", application.specialty or "",
              application.opinion or "", application.recommendation_opinion or "",
              application.unit.name if application.unit else ""]
    for stop in level_stops(application):
        parts += [stop.organisation.name, stop.opinion or ""]
    for item in application.items:
        parts += [item.title or "", item.organisation or "",
                  " ".join(str(value) for value in (item.details or {}).values())]
    return "".join(parts)


def review_form_pdf(application) -> bytes:
    """The 申报评审表 of ``application`` as A4 PDF bytes (several pages as needed). Raises
    ``UnprintableText`` when its data holds a character the font cannot print."""
    _prepare_reportlab()
    bad = unprintable_characters(_text_of(application))
    if bad:
        raise UnprintableText(bad)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return _build(application)


def _build(application) -> bytes:
    styles = _Styles()
    profile = application.profile_snapshot or {}
    applicant = application.applicant
    name = profile.get("name") or applicant.name
    unit_name = application.unit.name if application.unit else profile.get("unit", "")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, initialFontName=FONT,
                            title=f"申报评审表_{name}", author=unit_name, creator="zcps")
    width = doc.width

    def p(text):
        return Paragraph(escape(str(text or "")), styles.cell)

    def label(text):
        return Paragraph(text, styles.label)

    story = [Paragraph("专业技术职务任职资格申报评审表", styles.title),
             Paragraph(escape(f"{application.plan.name}　申报编号：{application.id}"),
                       styles.subtitle)]

    current = profile.get("current_title") or application.current_title or ""
    current_date = _month(profile.get("current_title_date"))
    story += [Paragraph("一、基本信息", styles.heading), _grid([
        [label("姓名"), p(name), label("性别"), p(_SEX_LABELS.get(profile.get("sex"), "")),
         label("出生年月"), p(_month(profile.get("birth_date")))],
        [label("身份证号"), p(applicant.id_number), "", "", label("最高学历"),
         p(profile.get("highest_education"))],
        [label("工作单位"), p(unit_name), "", "", label("现专业技术职务"),
         p(f"{current}（{current_date}）" if current and current_date else current)],
    ], [22 * mm, 38 * mm, 16 * mm, 26 * mm, 30 * mm, width - 132 * mm],
        spans=[((1, 1), (3, 1)), ((1, 2), (3, 2))])]

    qualification = application.qualification.name if application.qualification else ""
    story += [Paragraph("二、申报信息", styles.heading), _grid([
        [label("申报系列"), p(application.series.name if application.series else ""),
         label("申报专业"), p(application.specialty)],
        [label("申报资格"), p(f"{qualification}（{application.level.zh}）"),
         label("评审方式"), p(application.review_method.zh)],
    ], [22 * mm, width / 2 - 22 * mm, 22 * mm, width / 2 - 22 * mm])]

    items = list(application.items)
    number = 3
    for heading, categories in (("经历与考核", RECORD_CATEGORIES),
                                ("主要业绩", ACHIEVEMENT_CATEGORIES)):
        chosen = [item for item in items if item.category in categories]
        rows = [[label("类别"), label("名称"), label("单位/机构"), label("时间"), label("说明")]]
        for item in chosen:
            rows.append([p(_CATEGORY_LABELS.get(item.category, "")), p(item.title),
                         p(item.organisation), p(_period(item)),
                         p(summary(item.category, item.details))])
        if len(rows) == 1:
            rows.append([p("（无）"), "", "", "", ""])
        story += [Paragraph(f"{'三四'[number - 3]}、{heading}", styles.heading),
                  _grid(rows, [20 * mm, 52 * mm, 38 * mm, 26 * mm, width - 136 * mm],
                        header=True)]
        number += 1

    declared = _moment(application.declared_at)
    story += [KeepTogether([
        Paragraph("五、申报人诚信承诺", styles.heading),
        _grid([[p(DECLARATION)],
               [Paragraph(escape(f"申报人确认时间：{declared or '（未在平台确认）'}"
                                 f"　　　申报人（签字）：________________"), styles.sign)]],
              [width])])]

    story.append(_opinion_block(
        styles, width, "六、单位审核意见",
        application.opinion if application.decided_at else "", _day(application.decided_at),
        "审核单位"))
    story.append(KeepTogether([Paragraph("七、公示情况", styles.heading),
                               _grid([[p(publicity_outcome(application))]], [width])]))
    story.append(_opinion_block(
        styles, width, "八、单位推荐意见", application.recommendation_opinion,
        _day(application.recommended_at), "推荐单位"))
    levels = level_stops(application)
    number = 9
    for stop in levels:
        organisation = stop.organisation
        story.append(_opinion_block(
            styles, width,
            escape(f"{NUMERALS[number - 1]}、{organisation.kind.zh}审核意见 — {organisation.name}"),
            level_opinion(stop), _day(stop.decided_at), organisation.kind.zh))
        number += 1
    returned_by_level = any(stop.decision is RouteDecision.RETURNED for stop in levels)
    if application.acceptance_decided_at is not None and not returned_by_level:
        story.append(KeepTogether([Paragraph(f"{NUMERALS[number - 1]}、受理点意见",
                                             styles.heading), _grid([[p(
            f"{application.acceptance_opinion or ''}（{_day(application.acceptance_decided_at)}，"
            f"{application.acceptance_point.name if application.acceptance_point else ''}）")]],
            [width])]))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm,
                                 f"{name} 申报评审表　第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

