"""The publicity table (导出公示表): content, no injected formulas, no ID/mobile, print set-up."""
from datetime import date
from io import BytesIO
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from models import (
    ApplicationStatus,
    ArchiveCategory,
    Publicity,
    ReviewMethod,
    ReviewStatus,
    TitleLevel,
)
from tests import factories
from tests.helpers import StatementLog
from tests.printing import needs_soffice, printed_people, to_pdf
from zcps import publicity_table, workflow
from zcps.extensions import db
from zcps.publicity_table import (
    HEADERS,
    achievement_summary,
    download_name,
    publicity_applications,
    write_publicity_table,
)

START, END = date(2026, 9, 29), date(2026, 10, 12)
CONTACT = "本单位人事科（电话0571-87654321）"
INJECTED_NAME = '=HYPERLINK("http://evil.example","张三")'


def approved(person, *achievements, specialty="计算机应用"):
    """``person``'s application, approved by the unit, with these archive items extracted
    (category, title, organisation, start, details), made and approved by the steps."""
    items = [factories.archive_item(person, ReviewStatus.APPROVED, category, title,
                                    organisation=organisation, start_date=start, details=details)
             for category, title, organisation, start, details in achievements]
    return factories.application(person, ApplicationStatus.APPROVED, items=items,
                                 specialty=specialty)


PERIOD_DAYS = 5  # 9月30日 and 10月9日–12日: the National Day holiday and its make-up days


def publicize(unit, applications, contact=CONTACT):
    """The unit puts ``applications`` into a publicity from START (the clock's today) to END."""
    return workflow.start_publicity(factories.employer(unit), applications, START, END,
                                    objection_contact=contact, **factories.OBJECTION)


@pytest.fixture
def batch(app, clock):
    unit = factories.unit("杭州测试研究院")
    first = factories.applicant(
        unit, "王小明", id_number=factories.make_id_number(11, "19900307"),
        highest_education="大学本科", current_title="工程师",
        current_title_date=date(2018, 6, 30))
    second = factories.applicant(
        unit, INJECTED_NAME, id_number=factories.make_id_number(22, "19851120"),
        highest_education="硕士研究生", current_title="助理工程师")
    third = factories.applicant(unit, "李红", id_number=factories.make_id_number(33, "19921201"))
    one = approved(
        first, (ArchiveCategory.EDUCATION, "浙江大学", "", date(2008, 9, 1), {}),
        (ArchiveCategory.PAPER, "基于深度学习的桥梁检测方法", "土木工程学报", date(2023, 5, 1),
         {"author_rank": 1}),
        (ArchiveCategory.AWARD, "浙江省科学技术进步奖", "浙江省人民政府", date(2022, 12, 1),
         {"level": "省部级", "rank": 2}))
    two = approved(second, (ArchiveCategory.PATENT, "一种桥梁裂缝检测装置", "", date(2024, 3, 1),
                            {"patent_no": "ZL202410000000.1", "patent_type": "发明"}),
                   specialty="=1+2")
    publicity = publicize(unit, [one, two, approved(third)])
    # Another publicity's application is not listed.
    other_unit = factories.unit("别的单位")
    publicize(other_unit, [approved(factories.applicant(other_unit, "不在本批"))])
    db.session.commit()
    return SimpleNamespace(publicity=publicity, people=[first, second, third],
                           applications=[one, two])


def export(publicity, officer=None):
    # As the view does it.
    officer = officer or factories.employer(publicity.unit)
    return write_publicity_table(publicity, publicity_applications(publicity, officer))


def sheet_of(data: bytes):
    return load_workbook(BytesIO(data)).active


