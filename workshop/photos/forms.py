"""Forms for sending photos and for workers' coaching notes."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from workshop.forms import optional_int, version_field
from workshop.photos.models import Credit
from workshop.photos.moderation import CHECKLIST, REASON_LIMIT
from workshop.photos.services import CAPTION_LIMIT, COMMENT_LIMIT


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


# What a photo practised (a lesson topic), in the words the pages and the gallery use.
THEME_TITLES = {"light": "Good light", "distance": "Getting close",
                "steadiness": "Keeping still", "other": "Something else"}


class SubmitForm(FlaskForm):
    caption = StringField("Caption (what people will read under it)",
                          validators=[Optional(), Length(max=CAPTION_LIMIT)])
    theme = SelectField("What were you practising?", choices=[
        SelectChoice("", "Nothing in particular"),
        *(SelectChoice(value, title) for value, title in THEME_TITLES.items()),
    ], validators=[Optional()])
    credit = RadioField("Show it as taken by", default=Credit.ANONYMOUS.value, choices=[
        SelectChoice(Credit.DISPLAY_NAME.value, "My name here"),
        SelectChoice(Credit.ANONYMOUS.value, "Anonymous"),
    ])


class ApproveForm(FlaskForm):
    # The photo's version when the page was opened: an approval is of what the worker saw.
    seen_version = version_field()


for _key, _text in CHECKLIST.items():
    setattr(ApproveForm, _key, BooleanField(_text))


class RejectForm(FlaskForm):
    reason = TextAreaField("Why not, in kind words they will read",
                           validators=[Optional(), Length(max=REASON_LIMIT)])


class CaptionForm(FlaskForm):
    caption = StringField("Caption", validators=[Optional(), Length(max=CAPTION_LIMIT)],
                          description="You can change it until a worker has decided.")
