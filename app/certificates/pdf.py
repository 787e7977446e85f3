"""Render a training certificate (sertifikat) as a PDF from a template.

Pure renderer: no Flask, no database. The caller gathers the data into a
:class:`CertificateContent`, picks a :class:`~app.certificates.layout.CertificateTemplate`
(``certificates/<name>/template.yaml``; ``default`` when none is given) and
gets the PDF bytes back from :func:`render_certificate_pdf`; signing,
storing and serving the file are done elsewhere.

Design rules:

* Everything is drawn with the ReportLab *canvas* API (``drawString`` and
  friends), never with ``Paragraph`` markup, so a name such as
  ``"<b>Budi</b> & Co"`` is printed literally and cannot inject markup.
* Only TrueType fonts shipped in ``fonts/`` (DejaVu, licence in
  ``fonts/LICENSE-DejaVu.txt``) are used and they are embedded (subset) in
  the PDF. A character the font lacks is refused with
  :class:`CertificateFontError` instead of being printed as an empty box.
* All text is normalised to Unicode NFC and runs of whitespace (including
  newlines and tabs from form input) are collapsed to one space; letters
  are never re-cased (a holder's "dr." stays "dr.").
* Nothing is ever cut off: text shrinks to its box's minimum size, then
  wraps to the box's line limit; if it still cannot fit,
  :class:`CertificateLayoutError` is raised.
* Nothing fetches a URL: a background image is a file beside the template.
* Output is deterministic for identical content and template
  (``invariant=1``: fixed creation date and document ID).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import segno
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from app.certificates.layout import (
    FIELDS,
    FONT_DIR,
    CertificateTemplate,
    Signatory,
    TextBox,
    load_template,
)
from app.common.formatting import format_date_id, format_jp

__all__ = [
    "CertificateContent",
    "CertificateFontError",
    "CertificateLayoutError",
    "render_certificate_pdf",
    "format_nip_grouped",
    "signature_statement",
]

NAVY = Color(0.11, 0.23, 0.37)
GOLD = Color(0.69, 0.55, 0.30)
INK = Color(0.13, 0.13, 0.15)
RED = Color(0.70, 0.10, 0.10)

_fonts_lock = threading.Lock()
_fonts: dict[str, TTFont] = {}
#: font name -> ({character: advance width in 1/1000 em}, default width); immutable once built.
_advances: dict[str, tuple[dict[str, float], float]] = {}
_inexact: set[str] = set()
# ReportLab keeps per-document state on shared TTFont objects; serialise
# renders so concurrent threads never interleave on them (a render takes
# tens of milliseconds).
_render_lock = threading.Lock()

#: The visible statement on a production-signed certificate.
SIGNED_STATEMENT = "Dokumen ini ditandatangani secara elektronik."
#: The visible statement when the development key signed it.
DEV_SIGNED_STATEMENT = ("Dokumen ini ditandatangani dengan TANDA TANGAN ELEKTRONIK PENGEMBANGAN (uji coba), "
                        "bukan tanda tangan resmi instansi.")
SIGNATURE_MARK = "Ditandatangani secara elektronik"
DEV_SIGNATURE_MARK = "TANDA TANGAN PENGEMBANGAN"


class CertificateFontError(ValueError):
    """A printed text contains a character missing from the certificate font.

    ``str(error)`` is an Indonesian message for the user, e.g.
    ``"Karakter '中' (U+4E2D) pada nama tidak tersedia di fon sertifikat."``.
    Attributes: ``char`` (the character), ``codepoint`` (``"U+4E2D"``),
    ``field`` (Indonesian field label, e.g. ``"nama"``).
    """

    def __init__(self, char: str, field: str):
        self.char = char
        self.codepoint = f"U+{ord(char):04X}"
        self.field = field
        super().__init__(
            f"Karakter '{char}' ({self.codepoint}) pada {field} "
            "tidak tersedia di fon sertifikat."
        )


class CertificateLayoutError(ValueError):
    """A text is too long to fit its box even at the smallest allowed size;
    ``str(error)`` is an Indonesian message naming the field. Raised instead
    of silently truncating anything."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(f"Teks {field} terlalu panjang untuk dicetak pada sertifikat.")


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate (all strings are plain text).

    :ivar holder_name: full name exactly as written, with gelar, e.g.
        ``"Dr. dr. Hj. Siti Nurhaliza, M.Kes., Ph.D."``; printed without any
        change of case.
    :ivar nip: the holder's NIP or ``None``; 18 digits (spaces/dots/dashes
        between groups allowed) are printed grouped
        ``"19660801 198803 1 001"``, anything else as given.
    :ivar course_title: the training's title.
    :ivar jp: credited *jam pelajaran* as ``Decimal`` (or ``int``), printed
        via :func:`~app.common.formatting.format_jp` (``"19,5 JP"``).
    :ivar completed_on: completion date, already in local time (a ``date``).
    :ivar number: certificate number as issued.
    :ivar verify_url: absolute verification URL, encoded in the QR code.
    :ivar institution_name: issuing institution.
    :ivar signatory_name: signing official's name with gelar.
    :ivar signatory_title: signing official's position (jabatan).
    :ivar signatory_nip: signing official's NIP or ``None``.
    :ivar place: place of issue for the date line, e.g. ``"Samarinda"``.
    :ivar opd_name: holder's OPD (unit) or ``None``.
    :ivar valid_until: last day of validity (local date) or ``None`` (no expiry).
    :ivar development_signature: True when the development key signs the
        PDF; the page then says so in words (:func:`signature_statement`).
    """

    holder_name: str
    nip: str | None
    course_title: str
    jp: Decimal
    completed_on: _dt.date
    number: str
    verify_url: str
    institution_name: str
    signatory_name: str
    signatory_title: str
    signatory_nip: str | None
    place: str
    opd_name: str | None
    valid_until: _dt.date | None = None
    development_signature: bool = False


def signature_statement(development: bool) -> str:
    """The sentence printed about the electronic signature."""
    return DEV_SIGNED_STATEMENT if development else SIGNED_STATEMENT


# --------------------------------------------------------------------------
# Fonts and text helpers
# --------------------------------------------------------------------------


def font_name(file_name: str) -> str:
    """The ReportLab name under which a shipped TTF file is registered."""
    return "Lentera-" + file_name.rsplit(".", 1)[0]


def _ensure_font(file_name: str) -> str:
    """Load and register a shipped TTF once per process; returns its ReportLab name."""
    name = font_name(file_name)
    if name in _fonts:
        return name
    with _fonts_lock:
        if name not in _fonts:
            font = TTFont(name, str(FONT_DIR / file_name))
            pdfmetrics.registerFont(font)
            face = font.face
            # Advance widths keyed by character (not code point) for _units().
            widths = {chr(cp): w for cp, w in face.charWidths.items()}
            _advances[name] = (widths, face.defaultWidth)
            if not all((w * 256).is_integer() for w in (face.defaultWidth, *widths.values())):
                _inexact.add(name)  # units per em not a power of two: sums depend on grouping
            _fonts[name] = font
    return name


_NIP_SEPARATORS = re.compile(r"[\s.\-]")


def clean_text(text: str) -> str:
    """NFC-normalise ``text`` and collapse every whitespace run to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def format_nip_grouped(nip: str) -> str:
    """Group an 18-digit NIP as printed on documents.

    ``"196608011988031001"`` -> ``"19660801 198803 1 001"`` (birth date,
    CPNS appointment month, sex digit, sequence; Perka BKN 22/2007,
    domain-facts §4). Spaces, dots and dashes between groups are ignored.
    Anything that is not exactly 18 ASCII digits is returned cleaned
    (NFC, whitespace collapsed) but otherwise unchanged.
    """
    text = clean_text(nip)
    digits = _NIP_SEPARATORS.sub("", text)
    if len(digits) == 18 and digits.isascii() and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return text


