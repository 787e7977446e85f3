"""Render a training certificate (sertifikat) as a PDF.

Pure renderer: no Flask, no database. The caller gathers the data into a
:class:`CertificateContent` and gets the PDF bytes back from
:func:`render_certificate_pdf`; storing and serving the file is done
elsewhere.

Design rules:

* Everything is drawn with the ReportLab *canvas* API (``drawString`` and
  friends), never with ``Paragraph`` markup, so a name such as
  ``"<b>Budi</b> & Co"`` is printed literally and cannot inject markup.
* Only the bundled DejaVu TrueType fonts (``fonts/``, licence in
  ``fonts/LICENSE-DejaVu.txt``) are used and they are embedded (subset) in
  the PDF, so the certificate looks the same on every reader. A character
  the font lacks is refused with :class:`CertificateFontError` instead of
  being printed as an empty box.
* All text is normalised to Unicode NFC and runs of whitespace (including
  newlines and tabs from form input) are collapsed to one space; letters
  are never re-cased (a holder's "dr." stays "dr.").
* Nothing is ever cut off: long text shrinks within bounds and wraps; if it
  still cannot fit, :class:`CertificateLayoutError` is raised.
* The footer follows the usual wording of electronically signed Indonesian
  government documents (QR code + verification link; domain-facts §6). It
  does not claim a BSrE certified signature.
* Output is deterministic for identical content (``invariant=1``: fixed
  creation date and document ID).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import segno
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from app.common.formatting import format_date_id, format_jp

__all__ = [
    "CertificateContent",
    "CertificateFontError",
    "CertificateLayoutError",
    "render_certificate_pdf",
    "format_nip_grouped",
]

FONT_DIR = Path(__file__).resolve().parent / "fonts"

# Registered ReportLab font names -> file in FONT_DIR.
SANS = "LenteraDejaVuSans"
SANS_BOLD = "LenteraDejaVuSans-Bold"
SERIF_BOLD = "LenteraDejaVuSerif-Bold"
_FONT_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SERIF_BOLD: "DejaVuSerif-Bold.ttf",
}

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)  # 841.89 x 595.28 pt

NAVY = Color(0.11, 0.23, 0.37)
GOLD = Color(0.69, 0.55, 0.30)
INK = Color(0.13, 0.13, 0.15)
GREY = Color(0.36, 0.38, 0.42)

_fonts_lock = threading.Lock()
_fonts: dict[str, TTFont] = {}
# ReportLab keeps per-document state on shared TTFont objects; serialise
# renders so concurrent threads never interleave on them (a render takes
# tens of milliseconds).
_render_lock = threading.Lock()


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
    """A text is too long to fit on the certificate even at the smallest
    allowed size; ``str(error)`` is an Indonesian message naming the field.
    Raised instead of silently truncating anything."""

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
    :ivar course_title: the training's title (up to three printed lines).
    :ivar jp: credited *jam pelajaran* as ``Decimal`` (or ``int``), printed
        via :func:`~app.common.formatting.format_jp` (``"19,5 JP"``).
    :ivar completed_on: completion date, already in local time (a ``date``,
        not a ``datetime``).
    :ivar number: certificate number as issued.
    :ivar verify_url: absolute verification URL, encoded in the QR code and
        printed in full.
    :ivar institution_name: issuing institution, e.g. ``"Badan Pengembangan
        Sumber Daya Manusia Provinsi Kalimantan Timur"``.
    :ivar signatory_name: signing official's name with gelar.
    :ivar signatory_title: signing official's position (jabatan).
    :ivar signatory_nip: signing official's NIP or ``None``.
    :ivar place: place of issue for the date line, e.g. ``"Samarinda"``.
    :ivar opd_name: holder's OPD (unit) or ``None``.
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


# --------------------------------------------------------------------------
# Fonts and text helpers
# --------------------------------------------------------------------------


def _ensure_fonts() -> dict[str, TTFont]:
    """Load and register the bundled TTF fonts once per process."""
    if len(_fonts) == len(_FONT_FILES):
        return _fonts
    with _fonts_lock:
        for name, filename in _FONT_FILES.items():
            if name not in _fonts:
                font = TTFont(name, str(FONT_DIR / filename))
                pdfmetrics.registerFont(font)
                _fonts[name] = font
    return _fonts


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


def _check_chars(text: str, font_name: str, field: str) -> None:
    cmap = _ensure_fonts()[font_name].face.charToGlyph
    for ch in text:
        if ord(ch) not in cmap:
            raise CertificateFontError(ch, field)


def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Split one over-long word into pieces no wider than ``width``."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and _width(current + ch, font, size) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def _wrap_greedy(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; words wider than ``width`` are broken by character."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if _width(word, font, size) <= width:
            current = word
        else:
            *full, current = _break_word(word, font, size, width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines


def _wrap_balanced(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap into the fewest lines that fit ``width``, with lines as even as
    possible (looks right for centred text: no long line over a lone word)."""
    lines = _wrap_greedy(text, font, size, width)
    if len(lines) < 2:
        return lines
    target = len(lines)
    low, high = width / target, width
    best = lines
    for _ in range(18):
        mid = (low + high) / 2
        trial = _wrap_greedy(text, font, size, mid)
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


