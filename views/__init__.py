"""Flask-Admin areas, one per role, each created inside ``create_app``."""
from pathlib import Path

import flask_admin.actions
import flask_admin.model.base
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from zcps.areas import AREAS
from zcps.redirects import admin_redirect_target
from zcps.security_headers import csp_nonce

from . import acceptance, applicant, employer, password, platform
from .base import AreaIndexView

# Chinese for the few Flask-Admin messages its own catalog leaves untranslated.
ADMIN_TRANSLATIONS = str(Path(__file__).resolve().parent.parent / "zcps" / "translations" / "admin")

HOME_CONTEXT = {"admin": platform.home_context, "unit": employer.home_counts, "me": applicant.home_context,
                "acceptance": acceptance.home_counts}

REGISTRARS = {
    "admin": platform.register,
    "unit": employer.register,
    "me": applicant.register,
    "acceptance": acceptance.register,
}


# Flask-Admin's views and bulk actions call get_redirect_target by the name they imported; it
# lets through any address on the same host, ours only a path on this site.
flask_admin.model.base.get_redirect_target = admin_redirect_target
flask_admin.actions.get_redirect_target = admin_redirect_target


def init_admin_areas(app):
    admins = {}
    for area in AREAS:
        index = AreaIndexView(
            role=area.role,
            template=f"{area.endpoint}/index.html",
            context=HOME_CONTEXT.get(area.endpoint),
            url=area.url,
            endpoint=area.endpoint,
        )
        admin = Admin(
            app,
            name=area.name,
            url=area.url,
            endpoint=area.endpoint,
            index_view=index,
            theme=Bootstrap4Theme(base_template="zcps/area_base.html", fluid=True),
            translations_path=ADMIN_TRANSLATIONS,
            csp_nonce_generator=csp_nonce,
        )
        REGISTRARS[area.endpoint](admin)
        password.register(admin, area.role)
        admins[area.endpoint] = admin
    app.extensions["zcps_admins"] = admins
    return admins
