"""Roster import: load ASN from a CSV or XLSX file, with a dry run first.

A roster has one row per ASN, matched by NIP. :func:`plan_import` reads the
file and decides, per row, ``create``, ``update``, ``unchanged`` or
``error`` without writing anything; :func:`apply_import` writes a plan that has
no errors (the caller commits once, so a confirmed import is one
transaction). Importing the same file twice changes nothing the second time.

Validation reuses the project's rules: NIP by :func:`app.common.nip.parse_nip`,
emails by the same ``email-validator`` check and message as the registration
form (:data:`app.auth.forms.EMAIL_INVALID`) and :func:`app.auth.services.normalize_email`,
eselon/golongan by :mod:`app.common.asn`, employment type by
:data:`app.auth.models.EMPLOYMENT_TYPES`.

Large files (50,000 rows) run in a bounded number of queries: existing users
are loaded by NIP and by email in chunks, new users are inserted and changed
users updated in batches; nothing is queried per row.

Services never read ``request`` and never commit.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, select

from app.common.i18n import N_
from app.auth.forms import EMAIL_INVALID
from app.auth.models import EMPLOYMENT_TYPES, ROLE_LEARNER, Opd, User
from app.auth.services import normalize_email
from app.common.asn import ESELON, GOLONGAN
from app.common.db import utcnow
from app.common.nip import NipError, parse_nip
from app.extensions import db

#: Extensions accepted for uploads (lower case, with the dot).
ALLOWED_SUFFIXES = (".csv", ".xlsx")

#: Rows per ``IN (...)`` lookup and per INSERT/UPDATE batch; stays under SQLite's parameter limit.
CHUNK = 500

#: Canonical field -> header shown to people (Indonesian), in file order. Not translated: these are
#: the column titles of the roster file (a data format BKD exports), which people look for in their file.
COLUMN_LABELS = {
    "nip": "NIP",
    "full_name": "Nama",
    "gelar_depan": "Gelar Depan",
    "gelar_belakang": "Gelar Belakang",
    "email": "Email",
    "opd": "OPD",
    "jabatan": "Jabatan",
    "eselon": "Eselon",
    "golongan": "Golongan",
    "employment_type": "Jenis Kepegawaian",
}

#: Header spellings accepted per field, compared after :func:`_header_key`.
HEADER_ALIASES = {
    "nip": ("nip", "nip/ni pppk", "ni pppk"),
    "full_name": ("nama", "nama lengkap", "name", "full name"),
    "gelar_depan": ("gelar depan",),
    "gelar_belakang": ("gelar belakang",),
    "email": ("email", "e-mail", "surel", "alamat email"),
    "opd": ("opd", "kode opd", "nama opd", "unit kerja", "opd code"),
    "jabatan": ("jabatan",),
    "eselon": ("eselon",),
    "golongan": ("golongan", "gol", "golongan/ruang", "gol/ruang", "pangkat/golongan"),
    "employment_type": ("jenis kepegawaian", "status kepegawaian", "jenis asn", "employment type", "pns/pppk"),
}

REQUIRED_COLUMNS = ("nip", "full_name", "email", "opd", "employment_type")

#: Fields written to ``users`` and compared to decide ``update`` vs ``unchanged``.
USER_FIELDS = ("full_name", "gelar_depan", "gelar_belakang", "email", "opd_id", "jabatan", "eselon", "golongan",
               "employment_type")
_FIELD_COLUMN = {"opd_id": "opd"}

MAX_LENGTHS = {"full_name": 200, "gelar_depan": 60, "gelar_belakang": 100, "email": 254, "jabatan": 200}



# Indonesian messages, exact (tests compare them); msgids of the roster catalogue.
MSG_NIP_NUMERIC = N_("NIP tersimpan sebagai angka di lembar kerja sehingga digit terakhirnya bisa hilang; "
                     "format kolom NIP sebagai teks lalu ketik ulang NIP-nya.")
MSG_NIP_DUPLICATE = N_("NIP ini muncul lebih dari sekali dalam berkas (pertama di baris %(first)s).")
MSG_NAME_REQUIRED = N_("Nama wajib diisi.")
MSG_EMAIL_REQUIRED = N_("Email wajib diisi.")
MSG_EMAIL_DUPLICATE = N_("Email ini muncul lebih dari sekali dalam berkas (pertama di baris %(first)s).")
MSG_EMAIL_TAKEN = N_("Email ini sudah dipakai akun lain (NIP berbeda atau tanpa NIP yang cocok).")
MSG_OPD_REQUIRED = N_("OPD wajib diisi (kode atau nama OPD).")
MSG_OPD_UNKNOWN = N_("OPD tidak dikenal: tulis kode OPD (mis. DISKOMINFO) atau nama OPD persis seperti terdaftar.")
MSG_ESELON = N_("Eselon tidak dikenal; gunakan %(eselon)s, atau kosongkan untuk non-eselon.")
MSG_GOLONGAN = N_("Golongan tidak dikenal; tulis seperti III/a (I/a sampai IV/e).")
MSG_EMPLOYMENT_TYPE = N_("Jenis kepegawaian harus PNS atau PPPK.")
MSG_TOO_LONG = N_("Paling banyak %(max)s karakter.")
MSG_NO_ROWS = N_("Berkas tidak berisi baris data.")
MSG_MISSING_COLUMNS = N_("Kolom wajib tidak ada di baris judul: %(columns)s.")
MSG_DUPLICATE_COLUMN = N_("Kolom %(column)s muncul dua kali di baris judul.")
MSG_NOT_UTF8 = N_("Berkas CSV harus disimpan dengan enkode UTF-8 (CSV UTF-8 di Excel).")
MSG_BAD_XLSX = N_("Berkas XLSX tidak dapat dibaca; simpan ulang dari Excel atau LibreOffice sebagai .xlsx.")
MSG_BAD_SUFFIX = N_("Jenis berkas tidak didukung; unggah berkas .csv atau .xlsx.")

_NON_ESELON = {"", "-", "—", "nonesselon", "noneselon", "non", "tidakada"}
_ESELON_KEYS = {re.sub(r"[\s./\-]", "", e).lower(): e for e in ESELON}
_GOLONGAN_KEYS = {re.sub(r"[\s./\-]", "", g).lower(): g for g in GOLONGAN}

# An unusable password hash: no argon2 hash starts with "!", so verify_password
# answers False for every password; roster users set a password through a reset.
UNUSABLE_PASSWORD_PREFIX = "!roster-"


def translated(msgid: str, params: dict | None = None) -> str:
    """``msgid`` (an Indonesian message above) in the request's language, ``params`` filled in.

    Messages from elsewhere (e.g. :mod:`app.common.nip`, translated when
    raised) arrive formatted with no params; they are looked up as they are
    and shown unchanged when no catalogue has them. Outside a request the
    locale is Indonesian (:func:`app.common.i18n.select_locale`).
    """
    from flask_babel import gettext

    return gettext(msgid, **(params or {}))


class RosterFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, header).

    ``str(error)`` is the Indonesian message; ``msgid`` and ``params`` let a
    page show it translated (:func:`translated`).
    """

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: spreadsheet ``row`` (header is row 1), ``column`` label, raw ``value``, Indonesian ``message``.

    ``msgid`` and ``params`` are what ``message`` was made from, so a page
    can show it in the reader's language (:func:`translated`); ``msgid``
    empty means ``message`` itself is the msgid.
    """

    row: int
    column: str
    value: str
    message: str
    msgid: str = ""
    params: tuple = ()

    @classmethod
    def of(cls, row: int, column: str, value: str, msgid: str, **params) -> "RowError":
        """A row error whose ``message`` is ``msgid`` with ``params`` filled in."""
        return cls(row, column, value, msgid % params if params else msgid, msgid, tuple(sorted(params.items())))


@dataclass(slots=True)
class RowPlan:
    """What the import does with one row.

    ``action`` is ``create``, ``update``, ``unchanged`` or ``error``;
    ``changes`` lists the column labels an update changes; ``values`` holds
    the validated field values (``opd_id`` resolved); ``user_id`` is the
    matched user for updates.
    """

    row: int
    nip: str
    name: str
    action: str = "error"
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    user_id: int | None = None


@dataclass
class ImportPlan:
    """The dry-run result of a whole file: ``rows`` in file order and ``columns`` present."""

    rows: list[RowPlan]
    columns: tuple[str, ...]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    def summary(self) -> dict[str, int]:
        """``{"rows", "create", "update", "unchanged", "error", "errors"}`` counts."""
        return {"rows": len(self.rows), "create": self.count("create"), "update": self.count("update"),
                "unchanged": self.count("unchanged"), "error": self.count("error"), "errors": len(self.errors)}

    def digest(self) -> str:
        """A fingerprint of what would be written; a confirm re-plans and compares it."""
        h = hashlib.sha256()
        for r in self.rows:
            h.update(f"{r.row}|{r.nip}|{r.action}|{r.user_id}|{','.join(r.changes)}\n".encode())
        return h.hexdigest()


@dataclass(frozen=True)
class ImportResult:
    """Counts written by :func:`apply_import`."""

    created: int
    updated: int
    unchanged: int


# --- Reading files -----------------------------------------------------------------------------

def _header_key(text) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace("_", " ")).strip().lower()


_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def map_headers(headers: list, aliases: dict[str, str] = _ALIAS_TO_FIELD) -> dict[str, int]:
    """``{field: column index}`` for the recognised headers; unknown headers are ignored.

    Raises :class:`RosterFileError` when a field's header appears twice.
    """
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = aliases.get(_header_key(header))
        if name is None:
            continue
        if name in found:
            raise RosterFileError(MSG_DUPLICATE_COLUMN, column=str(header).strip())
        found[name] = index
    return found


def iter_table(path: Path) -> Iterator[tuple[int, list]]:
    """Yield ``(row number, cells)`` of a CSV or XLSX file, header row included (row 1).

    CSV: UTF-8 (with or without BOM), delimiter ``,`` or ``;`` (as the header
    line shows); cells are strings. XLSX: the first sheet, read in openpyxl's
    read-only mode (flat memory); cells keep their type, so a NIP typed as a
    number arrives as ``int``/``float``. Fully empty rows are skipped.
    Raises :class:`RosterFileError` for another suffix, a non-UTF-8 CSV or an
    unreadable XLSX.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _iter_csv(path)
    elif suffix == ".xlsx":
        yield from _iter_xlsx(path)
    else:
        raise RosterFileError(MSG_BAD_SUFFIX)


