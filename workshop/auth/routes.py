"""Pages for logging in and out, your account, people and sites."""

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
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from workshop.auth import forms, services, throttle
from workshop.auth.models import Role, User
from workshop.auth.passphrases import generate_passphrase
from workshop.extensions import db, limiter, login_manager
from workshop.paging import page_of
from workshop.security import is_safe_next
from workshop.web import (
    FORM_ERRORS,
    admin_required,
    form_errors,
    redirect_to_show_once,
    staff_required,
    take_shown_once,
)

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return services.load_login_session(token, current_app.config)


def _login_pair_key() -> str:
    account = throttle.account_name(request.form.get("username", ""))
    return f"login-pair:{account}@{request.remote_addr or ''}"


def _failed_login(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login, scope="login-address")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"],
               methods=["POST"], key_func=_login_pair_key, deduct_when=_failed_login,
               scope="login-pair")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = forms.LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        # Checked before the passphrase, or a guesser could go on learning during waits.
        if wait := throttle.seconds_to_wait(current_app.config, form.username.data):
            form.form_errors.append(
                f"There have been many wrong tries for this username. Please wait {wait} "
                f"second{'' if wait == 1 else 's'}, then try again.")
            # Flask-Limiter rewrites this header from its own limits (whole seconds, rounded
            # down, at least their reset); the message above carries the exact wait.
            return render_template("auth/login.html", form=form), 429, \
                {"Retry-After": str(wait)}
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            throttle.record_failure(current_app.config, form.username.data)
            form.form_errors.append(
                "That username and passphrase do not match. Check them and try again.")
            return render_template("auth/login.html", form=form), 401
        # A fresh session at login: nothing set before it (by anyone) carries over.
        session.clear()
        services.start_login_session(user)
        login_user(user)
        return redirect(next_url if is_safe_next(next_url) else url_for("dashboard.index"))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    # CSRFProtect has already checked this POST's token, as for every form.
    services.end_login_session(current_user)
    logout_user()
    session.clear()
    flash("You have logged out. See you next time.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    name_form = forms.DisplayNameForm(obj=current_user)
    token_form = forms.TokenForm(prefix="token")
    if name_form.validate_on_submit():
        try:
            services.update_user(current_user, current_user,
                                 display_name=name_form.display_name.data)
        except FORM_ERRORS as exc:
            form_errors(name_form, exc)
        else:
            flash("Your display name is saved.", "success")
            return redirect(url_for("auth.account"))
    status = 422 if name_form.errors or name_form.form_errors else 200
    may_hold_tokens = services.may_hold_api_tokens(current_user)
    tokens = services.user_tokens(current_user, current_app.config) if may_hold_tokens else []
    return render_template("auth/account.html", name_form=name_form, token_form=token_form,
                           may_hold_tokens=may_hold_tokens, tokens=tokens), status


@bp.post("/account/tokens")
@login_required
def create_token():
    form = forms.TokenForm(prefix="token")
    if not form.validate_on_submit():
        flash("Give the token a name of up to 80 characters.", "error")
        return redirect(url_for("auth.account"))
    token, raw = services.create_api_token(current_user, form.name.data)
    # Shown once, on the next page only: we keep nothing but its hash.
    return redirect_to_show_once("token", {"raw": raw}, "auth.new_token")


@bp.get("/account/tokens/new")
@login_required
def new_token():
    made = take_shown_once("token")
    if made is None:
        flash("A token is shown only once, when it is made. If you did not copy it, "
              "revoke it and make another.", "info")
        return redirect(url_for("auth.account"))
    return render_template("auth/token_created.html", raw=made["raw"])


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    services.revoke_api_token(current_user, token_id)
    flash("The token is revoked. Nothing can use it any more.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/passphrase", methods=["GET", "POST"])
@login_required
def change_passphrase():
    form = forms.ChangePassphraseForm()
    if form.validate_on_submit():
        try:
            services.change_passphrase(current_user, form.current.data, form.new.data)
        except FORM_ERRORS as exc:
            form_errors(form, exc)
        else:
            # Every other login (and any copy of the old cookie) has ended; this browser
            # carries on with a new one.
            session.clear()
            login_user(current_user._get_current_object())
            flash("Your new passphrase is saved. You are logged out everywhere else"
                  + (", and your API tokens have stopped working."
                     if services.may_hold_api_tokens(current_user) else "."), "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/change_passphrase.html", form=form), \
        422 if form.errors else 200


# --- people -----------------------------------------------------------------------------


def _site_choices(form: forms.PersonForm) -> None:
    sites = db.session.scalars(services.visible_sites(current_user)).all()
    form.site_id.choices = [SelectChoice(s.id, s.name) for s in sites]
    if not current_user.is_admin:
        # Workers add participants to their own site only; the service checks it too.
        form.role.choices = [SelectChoice(Role.PARTICIPANT.value, "Participant")]


@bp.get("/people")
@staff_required
def people():
    page = page_of(services.visible_users(current_user))
    return render_template("auth/people.html", users=page.items, page=page)


@bp.route("/people/new", methods=["GET", "POST"])
@staff_required
def new_person():
    form = forms.PersonForm()
    _site_choices(form)
    if request.method == "GET":
        form.password.data = generate_passphrase()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, form.username.data, form.role.data,
                                        form.display_name.data, form.password.data,
                                        form.site_id.data)
        except FORM_ERRORS as exc:
            form_errors(form, exc)
        else:
            return _show_card(user, form.password.data)
    return render_template("auth/person_new.html", form=form), 422 if form.errors else 200


