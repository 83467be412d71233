"""Forms for reflection answers, a site's questions, and themes."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from workshop.discussion.models import DEFAULT_QUESTIONS
from workshop.discussion.services import ANSWER_LIMIT, QUESTION_LIMIT, THEME_LIMIT, TITLE_LIMIT

NUMBERS = range(1, len(DEFAULT_QUESTIONS) + 1)


class ReflectionForm(FlaskForm):
    title = StringField("A name for your photo (if you want)",
                        validators=[Optional(), Length(max=TITLE_LIMIT)])
    shared_with_group = BooleanField("Show it to my group in the session")
    name_shown = BooleanField("Show my name with it", description="If not, nobody's name "
                                                                  "is shown.")
    answers_shared = BooleanField("Show my answers with it")

    def answers(self) -> list:
        return [self[f"answer_{n}"] for n in NUMBERS]

    def label_questions(self, questions: list[str]) -> None:
        # The site's own wording, set for each request.
        for field, question in zip(self.answers(), questions, strict=True):
            field.label.text = question


class QuestionsForm(FlaskForm):
    def questions(self) -> list:
        return [self[f"question_{n}"] for n in NUMBERS]


for _n in NUMBERS:
    setattr(ReflectionForm, f"answer_{_n}", TextAreaField(
        f"Question {_n}", validators=[Optional(), Length(max=ANSWER_LIMIT)],
        render_kw={"rows": 2}))
    setattr(QuestionsForm, f"question_{_n}", StringField(
        f"Question {_n}", validators=[Optional(), Length(max=QUESTION_LIMIT)],
        description=f"Left empty: “{DEFAULT_QUESTIONS[_n - 1]}”"))


class ThemeForm(FlaskForm):
    name = StringField("Theme", validators=[Optional(), Length(max=THEME_LIMIT)])
