"""Forms for sessions: planning, enrolling, the register, cameras and handing them out."""

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from workshop.forms import local_time_field, note_field, optional_int, version_field
from workshop.programme.services import MAX_CAPACITY
from workshop.stock.forms import Checklist, with_checklist

__all__ = ["with_checklist"]

WHOLE_NUMBER = "Give a whole number, like 8."


class SessionForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Give the session a title."),
                                             Length(max=120)],
                        description="For example: Light at the window.")
    starts_at = local_time_field("Starts", "Give the date and time it starts.")
    ends_at = local_time_field("Ends", "Give the date and time it ends.")
    place = StringField("Place", validators=[Optional(), Length(max=120)],
                        description="For example: the group room, or the park.")
    capacity = IntegerField(
        "How many people can come?", validators=[InputRequired("Say how many people can come."),
                              NumberRange(1, MAX_CAPACITY,
                                          f"Give a number from 1 to {MAX_CAPACITY}.")],
        invalid_value_message=WHOLE_NUMBER,
        render_kw={"inputmode": "numeric", "min": "1", "max": str(MAX_CAPACITY)})
    lead_worker_id = SelectField("Lead worker", coerce=optional_int, choices=[],
                                 validate_choice=False)
    lesson_id = SelectField("Lesson plan", coerce=optional_int, choices=[],
                            validate_choice=False)
    site_id = SelectField("Site", coerce=optional_int, choices=[], validate_choice=False)
    expected_version = version_field()


class PersonForm(FlaskForm):
    participant_id = SelectField("Enrol someone", coerce=optional_int, choices=[],
                                 validate_choice=False,
                                 validators=[InputRequired("Choose a person.")])


class WalkInForm(FlaskForm):
    participant_id = SelectField("Who came without a place?", coerce=optional_int, choices=[],
                                 validate_choice=False,
                                 validators=[InputRequired("Choose a person.")])


class PersonIdForm(FlaskForm):
    """A button's form that names one person, as on the register."""

    participant_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AttendanceForm(PersonIdForm):
    # Sent by the button pressed: "yes" (came) or "no" (did not).
    attended = RadioField(choices=[SelectChoice("yes", "Here"),
                                   SelectChoice("no", "Not here")],
                          validators=[InputRequired()])


class CountForm(FlaskForm):
    count = IntegerField(
        "How many cameras?", validators=[InputRequired("Say how many cameras."),
                                         NumberRange(1, 100, "Give a number from 1 to 100.")],
        invalid_value_message=WHOLE_NUMBER,
        render_kw={"inputmode": "numeric", "min": "1", "max": "100"})


class PickForm(FlaskForm):
    camera_ids = SelectMultipleField(
        "Which cameras?", coerce=optional_int, choices=[], validate_choice=False,
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validators=[InputRequired("Tick at least one camera.")])


class HandOutForm(Checklist):
    participant_id = SelectField("Who is taking it?", coerce=optional_int, choices=[],
                                 validate_choice=False,
                                 validators=[InputRequired("Choose who is taking it.")])
    note = note_field()


class FeedForm(FlaskForm):
    """Make (or replace) the secret calendar feed address: a button and its CSRF token."""