def _person_page(user: User, reset_form: forms.ResetPassphraseForm):
    tokens = services.live_tokens(current_user, current_app.config, owner=user)
    return render_template("auth/person.html", user=user, reset_form=reset_form,
                           tokens=tokens)


@bp.get("/people/<id:user_id>")
@staff_required
def person(user_id: int):
    user = services.get_user(current_user, user_id)
    return _person_page(user, forms.ResetPassphraseForm(password=generate_passphrase()))


@bp.post("/people/<id:user_id>/passphrase")
@staff_required
def reset_passphrase(user_id: int):
    user = services.get_user(current_user, user_id)
    form = forms.ResetPassphraseForm()
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, password=form.password.data)
        except FORM_ERRORS as exc:
            form_errors(form, exc)
        else:
            return _show_card(user, form.password.data)
    return _person_page(user, form), 422


def _show_card(user: User, passphrase: str):
    # The passphrase is shown once, on a card to print, and never stored in clear.
    return redirect_to_show_once("card", {"user_id": user.id, "passphrase": passphrase},
                                 "auth.card", user_id=user.id)


@bp.get("/people/<id:user_id>/card")
@staff_required
def card(user_id: int):
    user = services.get_user(current_user, user_id)
    made = take_shown_once("card")
    if made is None or made["user_id"] != user.id:
        flash("A login card is shown only once. To print another, give a new passphrase "
              "below.", "info")
        return redirect(url_for("auth.person", user_id=user.id))
    return render_template("auth/card.html", user=user, passphrase=made["passphrase"])


@bp.post("/people/<id:user_id>/api-tokens")
@admin_required
def allow_tokens(user_id: int):
    user = services.get_user(current_user, user_id)
    allowed = request.form.get("allowed") == "1"
    services.set_api_tokens_allowed(current_user, user, allowed)
    flash(f"{user.display_name} can make API tokens on their account page." if allowed else
          f"{user.display_name} can no longer make API tokens; theirs have stopped working.",
          "success")
    return redirect(url_for("auth.person", user_id=user.id))


# --- API tokens of others ----------------------------------------------------------------


@bp.get("/tokens")
@staff_required
def tokens():
    return render_template("auth/tokens.html",
                           tokens=services.live_tokens(current_user, current_app.config))


@bp.post("/tokens/<id:token_id>/revoke")
@staff_required
def revoke_any_token(token_id: int):
    token = services.revoke_api_token(current_user, token_id)
    flash(f"The token {token.name} of {token.user.display_name} is revoked. "
          "Nothing can use it any more.", "success")
    next_url = request.form.get("next")
    return redirect(next_url if is_safe_next(next_url) else url_for("auth.tokens"))


@bp.post("/people/<id:user_id>/active")
@staff_required
def set_active(user_id: int):
    user = services.get_user(current_user, user_id)
    make_active = request.form.get("active") == "1"
    services.update_user(current_user, user, active=make_active)
    flash(f"{user.display_name} can log in again." if make_active else
          f"{user.display_name} is deactivated and logged out everywhere.", "success")
    return redirect(url_for("auth.person", user_id=user.id))


@bp.post("/people/<id:user_id>/erase")
@staff_required
def erase_person(user_id: int):
    user = services.get_user(current_user, user_id)
    try:
        count = services.erase_participant(current_user, user, request.form.get("confirm", ""))
    except FORM_ERRORS as exc:
        flash(exc.message, "error")
        return redirect(url_for("auth.person", user_id=user.id, _anchor="erase-heading"))
    flash(f"Done: the account is nameless and locked, and {count} photo"
          f"{'' if count == 1 else 's'} with all their copies are deleted.", "success")
    return redirect(url_for("auth.people"))


# --- sites ------------------------------------------------------------------------------


@bp.route("/sites", methods=["GET", "POST"])
@admin_required
def sites():
    form = forms.SiteForm()
    if form.validate_on_submit():
        try:
            site = services.create_site(current_user, form.name.data, form.slug.data)
        except FORM_ERRORS as exc:
            form_errors(form, exc)
        else:
            flash(f"{site.name} is added.", "success")
            return redirect(url_for("auth.sites"))
    all_sites = db.session.scalars(services.visible_sites(current_user)).all()
    return render_template("auth/sites.html", form=form, sites=all_sites), \
        422 if form.errors else 200