def text_rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_title_period_header_and_one_row_per_application(batch):
    sheet = sheet_of(export(batch.publicity))
    rows = text_rows(sheet)
    # The batch's own title (the unit and the applications' plan), as a table.
    assert batch.publicity.title == f"杭州测试研究院{factories.USUAL_PLAN}申报人员公示"
    assert rows[0][0] == f"杭州测试研究院{factories.USUAL_PLAN}申报人员公示表"
    assert rows[1][0] == f"公示时间：2026年9月29日至2026年10月12日（{PERIOD_DAYS}个工作日）"
    # Where to object, above the table.
    assert rows[2][0] == (f"公示期间如有异议，请以书面或电话形式向本单位反映（电话：0571-88000000；"
                          f"地址：杭州市西湖区文三路1号 人事处；联系人：{CONTACT}）。"
                          "反映情况须实事求是，以单位名义反映的须加盖公章，以个人名义反映的须署真实姓名。")
    assert tuple(rows[3]) == HEADERS
    assert {"A1:L1", "A2:L2", "A3:L3"} <= {str(merged) for merged in sheet.merged_cells.ranges}

    body = rows[4:7]
    assert [row[0] for row in body] == [1, 2, 3]
    assert [row[1] for row in body] == ["王小明", INJECTED_NAME, "李红"]
    assert [row[2] for row in body] == [person.sex.label for person in batch.people]
    assert {row[2] for row in body} <= {"男", "女"}
    assert [row[3] for row in body] == ["1990.03", "1985.11", "1992.12"]
    first = dict(zip(HEADERS, body[0]))
    assert first["学历"] == "大学本科"
    assert first["现专业技术职务及取得时间"] == "工程师（2018.06）"
    assert first["申报系列"] == "工程"
    assert first["申报专业"] == "计算机应用"
    assert "高级工程师" in first["申报资格"] and "副高级" in first["申报资格"]
    assert first["评审方式"] == "评审"
    assert "基于深度学习的桥梁检测方法" in first["主要业绩"]
    assert "浙江省科学技术进步奖" in first["主要业绩"]
    assert "浙江大学" not in first["主要业绩"]  # education is not an achievement
    assert "一种桥梁裂缝检测装置" in body[1][HEADERS.index("主要业绩")]
    assert body[2][HEADERS.index("主要业绩")] in (None, "")
    assert all(row[HEADERS.index("备注")] in (None, "") for row in body)

    names = [row[1] for row in rows]
    assert "不在本批" not in names
    # Under the table: a blank row, then the unit's name and the date, where it stamps.
    assert rows[7] == [None] * len(HEADERS)
    assert rows[8][0] == "杭州测试研究院（盖章）"
    assert rows[9][0] == "2026年9月29日"
    assert len(rows) == 10


def test_a_units_second_batch_of_the_year_has_its_own_title(app, clock):
    unit = factories.unit("杭州测试研究院")
    first = publicize(unit, [approved(factories.applicant(unit, "甲"))])
    second = publicize(unit, [approved(factories.applicant(unit, "乙"))])
    db.session.commit()
    assert second.title == f"杭州测试研究院{factories.USUAL_PLAN}第2批申报人员公示"
    titles = [text_rows(sheet_of(export(batch)))[0][0] for batch in (first, second)]
    assert titles == [f"杭州测试研究院{factories.USUAL_PLAN}申报人员公示表",
                      f"杭州测试研究院{factories.USUAL_PLAN}第2批申报人员公示表"]


def test_remarks_say_what_an_upheld_objection_did(app, clock):
    unit = factories.unit("杭州测试研究院")
    people = [factories.applicant(unit, name) for name in ("甲", "乙", "丙")]
    applications = [approved(person) for person in people]
    publicity = publicize(unit, applications)
    officer = factories.employer(unit)
    for application, resolution in zip(applications, ("not_recommend", "dismiss", "return")):
        objection = workflow.record_objection(officer, application, "反映材料不实。", START)
        workflow.resolve_objection(officer, objection, resolution, "经核查。")
    db.session.commit()
    rows = text_rows(sheet_of(export(publicity)))
    remarks = {row[1]: row[HEADERS.index("备注")] or "" for row in rows[4:-3]}
    assert remarks == {"甲": "异议属实，不予推荐", "乙": "", "丙": "异议属实，退回修改"}


def test_user_text_never_becomes_a_formula(batch):
    sheet = sheet_of(export(batch.publicity))
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    injected = [cell for cell in cells if isinstance(cell.value, str)
                and cell.value.startswith("=")]
    assert {cell.value for cell in injected} == {INJECTED_NAME, "=1+2"}
    assert all(cell.data_type == "s" for cell in injected)


