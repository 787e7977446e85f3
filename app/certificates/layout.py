"""Certificate templates: ``certificates/<name>/template.yaml`` files.

A template describes one page layout; the renderer (:mod:`app.certificates.pdf`)
draws it. Format (all lengths in points, 72 pt = 1 inch; boxes are
``[x, y, width, height]`` with (x, y) the lower-left corner, origin at the
lower-left of the page)::

    name: Bawaan                       # shown to admins
    page: {size: A4, orientation: landscape}   # A4 | F4 | Letter; portrait | landscape
    background: latar.png              # optional PNG/JPEG in the same folder, stretched to the page
    frame: classic                     # classic (navy/gold border) | none
    lines:                             # optional straight rules: [x1, y1, x2, y2, width, colour]
      - [350.9, 474, 490.9, 474, 1, "#b08c4d"]
    boxes:                             # text boxes, drawn in order
      - text: "Nomor: {number}"        # literal text with {field} placeholders
        font: DejaVuSans.ttf           # a TTF shipped in app/certificates/fonts/
        size: 11                       # largest size
        min_size: 8                    # single line shrinks down to this size ...
        wrap_size: 10                  # ... then wraps, from this size (default: size)
        wrap_min_size: 8               #     down to this one (default: min_size)
        max_lines: 2                   #     into at most this many lines
        align: center                  # left | center | right
        valign: top                    # top | middle | bottom
        color: "#222226"
        letter_spacing: 0
        leading: 1.2                   # line height as a multiple of the size
        underline: false
        box: [95, 430, 652, 24]
    qr: {box: [170, 98, 84, 84]}       # QR code of the verification address
    signatories:                       # signature blocks
      - source: config                 # name/title/NIP as recorded on the certificate
        box: [485, 62, 290, 92]
      - name: "Dr. Contoh, M.Si."      # or a fixed co-signatory
        title: "Kepala Dinas ..."
        nip: "197203151998031004"
        box: [...]

A box whose placeholders are all empty (no NIP, no OPD, no expiry) is not
drawn. Fields: :data:`FIELDS`. Nothing ever fetches a URL: images and fonts
are files next to the template or shipped with Lentera.

Validation errors (:class:`TemplateError`) name the file and the setting,
in Indonesian.
"""
from __future__ import annotations

import re
import string
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from reportlab.lib.pagesizes import A4, LETTER, landscape, portrait

FONT_DIR = Path(__file__).resolve().parent / "fonts"
#: Shipped template folder (``certificates/`` at the top of the repository).
DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "certificates"
TEMPLATE_FILE = "template.yaml"

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")

#: Placeholders a text box may use -> Indonesian label used in error messages.
FIELDS = {
    "institution": "nama instansi",
    "number": "nomor sertifikat",
    "holder_name": "nama",
    "nip": "NIP",
    "opd_name": "nama OPD",
    "course_title": "judul pelatihan",
    "jp": "beban JP",
    "date": "tanggal",
    "place": "tempat",
    "valid_until": "masa berlaku",
    "verify_url": "tautan verifikasi",
    "signature_statement": "keterangan tanda tangan",
}

PAGE_SIZES = {"A4": A4, "F4": (609.45, 935.43), "LETTER": LETTER}  # F4 = 215 x 330 mm
ALIGNS = ("left", "center", "right")
VALIGNS = ("top", "middle", "bottom")
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")


class TemplateError(ValueError):
    """A template file is missing or invalid.

    ``str(error)`` is Indonesian and names the file and the setting, e.g.
    ``"certificates/biru/template.yaml, boxes[2].font: fon 'Arial.ttf' tidak tersedia …"``.
    """

    def __init__(self, file: str, setting: str, message: str):
        self.file = file
        self.setting = setting
        super().__init__(f"{file}, {setting}: {message}" if setting else f"{file}: {message}")


@dataclass(frozen=True)
class TextBox:
    """One text box of a template (see the module docstring for the settings)."""

    text: str
    placeholders: tuple[str, ...]
    font_file: str
    size: float
    min_size: float
    wrap_size: float
    wrap_min_size: float
    max_lines: int
    align: str
    valign: str
    color: str
    letter_spacing: float
    leading: float
    underline: bool
    box: tuple[float, float, float, float]
    label: str


