"""The one base for every view: role areas, row scoping, the step runner and safe errors.

Every read path of a model view goes through ``ScopedModelView.scoped`` — the actor's scope
(``Model.scope_clause``, models/base.py) and the view's own clause — : the list and its count,
the tab counts, one record (details, edit, delete, inline edit), the records a bulk action
receives, ajax lookups and relationship choices. Every change goes through ``run_step``. A new
view inherits all of it.

Flask-Admin's private hooks overridden here, checked against Flask-Admin 2.2.1:
``BaseView._handle_view`` (AreaAccess), ``ModelView._get_list_extra_args`` (page bounds, the page size each list remembers),
``ModelView._create_ajax_loader`` (scoped lookups), ``BaseModelView._actions_data`` (filled by
``init_actions``; scoped records for every action), ``ModelView._apply_search`` (codes whole
or by their beginning, text by its words: ``search_clause``), ``ModelView._apply_sorting`` (the
已等待 column, ordered by an expression built per request) and, in views/unit_review.py,
``ModelView._apply_filters``.
"""
from datetime import date, datetime, time, timedelta
from io import BytesIO

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    send_file,
    session,
    url_for,
)
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.filters import DateBetweenFilter, FilterEqual
from flask_admin.model import typefmt
from flask_admin.model.template import DeleteRowAction, TemplateLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Query, aliased, with_expression
from sqlalchemy.orm.exc import StaleDataError

from models import (
    Application,
    LabeledEnum,
    OfficerDuty,
    ReviewMethod,
    ReviewRecord,
    Role,
    StoredFile,
    TitleLevel,
    TitleSeries,
    to_id,
)
from zcps import workdays, workflow
from zcps.application_bundle import UnavailableAttachment, bundle_file
from zcps.documents import UnprintableText
from zcps.exports import attachment_name, exporter_name, write_table, xlsx_response
from zcps.extensions import db
from zcps.plans import from_beijing
from zcps.review_form import review_form_pdf
from zcps.storage import DAMAGED, MISSING, report_damaged_file, send_stored, unavailable_page
from zcps.templating import date_html, required_mark

from .columns import WAITED, WAITED_LABEL, waited

ALREADY_HANDLED = _l("该记录刚刚已被他人处理，请刷新页面查看最新状态。")
SAVE_FAILED = _l("保存失败：数据与已有记录冲突或不完整，请检查后重试。")
NOT_IN_SCOPE = _l("记录不存在或不属于您的账号。")


def _bool_label(view, value, name=None):
    return _("是") if value else _("否")


# Checked in order and the first match wins: LabeledEnum must come before Enum (and str).
TYPE_FORMATTERS = {LabeledEnum: lambda view, value, name=None: value.label}
TYPE_FORMATTERS.update(typefmt.BASE_FORMATTERS)
TYPE_FORMATTERS.update(
    {
        bool: _bool_label,
        date: lambda view, value, name=None: date_html(value),
        datetime: lambda view, value, name=None: date_html(value),
        dict: lambda view, value, name=None: "",
        list: lambda view, value, name=None: "",
    }
)


class AreaAccess:
    """A view of one role area: only accounts of that role get in.

    In the employer area a unit whose authorization is not approved yet can open only the
    views marked ``open_before_authorization`` (its 委托证明 and its profile); every other
    URL sends it there with a message saying what to do next.
    """

    role: Role = None
    open_before_authorization = False
    # In the employer area: the officer duty a view needs (None: every officer of the unit). The
    # unit's own account may open every view; an officer only those of the duties it holds.
    unit_duty: OfficerDuty | None = OfficerDuty.UNIT_ADMIN

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        # Periods end with the calendar, not with a click: whoever looks first closes them.
        if workflow.close_ended_publicities_when_due():
            db.session.commit()
        return self._authorization_gate()

    def _waits_for_authorization(self) -> bool:
        """Whether this view is closed to the signed-in unit until its authorization passes."""
        if self.role != Role.EMPLOYER or self.open_before_authorization:
            return False
        unit = getattr(current_user, "unit", None)
        return unit is not None and not unit.is_authorized

    def _authorization_gate(self):
        if not self._waits_for_authorization():
            return None
        # The home page of a unit not yet authorized is its 委托证明 page, which says what
        # to do; any other page was reached by an old link or a typed address.
        if not isinstance(self, AdminIndexView):
            flash(_("「%(page)s」需单位授权通过后才能使用。", page=self.name), "warning")
        return redirect(url_for("unit_authorization.index"))

    def is_visible(self):
        # The menu lists only what the unit can open now.
        return not (current_user.is_authenticated and self._waits_for_authorization())

    def is_accessible(self):
        # Asked for every entry of the menu: answered once per request, account, role and duty.
        account = current_user._get_current_object()
        key = (id(account), self.role, self.unit_duty)
        known = g.setdefault("zcps_access", {})
        if key not in known:
            known[key] = (
                account.is_authenticated
                and account.is_active
                and self.role is not None
                and account.role == self.role
                and (self.role != Role.EMPLOYER or account.may(self.unit_duty))
            )
        return known[key]

    def inaccessible_callback(self, name, **kwargs):
        from zcps.auth import login_url_for

        if not current_user.is_authenticated:
            flash(_("请先登录。"), "warning")
            return redirect(login_url_for(self.role, request.full_path.rstrip("?")))
        abort(403)