def test_no_id_number_or_mobile_anywhere(batch):
    data = export(batch.publicity)
    sheet = sheet_of(data)
    texts = [str(cell.value) for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    secrets = [value for person in batch.people for value in (person.id_number, person.mobile)]
    assert all(secret for secret in secrets)
    for secret in secrets:
        assert not any(secret in text for text in texts), secret
        assert secret.encode() not in data  # nor anywhere in the (zipped) file's strings
    # The unit's own contact mobile is not shown either.
    unit_mobile = batch.publicity.unit.contact_mobile
    assert not any(unit_mobile in text for text in texts)


def test_layout_and_print_settings(batch):
    sheet = sheet_of(export(batch.publicity))
    assert sheet.title == "公示表"
    assert sheet.freeze_panes == "A5"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth or 1) == 1  # 1 is the default, left out by writers
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$4:$4"  # the column headers on every page
    assert sheet.print_options.horizontalCentered
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    header = sheet["A4"]
    assert header.font.bold and header.fill.fgColor.rgb.endswith("D9D9D9")
    assert header.alignment.horizontal == "center" and header.alignment.wrap_text
    assert header.border.left.style == "thin"
    summary = sheet.cell(row=5, column=HEADERS.index("主要业绩") + 1)
    assert summary.alignment.wrap_text and summary.border.bottom.style == "thin"
    summary_width = sheet.column_dimensions["K"].width
    assert summary_width > max(sheet.column_dimensions[c].width for c in "ABCDEFGHIJ")
    # One page wide at full size: the columns (7 px a unit at 96 dpi) add up to less than the
    # 277 mm between an A4 landscape page's margins, so nothing is shrunk below its 10 pt.
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJKL"]
    assert sum(width * 7 for width in widths) * 25.4 / 96 <= 297 - 2 * 0.4 * 25.4 - 3, widths
    assert sheet.page_margins.left == sheet.page_margins.right == 0.4
    body = [sheet.cell(row=row, column=column) for row in range(5, 8) for column in range(1, 13)]
    assert all(cell.font.sz >= 10 for cell in body)
    # Every row has its height, from its longest wrapped cell.
    for row in range(1, 8):
        assert sheet.row_dimensions[row].height, row
    heights = [sheet.row_dimensions[row].height for row in range(5, 8)]
    assert heights[0] > heights[2]  # two achievements wrap; none fits on one line


def test_no_contact_no_objection_line_and_year_from_start_date_when_empty(app):
    # Without applications there is no plan to name: the title falls back on the year.
    unit = factories.unit("空单位")
    # A batch without applications: no step makes one (a publicity starts with its
    # applications), but the export must not depend on that.
    publicity = Publicity(unit_id=unit.id, start_date=START, end_date=END,
                          earliest_end_date=END, objection_contact="")
    db.session.add(publicity)
    db.session.commit()
    rows = text_rows(sheet_of(export(publicity)))
    assert rows[0][0] == "空单位2026年度专业技术职务任职资格申报人员公示表"
    assert tuple(rows[3]) == HEADERS
    assert not any("异议" in str(value) for row in rows for value in row if value)
    assert rows[-1][0] == "2026年9月29日"


ACHIEVEMENTS = ((ArchiveCategory.PAPER, "论文", "期刊", date(2023, 1, 1), {}),
                (ArchiveCategory.PROJECT, "项目", "", date(2022, 1, 1), {"role": "负责人"}))


def filled(unit, people):
    """A publicity of ``people`` applications, each with a paper and a project."""
    publicity = publicize(unit, [approved(factories.applicant(unit, current_title="工程师"),
                                          *ACHIEVEMENTS) for _ in range(people)])
    db.session.commit()
    return publicity


def test_the_export_runs_a_fixed_number_of_queries(app, clock):
    unit = factories.unit()
    small, large = filled(unit, 2), filled(unit, 12)
    officer = factories.employer(unit)
    counts = []
    for publicity in (small, large):
        db.session.expire_all()
        assert officer.is_authenticated  # the signed-in account, loaded as in a request
        with StatementLog(db.engine) as counter:
            rows = text_rows(sheet_of(export(db.session.get(Publicity, publicity.id), officer)))
        counts.append(counter.count)
        assert all("论文" in row[HEADERS.index("主要业绩")] for row in rows[4:-3])
    assert counts[0] == counts[1] <= 5, counts


def test_streaming_in_small_batches_keeps_order(app, clock):
    unit = factories.unit()
    publicity = filled(unit, 5)
    officer = factories.employer(unit)
    db.session.expire_all()
    db.session.refresh(publicity)
    assert officer.is_authenticated  # the signed-in account, loaded as in a request
    with StatementLog(db.engine) as counter:
        listed = list(publicity_applications(publicity, officer, batch_size=2))
    assert counter.count == 3 * 2  # pages of 2, 2 and 1: the rows and the items of each
    assert [a.id for a in listed] == sorted(a.id for a in listed) and len(listed) == 5
    # Each application's own items that 主要业绩 shows: the paper and the project (not the
    # three mandatory ones).
    assert all({item.title for item in a.items} == {"论文", "项目"} for a in listed)
    paged = write_publicity_table(publicity,
                                  publicity_applications(publicity, officer, batch_size=2))
    assert text_rows(sheet_of(paged))[4:9] == text_rows(sheet_of(export(publicity)))[4:9]


