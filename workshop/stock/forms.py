"""Forms for cameras and loans: stock details, booking, hand-over, return and endings."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from workshop.forms import local_time_field, note_field, optional_int, version_field
from workshop.stock.models import CameraKind, CameraStatus

BAD_MEGAPIXELS = "Give a number, like 16 or 12.5."

STATUS_CHOICES = [
    SelectChoice(CameraStatus.AVAILABLE.value, "Available: on the shelf, ready to lend"),
    SelectChoice(CameraStatus.IN_REPAIR.value, "In repair: cannot be lent until fixed"),
    SelectChoice(CameraStatus.RETIRED.value, "Retired: no longer used"),
    SelectChoice(CameraStatus.LOST.value, "Lost: we cannot find it"),
]


def _finite(form, field) -> None:
    # "NaN" and "Infinity" parse as decimals, but no camera has them.
    if field.data is not None and not field.data.is_finite():
        raise ValidationError(BAD_MEGAPIXELS)


class _CameraDetails(FlaskForm):
    asset_tag = StringField(
        "Asset tag", validators=[InputRequired("Give the asset tag."), Length(max=40)],
        description="The code on the camera's label, like CAM-07.",
        render_kw={"autocapitalize": "characters", "spellcheck": "false",
                   "autocomplete": "off"})
    make = StringField("Make", validators=[Optional(), Length(max=80)],
                       description="For example Canon or Kodak.")
    model = StringField("Model", validators=[Optional(), Length(max=80)])
    megapixels = DecimalField(
        "Megapixels", places=1, validators=[Optional(), _finite],
        invalid_value_message=BAD_MEGAPIXELS,
        description="Digital cameras only. Leave empty if you do not know.",
        render_kw={"inputmode": "decimal", "step": "0.1", "min": "0.1"})
    exposures = IntegerField(
        "Exposures", validators=[Optional()],
        invalid_value_message="Give a whole number, like 27.",
        description="Disposable cameras only: how many photos the film takes.",
        render_kw={"inputmode": "numeric", "min": "1", "max": "100"})
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 3})


class CameraForm(_CameraDetails):
    site_id = SelectField("Site", coerce=optional_int, choices=[], validate_choice=False)
    kind = RadioField(
        "Kind of camera", validators=[InputRequired("Choose digital or disposable.")],
        choices=[SelectChoice(CameraKind.DIGITAL.value, "Digital"),
                 SelectChoice(CameraKind.DISPOSABLE.value, "Disposable (film)")],
        default=CameraKind.DIGITAL.value)


class CameraEditForm(_CameraDetails):
    expected_version = version_field()


class CameraStatusForm(FlaskForm):
    status = RadioField("Where is this camera now?", choices=STATUS_CHOICES,
                        validators=[InputRequired("Choose one.")])
    expected_version = version_field()


class _ParticipantChoice(FlaskForm):
    # Not checked against the choices here: someone from another site is the service's
    # to refuse, with the same "not found" as for any other site's record.
    participant_id = SelectField("Who is borrowing it?", coerce=optional_int, choices=[],
                                 validate_choice=False,
                                 validators=[InputRequired("Choose who is borrowing it.")])


# The borrower can read the one note and never the other: each note's audience is chosen
# by the box it is written in.
STAFF_NOTE = "Only workers see this note."
PARTICIPANT_NOTE = "The borrower can read this note."


class BookingForm(_ParticipantChoice):
    starts_at = local_time_field("From", "Give the date and time the loan starts.")
    ends_at = local_time_field("Until", "Give the date and time it comes back.")
    note = note_field(description=STAFF_NOTE)
    participant_note = note_field("Note for the borrower (if you want)", PARTICIPANT_NOTE)


class Checklist(FlaskForm):
    """The condition checklist; its boxes are added per camera by with_checklist."""

    checklist: list = []

    def ticked(self) -> dict[str, bool]:
        return {field.name.removeprefix("ok_"): bool(field.data) for field in self.checklist}


class HandOverNowForm(Checklist, _ParticipantChoice):
    ends_at = local_time_field("Back by", "Give the date and time it comes back.")
    note = note_field(description=STAFF_NOTE)
    participant_note = note_field("Note for the borrower (if you want)", PARTICIPANT_NOTE)


class HandOverForm(Checklist):
    note = note_field()
    expected_version = version_field()


class ReturnForm(Checklist):
    damaged = BooleanField("It is damaged or broken",
                           description="It will go in for repair. No one can borrow it "
                                       "until it is fixed.")
    note = note_field(description="For example: what is missing or what is wrong.")
    expected_version = version_field()


class ExtendForm(FlaskForm):
    ends_at = local_time_field("New time to bring it back", "Give the new date and time.")
    expected_version = version_field()


class ConfirmForm(FlaskForm):
    expected_version = version_field()


class DevelopingForm(ConfirmForm):
    lab = StringField("Which lab is developing it?", validators=[Optional(), Length(max=120)],
                      description="So anyone can chase it. For example: the chemist on "
                                  "the high street.")
    lab_expected_on = DateField("When should the prints be back? (if you know)",
                                validators=[Optional()],
                                invalid_value_message="Give a date, like 10 December 2026.")


class WriteOffForm(FlaskForm):
    note = note_field(description="For example: left on a bus, or moved away. "
                                   "Keep it short and kind.")
    expected_version = version_field()


def with_checklist(form_class: type[Checklist], items, **kwargs) -> Checklist:
    """A form of form_class with one checkbox per checklist item, in checklist order."""
    fields = {f"ok_{item.key}": BooleanField(item.label) for item in items}
    form = type(form_class.__name__, (form_class,), fields)(**kwargs)
    form.checklist = [form[name] for name in fields]
    return form