class AreaIndexView(AreaAccess, AdminIndexView):
    """The home page of a role area."""

    unit_duty = None  # every officer has a home page

    def __init__(self, role: Role, template: str, context=None, **kwargs):
        self.role = role
        self.home_template = template
        self.home_context = context
        super().__init__(name=_l("首页"), **kwargs)

    @expose("/")
    def index(self):
        return self.render(self.home_template, **(self.home_context() if self.home_context else {}))


class AreaPage(AreaAccess, BaseView):
    """A plain page (not a model list) inside a role area."""


class Outcome:
    """What one workflow step did: true when it was committed, with the step's result; false
    when it was refused, with the message (already shown as a flash unless asked not to)."""

    def __init__(self, value=None, error: str | None = None, already_handled: bool = False):
        self.value = value
        self.error = error
        self.already_handled = already_handled

    def __bool__(self) -> bool:
        return self.error is None


def run_step(step, *args, success=None, flash_error: bool = True, **kwargs) -> Outcome:
    """Call one workflow step for the signed-in account and commit.

    A refusal, or a record someone else changed first, rolls back (files the step stored are
    removed with it, zcps/storage.py) and becomes the message the person reads. ``success`` is
    the flash after the commit: a text, or a function of the step's result.
    """
    try:
        value = step(current_user, *args, **kwargs)
        db.session.commit()
    except workflow.WorkflowError as error:
        return _refused(str(error), isinstance(error, workflow.AlreadyHandled), flash_error)
    except StaleDataError:
        return _refused(str(ALREADY_HANDLED), True, flash_error)
    if success:
        flash(success(value) if callable(success) else str(success), "success")
    return Outcome(value)


def _refused(message: str, already_handled: bool, show: bool) -> Outcome:
    db.session.rollback()
    if show:
        flash(message, "error")
    return Outcome(error=message, already_handled=already_handled)


def run_posted_step(step, *args, **kwargs) -> Outcome:
    """``run_step`` for a decision posted from a page: a form without its CSRF token is a 400."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    return run_step(step, *args, **kwargs)


def get_for_or_404(model, pk):
    """One record of ``model`` within the signed-in account's scope, or 404."""
    record = model.get_for(current_user, pk)
    if record is None:
        abort(404)
    return record


def timeline(subject, record_id) -> list:
    """A record's history as the signed-in account may see it, oldest first."""
    return ReviewRecord.query_for(current_user).filter(
        ReviewRecord.subject == subject, ReviewRecord.subject_id == record_id).order_by(
            ReviewRecord.id).all()


def posted_ids(prefix: str, form=None) -> dict:
    """{id: value} of the posted fields named ``prefix`` + an id (``remark-12``); a field whose
    id is not a number is a bad request."""
    form = request.form if form is None else form
    values = {}
    for key, value in form.items():
        if key.startswith(prefix):
            record_id = to_id(key.removeprefix(prefix))
            if record_id is None:
                abort(400)
            values[record_id] = value
    return values


def posted_version() -> int | None:
    """The record version a decision form carries (the one the officer saw), None when the
    form has none; anything but a version number is a bad request."""
    value = request.form.get("version")
    if value is None or value == "":
        return None
    version = to_id(value)
    if version is None:
        abort(400)
    return version


