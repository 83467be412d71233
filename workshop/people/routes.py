"""What one person's page shows about a participant, given to the page's template.

The page itself is auth's; auth must not depend on the features it is about, so this
blueprint hands its template a helper instead.
"""

from flask import Blueprint
from flask_login import current_user

from workshop.auth.models import Role, User
from workshop.db import utcnow
from workshop.people import services

bp = Blueprint("people", __name__)


@bp.app_context_processor
def person_overview_helper() -> dict:
    def person_overview(user: User) -> services.Overview | None:
        if user.role is not Role.PARTICIPANT or not current_user.is_staff:
            return None
        return services.overview(current_user, user.id, utcnow())

    return {"person_overview": person_overview}
