"""Forms for logging in, passphrases, people, sites and tokens."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from workshop.auth.models import Role


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired("Type your username."),
                                                   Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"})
    password = PasswordField("Passphrase", validators=[DataRequired("Type your passphrase."),
                                                       Length(max=200)],
                             # static/js/show-passphrase.js adds its "Show passphrase" button.
                             render_kw={"autocomplete": "current-password",
                                        "data-show-passphrase": True})


class ChangePassphraseForm(FlaskForm):
    current = PasswordField("Your passphrase now", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField("New passphrase", validators=[DataRequired()],
                        render_kw={"autocomplete": "new-password"})


class SiteForm(FlaskForm):
    name = StringField("Site name", validators=[DataRequired(), Length(max=120)])
    slug = StringField("Short name for links", validators=[DataRequired(), Length(max=60)],
                       description="Lower-case letters, digits and dashes, like north-hub.")


class PersonForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=80)],
        description="The name shown in the app. A nickname is fine; no real name needed.")
    username = StringField("Username", validators=[DataRequired(), Length(max=40)],
                           description="What they type to log in. No e-mail address needed.",
                           render_kw={"autocapitalize": "none", "spellcheck": "false"})
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role],
                       default=Role.PARTICIPANT.value)
    site_id = SelectField("Site", coerce=int, choices=[])
    password = StringField("Passphrase", validators=[DataRequired()],
                           description="Print it on their card. You can change it.",
                           render_kw={"autocomplete": "off", "spellcheck": "false"})


class ResetPassphraseForm(FlaskForm):
    password = StringField("New passphrase", validators=[DataRequired()],
                           render_kw={"autocomplete": "off", "spellcheck": "false"})


class DisplayNameForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])


class TokenForm(FlaskForm):
    name = StringField("What is this token for?", validators=[InputRequired(), Length(max=80)])