class ScopedAjaxModelLoader(QueryAjaxModelLoader):
    """Ajax lookups for relationship fields, limited to what the actor may see."""

    def get_query(self):
        return self.model.query_for(current_user)

    def get_one(self, pk):
        with db.session.no_autoflush:
            return self.model.get_for(current_user, pk)


class ChoiceFilter(FilterEqual):
    """等于 one of the listed options: any other value in the address is ignored, as Flask-Admin
    ignores a filter whose value does not validate (an unknown enum code would fail the query)."""

    def validate(self, value):
        return value in {str(key) for key, _label in self.get_options(None) or ()}


class IdChoiceFilter(ChoiceFilter):
    """``ChoiceFilter`` on a key column: the chosen id compared as the number it is."""

    def clean(self, value):
        return int(value)


class BeijingDayRange(DateBetweenFilter):
    """Between two Beijing calendar days, both included, on a column of naive UTC moments."""

    def apply(self, query, value, alias=None):
        start, end = value
        column = self.get_column(alias)
        return query.filter(
            column >= from_beijing(datetime.combine(start, time.min)),
            column < from_beijing(datetime.combine(end + timedelta(days=1), time.min)))

    def operation(self):
        return _l("介于")


class _SeriesOptions:
    """The catalogue's series as filter options, read when a page lists them (Flask-Admin keeps
    a filter's options from start-up; the catalogue changes while the site runs)."""

    def __bool__(self):
        return True

    def __iter__(self):
        return iter([(str(series.id), series.name) for series in db.session.scalars(
            sa.select(TitleSeries).order_by(TitleSeries.sort_order, TitleSeries.id))])


def application_filters(day_column=Application.submitted_at, day_label=_l("提交时间")):
    """What the application lists filter by: 系列, 级别, 评审方式 and a range of days of
    ``day_column`` (提交时间 unless the list is about another moment)."""
    return [
        IdChoiceFilter(Application.series_id, _l("申报系列"), options=_SeriesOptions()),
        ChoiceFilter(Application.level, _l("申报级别"), options=TitleLevel.choices()),
        ChoiceFilter(Application.review_method, _l("评审方式"), options=ReviewMethod.choices()),
        BeijingDayRange(day_column, day_label),
    ]


class _KnownCount:
    """A count query whose answer is already known (see ScopedModelView.get_count_query)."""

    def __init__(self, value: int):
        self.value = value

    def scalar(self) -> int:
        return self.value


class CappedCount(Query):
    """A count that stops at ``cap`` + 1 rows (see ScopedModelView.count_cap): what the pager
    gets of a list too long to count every time. Filters and search apply as to any count."""

    cap: int = 0

    def scalar(self):
        counted = self.limit(self.cap + 1).subquery()
        return self.session.scalar(sa.select(sa.func.count()).select_from(counted))


class CountLabel(int):
    """A row count as the tabs show it: "10000+" once it reached the list's cap."""

    capped = False

    def __new__(cls, value: int, cap: int | None = None):
        label = super().__new__(cls, min(value, cap + 1) if cap is not None else value)
        label.capped = cap is not None and value > cap
        return label

    def __str__(self) -> str:
        return f"{self.cap_value}+" if self.capped else super().__str__()

    @property
    def cap_value(self) -> int:
        return int(self) - 1


# Columns searched as codes (身份证号, 统一社会信用代码, 手机号码, user names, IP addresses): a whole
# code finds its row by equality and a beginning of one by prefix, both served by a b-tree index;
# every other text column is searched for the words it contains (on PostgreSQL through the
# pg_trgm indexes of migration 0016; MariaDB and SQLite scan the column).
CODE_COLUMNS = frozenset({"id_number", "uscc", "mobile", "contact_mobile", "username",
                          "ip_address"})
# At most this many words of a search are applied (each one narrows the rows).
MAX_SEARCH_TERMS = 5


def like_escaped(term: str) -> str:
    return term.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def search_clause(column, term: str):
    """The condition one search word puts on one column (None: the column cannot match it)."""
    if column.key in CODE_COLUMNS:
        if not term.isascii():
            return None  # a code is digits and letters: no row can match a name here
        variants = sorted({term, term.upper()})
        length = getattr(column.type, "length", None)
        if length is not None and len(term) > length:
            return None
        if length is not None and len(term) == length:
            return column.in_(variants) if len(variants) > 1 else column == term
        return sa.or_(*(column.like(like_escaped(variant) + "%", escape="!")
                        for variant in variants))
    if not isinstance(column.type, sa.String):
        column = sa.cast(column, sa.String)
    return column.ilike("%" + like_escaped(term) + "%", escape="!")