def _check_chars(text: str, font: str, field: str) -> None:
    cmap = _fonts[font].face.charToGlyph
    for ch in text:
        if ord(ch) not in cmap:
            raise CertificateFontError(ch, field)


def _units(text: str, font: str) -> float:
    """Advance width of ``text`` in 1/1000 em, as ReportLab sums it.

    The shipped fonts have 2048 units per em, so every advance is a multiple
    of 1/256 and these sums are exact in any order: ``0.001 * size * units``
    equals ReportLab's pure-Python ``stringWidth`` to the last bit (no kerning
    in either), the measure every certificate so far was laid out with. (The
    C accelerator ``rl_accel`` may round the last bit differently; measuring
    here keeps line breaks independent of whether it is installed.)
    A font whose advances are not such multiples is listed in ``_inexact``
    and lines are then measured whole, left to right, as ReportLab does.
    """
    table, default = _advances[font]
    get = table.get
    return sum([get(ch, default) for ch in text])


def _width(text: str, font: str, size: float, spacing: float = 0.0) -> float:
    return 0.001 * size * _units(text, font) + spacing * max(0, len(text) - 1)


def _break_word(word: str, font: str, size: float, width: float) -> list[tuple[str, float]]:
    """Split one over-long word into pieces no wider than ``width``; (piece, units) pairs."""
    table, default = _advances[font]
    exact = font not in _inexact
    scale = 0.001 * size
    pieces: list[tuple[str, float]] = []
    current, units = "", 0.0
    for ch in word:
        w = table.get(ch, default)
        if current and scale * (units + w if exact else _units(current + ch, font)) > width:
            pieces.append((current, units))
            current, units = ch, w
        else:
            current = current + ch
            units = units + w if exact else _units(current, font)
    if current:
        pieces.append((current, units))
    return pieces


