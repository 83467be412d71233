"""The exhibition's three PDFs: prints, A6 caption cards and an A4 catalogue (fpdf2).

fpdf2 writes a JPEG into the PDF as it is (no second compression) with its ICC profile,
so the prints keep the photo's colours. Text is set in the PDF's built-in Helvetica,
which has the Western European letters only: anything else becomes "?" rather than
failing (see README).
"""

import io
import unicodedata

import segno
from flask import Response, url_for
from fpdf import FPDF

from workshop.errors import Conflict
from workshop.exhibitions import services
from workshop.exhibitions.models import Exhibition, ExhibitionPhoto
from workshop.photos import services as photos
from workshop.photos.models import ConsentPurpose, Photo

A4 = (210.0, 297.0)
A6 = (105.0, 148.0)
MARGIN = 10.0
ENCODING = "cp1252"


def plain(text: str) -> str:
    """Text the built-in font can set: composed, and "?" for what it lacks."""
    composed = unicodedata.normalize("NFKC", text)
    return composed.encode(ENCODING, errors="replace").decode(ENCODING)


def _document(title: str) -> FPDF:
    pdf = FPDF(unit="mm", format=A4)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN)
    pdf.set_title(plain(title))
    pdf.set_creator("workshop")
    return pdf


# Where the pictures come from: the photos feature's copies for the exhibition's purpose,
# so that a face without a yes for it is obscured on paper as in the gallery.


def print_copy(photo: Photo) -> bytes:
    return photos.print_copy(photo, ConsentPurpose.EXHIBITION)


def display_copy(photo: Photo) -> bytes:
    return photos.public_copy(photo, ConsentPurpose.EXHIBITION, "large")


def _text(pdf: FPDF, text: str, size: float, style: str = "", width: float = 0) -> None:
    pdf.set_font("helvetica", style, size)
    pdf.multi_cell(width, size * 0.5, plain(text), new_x="LMARGIN", new_y="NEXT")


def _fit(width: float, height: float, box_w: float, box_h: float) -> tuple[float, float]:
    scale = min(box_w / width, box_h / height)
    return width * scale, height * scale


def prints(exhibition: Exhibition, entries: list[ExhibitionPhoto]) -> bytes:
    """One page per photo, the page the size of the print, the photo filling it."""
    pdf = _document(f"{exhibition.title}: prints")
    for entry in entries:
        width, height = services.print_cm(entry.photo, exhibition.print_size)
        page = (width * 10, height * 10)
        pdf.add_page(format=page)
        pdf.image(io.BytesIO(print_copy(entry.photo)), x=0, y=0, w=page[0], h=page[1])
    return bytes(pdf.output())


def cards(exhibition: Exhibition, entries: list[ExhibitionPhoto]) -> bytes:
    """An A6 card per photo: title, caption, credit, and a QR code to its gallery page
    when it is in the public gallery (a code to a missing page helps nobody)."""
    pdf = _document(f"{exhibition.title}: caption cards")
    pdf.set_margins(MARGIN, MARGIN + 2)
    titles = services.titles_of(entry.photo for entry in entries)
    for entry in entries:
        photo = entry.photo
        pdf.add_page(format=A6)
        width = A6[0] - 2 * MARGIN
        _text(pdf, titles[photo.id], 16, "B", width)
        pdf.ln(3)
        if photo.caption:
            _text(pdf, photo.caption, 11, "", width)
            pdf.ln(3)
        _text(pdf, f"Photo: {services.credit_of(photo)}", 10, "I", width)
        if photo.is_public():
            address = url_for("gallery.photo", photo_uuid=photo.uuid, _external=True)
            qr = io.BytesIO()
            # The four modules of white round it that the QR standard asks for: phones
            # read it more surely.
            segno.make(address, error="m", micro=False).save(qr, kind="png", scale=10,
                                                             border=4)
            side = 32.0
            pdf.image(qr, x=MARGIN, y=A6[1] - MARGIN - side - 6, w=side, h=side)
            pdf.set_xy(MARGIN, A6[1] - MARGIN - 5)
            _text(pdf, "See it in our online gallery", 8, "", width)
    return bytes(pdf.output())


def catalogue(exhibition: Exhibition, entries: list[ExhibitionPhoto]) -> bytes:
    """A4: a cover, then a page per photo with its title, caption and credit."""
    pdf = _document(f"{exhibition.title}: catalogue")
    width = A4[0] - 2 * MARGIN
    pdf.add_page()
    pdf.ln(60)
    _text(pdf, exhibition.title, 26, "B", width)
    pdf.ln(4)
    _text(pdf, exhibition.place, 14, "", width)
    _text(pdf, exhibition.dates, 14, "", width)
    pdf.ln(4)
    _text(pdf, f"{len(entries)} photos by the people of {exhibition.site.name}", 12, "",
          width)
    titles = services.titles_of(entry.photo for entry in entries)
    for number, entry in enumerate(entries, start=1):
        photo = entry.photo
        pdf.add_page()
        shown_w, shown_h = _fit(photo.width, photo.height, width, 190)
        pdf.image(io.BytesIO(display_copy(photo)), x=(A4[0] - shown_w) / 2, y=MARGIN, w=shown_w,
                  h=shown_h)
        pdf.set_xy(MARGIN, MARGIN + shown_h + 8)
        _text(pdf, f"{number}. {titles[photo.id]}", 16, "B", width)
        pdf.ln(2)
        if photo.caption:
            _text(pdf, photo.caption, 12, "", width)
            pdf.ln(2)
        _text(pdf, f"Photo: {services.credit_of(photo)}", 11, "I", width)
    return bytes(pdf.output())


MAKERS = {"prints": prints, "cards": cards, "catalogue": catalogue}


def pdf_response(exhibition: Exhibition, kind: str) -> Response:
    """One of the PDFs, of the photos on show now, as a download."""
    entries = services.on_show(exhibition)
    if not entries:
        raise Conflict("There are no photos in this exhibition to put in a PDF yet.")
    response = Response(MAKERS[kind](exhibition, entries), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="exhibition-{exhibition.id}-{kind}.pdf"')
    # Holds names and captions for the workers of one site only.
    response.headers["Cache-Control"] = "private, no-store"
    return response