def _fit(
    text: str,
    font: str,
    width: float,
    *,
    max_size: float,
    min_single: float,
    wrap_max: float,
    min_size: float,
    max_lines: int,
    field: str,
) -> tuple[float, list[str]]:
    """Choose a font size and line breaks for ``text``.

    First shrink a single line from ``max_size`` down to ``min_single``;
    if it still does not fit, wrap (balanced) into at most ``max_lines``
    lines at the largest size from ``wrap_max`` down to ``min_size``.
    :raises CertificateLayoutError: if nothing fits.
    """
    for size in _sizes(max_size, min_single):
        if _width(text, font, size) <= width:
            return size, [text]
    for size in _sizes(wrap_max, min_size):
        lines = _wrap_balanced(text, font, size, width)
        if len(lines) <= max_lines:
            return size, lines
    raise CertificateLayoutError(field)


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


@dataclass
class _Block:
    """A run of centred lines in the middle column."""

    lines: list[str]
    font: str
    size: float
    color: Color
    gap_before: float
    leading_factor: float = 1.22
    rule_after: bool = False  # thin gold rule under the block

    @property
    def leading(self) -> float:
        return self.size * self.leading_factor

    @property
    def height(self) -> float:
        h = self.size + self.leading * (len(self.lines) - 1)
        return h + (10.0 if self.rule_after else 0.0)


def _draw_border(c: rl_canvas.Canvas) -> None:
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    c.saveState()
    c.setStrokeColor(NAVY)
    c.setLineWidth(2.6)
    c.rect(18, 18, w - 36, h - 36, stroke=1, fill=0)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(25, 25, w - 50, h - 50, stroke=1, fill=0)
    c.setLineWidth(0.4)
    c.rect(28.5, 28.5, w - 57, h - 57, stroke=1, fill=0)
    # small gold diamonds on the inner frame's corners
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


def _draw_centred_lines(
    c: rl_canvas.Canvas, lines: list[str], x: float, y: float,
    font: str, size: float, leading: float, color: Color,
) -> float:
    """Draw lines centred on ``x``, first baseline at ``y``; return the last baseline."""
    c.setFont(font, size)
    c.setFillColor(color)
    for i, line in enumerate(lines):
        c.drawCentredString(x, y - i * leading, line)
    return y - (len(lines) - 1) * leading


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