def _related_key(path):
    """(local foreign key, remote key) when ``path`` is one many-to-one relationship on a single
    column (how a related record's columns are searched by ids); otherwise None."""
    if not path or len(path) != 1:
        return None
    prop = getattr(path[0], "property", None)
    pairs = getattr(prop, "local_remote_pairs", None)
    if getattr(getattr(prop, "direction", None), "name", None) != "MANYTOONE" or \
            not pairs or len(pairs) != 1:
        return None
    return pairs[0]


# The furthest page a list goes to: 10⁶ pages of the largest page size stay within INTEGER.
MAX_PAGE = 1_000_000


# How Flask-Admin 2's admin/lib.html marks a required field inside its label.
FLASK_ADMIN_STAR = '<strong class="text-danger">&#42;</strong>'


class ScopedModelView(AreaAccess, ModelView):
    """Base of every model view. Subclasses set ``role`` and spell out their columns."""

    # Safe defaults: a view opts in to each capability.
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    can_view_details = True
    can_set_page_size = True
    page_size = 20
    column_display_actions = True
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS
    details_modal = False
    edit_modal = False
    create_modal = False
    list_template = "zcps/model_list.html"
    # Excel export of the current tab, search and filters: [(header, value getter)].
    xlsx_columns: tuple = ()
    xlsx_name = _l("导出")
    # Status tabs above the list: (key, label, statuses or None for all); the first is default.
    status_column: str | None = None
    status_tabs: tuple = ()
    # A list that grows without end (the audit log, the SMS outbox) counts at most this many
    # rows for its pager and tabs ("10000+"), and pages only through them: further back, the
    # search and filters find what is wanted. None: count every row.
    count_cap: int | None = None
    # {action name: question} asked before a bulk action, with the numbers of what is ticked
    # ({rows}; {count}, the sum of the data-count the ticked rows show): zcps/area_base.html.
    action_questions: dict = {}

    # A list whose pages are picked by their ids first (``_apply_pagination``): for a scope of
    # thousands of rows sorted or paged deep, with an index holding every column the scope,
    # tabs and sorts read.
    page_by_keys = False

    def __init__(self, model, **kwargs):
        # The details page and export show every column unless told otherwise, ID numbers
        # and mobiles included, so each view must name its columns.
        for attribute in ("column_list", "column_details_list"):
            if getattr(self, attribute, None) is None:
                raise TypeError(f"{type(self).__name__} must set {attribute}")
        if self.can_export and getattr(self, "column_export_list", None) is None:
            raise TypeError(f"{type(self).__name__} must set column_export_list")
        if (self.can_create or self.can_edit) and getattr(self, "form_columns", None) is None:
            raise TypeError(f"{type(self).__name__} must set form_columns")
        if not (self.can_view_details or self.can_edit or self.can_delete
                or getattr(self, "column_extra_row_actions", None)):
            self.column_display_actions = False  # no empty column of row buttons
        if self.shows_waiting:
            self.column_labels = {WAITED: WAITED_LABEL, **(self.column_labels or {})}
            self.column_formatters = {**(self.column_formatters or {}), WAITED: waited}
        super().__init__(model, db, **kwargs)

    # --- the page's look ------------------------------------------------------------------
    def record_label(self, model) -> str:
        """What a record is called at the end of its page's breadcrumbs (首页 › list › this)."""
        for attribute in ("name", "title", "display_name", "username"):
            value = getattr(model, attribute, None)
            if value:
                return str(value)
        return _("第%(id)s条", id=model.id)

    def render(self, template, **kwargs):
        # Flask-Admin's forms (admin/lib.html render_field) mark a required field with a bare
        # red star; ours is the one the hand-written forms show, with 必填 for screen readers.
        page = super().render(template, **kwargs)
        return page.replace(FLASK_ADMIN_STAR, str(required_mark())) if FLASK_ADMIN_STAR in page else page

    # --- scoping -------------------------------------------------------------------------
    def view_clause(self):
        """An extra condition that narrows this view within the actor's scope (or None)."""
        return None

    def scoped(self, query):
        """``query`` limited to the rows this actor may see in this view: the one place the
        list, its count, the tab counts and single records take their scope from."""
        query = query.filter(self.model.scope_clause(current_user))
        clause = self.view_clause()
        return query if clause is None else query.filter(clause)

    def scoped_query(self):
        """Every row this actor may see in this view, whatever tab or search is shown."""
        return self.scoped(db.session.query(self.model))

    def get_query(self):
        query = self.tab_filter(self.scoped_query())
        if self.shows_waiting:
            # The 已等待 column reads what the list's own query computed; rows already in the
            # session get it too (populate_existing).
            query = query.options(with_expression(self.model.waiting_since,
                                                  self.waiting_since())).populate_existing()
        return query

    def get_count_query(self):
        # Unsearched and unfiltered, the pager's total is the tab's own count: the page then
        # counts its rows once (grouped, for every tab) rather than twice.
        view_args = self._get_list_extra_args()
        if self.status_tabs and not view_args.search and not view_args.filters:
            return _KnownCount(self.tab_counts()[self.current_tab()[0]])
        if self.count_cap is not None:
            query = CappedCount([sa.literal(1)], session=db.session).select_from(self.model)
            query.cap = self.count_cap
            return self.tab_filter(self.scoped(query))
        return self.tab_filter(self.scoped(
            db.session.query(sa.func.count()).select_from(self.model)))

    def get_list_row_actions(self):
        # Flask-Admin's delete button confirms by an inline onclick the CSP refuses.
        return [TemplateLinkRowAction("zcps_row_actions.delete_row", action.title)
                if isinstance(action, DeleteRowAction) else action
                for action in super().get_list_row_actions()]

    def get_one(self, id):
        # get_one ignores get_query by default (session.get), so every detail/edit/delete
        # path must come through here.
        pk = to_id(id)
        if pk is None:
            return None
        return self.scoped_query().filter(self.model.id == pk).one_or_none()

    # --- 已等待N天 ------------------------------------------------------------------------
    @property
    def shows_waiting(self) -> bool:
        return WAITED in (self.column_list or ())

    def waiting_since(self):
        """Since when each row waits for this view's reader: a SQL expression of the row, NULL
        for a row that waits for nobody. A view with ``WAITED`` in its column_list says it here;
        the base shows the column (``columns.waited``) and sorts by it in the database."""
        raise NotImplementedError(f"{type(self).__name__} lists {WAITED} but has no waiting_since")

    def get_sortable_columns(self):
        columns = super().get_sortable_columns()
        if self.shows_waiting:
            columns[WAITED] = WAITED  # ordered by _apply_sorting, with the request's scope
        return columns

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        if sort_column != WAITED or not self.shows_waiting:
            return super()._apply_sorting(query, joins, sort_column, sort_desc)
        since = self.waiting_since()
        # Fewest days first is the latest start first; rows waiting for nobody go last either
        # way (NULLS LAST is not portable); the id keeps pages apart when two starts are equal.
        latest_first = not sort_desc
        return query.order_by(sa.case((since.is_(None), 1), else_=0),
                              since.desc() if latest_first else since.asc(),
                              self.model.id.desc() if latest_first else self.model.id.asc()), joins

    # --- status tabs ---------------------------------------------------------------------
    def current_tab(self):
        if not self.status_tabs:
            return None
        wanted = request.args.get("tab")
        for tab in self.status_tabs:
            if tab[0] == wanted:
                return tab
        return self.status_tabs[0]

    def tab_clause(self, tab):
        """The condition of ``tab`` (None: every row of the view)."""
        statuses = tab[2]
        return None if statuses is None else getattr(self.model, self.status_column).in_(statuses)

    def tab_filter(self, query):
        tab = self.current_tab()
        clause = None if tab is None else self.tab_clause(tab)
        return query if clause is None else query.filter(clause)

    def count_tabs(self) -> dict:
        """{tab key: rows}, from one count grouped by status over this view's scope; with a
        ``count_cap``, from one statement counting each tab up to the cap."""
        if self.count_cap is not None:
            counts = []
            for tab in self.status_tabs:
                query = self.scoped(db.session.query(sa.literal(1)).select_from(self.model))
                clause = self.tab_clause(tab)
                if clause is not None:
                    query = query.filter(clause)
                counted = query.limit(self.count_cap + 1).subquery()
                counts.append(sa.select(sa.func.count()).select_from(counted).scalar_subquery())
            values = db.session.execute(sa.select(*counts)).one()
            return {tab[0]: CountLabel(value, self.count_cap)
                    for tab, value in zip(self.status_tabs, values, strict=True)}
        column = getattr(self.model, self.status_column)
        by_status = dict(self.scoped(db.session.query(column, sa.func.count()))
                         .group_by(column).all())
        return {key: sum(by_status.values()) if statuses is None
                else sum(by_status.get(status, 0) for status in statuses)
                for key, _label, statuses in self.status_tabs}

    def tab_counts(self) -> dict:
        """``count_tabs``, counted once a request (the tabs and the pager both show them)."""
        counted = g.setdefault("zcps_tab_counts", {})
        if self.endpoint not in counted:
            counted[self.endpoint] = self.count_tabs()
        return counted[self.endpoint]

    def tab_links(self):
        """[(key, label, count, url, active)] for the tabs above the list."""
        counts = self.tab_counts()
        current = self.current_tab()[0]
        return [(key, label, counts[key], self.get_url(".index_view", tab=key), key == current)
                for key, label, _statuses in self.status_tabs]

    # --- search --------------------------------------------------------------------------
    def _apply_search(self, query, count_query, joins, count_joins, search):
        # Flask-Admin's own search casts every column to text and matches '%word%', which no
        # index serves: here codes match whole or by their beginning, and text by what it
        # contains without a cast (search_clause). Words narrow the rows; within one word any
        # searchable column may match.
        # A column of a related record (applicant.name in a list of applications) is searched
        # in that record's table, whose ids then select the rows (application.applicant_id IN
        # (...)): no join, and each table's own indexes serve its columns.
        related = {}
        for field, path in self._search_fields:
            key = _related_key(path)
            if key is not None:
                related.setdefault(key, []).append(field)
        for term in [word for word in search.split() if word][:MAX_SEARCH_TERMS]:
            term = term.lstrip("^=") or term
            clauses, count_clauses = [], []
            by_key = []
            for (local, remote), fields in related.items():
                matches = [clause for clause in (self.search_clause(field, term)
                                                 for field in fields)
                           if clause is not None]
                if matches:
                    by_key.append((local, sa.select(remote).where(sa.or_(*matches))))
            clause = self._related_matches(by_key)
            if clause is not None:
                clauses.append(clause)
                count_clauses.append(clause)
            for field, path in self._search_fields:
                if _related_key(path) is not None:
                    continue
                query, joins, alias = self._apply_path_joins(query, joins, path,
                                                             inner_join=False)
                clause = self.search_clause(
                    field if alias is None else getattr(alias, field.key), term)
                if clause is not None:
                    clauses.append(clause)
                if count_query is not None:
                    count_query, count_joins, count_alias = self._apply_path_joins(
                        count_query, count_joins, path, inner_join=False)
                    clause = self.search_clause(
                        field if count_alias is None else getattr(count_alias, field.key), term)
                    if clause is not None:
                        count_clauses.append(clause)
            query = query.filter(sa.or_(*clauses) if clauses else sa.false())
            if count_query is not None:
                count_query = count_query.filter(
                    sa.or_(*count_clauses) if count_clauses else sa.false())
        return query, count_query, joins, count_joins

    def remembered_page_size(self, view_args):
        """The page size of this list: the one chosen now (kept in the session, per list), else
        the one chosen last time on this list."""
        chosen = self.get_safe_page_size(view_args.page_size)
        sizes = session.get("page_sizes") or {}
        if "page_size" in request.args and chosen == view_args.page_size:
            if sizes.get(self.endpoint) != chosen:
                session["page_sizes"] = {**sizes, self.endpoint: chosen}
            return view_args
        kept = sizes.get(self.endpoint)
        if "page_size" not in request.args and kept in self.page_size_options:
            return view_args.clone(page_size=kept)
        return view_args

    def search_clause(self, column, term: str):
        """The condition one search word puts on one of this view's columns (None: none)."""
        return search_clause(column, term)

    def _related_matches(self, by_key):
        """The rows whose related records match, from [(foreign key, ids of the matching
        related records)]: ``key IN (ids)`` for one relationship; for several (an inbox searched
        by applicant and by unit), the ids of this table's rows found through each key, merged
        by a UNION. An OR of the ``IN``s would make PostgreSQL test every row in scope against
        both lists (the busiest point's ≈ 18,000 applications); the UNION fetches the few rows
        each list names through that key's own index."""
        if not by_key:
            return None
        if len(by_key) == 1:
            local, ids = by_key[0]
            return local.in_(ids)
        mapper = sa.inspect(self.model)
        if len(mapper.primary_key) != 1:
            return sa.or_(*(local.in_(ids) for local, ids in by_key))
        key = mapper.primary_key[0]

        def attribute(row, column):
            return getattr(row, mapper.get_property_by_column(column).key)

        found = []
        for local, ids in by_key:
            row = aliased(self.model)  # not correlated with the list's own table
            found.append(sa.select(attribute(row, key)).where(attribute(row, local).in_(ids)))
        return attribute(self.model, key).in_(sa.union(*found))

    def _apply_pagination(self, query, page, page_size):
        if not self.page_by_keys:
            return super()._apply_pagination(query, page, page_size)
        page_size = self.page_size if page_size is None else page_size
        if not page_size:
            return query
        # The page's ids first, in the list's order (from an index alone when one holds the
        # scope, the sort and the tab), then those rows: the rows skipped by OFFSET and those
        # compared by the sort are not read from the table.
        key = sa.inspect(self.model).primary_key[0]
        keys = (query.enable_eagerloads(False).with_entities(key)
                .limit(page_size).offset((page or 0) * page_size).subquery())
        return query.join(keys, key == keys.c[key.name]).limit(page_size)

    def _get_list_extra_args(self):
        view_args = super()._get_list_extra_args()
        if self.can_set_page_size:
            view_args = self.remembered_page_size(view_args)
        # A page number no list has (below zero, or so far that OFFSET overflows the
        # database's integer) shows the first page rather than failing.
        if not 0 <= view_args.page <= MAX_PAGE:
            view_args = view_args.clone(page=0)
        elif self.count_cap is not None:
            # Only the counted rows are paged through (the pager shows no further page).
            # The size the list really uses: a size it does not offer (-1, 0, 7) is the default.
            page_size = self.get_safe_page_size(view_args.page_size)
            last = self.count_cap // page_size
            if view_args.page > last:
                view_args = view_args.clone(page=last)
        return view_args

    def count_text(self, count) -> str:
        """The toolbar's 共N条 / 搜索结果：N条 number: "10000+" past the count cap."""
        return str(CountLabel(count or 0, self.count_cap))

    def get_empty_list_message(self):
        tab = self.current_tab()
        if tab is not None and tab[2] is not None:
            return _("「%(tab)s」中暂无记录。", tab=tab[1])
        return _("暂无记录。")

    def get_one_or_404(self, id):
        record = self.get_one(id)
        if record is None:
            abort(404)
        return record

    @expose("/export.xlsx")
    def xlsx_export_view(self):
        if not self.xlsx_columns:
            abort(404)
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        _, query = self.get_list(0, sort[0] if sort else None, view_args.sort_desc,
                                 view_args.search, view_args.filters, execute=False,
                                 page_size=0)
        rows = ([getter(record) for _, getter in self.xlsx_columns]
                for record in query.yield_per(500))
        tab = self.current_tab()
        title = f"{self.xlsx_name}（{tab[1]}）" if tab else str(self.xlsx_name)
        data = write_table(rows, [str(header) for header, _ in self.xlsx_columns], title=title,
                           owner=exporter_name(current_user))
        suffix = f"_{tab[1]}" if tab else ""
        return xlsx_response(data, f"{self.xlsx_name}{suffix}_{workdays.today():%Y%m%d}.xlsx")

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        # Flask-Admin answers an unknown record with a 500; out of scope is simply not found.
        if self.get_one(request.form.get("list_form_pk")) is None:
            return str(NOT_IN_SCOPE), 404
        return super().ajax_update()

    def scoped_records(self, ids, model=None):
        """The records among ``ids`` the actor may see in this view (or, given ``model``, of
        that model in the actor's scope); a forged id refuses the whole request."""
        wanted = {to_id(value) for value in ids}
        if None in wanted:
            abort(400)
        if not wanted:
            return []
        model = model or self.model
        query = self.scoped_query() if model is self.model else model.query_for(current_user)
        records = query.filter(model.id.in_(wanted)).order_by(model.id).all()
        if len(records) != len(wanted):
            abort(404)
        return records

    def init_actions(self):
        super().init_actions()
        # Each action handler receives the scoped records, never the raw posted ids.
        for name, (handler, text, desc) in list(self._actions_data.items()):
            self._actions_data[name] = (self._scoped_action(handler), text, desc)

    def _scoped_action(self, handler):
        def run(ids):
            return handler(self.scoped_records(ids))

        return run

    def _create_ajax_loader(self, name, options):
        attr = getattr(self.model, name)
        return ScopedAjaxModelLoader(name, db, attr.prop.mapper.class_, **options)

    def _scope_relationship_choices(self, form):
        relationships = sa.inspect(self.model).relationships
        for field in form:
            if hasattr(field, "query_factory") and field.name in relationships:
                related = relationships[field.name].mapper.class_
                field.query = None
                field.query_factory = lambda related=related: related.query_for(current_user)
        return form

    def create_form(self, obj=None):
        return self._scope_relationship_choices(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._scope_relationship_choices(super().edit_form(obj))

    def validate_form(self, form):
        valid = super().validate_form(form)
        # Flask-Admin's form template shows only errors that are plain str, not lazy ones.
        for field in form:
            if field.errors and isinstance(field.errors, list | tuple):
                field.errors = [error if isinstance(error, str | dict | list) else str(error)
                                for error in field.errors]
        return valid

    def on_model_change(self, form, model, is_created):
        # A forged owner field (unit_id …) cannot move a record into another scope.
        model.assign_owner(current_user)

    # --- errors --------------------------------------------------------------------------
    def handle_view_exception(self, exc):
        if isinstance(exc, StaleDataError):
            db.session.rollback()
            flash(str(ALREADY_HANDLED), "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            db.session.rollback()
            current_app.logger.exception("Database error in %s", type(self).__name__)
            flash(str(SAVE_FAILED), "error")
            return True
        return super().handle_view_exception(exc)


def _unprintable(error: UnprintableText, back: str):
    flash(_("申报信息中的“%(chars)s”是生僻字，申报评审表中无法打印，请改用通用写法。",
            chars="、".join(str(error))), "error")
    return redirect(back)


def review_form_response(application, back: str):
    """The application's 申报评审表 as a PDF download; data the font cannot print is named
    on ``back`` instead."""
    try:
        pdf = review_form_pdf(application)
    except UnprintableText as error:
        return _unprintable(error, back)
    name = (application.profile_snapshot or {}).get("name") or application.applicant.name
    response = send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=attachment_name(f"申报评审表_{name}.pdf"), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def bundle_response(application, back: str):
    """The whole application as one PDF (zcps/application_bundle.py), streamed from its
    temporary file; an attachment that is missing, damaged or unreadable refuses it with a page
    naming the file (and, missing or damaged, an audit entry, as a download of it would)."""
    try:
        handle, size = bundle_file(application)
    except UnprintableText as error:
        return _unprintable(error, back)
    except UnavailableAttachment as error:
        if error.stored is not None and error.problem in (MISSING, DAMAGED):
            report_damaged_file(error.stored, error.problem)
        else:
            current_app.logger.warning("Application %s: attachment %s not merged (%s)",
                                       application.id, error.number, error.problem)
        return unavailable_page(MISSING if error.problem == MISSING else DAMAGED, str(error))
    name = (application.profile_snapshot or {}).get("name") or application.applicant.name
    # The handle is closed (and the file gone) when the response is.
    response = send_file(handle, mimetype="application/pdf", as_attachment=True,
                         download_name=attachment_name(f"申报材料_{name}.pdf"), max_age=0,
                         conditional=False, etag=False)
    response.content_length = size
    response.headers["Cache-Control"] = "private, no-store"
    return response


class ApplicationFiles:
    """Serves an attachment of an application's extracted items, and only through an
    application the actor may see in this view (``get_one_or_404``) that carries the file;
    the application's 申报评审表; and the whole application as one PDF."""

    @expose("/review-form/<int:application_id>")
    def review_form_view(self, application_id):
        application = self.get_one_or_404(application_id)
        return review_form_response(application, self.get_url(".index_view"))

    @expose("/bundle/<int:application_id>")
    def bundle_view(self, application_id):
        application = self.get_one_or_404(application_id)
        return bundle_response(application, self.get_url(".index_view"))

    @expose("/file/<int:application_id>/<int:file_id>")
    def file_view(self, application_id, file_id):
        application = self.get_one_or_404(application_id)
        if not any(file_id in (item.file_ids or []) for item in application.items):
            abort(404)
        return send_stored(db.session.get(StoredFile, file_id), inline=True)

