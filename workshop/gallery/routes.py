"""The public gallery's pages: no login, only what the rules in services allow."""

from functools import wraps

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from workshop.auth import services as auth
from workshop.db import utcnow
from workshop.errors import Invalid
from workshop.extensions import limiter
from workshop.gallery import cache, forms, services
from workshop.photos import moderation
from workshop.photos.forms import THEME_TITLES
from workshop.photos.storage import send_stored, storage
from workshop.web import PUBLIC_COPY_CACHE, revalidate_for_visitors

bp = Blueprint("gallery", __name__, url_prefix="/gallery")

def _report_limit() -> str:
    return current_app.config["GALLERY_REPORT_LIMIT"]


@bp.context_processor
def gallery_template_helpers() -> dict:
    return {"themes": THEME_TITLES}


@bp.after_request
def revalidate_public_pages(response: Response) -> Response:
    return revalidate_for_visitors(response) if request.method == "GET" else response


def kept_for_visitors(view):
    """Serve a visitor without a session the page rendered for the last such visitor, as
    long as nothing it shows has changed (see gallery.cache)."""
    @wraps(view)
    def wrapper(**kwargs):
        if (request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
                or not current_app.config["GALLERY_CACHE_PAGES"]):
            return view(**kwargs)
        pages, key, now = cache.page_cache(), request.full_path, utcnow()
        version = cache.version()
        body = pages.get(key, version, now)
        if body is not None:
            return Response(body, mimetype="text/html")
        response = make_response(view(**kwargs))
        # Only a plain page: not an error, and nothing put in a session for this visitor.
        if response.status_code == 200 and not session.modified:
            pages.put(key, version, g.get("shown_until"), response.get_data())
        return response

    return wrapper


@bp.get("")
@kept_for_visitors
def index():
    theme = request.args.get("theme") or None
    month = request.args.get("month") or None
    try:
        page = services.gallery_page(theme, month, request.args.get("after") or None)
    except Invalid as exc:
        return render_template("gallery/index.html", page=None, theme=None, month=None,
                               error=exc.message), 422
    g.shown_until = services.shown_until([photo.id for photo in page.photos])
    return render_template("gallery/index.html", page=page, theme=theme, month=month,
                           error=None)


@bp.get("/people/<slug>")
def portfolio(slug: str):
    owner, shown = services.portfolio(slug)
    return render_template("gallery/portfolio.html", owner=owner, photos=shown)


@bp.post("/portfolio")
@login_required
def set_portfolio():
    on = request.form.get("portfolio") == "on"
    services.set_portfolio(current_user, on)
    flash("Your portfolio page is on." if on else "Your portfolio page is off.", "success")
    return redirect(url_for("photos.index"))


@bp.post("/sites/<id:site_id>/name")
@login_required
def set_site_name(site_id: int):
    site = auth.get_site(current_user, site_id)
    shown = request.form.get("shown") == "1"
    services.set_gallery_shows_name(current_user, site, shown)
    flash(f"The gallery {'shows' if shown else 'hides'} {site.name}'s name.", "success")
    return redirect(url_for("auth.sites"))


@bp.get("/<photo_uuid>")
@kept_for_visitors
def photo(photo_uuid: str):
    found = services.get_public(photo_uuid)
    g.shown_until = services.shown_until([found.id])
    return render_template("gallery/photo.html", photo=found)


@bp.get("/<photo_uuid>/report")
def report_form(photo_uuid: str):
    # A page of its own, so the photo's page carries no per-visitor form token.
    found = services.get_public(photo_uuid)
    return render_template("gallery/report.html", photo=found, form=forms.ReportForm())


@bp.get("/<photo_uuid>/<any(thumb, large):kind>.jpg")
def photo_file(photo_uuid: str, kind: str):
    found = services.get_public(photo_uuid)
    # Streamed through the app, never a link into the store: the check above runs on
    # every request, so a withdrawn photo is gone from the next one.
    # A cache may keep the bytes but must ask again before every use, so a withdrawal
    # reaches browsers, proxies and CDNs with the next view (a 404 then), not a year on.
    # Asking again costs a 304 while the photo stays public; the ETag changes with the
    # file (a copy made again or replaced is a new file).
    response = send_stored(storage().public_path(found.uuid, kind), "image/jpeg")
    response.headers["Cache-Control"] = PUBLIC_COPY_CACHE
    return response


@bp.post("/<photo_uuid>/report")
@limiter.limit(_report_limit, key_func=get_remote_address)
def report(photo_uuid: str):
    found = services.get_public(photo_uuid)
    form = forms.ReportForm()
    if not form.validate_on_submit():
        return render_template("gallery/report.html", photo=found, form=form), 422
    moderation.report(found, form.reason.data)
    flash("Thank you. The photo is hidden while a worker looks at it.", "success")
    return redirect(url_for("gallery.index"))