def render_certificate_pdf(content: CertificateContent) -> bytes:
    """Render ``content`` as a one-page A4-landscape PDF and return its bytes.

    Layout (top to bottom): institution, "SERTIFIKAT", "Nomor: …",
    "diberikan kepada", holder name (serif bold, 30 pt shrinking to 16 pt,
    then up to two balanced lines), NIP, OPD, "telah menyelesaikan
    pelatihan", course title (up to three lines), "dengan beban 19,5 JP";
    bottom left the QR code to ``verify_url`` with the URL under it; bottom
    right "<place>, <date>" and the signatory block; a footer stating the
    document is signed electronically and how to verify it. If the middle
    column is too tall, it is scaled down uniformly (to 70 % at most).

    :returns: PDF bytes (deterministic for identical content).
    :raises CertificateFontError: a printed character is not in the
        bundled DejaVu fonts (message names the character and code point).
    :raises CertificateLayoutError: a text cannot fit even at the smallest
        allowed size.
    :raises ValueError: a required field (holder name, course title,
        number, verify URL, institution, signatory name/title, place) is
        empty, or ``jp`` is negative or not finite.
    :raises TypeError: ``completed_on`` is not a ``date`` or ``jp`` is not a
        ``Decimal``/``int`` (from the formatting helpers).
    """
    _ensure_fonts()

    holder = clean_text(content.holder_name)
    course = clean_text(content.course_title)
    number = clean_text(content.number)
    url = clean_text(content.verify_url)
    institution = clean_text(content.institution_name)
    sig_name = clean_text(content.signatory_name)
    sig_title = clean_text(content.signatory_title)
    place = clean_text(content.place)
    nip = format_nip_grouped(content.nip) if content.nip else ""
    sig_nip = format_nip_grouped(content.signatory_nip) if content.signatory_nip else ""
    opd = clean_text(content.opd_name) if content.opd_name else ""

    required = {
        "nama": holder, "judul pelatihan": course, "nomor sertifikat": number,
        "tautan verifikasi": url, "nama instansi": institution,
        "nama penanda tangan": sig_name, "jabatan penanda tangan": sig_title,
        "tempat": place,
    }
    for label, value in required.items():
        if not value:
            raise ValueError(f"Isian {label} pada sertifikat tidak boleh kosong.")

    jp_text = format_jp(content.jp)
    if jp_text.startswith("-"):
        raise ValueError("Beban JP pada sertifikat tidak boleh negatif.")
    date_line = f"{place}, {format_date_id(content.completed_on)}"

    for text, font, label in (
        (holder, SERIF_BOLD, "nama"),
        (nip, SANS, "NIP"),
        (opd, SANS, "nama OPD"),
        (course, SANS_BOLD, "judul pelatihan"),
        (number, SANS, "nomor sertifikat"),
        (url, SANS, "tautan verifikasi"),
        (institution, SANS_BOLD, "nama instansi"),
        (sig_name, SANS_BOLD, "nama penanda tangan"),
        (sig_title, SANS, "jabatan penanda tangan"),
        (sig_nip, SANS, "NIP penanda tangan"),
        (place, SANS, "tempat"),
    ):
        _check_chars(text, font, label)

    with _render_lock:
        return _render(
            holder=holder, nip=nip, opd=opd, course=course, number=number,
            url=url, institution=institution, sig_name=sig_name,
            sig_title=sig_title, sig_nip=sig_nip, date_line=date_line,
            jp_text=jp_text,
        )


