"""workshop: cameras, sessions and photos for photography day programmes."""

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from workshop.config import MIN_SECRET_KEY_LENGTH, TEXT_SETTINGS, Defaults
from workshop.hosts import register_public_address

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which setting and why."""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    configure(app, config)
    register_public_address(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        # Flask's documented way to wrap its WSGI app; mypy sees assigning to a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_extensions(app)
    register_blueprints(app)
    register_hooks_and_errors(app)
    register_templates(app)
    register_commands(app)
    return app


def configure(app: Flask, config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env()
    for name in TEXT_SETTINGS:
        if (raw := os.environ.get(f"FLASK_{name}")) is not None:
            app.config[name] = raw
    if config:
        app.config.update(config)
    instance = Path(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'workshop.db'}"
    if not app.config["STORAGE_DIR"]:
        app.config["STORAGE_DIR"] = str(instance / "photos")
    # Imported here, as the features are below: `import workshop` stays light.
    from workshop.photos.storage import parse_storage_url

    try:
        parse_storage_url(app.config["STORAGE_URL"])
    except ValueError as error:
        raise ConfigError(str(error)) from None
    relaxed = app.debug or app.testing
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not relaxed
    try:
        app.config["TZ"] = ZoneInfo(app.config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"FLASK_TIMEZONE {app.config['TIMEZONE']!r} is not a known "
                          "time zone (try Europe/London).") from None
    secret = app.config.get("SECRET_KEY")
    if not relaxed and (not secret or len(secret) < MIN_SECRET_KEY_LENGTH):
        raise ConfigError(
            f"Set FLASK_SECRET_KEY to a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters, e.g. from: python -c 'import secrets; print(secrets.token_hex(32))'")


def register_extensions(app: Flask) -> None:
    from workshop.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # Our own login sessions (auth.services) already tie a cookie to one sign-in.
    login_manager.session_protection = None


def register_blueprints(app: Flask) -> None:
    # Importing the models here lets Flask-Migrate see every table.
    from workshop.api.routes import create_blueprint as create_api_blueprint
    from workshop.api.spec import IdConverter
    from workshop.audit import models as _audit_models  # noqa: F401
    from workshop.auth.api import bp as auth_api
    from workshop.auth.bearer import api_client_key, authenticate
    from workshop.auth.routes import bp as auth_bp
    from workshop.dashboard.routes import bp as dashboard_bp
    from workshop.discussion.routes import bp as discussion_bp
    from workshop.exhibitions.api import bp as exhibitions_api
    from workshop.exhibitions.routes import bp as exhibitions_bp
    from workshop.faces.api import bp as faces_api
    from workshop.faces.routes import bp as faces_bp
    from workshop.flickr.api import bp as flickr_api
    from workshop.flickr.routes import bp as flickr_bp
    from workshop.gallery.api import bp as gallery_api
    from workshop.gallery.routes import bp as gallery_bp
    from workshop.lessons import models as _lesson_models  # noqa: F401
    from workshop.lessons.api import bp as lessons_api
    from workshop.lessons.routes import bp as lessons_bp
    from workshop.people.routes import bp as people_bp
    from workshop.photos import models as _photo_models  # noqa: F401
    from workshop.photos.api import bp as photos_api
    from workshop.photos.routes import bp as photos_bp
    from workshop.programme import models as _programme_models  # noqa: F401
    from workshop.programme.api import bp as programme_api
    from workshop.programme.routes import bp as programme_bp
    from workshop.stock import models as _stock_models  # noqa: F401
    from workshop.stock.api import bp as stock_api
    from workshop.stock.routes import bp as stock_bp

    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(stock_bp)
    app.register_blueprint(lessons_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(photos_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(gallery_bp)
    app.register_blueprint(flickr_bp)
    app.register_blueprint(discussion_bp)
    app.register_blueprint(exhibitions_bp)
    app.register_blueprint(faces_bp)
    app.register_blueprint(create_api_blueprint(
        (auth_api, stock_api, lessons_api, programme_api, photos_api, gallery_api, flickr_api,
         exhibitions_api, faces_api),
        sign_in=authenticate, client_key=api_client_key))


def register_hooks_and_errors(app: Flask) -> None:
    from workshop.handlers import register_error_handlers, register_request_hooks
    from workshop.security import register_security

    register_request_hooks(app)
    register_security(app)
    register_error_handlers(app)


def register_templates(app: Flask) -> None:
    from workshop.templating import register_template_helpers

    register_template_helpers(app)


def register_commands(app: Flask) -> None:
    from workshop.auth.cli import sites_cli, tokens_cli, users_cli
    from workshop.demo.cli import demo_cli
    from workshop.flickr.cli import flickr_cli
    from workshop.lessons.cli import lessons_cli
    from workshop.photos.cli import consent_cli, photos_cli
    from workshop.programme.cli import sessions_cli

    for group in (users_cli, sites_cli, tokens_cli, demo_cli, lessons_cli, sessions_cli,
                  photos_cli, consent_cli, flickr_cli):
        app.cli.add_command(group)
