"""Statistics pages: 统计分析 (系统管理员), 本单位统计 (the unit), 受理统计 (an acceptance point).
Each shows a plan's tables with a bar chart beside each, and exports each table as xlsx."""
from flask import abort, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import AdminKind, OfficerDuty, Role
from zcps import statistics
from zcps.charts import bar_chart, line_chart
from zcps.exports import exporter_name, write_table, xlsx_response

from .base import AreaPage

# A province has thousands of units: the page shows the largest rows of a long table (the export
# has them all), and a chart the largest bars.
SHOWN_ROWS = 100
CHART_BARS = 20


def chart_of(table):
    if table.line is not None:
        return line_chart(table.title, **table.line) if table.rows else None
    if table.chart_column is None or not table.rows:
        return None
    bars = [(row[0], row[table.chart_column]) for row in table.rows]
    if len(bars) > CHART_BARS:
        bars = sorted(bars, key=lambda bar: -bar[1])[:CHART_BARS]
    return bar_chart(table.title, bars)


def waiting_days(value):
    """The N of 待办超过N天 as typed on the page: (N, None), or the default and the error."""
    if value is None or value == "":
        return statistics.DEFAULT_WAITING_DAYS, None
    value = value.strip()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= statistics.MAX_WAITING_DAYS:
        return int(value), None
    return statistics.DEFAULT_WAITING_DAYS, _(
        "天数须为1至%(most)s之间的整数，已按%(days)s天统计。",
        most=statistics.MAX_WAITING_DAYS, days=statistics.DEFAULT_WAITING_DAYS)


class StatisticsPage(AreaPage):
    tables = staticmethod(statistics.admin_tables)
    # Whether the page asks for the N of 待办超过N天.
    asks_days = False

    def _chosen(self):
        choices = statistics.plan_choices(current_user)
        days, error = waiting_days(request.args.get("days")) if self.asks_days else (None, None)
        return choices, statistics.chosen_plan(choices, request.args.get("plan")), days, error

    @expose("/")
    def index(self):
        choices, plan, days, error = self._chosen()
        tables = self.tables(current_user, plan, days=days) if plan is not None else []
        return self.render("zcps/statistics.html", choices=choices, plan=plan,
                           tables=[(table, chart_of(table)) for table in tables],
                           shown_rows=SHOWN_ROWS, chart_bars=CHART_BARS, days=days,
                           days_error=error)

    @expose("/export/<table_name>.xlsx")
    def export(self, table_name):
        choices, plan, days, _error = self._chosen()
        if plan is None:
            abort(404)
        table = next((table for table in self.tables(current_user, plan, days=days)
                      if table.name == table_name), None)
        if table is None:
            abort(404)
        title = f"{plan.name}{self.name}—{table.title}"
        return xlsx_response(write_table(table.rows, table.headers, title,
                                         owner=exporter_name(current_user)), f"{title}.xlsx")


class PlatformStatisticsPage(StatisticsPage):
    """统计分析: every unit's and acceptance point's numbers."""

    role = Role.PLATFORM_ADMIN
    admin_kinds = (AdminKind.SYSTEM,)  # the plans are the 系统管理员's
    asks_days = True

    def is_accessible(self):
        return super().is_accessible() and current_user.admin_kind in self.admin_kinds


class UnitStatisticsPage(StatisticsPage):
    """本单位统计: the unit's own people only. Management information of the whole unit: its
    own account and the 单位管理 officers (a reviewer's lists already count their queue)."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.UNIT_ADMIN
    tables = staticmethod(statistics.unit_tables)


class AcceptanceStatisticsPage(StatisticsPage):
    """受理统计: what was recommended to this acceptance point."""

    role = Role.ACCEPTANCE
    tables = staticmethod(statistics.acceptance_tables)


def register_platform(admin):
    admin.add_view(PlatformStatisticsPage(name=_l("统计分析"), endpoint="admin_statistics",
                                          url="statistics"))


def register_unit(admin):
    admin.add_view(UnitStatisticsPage(name=_l("本单位统计"), category=_l("单位管理"),
                                      endpoint="unit_statistics", url="statistics"))


def register_acceptance(admin):
    admin.add_view(AcceptanceStatisticsPage(name=_l("受理统计"), endpoint="acceptance_statistics",
                                            url="statistics"))