@dataclass(frozen=True)
class Signatory:
    """A signature block: ``source`` is ``"config"`` (the certificate row's
    signatory) or ``"fixed"`` (``name``/``title``/``nip`` from the template)."""

    source: str
    name: str | None
    title: str | None
    nip: str | None
    box: tuple[float, float, float, float]
    font_file: str
    bold_font_file: str


@dataclass(frozen=True)
class CertificateTemplate:
    """A parsed, validated template."""

    key: str
    title: str
    folder: Path | None
    page_size: tuple[float, float]
    background: Path | None
    frame: str
    lines: tuple[tuple, ...]
    boxes: tuple[TextBox, ...]
    qr_box: tuple[float, float, float, float] | None
    signatories: tuple[Signatory, ...]
    fonts: tuple[str, ...] = field(default=())


def shipped_fonts() -> list[str]:
    """File names of the TTF fonts shipped in ``app/certificates/fonts``."""
    return sorted(p.name for p in FONT_DIR.glob("*.ttf"))


class _Checker:
    """Reads values out of the YAML mapping and raises :class:`TemplateError`."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, setting: str, message: str):
        raise TemplateError(self.file, setting, message)

    def number(self, data: dict, key: str, where: str, default=None, minimum: float = 0.0) -> float:
        value = data.get(key, default)
        if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{where}.{key}", "harus berupa angka.")
        if value < minimum:
            self.fail(f"{where}.{key}", f"tidak boleh kurang dari {minimum:g}.")
        return float(value)

    def choice(self, data: dict, key: str, where: str, options, default):
        value = data.get(key, default)
        if value not in options:
            self.fail(f"{where}.{key}", f"harus salah satu dari: {', '.join(options)}.")
        return value

    def color(self, data: dict, key: str, where: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not _COLOR_RE.fullmatch(value):
            self.fail(f"{where}.{key}", "warna harus berbentuk #RRGGBB.")
        return value

    def font(self, data: dict, key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        fonts = shipped_fonts()
        if not isinstance(value, str) or value not in fonts:
            self.fail(f"{where}.{key}", f"fon {value!r} tidak tersedia; pilih salah satu: {', '.join(fonts)}.")
        return value

    def box(self, data: dict, where: str, page: tuple[float, float]) -> tuple[float, float, float, float]:
        value = data.get("box")
        if (not isinstance(value, list) or len(value) != 4
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)):
            self.fail(f"{where}.box", "harus berupa [x, y, lebar, tinggi] dalam poin.")
        x, y, w, h = (float(v) for v in value)
        if w <= 0 or h <= 0:
            self.fail(f"{where}.box", "lebar dan tinggi harus lebih dari 0.")
        if x < 0 or y < 0 or x + w > page[0] + 0.01 or y + h > page[1] + 0.01:
            self.fail(f"{where}.box", f"kotak keluar dari halaman ({page[0]:g} x {page[1]:g} poin).")
        return (x, y, w, h)


def _parse_box(check: _Checker, raw, where: str, page) -> TextBox:
    if not isinstance(raw, dict):
        check.fail(where, "harus berupa pemetaan (kunci: nilai).")
    unknown = set(raw) - {"text", "field", "font", "size", "min_size", "wrap_size", "wrap_min_size",
                          "max_lines", "align", "valign", "color", "letter_spacing", "leading",
                          "underline", "box"}
    if unknown:
        check.fail(where, f"pengaturan tidak dikenal: {', '.join(sorted(unknown))}.")
    if "field" in raw:
        if raw["field"] not in FIELDS:
            check.fail(f"{where}.field", f"isian {raw['field']!r} tidak dikenal; pilih salah satu: "
                                         f"{', '.join(FIELDS)}.")
        text = "{" + raw["field"] + "}"
    else:
        text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        check.fail(f"{where}.text", "isi teks (text) atau isian (field) wajib diisi.")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        check.fail(f"{where}.text", "kurung kurawal tidak berpasangan; tulis {{ atau }} untuk kurung biasa.")
    placeholders = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            check.fail(f"{where}.text", f"penanda {{{name}}} tidak dikenal; pilih salah satu: "
                                        f"{', '.join(FIELDS)}.")
        placeholders.append(name)
    size = check.number(raw, "size", where, minimum=1)
    min_size = check.number(raw, "min_size", where, default=size, minimum=1)
    wrap_size = check.number(raw, "wrap_size", where, default=size, minimum=1)
    wrap_min = check.number(raw, "wrap_min_size", where, default=min_size, minimum=1)
    if min_size > size:
        check.fail(f"{where}.min_size", "tidak boleh lebih besar dari size.")
    if wrap_min > wrap_size:
        check.fail(f"{where}.wrap_min_size", "tidak boleh lebih besar dari wrap_size.")
    max_lines = raw.get("max_lines", 1)
    if isinstance(max_lines, bool) or not isinstance(max_lines, int) or not 1 <= max_lines <= 10:
        check.fail(f"{where}.max_lines", "harus bilangan bulat 1 sampai 10.")
    underline = raw.get("underline", False)
    if not isinstance(underline, bool):
        check.fail(f"{where}.underline", "harus true atau false.")
    label = FIELDS[placeholders[0]] if len(placeholders) == 1 else "teks templat"
    return TextBox(
        text=text, placeholders=tuple(placeholders), font_file=check.font(raw, "font", where),
        size=size, min_size=min_size, wrap_size=wrap_size, wrap_min_size=wrap_min, max_lines=max_lines,
        align=check.choice(raw, "align", where, ALIGNS, "center"),
        valign=check.choice(raw, "valign", where, VALIGNS, "top"),
        color=check.color(raw, "color", where, "#222226"),
        letter_spacing=check.number(raw, "letter_spacing", where, default=0),
        leading=check.number(raw, "leading", where, default=1.2, minimum=1),
        underline=underline, box=check.box(raw, where, page), label=label,
    )


def _parse_signatory(check: _Checker, raw, where: str, page) -> Signatory:
    if not isinstance(raw, dict):
        check.fail(where, "harus berupa pemetaan (kunci: nilai).")
    source = check.choice(raw, "source", where, ("config", "fixed"), "fixed" if "name" in raw else "config")
    name = title = nip = None
    if source == "fixed":
        for key in ("name", "title"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                check.fail(f"{where}.{key}", "wajib diisi untuk penanda tangan tetap.")
        name, title = raw["name"], raw["title"]
        nip = raw.get("nip")
        if nip is not None and not isinstance(nip, str):
            check.fail(f"{where}.nip", "NIP ditulis sebagai teks dalam tanda kutip.")
    return Signatory(source=source, name=name, title=title, nip=nip, box=check.box(raw, where, page),
                     font_file=check.font(raw, "font", where, "DejaVuSans.ttf"),
                     bold_font_file=check.font(raw, "bold_font", where, "DejaVuSans-Bold.ttf"))


def parse_template(data, key: str, file: str, folder: Path | None) -> CertificateTemplate:
    """Validate a loaded YAML mapping and build a :class:`CertificateTemplate`.

    :param file: the path shown in error messages.
    :raises TemplateError: on the first invalid setting.
    """
    check = _Checker(file)
    if not isinstance(data, dict):
        check.fail("", "isi berkas harus berupa pemetaan YAML (kunci: nilai).")
    unknown = set(data) - {"name", "page", "background", "frame", "lines", "boxes", "qr", "signatories"}
    if unknown:
        check.fail("", f"pengaturan tidak dikenal: {', '.join(sorted(unknown))}.")
    title = data.get("name", key)
    if not isinstance(title, str) or not title.strip():
        check.fail("name", "nama templat wajib berupa teks.")
    page = data.get("page") or {}
    if not isinstance(page, dict):
        check.fail("page", "harus berupa pemetaan dengan size dan orientation.")
    size_name = str(page.get("size", "A4")).upper()
    if size_name not in PAGE_SIZES:
        check.fail("page.size", f"ukuran {page.get('size')!r} tidak dikenal; pilih A4, F4 atau Letter.")
    orientation = check.choice(page, "orientation", "page", ("landscape", "portrait"), "landscape")
    page_size = (landscape if orientation == "landscape" else portrait)(PAGE_SIZES[size_name])

    background = None
    if data.get("background") is not None:
        name = data["background"]
        if not isinstance(name, str) or folder is None or "/" in name or "\\" in name or name.startswith("."):
            check.fail("background", "harus nama berkas gambar di folder templat yang sama.")
        background = folder / name
        try:
            head = background.read_bytes()[:8]
        except OSError:
            check.fail("background", f"berkas {name!r} tidak ditemukan di folder templat.")
        if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
            check.fail("background", f"berkas {name!r} bukan gambar PNG atau JPEG.")
    frame = check.choice(data, "frame", "", ("classic", "none"), "classic" if background is None else "none")

    lines = []
    for i, raw in enumerate(data.get("lines") or []):
        where = f"lines[{i}]"
        if (not isinstance(raw, list) or len(raw) != 6
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in raw[:5])):
            check.fail(where, "harus berupa [x1, y1, x2, y2, tebal, warna].")
        check.color({"color": raw[5]}, "color", where, "")
        lines.append(tuple(float(v) for v in raw[:5]) + (raw[5],))

    raw_boxes = data.get("boxes")
    if not isinstance(raw_boxes, list) or not raw_boxes:
        check.fail("boxes", "templat harus memiliki setidaknya satu kotak teks.")
    boxes = tuple(_parse_box(check, raw, f"boxes[{i}]", page_size) for i, raw in enumerate(raw_boxes))
    if not any("holder_name" in b.placeholders for b in boxes):
        check.fail("boxes", "templat harus memuat isian holder_name (nama pemegang sertifikat).")
    if not any("number" in b.placeholders for b in boxes):
        check.fail("boxes", "templat harus memuat isian number (nomor sertifikat).")

    qr_box = None
    if data.get("qr") is not None:
        if not isinstance(data["qr"], dict):
            check.fail("qr", "harus berupa pemetaan dengan box.")
        qr_box = check.box(data["qr"], "qr", page_size)
    if not (qr_box or any("verify_url" in b.placeholders for b in boxes)):
        check.fail("qr", "templat harus memuat kode QR atau isian verify_url agar sertifikat dapat diperiksa.")
    raw_signatories = data.get("signatories") or []
    if not isinstance(raw_signatories, list):
        check.fail("signatories", "harus berupa daftar.")
    signatories = tuple(_parse_signatory(check, raw, f"signatories[{i}]", page_size)
                        for i, raw in enumerate(raw_signatories))
    fonts = {b.font_file for b in boxes} | {s.font_file for s in signatories} | {s.bold_font_file for s in signatories}
    return CertificateTemplate(
        key=key, title=title.strip(), folder=folder, page_size=page_size, background=background, frame=frame,
        lines=tuple(lines), boxes=boxes, qr_box=qr_box, signatories=signatories, fonts=tuple(sorted(fonts)),
    )


_cache_lock = threading.Lock()
_cache: dict[tuple, CertificateTemplate] = {}


def template_names(root: Path = DEFAULT_TEMPLATE_DIR) -> list[str]:
    """Names of the template folders under ``root`` that hold a template.yaml, sorted."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if NAME_RE.fullmatch(p.name) and (p / TEMPLATE_FILE).is_file())


def load_template(name: str, root: Path = DEFAULT_TEMPLATE_DIR) -> CertificateTemplate:
    """Load and validate ``root/<name>/template.yaml`` (cached until the file changes).

    :raises TemplateError: unknown or malformed name, missing file, invalid YAML
        or settings.
    """
    shown = f"certificates/{name}/{TEMPLATE_FILE}"
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise TemplateError(shown, "", "nama templat hanya boleh huruf kecil, angka, '-' dan '_'.")
    path = root / name / TEMPLATE_FILE
    try:
        stat = path.stat()
    except OSError:
        raise TemplateError(shown, "", "berkas templat tidak ditemukan.") from None
    stamp = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(stamp)
    if cached is not None:
        return cached
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise TemplateError(shown, "", f"YAML tidak valid: {error}") from error
    template = parse_template(data, name, shown, path.parent)
    with _cache_lock:
        _cache[stamp] = template
    return template