class _Words:
    """The words of one text with their widths, measured once for many wraps."""

    def __init__(self, text: str, font: str):
        self.font = font
        self.words = text.split(" ")
        self.units = [_units(word, font) for word in self.words]
        self.space = _units(" ", font)


def _wrap_greedy(words: _Words, size: float, width: float) -> list[str]:
    """Greedy word wrap; words wider than ``width`` are broken by character.

    Widths add up word by word (exact, see :func:`_units`), so each trial
    costs one addition per word instead of re-measuring the growing line.
    """
    scale = 0.001 * size
    space = words.space
    lines: list[str] = []
    current, current_units = "", 0.0
    exact = words.font not in _inexact
    for word, units in zip(words.words, words.units):
        if not current:
            candidate_units = units
        elif exact:
            candidate_units = current_units + space + units
        else:
            candidate_units = _units(f"{current} {word}", words.font)
        if scale * candidate_units <= width:
            current = f"{current} {word}" if current else word
            current_units = candidate_units
            continue
        if current:
            lines.append(current)
        if scale * units <= width:
            current, current_units = word, units
        else:
            *full, (current, current_units) = _break_word(word, words.font, size, width)
            lines.extend(piece for piece, _ in full)
    if current:
        lines.append(current)
    return lines


def _wrap_balanced(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap into the fewest lines that fit ``width``, with lines as even as
    possible (looks right for centred text: no long line over a lone word)."""
    words = _Words(text, font)
    lines = _wrap_greedy(words, size, width)
    if len(lines) < 2:
        return lines
    target = len(lines)
    low, high = width / target, width
    best = lines
    for _ in range(18):
        mid = (low + high) / 2
        trial = _wrap_greedy(words, size, mid)
        if len(trial) <= target:
            best, high = trial, mid
        else:
            low = mid
    return best


def _sizes(start: float, stop: float, step: float = 0.5) -> list[float]:
    out = []
    size = start
    while size >= stop - 1e-9:
        out.append(round(size, 2))
        size -= step
    return out


def _fit_box(text: str, font: str, box: TextBox) -> tuple[float, list[str]]:
    """Choose a size and line breaks for ``text`` in ``box``.

    First a single line shrinks from ``size`` to ``min_size``; if it still
    does not fit, the text wraps (balanced) into at most ``max_lines`` lines
    at the largest size from ``wrap_size`` down to ``wrap_min_size``. Lines
    must fit the box's width and, stacked, its height.
    :raises CertificateLayoutError: nothing fits.
    """
    _, _, width, height = box.box
    spacing = box.letter_spacing
    units, extra = _units(text, font), max(0, len(text) - 1)
    for size in _sizes(box.size, box.min_size):
        if 0.001 * size * units + spacing * extra <= width and size <= height + 1e-6:
            return size, [text]
    if box.max_lines > 1:
        for size in _sizes(box.wrap_size, box.wrap_min_size):
            lines = _wrap_balanced(text, font, size, width)
            if (len(lines) <= box.max_lines
                    and all(_width(line, font, size, spacing) <= width for line in lines)
                    and size + (len(lines) - 1) * size * box.leading <= height + 1e-6):
                return size, lines
    raise CertificateLayoutError(box.label)


def _draw_lines(c: rl_canvas.Canvas, lines: list[str], box: tuple, font: str, size: float,
                leading: float, color, align: str = "center", valign: str = "top",
                spacing: float = 0.0, underline: bool = False) -> None:
    """Draw ``lines`` inside ``box`` ([x, y, w, h]) with the given alignment."""
    x, y, w, h = box
    lead = size * leading
    block = size + (len(lines) - 1) * lead
    top = y + h
    if valign == "middle":
        top -= (h - block) / 2
    elif valign == "bottom":
        top = y + block
    first = top - size * 0.8  # baseline: cap height below the top, descenders inside the box
    c.saveState()
    c.setFillColor(color)
    c.setStrokeColor(color)
    for i, line in enumerate(lines):
        line_w = _width(line, font, size, spacing)
        if align == "left":
            lx = x
        elif align == "right":
            lx = x + w - line_w
        else:
            lx = x + (w - line_w) / 2
        baseline = first - i * lead
        text = c.beginText(lx, baseline)
        text.setFont(font, size)
        if spacing:
            text.setCharSpace(spacing)
        text.textOut(line)
        c.drawText(text)
        if underline:
            c.setLineWidth(max(0.4, size * 0.05))
            c.line(lx, baseline - 2, lx + line_w, baseline - 2)
    c.restoreState()


def _draw_border(c: rl_canvas.Canvas, w: float, h: float) -> None:
    """The classic frame: navy outer line, double gold inner line, gold corner diamonds."""
    c.saveState()
    c.setStrokeColor(NAVY)
    c.setLineWidth(2.6)
    c.rect(18, 18, w - 36, h - 36, stroke=1, fill=0)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(25, 25, w - 50, h - 50, stroke=1, fill=0)
    c.setLineWidth(0.4)
    c.rect(28.5, 28.5, w - 57, h - 57, stroke=1, fill=0)
    c.setFillColor(GOLD)
    for x, y in ((25, 25), (w - 25, 25), (25, h - 25), (w - 25, h - 25)):
        p = c.beginPath()
        p.moveTo(x, y - 6)
        p.lineTo(x + 6, y)
        p.lineTo(x, y + 6)
        p.lineTo(x - 6, y)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


def _draw_qr(c: rl_canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw a QR code for ``url`` as vector rectangles; (x, y) = lower left
    of the symbol (quiet zone excluded), ``size`` = symbol width in points."""
    qr = segno.make(url, error="m", micro=False)
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=0)]
    n = len(rows)
    module = size / n
    # white quiet zone behind the symbol (4 modules, as the standard asks)
    c.saveState()
    c.setFillColor(Color(1, 1, 1))
    c.rect(x - 4 * module, y - 4 * module, size + 8 * module, size + 8 * module,
           stroke=0, fill=1)
    c.setFillColor(Color(0, 0, 0))
    path = c.beginPath()
    for r, row in enumerate(rows):
        top = y + size - r * module
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                # one rectangle per horizontal run of dark modules
                path.rect(x + start * module, top - module,
                          (col - start) * module, module)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