def test_the_download_lists_only_what_the_unit_may_see(app, clock):
    unit, other = factories.unit("甲单位"), factories.unit("乙单位")
    publicity = filled(unit, 2)
    # A row of another unit carrying this batch's id: no step makes one, so it is written
    # directly, to show the scoping keeps it out.
    stray = factories.raw_application(factories.applicant(other, name="乙员工"),
                                      ApplicationStatus.PUBLICIZING, publicity_id=publicity.id)
    db.session.commit()
    officer = factories.employer(unit)
    listed = list(publicity_applications(publicity, officer))
    assert len(listed) == 2 and stray.id not in {a.id for a in listed}
    assert len(list(publicity_applications(publicity, factories.admin()))) == 3
    # Without an actor, nothing (never everything).
    assert list(publicity_applications(publicity, None)) == []


def test_download_name_keeps_chinese(app, clock):
    unit = factories.unit("杭州/测试:研究院")
    publicity = publicize(unit, [approved(factories.applicant(unit))])
    assert download_name(publicity) == "公示表_杭州_测试_研究院_2026-09-29.xlsx"
    publicity.unit.name = "杭州测试研究院"
    assert download_name(publicity) == "公示表_杭州测试研究院_2026-09-29.xlsx"
    with app.test_request_context():
        response = publicity_table.publicity_table_response(publicity,
                                                            factories.employer(publicity.unit))
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and "%E5%85%AC%E7%A4%BA%E8%A1%A8" in disposition
    response.close()


# --- 主要业绩 ------------------------------------------------------------------------------------

def item(category, title, organisation="", start=None, **details):
    return SimpleNamespace(category=category, title=title, organisation=organisation,
                           start_date=start, details=details)


def test_summary_is_empty_without_achievements():
    assert achievement_summary([]) == ""
    assert achievement_summary([
        item(ArchiveCategory.EDUCATION, "浙江大学"), item(ArchiveCategory.WORK, "某公司"),
        item(ArchiveCategory.ASSESSMENT, "2024年度考核 优秀"),
        item(ArchiveCategory.CONTINUING_EDUCATION, "继续教育90学时"),
    ]) == ""


def test_every_category_of_achievement_is_counted():
    text = achievement_summary([
        item(ArchiveCategory.PAPER, "题目一", "期刊甲", date(2023, 5, 1)),
        item(ArchiveCategory.CERTIFICATE, "一级建造师", start=date(2020, 1, 1)),
        item(ArchiveCategory.OTHER, "技术标准起草", start=date(2021, 1, 1)),
        item(ArchiveCategory.PATENT, "一种装置", patent_type="实用新型"),
    ])
    assert text == ("论文1篇：《题目一》（期刊甲，2023年）；专利1项：一种装置（实用新型）；"
                    "资格证书1项：一级建造师（2020年）；其他1项：技术标准起草（2021年）")


def test_summary_lists_each_category_with_counts():
    text = achievement_summary([
        item(ArchiveCategory.PAPER, "题目一", "期刊甲", date(2023, 5, 1), author_rank=1),
        item(ArchiveCategory.AWARD, "科技进步奖", "省政府", date(2022, 1, 1), level="省部级"),
        item(ArchiveCategory.PAPER, "题目二", "期刊乙", date(2024, 1, 1)),
        item(ArchiveCategory.PROJECT, "重点研发项目", "科技厅", None, role="负责人"),
        item(ArchiveCategory.PATENT, "一种装置", start=date(2021, 7, 1), patent_type="发明",
             patent_no="ZL1"),
    ])
    assert text == ("论文2篇：《题目二》（期刊乙，2024年）、《题目一》（期刊甲，2023年）；"
                    "获奖1项：科技进步奖（省部级，2022年）；项目课题1项：重点研发项目（负责人）；"
                    "专利1项：一种装置（发明，2021年）")


