"""The gallery's one form: a visitor reporting a photo."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from workshop.photos.moderation import REASON_LIMIT


class ReportForm(FlaskForm):
    reason = TextAreaField("What is wrong with it? (you can leave this empty)",
                           validators=[Optional(), Length(max=REASON_LIMIT)])