@dataclass(frozen=True)
class _Prepared:
    """A text box with its final text, font, size and lines."""

    box: TextBox
    font: str
    size: float
    lines: list[str]


@dataclass(frozen=True)
class _PreparedSignatory:
    signatory: Signatory
    font: str
    bold: str
    title: tuple[float, list[str]]
    name: tuple[float, list[str]]
    nip: str
    layout: dict


_SIG_GAP = 30.0  # room for the signature mark between the title and the name


def _prepare_signatory(sig: Signatory, content_values: dict, development: bool) -> _PreparedSignatory:
    font, bold = _ensure_font(sig.font_file), _ensure_font(sig.bold_font_file)
    if sig.source == "config":
        name, title, nip = content_values["signatory_name"], content_values["signatory_title"], \
            content_values["signatory_nip"]
    else:
        name, title = clean_text(sig.name or ""), clean_text(sig.title or "")
        nip = format_nip_grouped(sig.nip) if sig.nip else ""
    for text, f, label in ((name, bold, "nama penanda tangan"), (title, font, "jabatan penanda tangan"),
                           (nip, font, "NIP penanda tangan")):
        _check_chars(text, f, label)
    x, y, w, h = sig.box
    title_box = TextBox(text=title, placeholders=(), font_file=sig.font_file, size=11, min_size=11,
                        wrap_size=11, wrap_min_size=8.5, max_lines=3, align="center", valign="top",
                        color="#222226", letter_spacing=0, leading=1.25, underline=False, box=(x, y, w, h),
                        label="jabatan penanda tangan")
    name_box = TextBox(text=name, placeholders=(), font_file=sig.bold_font_file, size=11.5, min_size=9,
                       wrap_size=10.5, wrap_min_size=8, max_lines=2, align="center", valign="top",
                       color="#222226", letter_spacing=0, leading=1.2, underline=True, box=(x, y, w, h),
                       label="nama penanda tangan")
    title_fit = _fit_box(title, font, title_box)
    name_fit = _fit_box(name, bold, name_box)
    nip_h = 14.0 if nip else 0.0
    name_h = name_fit[0] + (len(name_fit[1]) - 1) * name_fit[0] * 1.2
    title_h = title_fit[0] + (len(title_fit[1]) - 1) * title_fit[0] * 1.25
    needed = nip_h + name_h + 4 + _SIG_GAP + title_h
    if needed > h + 1e-6:
        raise CertificateLayoutError("blok penanda tangan")
    name_bottom = y + nip_h + 3
    layout = {
        "nip": (x, y, w, 12.0),
        "name": (x, name_bottom, w, name_h + 1),
        "mark": (x, name_bottom + name_h + 6, w, _SIG_GAP - 10),
        "title": (x, y + h - title_h - 1, w, title_h + 1),
    }
    return _PreparedSignatory(sig, font, bold, title_fit, name_fit, nip, layout)


