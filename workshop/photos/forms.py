"""Forms for sending photos and for workers' coaching notes."""

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from workshop.photos.services import CAPTION_LIMIT, COMMENT_LIMIT
from workshop.stock.forms import optional_int


class UploadForm(FlaskForm):
    # Checked by the service, file by file: one bad photo does not stop the others.
    photos = MultipleFileField("Choose photos", render_kw={
        "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif",
        "multiple": True,
    })
    participant_id = SelectField("Whose photos are these?", coerce=optional_int,
                                 validate_choice=False)
    session_id = SelectField("From which session? (if any)", coerce=optional_int,
                             validate_choice=False, validators=[Optional()])
    booking_id = SelectField("Taken with which loaned camera? (if any)", coerce=optional_int,
                             validate_choice=False, validators=[Optional()])
    caption = StringField("A few words about them (you can leave this empty)",
                          validators=[Optional(), Length(max=CAPTION_LIMIT)])


class NoteForm(FlaskForm):
    comment = TextAreaField("Your note (optional)",
                            description="Then tap the button for what the note is about.",
                            validators=[Optional(), Length(max=COMMENT_LIMIT)])


class ConsentForm(FlaskForm):
    """Only the CSRF token: the button pressed says which purpose."""
