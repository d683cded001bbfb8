"""个人中心 (/me): the applicant's own archive and applications."""
from flask_babel import lazy_gettext as _l

from models import Application, ArchiveItem, Role

from .base import ScopedModelView
from .columns import (
    APPLICATION_LABELS,
    ARCHIVE_ITEM_LABELS,
    STATUS_FORMATTERS,
    holder_label,
)


class ApplicantAreaView(ScopedModelView):
    role = Role.APPLICANT


class MyArchiveView(ApplicantAreaView):
    column_list = ["category", "title", "organisation", "status", "remark"]
    column_details_list = ["category", "title", "organisation", "start_date", "end_date",
                           "status", "submitted_at", "reviewed_at", "remark"]
    column_labels = ARCHIVE_ITEM_LABELS
    column_formatters = dict(STATUS_FORMATTERS)
    column_default_sort = ("id", True)


class MyApplicationView(ApplicantAreaView):
    column_list = ["year", "series", "qualification", "review_method", "status", "holder"]
    column_details_list = ["year", "series", "specialty", "level", "qualification",
                           "review_method", "current_title", "status", "holder", "submitted_at",
                           "decided_at", "opinion"]
    column_labels = APPLICATION_LABELS
    column_formatters = {**STATUS_FORMATTERS, "holder": holder_label}
    column_formatters_detail = {**STATUS_FORMATTERS, "holder": holder_label}
    column_default_sort = ("id", True)



def register(admin):
    admin.add_view(MyArchiveView(ArchiveItem, name=_l("业绩档案"), endpoint="me_archive"))
    admin.add_view(MyApplicationView(Application, name=_l("职称申报"), endpoint="me_application"))