def test_summary_truncates_long_lists_and_long_text():
    papers = [item(ArchiveCategory.PAPER, f"论文{n}", "期刊", date(2010 + n, 1, 1))
              for n in range(12)]
    text = achievement_summary(papers)
    # The most recent first, as many as fit, and the count of all.
    assert text.startswith("论文12篇：《论文11》（期刊，2021年）、《论文10》") and text.endswith("等12篇")
    assert "《论文0》" not in text
    assert len(text) <= publicity_table.SUMMARY_LIMIT

    long_title = "很长的题目" * 40
    many = [item(category, long_title, "机构" * 30, date(2020, 1, 1), level="国家级",
                 role="负责人", patent_type="发明")
            for category in (ArchiveCategory.PAPER, ArchiveCategory.AWARD,
                             ArchiveCategory.PROJECT, ArchiveCategory.PATENT,
                             ArchiveCategory.CERTIFICATE, ArchiveCategory.OTHER)
            for _ in range(5)]
    text = achievement_summary(many)
    assert len(text) <= publicity_table.SUMMARY_LIMIT
    assert long_title not in text
    # Every category keeps its count, even when no title fits.
    for label in ("论文5篇", "获奖5项", "项目课题5项", "专利5项", "资格证书5项", "其他5项"):
        assert label in text, label


# --- printed by LibreOffice ----------------------------------------------------------------------

def heavy_application(n: int):
    """An application as the table reads it, with up to six papers and some of every other
    achievement: long 主要业绩 in most rows."""
    papers = [item(ArchiveCategory.PAPER, f"面向复杂场景的结构健康监测方法研究（第{p + 1}部分）",
                   "土木工程学报", date(2015 + p, 3, 1)) for p in range(n % 7)]
    others = [item(ArchiveCategory.AWARD, "浙江省科学技术进步奖", "浙江省人民政府",
                   date(2022, 12, 1), level="省部级")] * (n % 3)
    others += [item(ArchiveCategory.PROJECT, "省重点研发计划项目", "", date(2021, 1, 1),
                    role="负责人"), item(ArchiveCategory.CERTIFICATE, "一级注册结构工程师",
                                         start=date(2019, 1, 1))] * (n % 2)
    return SimpleNamespace(
        id=n + 1, status=ApplicationStatus.PUBLICIZING,
        profile_snapshot={"name": f"申报人{n + 1:03d}", "sex": "male" if n % 2 else "female",
                          "birth_date": "1988-03-07", "current_title": "工程师",
                          "highest_education": ("大学本科", "硕士研究生")[n % 2],
                          "current_title_date": "2018-06-30"},
        current_title="工程师", series=SimpleNamespace(name="工程"),
        qualification=SimpleNamespace(name="高级工程师"), level=TitleLevel.SUB_SENIOR,
        review_method=ReviewMethod.REVIEW, specialty="桥梁与隧道工程", items=papers + others,
        plan=SimpleNamespace(name="2026年度浙江省职称评审"))


def test_libreoffice_prints_200_people_at_10_pt_on_a4_landscape(app, tmp_path):
    needs_soffice()
    publicity = SimpleNamespace(
        id=None, title="杭州测试研究院2026年度浙江省职称评审申报人员公示",
        unit=SimpleNamespace(name="杭州测试研究院"), start_date=START, end_date=END,
        count_start_day=False, objection_phone="0571-88000001",
        objection_address="杭州市西湖区文三路100号 人事处", objection_contact="人事处 刘洋")
    pdf = to_pdf(write_publicity_table(publicity, [heavy_application(n) for n in range(200)]),
                 tmp_path)
    # At least five people a page (up to eight: 主要业绩 wraps).
    texts = printed_people(pdf, 200, per_page=(5, 8))
    assert "杭州测试研究院2026年度浙江省职称评审申报人员公示表" in texts[0]
    assert "杭州测试研究院（盖章）" in texts[-1]


def test_the_download_pauses_garbage_collection_and_turns_it_back_on(app, clock, monkeypatch):
    import gc

    unit = factories.unit()
    publicity = filled(unit, 2)
    officer = factories.employer(unit)
    seen = []
    writer = publicity_table.write_publicity_table

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return writer(*args, **kwargs)

    monkeypatch.setattr(publicity_table, "write_publicity_table", watched)
    assert gc.isenabled()
    with app.test_request_context():
        publicity_table.publicity_table_response(publicity, officer)
    assert seen == [False] and gc.isenabled()

    def failing(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publicity_table, "write_publicity_table", failing)
    with app.test_request_context(), pytest.raises(RuntimeError):
        publicity_table.publicity_table_response(publicity, officer)
    assert gc.isenabled()