def _render(*, holder: str, nip: str, opd: str, course: str, number: str,
            url: str, institution: str, sig_name: str, sig_title: str,
            sig_nip: str, date_line: str, jp_text: str) -> bytes:
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    cx = w / 2
    text_width = w - 2 * 95  # centred text column

    buf = io.BytesIO()
    c = rl_canvas.Canvas(
        buf, pagesize=(w, h), invariant=1, pageCompression=1, lang="id-ID",
        # start on an embedded font so no base-14 font (Helvetica) is referenced
        initialFontName=SANS, initialFontSize=11,
    )
    c.setTitle(f"Sertifikat {number} - {holder}")
    c.setAuthor(institution)
    c.setSubject(f"Sertifikat pelatihan: {course}")
    c.setCreator("Lentera")

    _draw_border(c)

    # ---- header ---------------------------------------------------------
    inst_size, inst_lines = _fit(
        institution, SANS_BOLD, text_width, max_size=13, min_single=10,
        wrap_max=12, min_size=9, max_lines=2, field="nama instansi")
    y = h - 60
    y = _draw_centred_lines(c, inst_lines, cx, y, SANS_BOLD, inst_size,
                            inst_size * 1.2, NAVY)

    title = "SERTIFIKAT"
    title_size, spacing = 40.0, 5.0
    y -= 50
    title_w = _width(title, SERIF_BOLD, title_size) + spacing * (len(title) - 1)
    c.saveState()  # character spacing must not leak into later text
    c.setFillColor(NAVY)
    t = c.beginText(cx - title_w / 2, y)
    t.setFont(SERIF_BOLD, title_size)
    t.setCharSpace(spacing)
    t.textOut(title)
    t.setCharSpace(0)
    c.drawText(t)
    c.restoreState()

    y -= 14
    c.setStrokeColor(GOLD)
    c.setLineWidth(1)
    c.line(cx - 70, y, cx + 70, y)

    y -= 17
    nomor_size, nomor_lines = _fit(
        f"Nomor: {number}", SANS, text_width, max_size=11, min_single=8,
        wrap_max=10, min_size=8, max_lines=2, field="nomor sertifikat")
    y = _draw_centred_lines(c, nomor_lines, cx, y, SANS, nomor_size,
                            nomor_size * 1.2, INK)
    middle_top = y - nomor_size * 0.35 - 16  # top of the middle column

    # ---- bottom right: place/date and signatory --------------------------
    sig_cx, sig_width = w - 212, 290
    sig_name_size, sig_name_lines = _fit(
        sig_name, SANS_BOLD, sig_width, max_size=11.5, min_single=9,
        wrap_max=10.5, min_size=8, max_lines=2, field="nama penanda tangan")
    sig_title_size, sig_title_lines = _fit(
        sig_title, SANS, sig_width, max_size=11, min_single=11,
        wrap_max=11, min_size=8.5, max_lines=3, field="jabatan penanda tangan")
    date_size, date_lines = _fit(
        date_line, SANS, sig_width, max_size=11, min_single=9, wrap_max=10,
        min_size=8, max_lines=2, field="tempat")

    nip_y = 72
    name_last_y = nip_y + 14 if sig_nip else nip_y
    name_first_y = name_last_y + (len(sig_name_lines) - 1) * sig_name_size * 1.2
    title_last_y = name_first_y + sig_name_size + 46  # room for the signature
    title_first_y = title_last_y + (len(sig_title_lines) - 1) * sig_title_size * 1.25
    date_last_y = title_first_y + sig_title_size + 7
    date_first_y = date_last_y + (len(date_lines) - 1) * date_size * 1.2
    sig_top = date_first_y + date_size

    # ---- middle column ----------------------------------------------------
    middle_bottom = sig_top + 16
    available = middle_top - middle_bottom
    blocks: list[_Block] | None = None
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7):
        try:
            candidate = _middle_blocks(holder, nip, opd, course, jp_text,
                                       text_width, scale)
        except CertificateLayoutError:
            if scale == 0.7:
                raise
            continue
        total = sum(b.height + b.gap_before for b in candidate) - candidate[0].gap_before
        if total <= available:
            blocks = candidate
            break
    if blocks is None:
        raise CertificateLayoutError("sertifikat (nama, OPD, dan judul pelatihan)")

    # with room to spare, open up the gaps (up to 1.6x) before centring
    gaps = sum(b.gap_before for b in blocks[1:])
    if gaps > 0:
        grow = min(1.6, 1 + 0.5 * (available - total) / gaps)
        for b in blocks[1:]:
            b.gap_before *= grow
        total += gaps * (grow - 1)
    # centre the column vertically in the free band, top-biased a little
    slack = available - total
    y_top = middle_top - slack * 0.4
    first = True
    for b in blocks:
        if not first:
            y_top -= b.gap_before
        first = False
        baseline = y_top - b.size * 0.8  # cap-height-ish offset from block top
        last = _draw_centred_lines(c, b.lines, cx, baseline, b.font, b.size,
                                   b.leading, b.color)
        if b.rule_after:
            widest = max(_width(line, b.font, b.size) for line in b.lines)
            half = min(widest / 2 + 30, (PAGE_WIDTH - 2 * 70) / 2)
            c.setStrokeColor(GOLD)
            c.setLineWidth(0.8)
            rule_y = last - b.size * 0.32 - 4
            c.line(cx - half, rule_y, cx + half, rule_y)
        y_top -= b.height

    # ---- signatory block (drawn after the middle for reading order) ------
    _draw_centred_lines(c, date_lines, sig_cx, date_first_y, SANS, date_size,
                        date_size * 1.2, INK)
    _draw_centred_lines(c, sig_title_lines, sig_cx, title_first_y, SANS,
                        sig_title_size, sig_title_size * 1.25, INK)
    _draw_centred_lines(c, sig_name_lines, sig_cx, name_first_y, SANS_BOLD,
                        sig_name_size, sig_name_size * 1.2, INK)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    for i, line in enumerate(sig_name_lines):
        lw = _width(line, SANS_BOLD, sig_name_size)
        uy = name_first_y - i * sig_name_size * 1.2 - 2
        c.line(sig_cx - lw / 2, uy, sig_cx + lw / 2, uy)
    if sig_nip:
        _draw_centred_lines(c, [f"NIP. {sig_nip}"], sig_cx, nip_y, SANS, 10,
                            12, INK)

    # ---- bottom left: QR code and URL ------------------------------------
    qr_cx, qr_size = 212, 84
    url_width = 300
    url_size, url_lines = _fit(
        url, SANS, url_width, max_size=7.5, min_single=6, wrap_max=6.5,
        min_size=5.5, max_lines=3, field="tautan verifikasi")
    url_first_y = nip_y + (len(url_lines) - 1) * url_size * 1.2
    qr_bottom = url_first_y + url_size + 8
    _draw_qr(c, url, qr_cx - qr_size / 2, qr_bottom, qr_size)
    _draw_centred_lines(c, url_lines, qr_cx, url_first_y, SANS, url_size,
                        url_size * 1.2, GREY)

    # ---- footer -------------------------------------------------------------
    # Truthful until the PDF carries a real electronic signature (PAdES): the
    # QR lookup against the issuer's register is what proves authenticity.
    footer = ("Keaslian sertifikat ini dapat diperiksa dengan memindai kode QR "
              f"atau membuka {url}.")
    foot_size, foot_lines = _fit(
        footer, SANS, w - 2 * 60, max_size=7.5, min_single=7.5, wrap_max=7.5,
        min_size=6, max_lines=3, field="tautan verifikasi")
    foot_leading = foot_size * 1.25
    foot_y = 38 + (len(foot_lines) - 1) * foot_leading
    _draw_centred_lines(c, foot_lines, cx, foot_y, SANS, foot_size,
                        foot_leading, GREY)

    c.showPage()
    c.save()
    return buf.getvalue()


