"""Forms for what a person in a photo said about their face."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workshop.faces.models import AgreedHow, FaceStatus
from workshop.faces.services import NAME_LIMIT, purpose_words
from workshop.photos.models import ConsentPurpose

STATUS_WORDS = {
    FaceStatus.CONSENTED: "They said yes",
    FaceStatus.BLUR: "Blur their face in public",
    FaceStatus.NOT_A_PERSON: "It is not a person (a poster, a statue)",
}
HOW_WORDS = {AgreedHow.VERBAL: "They said it", AgreedHow.WRITTEN: "They signed a form"}


class DecisionForm(FlaskForm):
    # The service checks every choice, so its messages (not WTForms') are the ones shown.
    status = RadioField("What did they say?", validate_choice=False,
                        choices=[SelectChoice(s.value, words) for s, words in STATUS_WORDS.items()])
    name = StringField("Their first name, or how to tell who it is",
                       description="For example: Sam, or man in the red hat.",
                       render_kw={"maxlength": NAME_LIMIT, "autocomplete": "off"})
    how = RadioField("How did they say yes?", validate_choice=False,
                     choices=[SelectChoice(h.value, words) for h, words in HOW_WORDS.items()])
    agreed_on = DateField("When?", validators=[Optional()],
                          description="Leave it empty for today.")
    scan = FileField("A photo or scan of the signed form (if you have one)",
                     description="JPEG, PNG or PDF.",
                     render_kw={"accept": "image/jpeg,image/png,application/pdf"})
    purposes = SelectMultipleField(
        "Where may their face be seen?", validate_choice=False,
        choices=[SelectChoice(p.value, purpose_words(p.value)) for p in ConsentPurpose],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))

    def for_viewer(self, staff: bool) -> "DecisionForm":
        if not staff:
            # Only a worker says a face is nobody's.
            self.status.choices = [c for c in self.status.choices
                                   if c.value != FaceStatus.NOT_A_PERSON.value]
        return self


class WithdrawForm(FlaskForm):
    """No fields: the button and its CSRF token."""