def _draw_signatory(c: rl_canvas.Canvas, prep: _PreparedSignatory, development: bool) -> None:
    lay = prep.layout
    size, lines = prep.title
    _draw_lines(c, lines, lay["title"], prep.font, size, 1.25, INK)
    mark = DEV_SIGNATURE_MARK if development else SIGNATURE_MARK
    _draw_lines(c, [mark], lay["mark"], prep.bold if development else prep.font, 7.5, 1.2,
                RED if development else INK, valign="middle")
    size, lines = prep.name
    _draw_lines(c, lines, lay["name"], prep.bold, size, 1.2, INK, valign="top", underline=True)
    if prep.nip:
        _draw_lines(c, [f"NIP. {prep.nip}"], lay["nip"], prep.font, 10, 1.2, INK, valign="top")


def _values(content: CertificateContent) -> dict[str, str]:
    """Every placeholder's printed text (cleaned), plus the signatory fields."""
    jp_text = format_jp(content.jp)
    if jp_text.startswith("-"):
        raise ValueError("Beban JP pada sertifikat tidak boleh negatif.")
    values = {
        "institution": clean_text(content.institution_name),
        "number": clean_text(content.number),
        "holder_name": clean_text(content.holder_name),
        "nip": format_nip_grouped(content.nip) if content.nip else "",
        "opd_name": clean_text(content.opd_name) if content.opd_name else "",
        "course_title": clean_text(content.course_title),
        "jp": jp_text,
        "date": format_date_id(content.completed_on),
        "place": clean_text(content.place),
        "valid_until": format_date_id(content.valid_until) if content.valid_until else "",
        "verify_url": clean_text(content.verify_url),
        "signature_statement": signature_statement(content.development_signature),
        "signatory_name": clean_text(content.signatory_name),
        "signatory_title": clean_text(content.signatory_title),
        "signatory_nip": format_nip_grouped(content.signatory_nip) if content.signatory_nip else "",
    }
    required = {
        "holder_name": "nama", "course_title": "judul pelatihan", "number": "nomor sertifikat",
        "verify_url": "tautan verifikasi", "institution": "nama instansi",
        "signatory_name": "nama penanda tangan", "signatory_title": "jabatan penanda tangan",
        "place": "tempat",
    }
    for key, label in required.items():
        if not values[key]:
            raise ValueError(f"Isian {label} pada sertifikat tidak boleh kosong.")
    return values


