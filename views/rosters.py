"""推荐花名册 downloads, for the unit (资格审查推荐) and the acceptance point (推荐受理) alike.

Every roster is read through the view's own scoped query (``scoped_query``, ``scoped_records``),
narrowed to what was recommended: a unit gets only its own applications, an acceptance point only
those recommended to it.
"""
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from models import AcceptancePoint, Application, Unit, to_id
from zcps import recommendation_roster as rosters
from zcps.documents import UnprintableText
from zcps.exports import export_response, xlsx_response

GROUPS_PER_PAGE = 30
FORMATS = ("xlsx", "pdf")


class RecommendationRosters:
    """The 推荐花名册 of a day, of everything sent between the two sides, or of a selection.

    ``roster_party`` names the other side of each roster: the acceptance point for a unit, the
    unit for an acceptance point (the address's ``point`` or ``unit``)."""

    roster_party: str = "point"

    @property
    def _party(self):
        if self.roster_party == "point":
            return Application.acceptance_point_id, AcceptancePoint
        return Application.unit_id, Unit

    def roster_query(self):
        return self.scoped_query().filter(rosters.roster_clause())

    @expose("/roster/")
    def roster_list_view(self):
        """The rosters there are: one per day and other side, newest first, and one per other
        side for all days."""
        column, party = self._party
        day = rosters.local_day(Application.recommended_at)
        page = max(to_id(request.args.get("page")) or 1, 1)
        groups = (self.roster_query().join(party, party.id == column)
                  .with_entities(column, party.name, day, sa.func.count(Application.id))
                  .group_by(column, party.name, day)
                  .order_by(day.desc(), party.name, column)
                  .limit(GROUPS_PER_PAGE + 1).offset((page - 1) * GROUPS_PER_PAGE).all())
        parties = (self.roster_query().join(party, party.id == column)
                   .with_entities(column, party.name, sa.func.count(Application.id),
                                  sa.func.max(Application.recommended_at))
                   .group_by(column, party.name).order_by(party.name, column).all())
        return self.render("zcps/recommendation_rosters.html",
                           groups=[(party_id, name, rosters.as_day(when), count)
                                   for party_id, name, when, count in groups[:GROUPS_PER_PAGE]],
                           parties=parties, page=page,
                           more=len(groups) > GROUPS_PER_PAGE, party_arg=self.roster_party)

    @expose("/roster.<fmt>")
    def roster_view(self, fmt):
        """One roster as .xlsx or PDF: of the ``ids`` ticked in the list, or of the other side
        ``point``/``unit`` on ``day`` (every day when none is given)."""
        if fmt not in FORMATS:
            abort(404)
        back = self.get_url(".roster_list_view")
        ids = request.args.getlist("ids")
        if ids:
            # A foreign or unknown id refuses the whole request (404), a forged one 400.
            chosen = [application.id for application in self.scoped_records(ids)]
            query = self.scoped_query().filter(Application.id.in_(chosen))
        else:
            column, _model = self._party
            party_id = to_id(request.args.get(self.roster_party))
            typed_day = request.args.get("day", "").strip()
            try:
                day = date.fromisoformat(typed_day) if typed_day else None
            except ValueError:
                day = None
            if party_id is None or (typed_day and day is None):
                flash(_("请选择推荐日期下载推荐花名册，或在列表中勾选已推荐的申报。"), "error")
                return redirect(back)
            query = self.roster_query().filter(column == party_id)
            if day is not None:
                query = query.filter(rosters.recommended_on(day))
        loaded = (query.options(selectinload(Application.applicant),
                                selectinload(Application.qualification),
                                selectinload(Application.publicity),
                                selectinload(Application.unit),
                                selectinload(Application.acceptance_point),
                                selectinload(Application.plan))
                  .order_by(Application.recommended_at, Application.id).all())
        try:
            roster = rosters.make_roster(loaded)
        except rosters.RosterError as error:
            flash(str(error), "error")
            return redirect(back)
        if fmt == "xlsx":
            return xlsx_response(rosters.write_xlsx(roster), roster.download_name("xlsx"))
        try:
            pdf = rosters.write_pdf(roster)
        except UnprintableText as error:
            flash(_("花名册中的“%(chars)s”是生僻字，PDF中无法打印，请下载Excel花名册。",
                    chars="、".join(str(error))), "error")
            return redirect(back)
        return export_response(pdf, roster.download_name("pdf"), "application/pdf")

    def _ticked(self, applications, fmt):
        if not applications:
            flash(_("请先勾选要列入推荐花名册的申报。"), "error")
            return redirect(self.get_url(".index_view"))
        return redirect(self.get_url(".roster_view", fmt=fmt,
                                     ids=[application.id for application in applications]))

    @action("roster_xlsx", _l("下载推荐花名册（Excel）"))
    def action_roster_xlsx(self, applications):
        return self._ticked(applications, "xlsx")

    @action("roster_pdf", _l("下载推荐花名册（PDF）"))
    def action_roster_pdf(self, applications):
        return self._ticked(applications, "pdf")
