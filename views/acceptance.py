"""受理点 (/acceptance): the inbox of applications recommended to this acceptance point."""
from flask_babel import lazy_gettext as _l

from models import Application, Role

from .base import ScopedModelView
from .columns import APPLICATION_LABELS, STATUS_FORMATTERS


class InboxView(ScopedModelView):
    role = Role.ACCEPTANCE
    column_list = ["applicant", "unit", "series", "qualification", "status", "recommended_at"]
    column_details_list = ["applicant", "unit", "year", "series", "specialty", "level",
                           "qualification", "review_method", "status", "opinion",
                           "recommendation_opinion", "recommended_at"]
    column_labels = APPLICATION_LABELS
    column_formatters = dict(STATUS_FORMATTERS)
    column_default_sort = ("id", True)



def register(admin):
    admin.add_view(InboxView(Application, name=_l("推荐受理"), endpoint="acceptance_inbox"))
