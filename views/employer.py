"""用人单位 (/unit): the unit's people, 业绩档案审核 and 申报资料审核."""
from flask_babel import lazy_gettext as _l

from models import Applicant, Application, ArchiveItem, Role

from . import unit_authorization
from .base import ScopedModelView
from .columns import (
    APPLICANT_LABELS,
    STATUS_FORMATTERS,
    masked_id,
    masked_mobile,
)
from .unit_review import ApplicationReviewView, ArchiveReviewView


class EmployerView(ScopedModelView):
    role = Role.EMPLOYER


class UnitApplicantView(EmployerView):
    column_list = ["name", "id_number", "sex", "mobile", "current_title", "profile_status"]
    column_details_list = ["name", "id_number", "sex", "birth_date", "mobile",
                           "highest_education", "current_title", "current_title_date",
                           "profile_status", "profile_remark"]
    column_labels = APPLICANT_LABELS
    column_formatters = {**STATUS_FORMATTERS, "id_number": masked_id, "mobile": masked_mobile}
    # The record's own details page is the one place the full numbers show (DESIGN §6).
    column_formatters_detail = dict(STATUS_FORMATTERS)
    column_searchable_list = ["name", "id_number"]
    column_default_sort = ("id", True)


def register(admin):
    unit_authorization.register(admin)
    admin.add_view(ArchiveReviewView(ArchiveItem, name=_l("业绩档案审核"), endpoint="unit_archive"))
    admin.add_view(ApplicationReviewView(Application, name=_l("申报资料审核"), endpoint="unit_application"))
    admin.add_view(UnitApplicantView(Applicant, name=_l("本单位人员"), endpoint="unit_applicant"))
