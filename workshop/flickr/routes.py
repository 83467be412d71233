"""Flickr pages: the sync status for workers, and connecting the account for admins."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from workshop.extensions import db
from workshop.flickr import client, services
from workshop.photos import services as photos
from workshop.security import content_security_policy
from workshop.web import admin_required, staff_required

bp = Blueprint("flickr", __name__, url_prefix="/flickr")

# Where the request token waits while the admin is on Flickr.
PENDING_KEY = "flickr_oauth"

# A photo's page says where it is on Flickr: this feature's words, offered to every
# template so that the photos feature need not know Flickr exists.
bp.add_app_template_global(services.owner_words, "flickr_owner_words")


@bp.get("")
@staff_required
def status():
    return render_template("flickr/status.html", sync=services.sync_status(current_user),
                           account=services.get_account(), labels=services.STATUS_LABELS,
                           status_of=services.status_of)


@bp.post("/photos/<id:photo_id>/retry")
@staff_required
def retry(photo_id: int):
    services.retry(current_user, photos.get_photo(current_user, photo_id))
    flash("It will be tried again in a moment.", "success")
    return redirect(url_for("flickr.status"))


@bp.get("/connection")
@admin_required
def connection():
    missing = client.settings_missing()
    check = None if missing else services.check_account(current_user)
    response = current_app.make_response(render_template(
        "flickr/connection.html", missing=missing, check=check))
    # The connect button's form is answered with a redirect to Flickr's sign-in page,
    # which the browser follows only if this page's policy lets its forms go there.
    oauth = urlsplit(current_app.config["FLICKR_OAUTH_URL"])
    response.headers["Content-Security-Policy"] = content_security_policy(
        f"{oauth.scheme}://{oauth.netloc}")
    return response


def _not_connected(exc: client.FlickrUnavailable):
    """Back to the connection page, saying what went wrong: nothing retries a click."""
    db.session.rollback()
    flash(f"Flickr was not connected. {exc.message} Nothing has changed here: try again in "
          "a few minutes.", "error")
    return redirect(url_for("flickr.connection"), 303)


@bp.post("/connect")
@admin_required
def connect():
    try:
        pending = services.start_connect(current_user,
                                         url_for("flickr.callback", _external=True))
    except client.FlickrUnavailable as exc:
        return _not_connected(exc)
    session[PENDING_KEY] = {"token": pending.request_token, "secret": pending.request_secret}
    return redirect(pending.url, 303)


@bp.get("/callback")
@admin_required
def callback():
    pending = session.pop(PENDING_KEY, None)
    token = request.args.get("oauth_token", "")
    verifier = request.args.get("oauth_verifier", "")
    if pending is None or token != pending["token"]:
        # Not the answer to the request this browser started: someone else's link.
        flash("That Flickr answer did not match a connection started here. Try again.",
              "error")
        return redirect(url_for("flickr.connection"))
    if not verifier:
        flash("Flickr was not connected: the permission was not given.", "error")
        return redirect(url_for("flickr.connection"))
    try:
        account = services.finish_connect(current_user, pending["token"], pending["secret"],
                                          verifier)
    except client.FlickrUnavailable as exc:
        return _not_connected(exc)
    flash(f"Flickr is connected as {account.username}.", "success")
    return redirect(url_for("flickr.connection"))


@bp.post("/disconnect")
@admin_required
def disconnect():
    services.disconnect(current_user)
    flash("Flickr is disconnected. Photos wait in the queue until it is connected again.",
          "success")
    return redirect(url_for("flickr.connection"))
