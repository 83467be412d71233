"""The form for writing and editing a lesson plan."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from workshop.lessons.models import Topic
from workshop.lessons.services import MAX_MINUTES, MIN_MINUTES, TEXT_LIMITS, TITLE_MAX

TOPIC_LABELS = {
    Topic.LIGHT: "Light",
    Topic.DISTANCE: "Distance",
    Topic.STEADINESS: "Steadiness",
    Topic.OTHER: "Other",
}
# Shown once above the form: every field below the summary is Markdown.
MARKDOWN_HINT = ("A line starting with - makes a list, 1. makes numbered steps and "
                 "**two stars** make bold. ## at the start of a line makes a heading.")


def _text(label: str, name: str, hint: str, rows: int, required: str | None = None):
    validators = [InputRequired(required)] if required else [Optional()]
    validators.append(Length(max=TEXT_LIMITS[name],
                             message=f"Keep this to {TEXT_LIMITS[name]} characters."))
    return TextAreaField(label, validators=validators, description=hint,
                         render_kw={"rows": rows})


class LessonPlanForm(FlaskForm):
    title = StringField("Title", validators=[
        InputRequired("Give the plan a title."),
        Length(max=TITLE_MAX, message=f"Keep the title to {TITLE_MAX} characters or fewer.")])
    topic = SelectField("Topic", choices=[SelectChoice(t.value, label)
                                          for t, label in TOPIC_LABELS.items()],
                        default=Topic.OTHER.value)
    length_minutes = IntegerField(
        "Length in minutes", validators=[
            InputRequired("Give the length in minutes."),
            NumberRange(MIN_MINUTES, MAX_MINUTES,
                        f"Give the length in minutes, from {MIN_MINUTES} to {MAX_MINUTES}.")],
        render_kw={"inputmode": "numeric"})
    summary = _text("Summary", "summary", "One or two sentences: what the session is about. "
                    "Plain text.", 3, "Say in a sentence or two what the session is about.")
    goals = _text("Learning goals", "goals", "What people will learn or try.", 5,
                  "Say what people will learn or try.")
    materials = _text("What you need", "materials", "Cameras, handouts, things to "
                      "photograph.", 5)
    activities = _text("Step by step", "activities", "The steps of the session, with the "
                       "minutes for each.", 12, "Write the steps of the session.")
    exercise = _text("Hands-on exercise", "exercise", "What everyone does with a camera.", 6)
    discussion = _text("Talking about it", "discussion", "Questions to talk about at the "
                       "end.", 5)
    handout = _text("Handout for participants", "handout", "Short sentences, friendly "
                    "words. It should fit on one A4 page.", 12)


class EditLessonPlanForm(LessonPlanForm):
    # The version the editor started from: a save on top of a newer one is a conflict.
    version = IntegerField(widget=HiddenInput(), validators=[
        InputRequired("This form is missing its version number. Open the plan again.")])
