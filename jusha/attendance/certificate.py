"""The certificate of service hours (志愿服务证明) as a PDF, drawn from a Certificate's frozen content.

fpdf2 embeds a subset of the CJK font named by JUSHA_PDF_FONT (an OpenType collection such as
fonts-noto-cjk's NotoSansCJK-Regular.ttc works: JUSHA_PDF_FONT_INDEX picks the simplified-Chinese
face), so the Chinese text is real text a reader can select, search and copy.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from jusha.volunteers.models import Volunteer

from .models import Certificate

FONT = "cjk"


def _font_path() -> Path:
    path = Path(settings.JUSHA_PDF_FONT)
    if not path.is_file():
        raise ImproperlyConfigured(
            f"JUSHA_PDF_FONT={settings.JUSHA_PDF_FONT!r} is not a file: certificates need a font with Chinese "
            "glyphs (install fonts-noto-cjk, or point JUSHA_PDF_FONT at a .ttf/.otf/.ttc that has them)")
    return path


def _id_type_label(code: str) -> str:
    return str(Volunteer.IdType(code).label) if code in Volunteer.IdType.values else code


def certificate_pdf(certificate: Certificate) -> bytes:
    c = certificate.content
    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('Certificate of volunteer service')} {c['number']}")
    pdf.set_creator("Jusha")
    font = _font_path()
    pdf.add_font(FONT, fname=str(font), collection_font_number=settings.JUSHA_PDF_FONT_INDEX
                 if font.suffix.lower() == ".ttc" else 0)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT, size=20)
    pdf.cell(width, 14, _("Certificate of volunteer service"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(width, 7, f"{_('Certificate number')}: {c['number']}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font(FONT, size=12)
    for label, value in ((_("Name"), c["name"]), (_("Volunteer number"), c["volunteer_number"]),
                         (_("Identity document"), f"{_id_type_label(c['id_type'])} {c['id_number']}")):
        pdf.cell(40, 8, label)
        pdf.cell(width - 40, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(width, 8, _("This is to certify that the volunteer above has given %(hours)s hours of verified "
                               "volunteer service, as listed below.") % {"hours": c["total_hours"]},
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    columns = (28, width - 28 - 55 - 22, 55, 22)
    pdf.set_font(FONT, size=10)
    # One CJK face has no bold: the heading row is shaded instead.
    headings = FontFace(emphasis="", fill_color=(235, 235, 235))
    with pdf.table(col_widths=columns, text_align=("LEFT", "LEFT", "LEFT", "RIGHT"), line_height=7,
                   headings_style=headings) as table:
        table.row([_("Date"), _("Activity"), _("Organiser"), _("Hours")])
        for service in c["services"]:
            table.row([service["date"], service["activity"], service["organiser"], service["hours"]])
        table.row(["", _("Total"), "", c["total_hours"]])
    pdf.ln(10)

    pdf.set_font(FONT, size=12)
    pdf.cell(width, 8, f"{_('Issued by')}: {c['issuer']}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 8, f"{_('Date of issue')}: {c['issued_on']}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(width, 5, _("Service hours are the actual time of service, without travel, as recorded and "
                               "verified by the organisers (志愿服务记录与证明出具办法). Anyone can check this "
                               "certificate by its number in Jusha."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
