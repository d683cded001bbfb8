"""Statistics of a plan's applications (统计分析, 本单位统计, 受理统计): aggregates computed in the
database, each scoped to the reader by ``Application.scope_clause`` (a unit counts its own
people, an acceptance point what was recommended to it, the platform admin everything).

Stages of the funnel are read from the status an application holds now; an application counts
in a stage when it is there or has gone past it:

- 申报: submitted at least once (every status but 草稿);
- 单位审核通过: the unit approved it (审核通过 and everything after it);
- 公示: publicized (公示中, 公示期满, and what follows: 已推荐, 已受理, 受理点退回, 不予推荐);
- 推荐: recommended to an acceptance point (已推荐, 已受理, 受理点退回);
- 受理: accepted (已受理).

An application sent back to its applicant (退回修改) counts as 申报 only, whatever it had
reached before, so that each stage matches what the lists show now. Returns are counted from
the history (applications sent back at least once), rejections from the status.

From the history (``ReviewRecord``) also: the commonest reasons (the opinion's words, grouped in
the database, top N of each kind), the daily line of submissions and decisions (grouped by the
Beijing date, :class:`beijing_date` compiled for SQLite, PostgreSQL and MariaDB), and the unit's
median review time (:class:`days_between`, the median picked with ROW_NUMBER). Units waiting past
N days count Beijing calendar days, like 已等待N天.

The platform admin reads the whole history, a province's hundreds of thousands of rows: its
returns, reasons and daily line are read from the summaries the workflow keeps per plan
(``zcps.history_summary``), which say the same numbers; a unit or an acceptance point counts
its own part of the history, as scoped.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from models import (
    AcceptancePoint,
    Action,
    Application,
    ApplicationStatus,
    PlanHistoryDay,
    PlanHistoryReason,
    PlanStage,
    PlanUnitReturns,
    ReviewPlan,
    ReviewRecord,
    Subject,
    TitleSeries,
    Unit,
)
from models.base import to_id

from . import clock, plans
from .extensions import db

S = ApplicationStatus
SUBMITTED = tuple(status for status in S if status != S.DRAFT)
RECOMMENDED = (S.RECOMMENDED, S.ACCEPTED, S.ACCEPTANCE_RETURNED, S.ROUTE_RETURNED)
PUBLICIZED = (S.PUBLICIZING, S.PUBLICIZED, S.NOT_RECOMMENDED, *RECOMMENDED)
UNIT_APPROVED = (S.APPROVED, *PUBLICIZED)
ACCEPTED = (S.ACCEPTED,)

FUNNEL = (
    ("submitted", _l("申报"), SUBMITTED),
    ("unit_approved", _l("单位审核通过"), UNIT_APPROVED),
    ("publicized", _l("公示"), PUBLICIZED),
    ("recommended", _l("推荐"), RECOMMENDED),
    ("accepted", _l("受理"), ACCEPTED),
)
# The columns of the tables by series and level, by unit and by acceptance point.
PROGRESS = (
    ("submitted", _l("申报"), SUBMITTED),
    ("unit_approved", _l("单位审核通过"), UNIT_APPROVED),
    ("recommended", _l("推荐"), RECOMMENDED),
    ("accepted", _l("受理"), ACCEPTED),
    ("rejected", _l("审核未通过"), (S.REJECTED,)),
)
# What an acceptance point received, by the tabs of its inbox.
RECEIVED = (
    ("received", _l("收到推荐"), RECOMMENDED),
    ("waiting", _l("待受理"), (S.RECOMMENDED,)),
    ("accepted", _l("已受理"), (S.ACCEPTED,)),
    ("returned", _l("已退回"), (S.ACCEPTANCE_RETURNED,)),
)
UNIT_RETURNS = (Action.RETURN, Action.OBJECTION_RETURN)


@dataclass
class Table:
    """One table of a statistics page: its name (the export's address), headers and rows; the
    chart draws ``chart_column`` against the first column."""

    name: str
    title: str
    headers: list
    rows: list = field(default_factory=list)
    chart_column: int | None = 1
    # A line chart instead of bars: {"days": [...], "lines": [(label, [...])], "marks": [...]}
    line: dict | None = None
    note: str = ""


def plan_choices(actor) -> list:
    """Every plan the reader may choose, newest first."""
    return db.session.scalars(ReviewPlan.select_for(actor).order_by(
        ReviewPlan.year.desc(), ReviewPlan.apply_start.desc(), ReviewPlan.id.desc())).all()


def chosen_plan(choices: list, value) -> ReviewPlan | None:
    """The plan ``value`` names among ``choices``; anything else (missing, not a number, not a
    plan) gives the current plan, else the newest begun, else the newest."""
    wanted = to_id(value)
    for plan in choices:
        if plan.id == wanted:
            return plan
    current = plans.current_plans()
    if current:
        return current[-1]
    begun = [plan for plan in choices if plan.apply_start <= plans.utcnow()]
    return (begun or choices or [None])[0]


def _count_of(statuses, label: str):
    return sa.func.coalesce(sa.func.sum(sa.case((Application.status.in_(statuses), 1),
                                                else_=0)), 0).label(label)


def _scoped(actor, plan):
    return sa.and_(Application.scope_clause(actor), Application.plan_id == plan.id,
                   Application.status != S.DRAFT)


def _grouped(actor, plan, columns, key=(), named=None, order_by=lambda counted, total: (), where=None):
    """The ``columns`` (each a sum of statuses) of the reader's applications of ``plan`` by their
    ``key`` columns, in two GROUP BYs: by key and status first (answered from an index on the
    plan and the status, nothing computed per application), then by key, summing the few
    grouped rows; the ``named`` table's name is joined to those (by the first key), not to every
    application. Rows (name first, if any) in the order ``order_by(grouped columns, total)``,
    ``total`` being the number of applications of the row."""
    query = sa.select(*key, Application.status, sa.func.count().label("n")).where(
        _scoped(actor, plan))
    if where is not None:
        query = query.where(where)
    counted = query.group_by(*key, Application.status).subquery()
    grouped = [counted.c[column.key] for column in key]
    sums = [sa.func.coalesce(sa.func.sum(sa.case((counted.c.status.in_(statuses), counted.c.n),
                                                 else_=0)), 0).label(name)
            for name, _label, statuses in columns]
    total = sa.func.sum(counted.c.n).label("total")
    summed = sa.select(*([named.name] if named is not None else []), *grouped, *sums, total)
    if named is not None:
        summed = (summed.join_from(counted, named, named.id == grouped[0])
                  # Every column of the named table the order may use: MariaDB and PostgreSQL
                  # refuse to order by one they do not group by.
                  .group_by(*grouped, named.id, named.name,
                            *([named.sort_order] if hasattr(named, "sort_order") else [])))
    return db.session.execute(summed.order_by(*order_by(counted.c, total))).all()


def _numbers(row, columns):
    return [int(row[name] or 0) for name, _label, _statuses in columns]


def funnel(actor, plan) -> Table:
    row, = _grouped(actor, plan, FUNNEL)
    return Table("funnel", str(_l("各阶段人数")), [str(_l("阶段")), str(_l("人数"))],
                 [[str(label), count]
                  for (_key, label, _s), count in zip(FUNNEL, _numbers(row._mapping, FUNNEL))])


def by_series(actor, plan) -> Table:
    rows = _grouped(actor, plan, PROGRESS, (Application.series_id, Application.level), TitleSeries,
                    lambda c, _total: (TitleSeries.sort_order, TitleSeries.id, c.level))
    return Table("series", str(_l("按申报系列和级别")),
                 [str(_l("申报系列")), str(_l("申报级别"))] + [str(label) for _k, label, _s in PROGRESS],
                 [[row.name, str(row.level.label), *_numbers(row._mapping, PROGRESS)]
                  for row in rows],
                 chart_column=2)


def by_unit(actor, plan, columns=PROGRESS, name="units", title=_l("按用人单位")) -> Table:
    rows = _grouped(actor, plan, columns, (Application.unit_id,), Unit,
                    lambda _c, total: (total.desc(), Unit.name, Unit.id))
    return Table(name, str(title), [str(_l("工作单位"))] + [str(label) for _k, label, _s in columns],
                 [[row.name, *_numbers(row._mapping, columns)] for row in rows])


def by_point(actor, plan) -> Table:
    rows = _grouped(actor, plan, RECEIVED, (Application.acceptance_point_id,), AcceptancePoint,
                    lambda _c, total: (total.desc(), AcceptancePoint.name, AcceptancePoint.id),
                    where=Application.acceptance_point_id.is_not(None))
    return Table("points", str(_l("按受理点")),
                 [str(_l("受理点"))] + [str(label) for _k, label, _s in RECEIVED],
                 [[row.name, *_numbers(row._mapping, RECEIVED)] for row in rows])


def received_by_unit(actor, plan) -> Table:
    return by_unit(actor, plan, RECEIVED, "received_units", _l("按推荐单位"))


def received_by_series(actor, plan) -> Table:
    rows = _grouped(actor, plan, RECEIVED, (Application.series_id,), TitleSeries,
                    lambda _c, _total: (TitleSeries.sort_order, TitleSeries.id))
    return Table("received_series", str(_l("按申报系列")),
                 [str(_l("申报系列"))] + [str(label) for _k, label, _s in RECEIVED],
                 [[row.name, *_numbers(row._mapping, RECEIVED)] for row in rows])


def _rate(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def returns(actor, plan) -> Table:
    """Returned to the applicant at least once (by the unit, or after an objection), rejected
    by the unit, returned by an acceptance point at least once; each with its rate."""
    statuses = {row.status: row.n for row in db.session.execute(
        sa.select(Application.status, sa.func.count().label("n")).where(_scoped(actor, plan))
        .group_by(Application.status))}
    submitted = sum(statuses.values())
    recommended = sum(statuses.get(status, 0) for status in RECOMMENDED)
    rejected = statuses.get(S.REJECTED, 0)
    if _whole_history(actor):
        # The plan's rows of the kept summary (zcps.history_summary), one per unit.
        unit_count, point_count = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(PlanUnitReturns.unit_returned), 0),
                      sa.func.coalesce(sa.func.sum(PlanUnitReturns.point_returned), 0))
            .where(PlanUnitReturns.plan_id == plan.id)).one()
    else:
        # One pass over the returns in the history of the reader's applications of the plan
        # (each found by its (subject, subject_id) index), each application counted once per
        # kind.
        distinct = sa.func.count(sa.distinct(sa.case(
            (ReviewRecord.action.in_(UNIT_RETURNS), ReviewRecord.subject_id))))
        point_distinct = sa.func.count(sa.distinct(sa.case(
            (ReviewRecord.action == Action.ACCEPTANCE_RETURN, ReviewRecord.subject_id))))
        unit_count, point_count = db.session.execute(
            sa.select(distinct, point_distinct).where(
                _application_records(actor, plan),
                ReviewRecord.action.in_((*UNIT_RETURNS, Action.ACCEPTANCE_RETURN)))).one()
    rows = [
        [str(_l("单位退回修改")), int(unit_count), _rate(unit_count, submitted)],
        [str(_l("审核未通过")), int(rejected), _rate(rejected, submitted)],
        [str(_l("受理点退回")), int(point_count), _rate(point_count, int(recommended))],
    ]
    return Table("returns", str(_l("退回与未通过")),
                 [str(_l("情形")), str(_l("申报数")), str(_l("比例"))], rows)


# --- portable SQL for days: Beijing dates and lengths of time ---------------------------------

class beijing_date(FunctionElement):
    """The Beijing date (UTC+8, no summer time) of a naive UTC moment column, on SQLite,
    PostgreSQL and MariaDB alike (a date, or its ISO text on SQLite: see :func:`as_date`)."""

    type = sa.Date()
    name = "beijing_date"
    inherit_cache = True


@compiles(beijing_date)
def _beijing_date_sqlite(element, compiler, **kw):
    return "date(%s, '+8 hours')" % compiler.process(element.clauses, **kw)


@compiles(beijing_date, "postgresql")
def _beijing_date_postgresql(element, compiler, **kw):
    return "CAST((%s + INTERVAL '8 hours') AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(beijing_date, "mysql")
@compiles(beijing_date, "mariadb")
def _beijing_date_mysql(element, compiler, **kw):
    return "DATE(DATE_ADD(%s, INTERVAL 8 HOUR))" % compiler.process(element.clauses, **kw)


class days_between(FunctionElement):
    """Days (with their fraction) from the second moment to the first."""

    type = sa.Float()
    name = "days_between"
    inherit_cache = True


def _two(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return compiler.process(later, **kw), compiler.process(earlier, **kw)


@compiles(days_between)
def _days_between_sqlite(element, compiler, **kw):
    return "(julianday(%s) - julianday(%s))" % _two(element, compiler, **kw)


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    return "(EXTRACT(EPOCH FROM (%s - %s)) / 86400.0)" % _two(element, compiler, **kw)


@compiles(days_between, "mysql")
@compiles(days_between, "mariadb")
def _days_between_mysql(element, compiler, **kw):
    later, earlier = _two(element, compiler, **kw)
    return "(TIMESTAMPDIFF(SECOND, %s, %s) / 86400.0)" % (earlier, later)


def as_date(value) -> date:
    """A date as the database gave it (SQLite gives its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _whole_history(actor) -> bool:
    """Whether the reader reads the whole history (the platform admin): its tables from the
    history are then read from the summaries kept per plan (zcps.history_summary)."""
    return bool(getattr(actor, "is_platform_admin", False))


def _codes(actions) -> list[str]:
    """The actions as the summaries hold them."""
    return [action.value for action in actions]


def _application_records(actor, plan):
    """The history rows of the reader's applications of ``plan`` that the reader may read."""
    return sa.and_(ReviewRecord.subject == Subject.APPLICATION,
                   ReviewRecord.subject_id == Application.id,
                   _scoped(actor, plan), ReviewRecord.scope_clause(actor))


# --- the commonest reasons of returns and rejections -------------------------------------------

REASON_LIMIT = 10
REASON_KINDS = (
    ((Action.RETURN, Action.OBJECTION_RETURN), _l("单位退回修改")),
    ((Action.REJECT,), _l("审核未通过")),
    ((Action.ACCEPTANCE_RETURN,), _l("受理点退回")),
)


def reasons(actor, plan, kinds=REASON_KINDS, limit=REASON_LIMIT, own_point=False) -> Table:
    """The ``limit`` commonest reasons (the written opinion, word for word) of each kind of
    return or rejection, counted in the history, most frequent first. ``own_point``: only the
    returns the reader's acceptance point made itself."""
    wanted = [a for actions, _label in kinds for a in actions]
    if _whole_history(actor) and not own_point:
        kept = PlanHistoryReason
        kind = sa.case(*((kept.action.in_(_codes(actions)), number)
                         for number, (actions, _label) in enumerate(kinds)), else_=-1)
        query = (sa.select(kind.label("kind"), kept.reason.label("reason"),
                           sa.func.sum(kept.times).label("times"))
                 .where(kept.plan_id == plan.id, kept.action.in_(_codes(wanted)),
                        kept.times > 0))
        reason = kept.reason
    else:
        kind = sa.case(*((ReviewRecord.action.in_(actions), number)
                         for number, (actions, _label) in enumerate(kinds)), else_=-1)
        reason = ReviewRecord.opinion
        query = (sa.select(kind.label("kind"), reason.label("reason"),
                           sa.func.count().label("times"))
                 .where(_application_records(actor, plan), ReviewRecord.action.in_(wanted),
                        reason != ""))
        if own_point:
            query = query.where(
                ReviewRecord.acceptance_point_id == Application.acceptance_point_id)
    counted = query.group_by(kind, reason).subquery()
    rank = sa.func.row_number().over(partition_by=counted.c.kind,
                                     order_by=(counted.c.times.desc(), counted.c.reason))
    ranked = sa.select(counted, rank.label("rank")).subquery()
    rows = db.session.execute(
        sa.select(ranked.c.kind, ranked.c.reason, ranked.c.times).where(ranked.c.rank <= limit)
        .order_by(ranked.c.kind, ranked.c.rank)).all()
    labels = [str(label) for _actions, label in kinds]
    return Table("reasons", str(_l("常见退回与未通过原因")),
                 [str(_l("原因")), str(_l("情形")), str(_l("次数"))],
                 [[text, labels[number], int(times)] for number, text, times in rows],
                 chart_column=2,
                 note=str(_l("每种情形列出最常见的%(n)s条原因（按意见原文归类）。", n=limit)))


# --- units with records waiting past N days --------------------------------------------------

DEFAULT_WAITING_DAYS = 5
MAX_WAITING_DAYS = 365


def waiting_units(actor, plan, days=DEFAULT_WAITING_DAYS) -> Table:
    """Units by how many of the plan's applications have waited for them (plans.UNIT_WORK) more
    than ``days`` Beijing calendar days, as 已等待N天 counts them; with the longest wait, the longest first among equals."""
    cutoff = plans.from_beijing(datetime.combine(clock.today() - timedelta(days=days), time(0)))
    rows = db.session.execute(
        sa.select(Unit.name, sa.func.count(), sa.func.min(Application.status_since))
        .where(_scoped(actor, plan), Unit.id == Application.unit_id,
               Application.status.in_(plans.UNIT_WORK), Application.status_since < cutoff)
        .group_by(Unit.id, Unit.name)
        .order_by(sa.func.count().desc(), sa.func.min(Application.status_since), Unit.id)).all()
    return Table("waiting", str(_l("待办超过%(days)s天的单位", days=days)),
                 [str(_l("工作单位")), str(_l("超期待办数")), str(_l("最长已等待（天）"))],
                 [[name, int(count), plans.waited_days(oldest)] for name, count, oldest in rows],
                 note=str(_l("按自然日计（北京时间）：待单位审核、公示或推荐的申报，在当前状态已等待超过%(days)s天。",
                            days=days)))


# --- a daily line of submissions and decisions -----------------------------------------------

DAILY = (
    ("submitted", _l("提交申报"), (Action.SUBMIT, Action.RESUBMIT)),
    ("unit_decided", _l("单位审核决定"), (Action.APPROVE, Action.RETURN, Action.REJECT)),
    ("point_decided", _l("受理点决定"), (Action.ACCEPT, Action.ACCEPTANCE_RETURN)),
)


def daily(actor, plan) -> Table:
    """Per Beijing day, the submissions (first and again) and the decisions of units and of
    acceptance points on the plan's applications; the line runs from the plan's opening to its
    last deadline (or the last day with a step), the deadlines marked."""
    wanted = [a for _k, _label, actions in DAILY for a in actions]
    if _whole_history(actor):
        kept = PlanHistoryDay
        rows = db.session.execute(
            sa.select(kept.day, *(sa.func.coalesce(sa.func.sum(
                sa.case((kept.action.in_(_codes(actions)), kept.times), else_=0)), 0).label(key)
                for key, _label, actions in DAILY))
            .where(kept.plan_id == plan.id, kept.action.in_(_codes(wanted)), kept.times > 0)
            .group_by(kept.day).order_by(kept.day)).all()
    else:
        day = beijing_date(ReviewRecord.created_at)
        rows = db.session.execute(
            sa.select(day.label("day"), *(sa.func.coalesce(sa.func.sum(
                sa.case((ReviewRecord.action.in_(actions), 1), else_=0)), 0).label(key)
                for key, _label, actions in DAILY))
            .where(_application_records(actor, plan), ReviewRecord.action.in_(wanted))
            .group_by(day).order_by(day)).all()
    counted = {as_date(row[0]): [int(value) for value in row[1:]] for row in rows}
    marks = [(plans.beijing_date(plan.deadline(stage)), str(stage.label)) for stage in PlanStage]
    first = min([plans.beijing_date(plan.apply_start), *counted])
    last = max([day for day, _label in marks] + list(counted))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    lines = [(str(label), [counted.get(each, [0] * len(DAILY))[number] for each in days])
             for number, (_key, label, _actions) in enumerate(DAILY)]
    return Table("daily", str(_l("每日提交与审核决定")),
                 [str(_l("日期"))] + [str(label) for _k, label, _a in DAILY],
                 [[each.isoformat(), *numbers] for each, numbers in counted.items()],
                 chart_column=None, line={"days": days, "lines": lines, "marks": marks},
                 note=str(_l("表中列出有提交或决定的日期（北京时间）；图中虚线为计划的截止日期。")))


# --- the unit's review times and its last five years ------------------------------------------

UNIT_DECISIONS = (Action.APPROVE, Action.RETURN, Action.REJECT)


def review_time(actor, plan) -> Table:
    """How long the unit took to decide: for each decision (通过, 退回修改, 不通过) on the plan's
    applications, the days from the submission of its round; their number and median, the
    median picked in the database (ROW_NUMBER over the ordered durations, the middle one or the
    average of the middle two)."""
    # The decision is read through the scoping; its round's submission (of the same application,
    # read with it) gives the start.
    submission = aliased(ReviewRecord)
    durations = (
        sa.select(days_between(ReviewRecord.created_at, submission.created_at).label("days"))
        .where(_application_records(actor, plan), ReviewRecord.action.in_(UNIT_DECISIONS),
               submission.subject == Subject.APPLICATION,
               submission.subject_id == ReviewRecord.subject_id,
               submission.round == ReviewRecord.round,
               submission.action.in_((Action.SUBMIT, Action.RESUBMIT)))
        .subquery())
    ranked = sa.select(
        durations.c.days,
        sa.func.row_number().over(order_by=durations.c.days).label("position"),
        sa.func.count().over().label("total")).subquery()
    total, median = db.session.execute(
        sa.select(sa.func.max(ranked.c.total), sa.func.avg(ranked.c.days))
        .where(2 * ranked.c.position >= ranked.c.total,
               2 * ranked.c.position <= ranked.c.total + 2)).one()
    shown = "—" if median is None else f"{float(median):.1f}"
    return Table("review_time", str(_l("本单位审核用时")),
                 [str(_l("项目")), str(_l("数值"))],
                 [[str(_l("审核决定数")), int(total or 0)],
                  [str(_l("审核用时中位数（天）")), shown]],
                 chart_column=None,
                 note=str(_l("每次提交至本单位作出审核决定（通过、退回修改、不通过）的天数。")))


YEARS = 5
OUTCOMES = (
    ("submitted", _l("申报"), SUBMITTED),
    ("unit_approved", _l("单位审核通过"), UNIT_APPROVED),
    ("recommended", _l("推荐"), RECOMMENDED),
    ("accepted", _l("受理"), ACCEPTED),
    ("rejected", _l("审核未通过"), (S.REJECTED,)),
    ("not_recommended", _l("不予推荐"), (S.NOT_RECOMMENDED,)),
)


def five_years(actor, plan) -> Table:
    """The reader's applications and their outcomes by plan year, the plan's year and the four
    before it (a year without applications shows noughts)."""
    first = plan.year - YEARS + 1
    rows = db.session.execute(
        sa.select(ReviewPlan.year, *(_count_of(statuses, key) for key, _label, statuses in OUTCOMES))
        .where(Application.scope_clause(actor), Application.status != S.DRAFT,
               ReviewPlan.id == Application.plan_id, ReviewPlan.year.between(first, plan.year))
        .group_by(ReviewPlan.year)).all()
    counted = {year: [int(count) for count in counts] for year, *counts in rows}
    return Table("years", str(_l("近五年申报与结果")),
                 [str(_l("计划年度"))] + [str(label) for _k, label, _s in OUTCOMES],
                 [[str(_l("%(year)s年", year=year)), *counted.get(year, [0] * len(OUTCOMES))]
                  for year in range(first, plan.year + 1)])


def admin_tables(actor, plan, days=DEFAULT_WAITING_DAYS) -> list:
    return [funnel(actor, plan), by_series(actor, plan), by_point(actor, plan),
            by_unit(actor, plan), returns(actor, plan), reasons(actor, plan),
            waiting_units(actor, plan, days), daily(actor, plan)]


def unit_tables(actor, plan, days=None) -> list:
    return [funnel(actor, plan), by_series(actor, plan), returns(actor, plan),
            review_time(actor, plan), five_years(actor, plan)]


def acceptance_tables(actor, plan, days=None) -> list:
    return [received_by_unit(actor, plan), received_by_series(actor, plan),
            reasons(actor, plan, REASON_KINDS[2:], own_point=True)]