def _prepare_box(box: TextBox, values: dict[str, str]) -> _Prepared | None:
    """Fill a box's placeholders; ``None`` when every placeholder is empty."""
    if box.placeholders and not any(values[name] for name in box.placeholders):
        return None
    font = _ensure_font(box.font_file)
    for name in box.placeholders:
        _check_chars(values[name], font, FIELDS[name])
    text = clean_text(box.text.format(**{name: values[name] for name in box.placeholders}))
    _check_chars(text, font, box.label)
    size, lines = _fit_box(text, font, box)
    return _Prepared(box, font, size, lines)


def render_certificate_pdf(content: CertificateContent, template: CertificateTemplate | None = None) -> bytes:
    """Render ``content`` with ``template`` (``default`` when ``None``) as a one-page PDF.

    Drawing order: background image, frame, rules, QR code, text boxes,
    signature blocks. Every text is checked against its font and fitted to
    its box before anything is drawn.

    :returns: PDF bytes (deterministic for identical content and template).
    :raises CertificateFontError: a printed character is not in the box's
        font (message names the character, code point and field).
    :raises CertificateLayoutError: a text cannot fit its box even at the
        smallest allowed size.
    :raises ValueError: a required field (holder name, course title,
        number, verify URL, institution, signatory name/title, place) is
        empty, or ``jp`` is negative or not finite.
    :raises TypeError: ``completed_on`` is not a ``date`` or ``jp`` is not a
        ``Decimal``/``int`` (from the formatting helpers).
    :raises app.certificates.layout.TemplateError: the default template is invalid.
    """
    template = template or load_template("default")
    values = _values(content)
    prepared = [p for p in (_prepare_box(box, values) for box in template.boxes) if p is not None]
    signatories = [_prepare_signatory(sig, values, content.development_signature)
                   for sig in template.signatories]
    with _render_lock:
        return _render(template, values, prepared, signatories, content.development_signature)


def _render(template: CertificateTemplate, values: dict, prepared: list[_Prepared],
            signatories: list[_PreparedSignatory], development: bool) -> bytes:
    w, h = template.page_size
    buf = io.BytesIO()
    initial = prepared[0].font
    c = rl_canvas.Canvas(
        buf, pagesize=(w, h), invariant=1, pageCompression=1, lang="id-ID",
        # start on an embedded font so no base-14 font (Helvetica) is referenced
        initialFontName=initial, initialFontSize=11,
    )
    c.setTitle(f"Sertifikat {values['number']} - {values['holder_name']}")
    c.setAuthor(values["institution"])
    c.setSubject(f"Sertifikat pelatihan: {values['course_title']}")
    c.setCreator("Lentera")
    # Lets /verify find the certificate of an uploaded, validly signed older copy.
    c.setKeywords(f"Verifikasi: {values['verify_url']}")

    if template.background is not None:
        c.drawImage(ImageReader(str(template.background)), 0, 0, width=w, height=h)
    if template.frame == "classic":
        _draw_border(c, w, h)
    for x1, y1, x2, y2, width, color in template.lines:
        c.saveState()
        c.setStrokeColor(HexColor(color))
        c.setLineWidth(width)
        c.line(x1, y1, x2, y2)
        c.restoreState()
    if template.qr_box is not None:
        x, y, bw, bh = template.qr_box
        side = min(bw, bh)
        _draw_qr(c, values["verify_url"], x + (bw - side) / 2, y + (bh - side) / 2, side)
    for p in prepared:
        box = p.box
        _draw_lines(c, p.lines, box.box, p.font, p.size, box.leading, HexColor(box.color),
                    box.align, box.valign, box.letter_spacing, box.underline)
    for sig in signatories:
        _draw_signatory(c, sig, development)
    c.showPage()
    c.save()
    return buf.getvalue()