def _iter_csv(path: Path) -> Iterator[tuple[int, list]]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            first = text.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            reader = csv.reader(_chain([first], text), delimiter=delimiter)
            for number, cells in enumerate(reader, start=1):
                if any(str(c).strip() for c in cells):
                    yield number, cells
        except UnicodeDecodeError:
            raise RosterFileError(MSG_NOT_UTF8) from None


def _chain(first: list[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _iter_xlsx(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook  # imported on use: only XLSX files need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # zipfile.BadZipFile, KeyError, InvalidFileException …: all mean "not a workbook"
        raise RosterFileError(MSG_BAD_XLSX) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(c is not None and str(c).strip() for c in cells):
                yield number, list(cells)
    finally:
        workbook.close()


def cell_text(value) -> str:
    """A cell as stripped text: integers without ``.0``, dates as ISO, ``None`` as ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


# --- Validation of one row (no database) -------------------------------------------------------

def _nip_value(raw, employment_type: str | None = None) -> tuple[str, str | None]:
    """``(text shown, error message or None)``; on success the text is the 18-digit NIP (or NI PPPK)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return cell_text(raw) if isinstance(raw, int) else repr(raw), MSG_NIP_NUMERIC
    text = cell_text(raw)
    if text.startswith("'"):  # Excel's "treat as text" prefix survives some exports
        text = text[1:]
    try:
        return parse_nip(text, employment_type=employment_type).value, None
    except NipError as error:
        return text, str(error)


def normalize_eselon(text: str) -> tuple[str | None, bool]:
    """``(canonical eselon or None for non-eselon, valid)``; accepts ``III.a``, ``III/a``, ``IIIa``."""
    key = re.sub(r"[\s./\-]", "", text).lower()
    if key in _NON_ESELON:
        return None, True
    canonical = _ESELON_KEYS.get(key)
    return canonical, canonical is not None


def normalize_golongan(text: str) -> tuple[str | None, bool]:
    """``(canonical golongan or None when empty, valid)``; accepts ``III/a``, ``III.a``, ``IIIa``."""
    key = re.sub(r"[\s./\-]", "", text).lower()
    if not key or key == "—":
        return None, True
    canonical = _GOLONGAN_KEYS.get(key)
    return canonical, canonical is not None


def _opd_index(opds: Iterable[Opd]) -> dict[str, int]:
    index: dict[str, int] = {}
    for opd in opds:
        index[opd.code.strip().lower()] = opd.id
        index[re.sub(r"\s+", " ", opd.name).strip().lower()] = opd.id
    return index


def validate_row(number: int, cells: list, columns: dict[str, int], opd_ids: dict[str, int]) -> RowPlan:
    """Check one data row against every rule that needs no user lookup.

    Returns a :class:`RowPlan` with ``values`` filled for the columns present
    and ``errors`` for each bad cell; ``action`` is set later by
    :func:`plan_rows`.
    """
    def cell(name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    errors: list[RowError] = []
    values: dict = {}

    def error(name: str, value, message: str, **params) -> None:
        errors.append(RowError.of(number, COLUMN_LABELS[name],
                                  cell_text(value) if not isinstance(value, str) else value, message, **params))

    # A PPPK's number follows the NI PPPK layout (year appointed, code), not the NIP PNS one.
    nip, nip_error = _nip_value(cell("nip"), cell_text(cell("employment_type")).upper() or None)
    if nip_error:
        error("nip", nip, nip_error)

    name = cell_text(cell("full_name"))
    if not name:
        error("full_name", name, MSG_NAME_REQUIRED)
    values["full_name"] = name

    raw_email = cell_text(cell("email"))
    email = normalize_email(raw_email)
    if not email:
        error("email", raw_email, MSG_EMAIL_REQUIRED)
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            error("email", raw_email, EMAIL_INVALID)
    values["email"] = email

    raw_opd = cell_text(cell("opd"))
    opd_id = opd_ids.get(re.sub(r"\s+", " ", raw_opd).lower())
    if not raw_opd:
        error("opd", raw_opd, MSG_OPD_REQUIRED)
    elif opd_id is None:
        error("opd", raw_opd, MSG_OPD_UNKNOWN)
    values["opd_id"] = opd_id

    raw_type = cell_text(cell("employment_type")).upper()
    if raw_type not in EMPLOYMENT_TYPES:
        error("employment_type", cell_text(cell("employment_type")), MSG_EMPLOYMENT_TYPE)
    values["employment_type"] = raw_type

    for name_ in ("gelar_depan", "gelar_belakang", "jabatan"):
        if name_ in columns:
            values[name_] = cell_text(cell(name_)) or None
    if "eselon" in columns:
        raw = cell_text(cell("eselon"))
        values["eselon"], valid = normalize_eselon(raw)
        if not valid:
            error("eselon", raw, MSG_ESELON, eselon=", ".join(ESELON))
    if "golongan" in columns:
        raw = cell_text(cell("golongan"))
        values["golongan"], valid = normalize_golongan(raw)
        if not valid:
            error("golongan", raw, MSG_GOLONGAN)
    for name_, limit in MAX_LENGTHS.items():
        value = values.get(name_)
        if value and len(value) > limit:
            error(name_, value, MSG_TOO_LONG, max=limit)

    return RowPlan(row=number, nip=nip, name=name, errors=errors, values=values)


# --- Planning against the database ---------------------------------------------------------------

def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


_USER_COLUMNS = (User.id, User.nip, *(getattr(User, f) for f in USER_FIELDS))


def _existing_by(column, keys: list[str]) -> dict[str, dict]:
    """Users whose ``column`` is in ``keys``, as plain dicts, in ``ceil(len/CHUNK)`` queries."""
    found: dict[str, dict] = {}
    for chunk in chunks(sorted(set(keys))):
        for row in db.session.execute(select(*_USER_COLUMNS).where(column.in_(chunk))):
            mapping = dict(row._mapping)
            found[mapping[column.key]] = mapping
    return found


def plan_rows(rows: Iterable[tuple[int, list]], progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Dry run over ``(row number, cells)`` including the header row (the first item).

    Raises :class:`RosterFileError` for a missing header, missing required
    columns, or no data rows. ``progress(n)`` is called as rows are validated.
    Queries: OPD list (1), users by NIP (``ceil(n/CHUNK)``), users by the
    emails not already held by the user of the same NIP (``ceil(m/CHUNK)``).
    """
    iterator = iter(rows)
    try:
        _, headers = next(iterator)
    except StopIteration:
        raise RosterFileError(MSG_NO_ROWS) from None
    columns = map_headers(headers)
    missing = [COLUMN_LABELS[c] for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RosterFileError(MSG_MISSING_COLUMNS, columns=", ".join(missing))
    opd_ids = _opd_index(db.session.scalars(select(Opd)))

    plans: list[RowPlan] = []
    first_nip: dict[str, int] = {}
    first_email: dict[str, int] = {}
    for number, cells in iterator:
        plan = validate_row(number, cells, columns, opd_ids)
        if not any(e.column == COLUMN_LABELS["nip"] for e in plan.errors):
            if plan.nip in first_nip:
                plan.errors.append(RowError.of(number, COLUMN_LABELS["nip"], plan.nip, MSG_NIP_DUPLICATE,
                                               first=first_nip[plan.nip]))
            else:
                first_nip[plan.nip] = number
        email = plan.values.get("email")
        if email and not any(e.column == COLUMN_LABELS["email"] for e in plan.errors):
            if email in first_email:
                plan.errors.append(RowError.of(number, COLUMN_LABELS["email"], email, MSG_EMAIL_DUPLICATE,
                                               first=first_email[email]))
            else:
                first_email[email] = number
        plans.append(plan)
        if progress:
            progress(1)
    if not plans:
        raise RosterFileError(MSG_NO_ROWS)

    by_nip = _existing_by(User.nip, list(first_nip))
    # Emails already held by the user of the same NIP need no lookup (a re-import looks up none).
    by_email = {u["email"]: u for u in by_nip.values()}
    by_email.update(_existing_by(User.email, [
        p.values["email"] for p in plans
        if not p.errors and by_nip.get(p.nip, {}).get("email") != p.values["email"]]))
    present = tuple(c for c in COLUMN_LABELS if c in columns)
    for plan in plans:
        _decide(plan, by_nip, by_email, present)
    return ImportPlan(rows=plans, columns=present)


def _compared_fields(present: tuple[str, ...]) -> list[str]:
    return [f for f in USER_FIELDS if _FIELD_COLUMN.get(f, f) in present]


def _decide(plan: RowPlan, by_nip: dict, by_email: dict, present: tuple[str, ...]) -> None:
    """Set ``action``, ``user_id`` and ``changes`` of a validated row."""
    if plan.errors:
        plan.action = "error"
        return
    existing = by_nip.get(plan.nip)
    email_owner = by_email.get(plan.values["email"])
    if existing is None and email_owner is not None and email_owner["nip"] is None:
        existing = email_owner  # an account made without NIP (self-registered) gets the roster's NIP
    if email_owner is not None and existing is not None and email_owner["id"] != existing["id"]:
        plan.errors.append(RowError.of(plan.row, COLUMN_LABELS["email"], plan.values["email"], MSG_EMAIL_TAKEN))
        plan.action = "error"
        return
    if existing is None:
        if email_owner is not None:
            plan.errors.append(RowError.of(plan.row, COLUMN_LABELS["email"], plan.values["email"], MSG_EMAIL_TAKEN))
            plan.action = "error"
            return
        plan.action = "create"
        return
    plan.user_id = existing["id"]
    changes = [f for f in _compared_fields(present) if existing[f] != plan.values.get(f)]
    if existing["nip"] != plan.nip:
        changes.insert(0, "nip")
    plan.changes = [COLUMN_LABELS[_FIELD_COLUMN.get(f, f)] for f in changes]
    plan.action = "update" if changes else "unchanged"


def plan_file(path: Path, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """:func:`plan_rows` over the CSV/XLSX file at ``path`` (see :func:`iter_table`)."""
    return plan_rows(iter_table(Path(path)), progress)


# --- Writing ----------------------------------------------------------------------------------------

def unusable_password_hash() -> str:
    """A random value no password verifies against (see :data:`UNUSABLE_PASSWORD_PREFIX`)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(24)


def apply_import(plan: ImportPlan, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Write ``plan`` in batches inside the caller's transaction (flushes, never commits).

    New users are learners with an unusable random password (they set one
    through a password reset). Updates touch only the columns present in the
    file. Raises ``ValueError`` when the plan has errors: an import with
    errors writes nothing. ``progress(n)`` is called per row written.
    """
    if not plan.ok:
        raise ValueError("roster plan has errors; nothing is written")
    db.session.flush()
    now = utcnow()
    fields = _compared_fields(plan.columns)
    users = User.__table__
    creates = [r for r in plan.rows if r.action == "create"]
    for chunk in chunks(creates):
        # Core executemany with every column given (None included): one statement per batch.
        db.session.execute(users.insert(), [
            {"nip": r.nip, "role": ROLE_LEARNER, "active": True, "created_at": now,
             "password_hash": unusable_password_hash(),
             **{f: r.values.get(f) for f in USER_FIELDS}}
            for r in chunk
        ])
        if progress:
            progress(len(chunk))
    updates = [r for r in plan.rows if r.action == "update"]
    statement = (users.update().where(users.c.id == bindparam("_id"))
                 .values({"nip": bindparam("_nip"), **{f: bindparam(f"_{f}") for f in fields}}))
    for chunk in chunks(updates):
        db.session.execute(statement, [
            {"_id": r.user_id, "_nip": r.nip, **{f"_{f}": r.values.get(f) for f in fields}} for r in chunk
        ])
        if progress:
            progress(len(chunk))
    if progress:
        progress(plan.count("unchanged"))
    db.session.expire_all()  # bulk statements bypass the identity map
    return ImportResult(created=len(creates), updated=len(updates), unchanged=plan.count("unchanged"))


# --- Uploaded files kept between the dry run and the confirmation ----------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def imports_dir(data_dir: str | Path) -> Path:
    """``LENTERA_DATA_DIR/imports``, created on demand."""
    path = Path(data_dir) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(data_dir: str | Path, stream, filename: str) -> str:
    """Save an uploaded file as ``imports/<token>.<ext>`` and return the random token.

    Raises :class:`RosterFileError` for a suffix other than .csv/.xlsx.
    """
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise RosterFileError(MSG_BAD_SUFFIX)
    purge_stale_uploads(data_dir)
    token = secrets.token_urlsafe(24)
    target = imports_dir(data_dir) / f"{token}{suffix}"
    with open(target, "wb") as out:
        while chunk := stream.read(1 << 16):
            out.write(chunk)
    return token


#: Uploads never confirmed are deleted after this many seconds (one day).
STALE_AFTER = 24 * 3600


def purge_stale_uploads(data_dir: str | Path, max_age: float = STALE_AFTER) -> int:
    """Delete files in ``imports/`` older than ``max_age`` seconds; returns how many were deleted."""
    import time

    limit = time.time() - max_age
    removed = 0
    for path in imports_dir(data_dir).iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another request removed it first
            continue
    return removed


def stored_upload(data_dir: str | Path, token: str) -> Path | None:
    """The file saved under ``token``, or ``None`` for a malformed or unknown token."""
    if not token or not _TOKEN.match(token):
        return None
    for suffix in ALLOWED_SUFFIXES:
        path = imports_dir(data_dir) / f"{token}{suffix}"
        if path.is_file():
            return path
    return None


def save_meta(data_dir: str | Path, token: str, meta: dict) -> None:
    """Store the dry-run result of ``token`` as JSON beside the file."""
    import json

    (imports_dir(data_dir) / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False, default=str),
                                                          encoding="utf-8")


def load_meta(data_dir: str | Path, token: str) -> dict | None:
    """The dry-run result stored for ``token``; ``None`` when there is none."""
    import json

    if stored_upload(data_dir, token) is None:
        return None
    path = imports_dir(data_dir) / f"{token}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def discard_upload(data_dir: str | Path, token: str) -> None:
    """Delete the file and the stored result of ``token`` (after a confirmed import)."""
    path = stored_upload(data_dir, token)
    if path is not None:
        path.unlink(missing_ok=True)
        (imports_dir(data_dir) / f"{token}.json").unlink(missing_ok=True)


#: Rows without errors kept for the preview page (file order); errors are always kept in full.
PREVIEW_ROWS = 1000


def plan_meta(plan: ImportPlan, *, actor_id: int | None, filename: str) -> dict:
    """What the preview page shows of ``plan``, as JSON-ready data."""
    changed = [r for r in plan.rows if r.action != "error"]
    return {
        "actor_id": actor_id,
        "filename": filename,
        "summary": plan.summary(),
        "digest": plan.digest(),
        "columns": [COLUMN_LABELS[c] for c in plan.columns],
        "errors": [{"row": e.row, "column": e.column, "value": e.value, "message": e.message,
                    "msgid": e.msgid or e.message, "params": dict(e.params)} for e in plan.errors],
        "rows": [{"row": r.row, "nip": r.nip, "name": r.name, "action": r.action, "changes": r.changes}
                 for r in changed[:PREVIEW_ROWS]],
        "rows_omitted": max(0, len(changed) - PREVIEW_ROWS),
    }