def _middle_blocks(holder: str, nip: str, opd: str, course: str, jp_text: str,
                   width: float, scale: float) -> list[_Block]:
    """Build the centred middle column at a uniform ``scale`` (1.0 = normal)."""
    s = scale
    name_width = PAGE_WIDTH - 2 * 70  # the name may use a wider band
    try:
        name_size, name_lines = _fit(
            holder, SERIF_BOLD, name_width, max_size=30 * s, min_single=16 * s,
            wrap_max=24 * s, min_size=16 * s, max_lines=2, field="nama")
    except CertificateLayoutError:
        # Very long names (over ~130 characters; a user's full_name may hold
        # 200) get a third line rather than shrinking far below 16 pt.
        name_size, name_lines = _fit(
            holder, SERIF_BOLD, name_width, max_size=16 * s, min_single=16 * s,
            wrap_max=16 * s, min_size=11, max_lines=3, field="nama")
    blocks = [
        _Block(["diberikan kepada"], SANS, 13 * s, INK, 0),
        _Block(name_lines, SERIF_BOLD, name_size, NAVY, 16 * s,
               leading_factor=1.18, rule_after=True),
    ]
    if nip:
        blocks.append(_Block([f"NIP. {nip}"], SANS, 12 * s, INK, 9 * s))
    if opd:
        opd_size, opd_lines = _fit(
            opd, SANS, width, max_size=11.5 * s, min_single=10 * s,
            wrap_max=11 * s, min_size=9 * s, max_lines=2, field="nama OPD")
        blocks.append(_Block(opd_lines, SANS, opd_size, INK, (7 if nip else 9) * s))
    blocks.append(_Block(["telah menyelesaikan pelatihan"], SANS, 13 * s, INK, 20 * s))
    course_size, course_lines = _fit(
        course, SANS_BOLD, width, max_size=18 * s, min_single=15 * s,
        wrap_max=17 * s, min_size=12 * s, max_lines=3, field="judul pelatihan")
    blocks.append(_Block(course_lines, SANS_BOLD, course_size, NAVY, 11 * s))
    blocks.append(_Block([f"dengan beban {jp_text}"], SANS, 13 * s, INK, 12 * s))
    return blocks
