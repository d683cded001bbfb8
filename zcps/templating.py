"""Jinja filters and globals shared by every template."""
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from models import (
    Action,
    ApplicationStatus,
    AuthorizationStatus,
    NotificationStatus,
    ObjectionStatus,
    ReviewStatus,
    Role,
    StoredFile,
)

from .archive_fields import DEGREES, summary
from .areas import area_for
from .extensions import db
from .i18n import aside, choice_label, colon, join_list, local_date
from .identifiers import mask_id_number, mask_mobile


def date_html(value) -> Markup:
    """local_date kept on one line wherever a narrow column would break it mid-date."""
    text = local_date(value)
    return Markup('<span class="text-nowrap">{}</span>').format(text) if text else Markup()


def item_details(item) -> Markup:
    """An archive or application item's own fields and its dates, for a 详情 column."""
    text = Markup.escape(summary(item.category, item.details))
    dates = [date_html(value) for value in (item.start_date, item.end_date) if value]
    if item.end_date and not item.start_date:
        dates = [Markup("—") + dates[0]]
    if dates:
        text = (text + Markup(" ") if text else text) + Markup("—").join(dates)
    return text


# A status's colour wherever it shows as a badge: waiting amber, done green, refused red.
STATUS_COLOURS = {
    ReviewStatus.PENDING: "warning",
    ReviewStatus.APPROVED: "success",
    ReviewStatus.REJECTED: "danger",
    ReviewStatus.RETURNED: "info",
    ApplicationStatus.ACCEPTED: "success",
    ApplicationStatus.NOT_RECOMMENDED: "danger",
    ApplicationStatus.ACCEPTANCE_RETURNED: "info",
    ApplicationStatus.ROUTE_RETURNED: "info",
    ApplicationStatus.PUBLICIZING: "primary",
    ApplicationStatus.RECOMMENDED: "primary",
    NotificationStatus.SENT: "success",
    NotificationStatus.FAILED: "danger",
    ObjectionStatus.OPEN: "warning",
    ObjectionStatus.UPHELD: "danger",
    ObjectionStatus.DISMISSED: "success",
}


def file_names(items) -> dict:
    """{stored file id: the name it was uploaded with} for the attachments of ``items`` (each
    with ``file_ids``), in one query; the page still serves each only through its record."""
    ids = {file_id for item in items for file_id in (item.file_ids or [])}
    if not ids:
        return {}
    return dict(db.session.execute(
        db.select(StoredFile.id, StoredFile.original_name).where(StoredFile.id.in_(ids))).all())


def status_badge(status) -> Markup:
    """A status as a coloured badge with its label."""
    if status is None:
        return Markup("")
    return Markup('<span class="badge badge-{}">{}</span>').format(
        STATUS_COLOURS.get(status, "secondary"), status.label)


def required_mark() -> Markup:
    """Beside a required field's label: a star to see and 必填 for screen readers."""
    return Markup('<span class="required-mark" aria-hidden="true">*</span>'
                  '<span class="sr-only">{}</span>').format(_("必填"))


def is_required(field) -> bool:
    """Whether a form field must be filled: a DataRequired/InputRequired validator, or one of
    ours that refuses an empty value (``refuses_empty``) without making the browser check it."""
    return bool(field.flags.required) or any(
        getattr(validator, "refuses_empty", False) for validator in field.validators)


# The enums templates compare states with ({% if item.status == ReviewStatus.RETURNED %}).
TEMPLATE_ENUMS = (Action, ApplicationStatus, AuthorizationStatus, ObjectionStatus, ReviewStatus)


def area_title(name):
    """The area's name in the header. A reviewing level's accounts (主管部门, 区县人社,
    人事代理机构) work in the acceptance point's area under their own kind's name."""
    # The account is looked at on the acceptance area's pages only (the busy page, shown with
    # no database, never names that area).
    if str(name) != str(area_for(Role.ACCEPTANCE).name):
        return name
    if current_user.is_authenticated and current_user.role == Role.ACCEPTANCE:
        organisation = current_user.acceptance_point
        if organisation is not None and organisation.reviews:
            return organisation.kind.label
    return name


def init_app(app):
    app.jinja_env.filters["local_date"] = date_html
    app.jinja_env.filters["colon"] = colon
    app.jinja_env.filters["aside"] = aside
    app.jinja_env.filters["join_list"] = join_list
    app.jinja_env.filters["education"] = lambda value: choice_label(DEGREES, value)
    app.jinja_env.filters["item_details"] = item_details
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["mask_mobile"] = mask_mobile
    app.jinja_env.globals["status_badge"] = status_badge
    app.jinja_env.globals["file_names"] = file_names
    app.jinja_env.globals["required_mark"] = required_mark
    app.jinja_env.globals["is_required"] = is_required
    app.jinja_env.globals["area_title"] = area_title
    app.jinja_env.globals.update({enum.__name__: enum for enum in TEMPLATE_ENUMS})

    @app.context_processor
    def inject_globals():
        area = area_for(current_user.role) if current_user.is_authenticated else None
        return {
            "current_area": area,
            "languages": current_app.config["LANGUAGES"],
            "current_language": str(get_locale() or "zh_CN"),
        }
