"""Forms for planning an exhibition."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from workshop.exhibitions.models import PrintSize
from workshop.exhibitions.services import PLACE_LIMIT, TITLE_LIMIT

PRINT_SIZE_TITLES = {PrintSize.SMALL: "13 × 18 cm", PrintSize.MEDIUM: "20 × 30 cm",
                     PrintSize.LARGE: "30 × 45 cm"}
BAD_DAY = "Give a date, like 1 March 2027."


class ExhibitionForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Give it a title."),
                                             Length(max=TITLE_LIMIT)])
    place = StringField("Where", validators=[InputRequired("Say where it will be."),
                                             Length(max=PLACE_LIMIT)])
    starts_on = DateField("First day", validators=[InputRequired(BAD_DAY)])
    ends_on = DateField("Last day", validators=[InputRequired(BAD_DAY)])
    print_size = SelectField("Print size", default=PrintSize.MEDIUM.value, choices=[
        SelectChoice(size.value, title) for size, title in PRINT_SIZE_TITLES.items()])
