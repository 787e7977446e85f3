"""Video lessons: only YouTube and Vimeo, embedded from a parsed video id.

An author pastes a watch link; :func:`parse_video_url` accepts it only when
the host is on the allowlist and a well-formed id can be read from it. The
iframe is always built here from that id, so no author-supplied URL or HTML
ever reaches the page. Lesson pages that show a video add ``frame-src`` for
:data:`FRAME_SOURCES` to their Content-Security-Policy (see
:func:`lesson_csp`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext as _

from app.common.web import CONTENT_SECURITY_POLICY

YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/"
VIMEO_EMBED = "https://player.vimeo.com/video/"
#: Origins a lesson page may frame (CSP frame-src).
FRAME_SOURCES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

#: The application-wide policy; a lesson with a video extends it with frame-src.
BASE_CSP = CONTENT_SECURITY_POLICY

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
                  "www.youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}



def refused_message() -> str:
    """The message for a refused video link, in the user's language (Indonesian outside a request)."""
    return _("Tautan video tidak diterima. Tempelkan tautan YouTube atau Vimeo, mis. "
             "https://www.youtube.com/watch?v=… atau https://vimeo.com/123456; kode <iframe> dan situs lain "
             "tidak diizinkan.")


class VideoError(ValueError):
    """The text is not an allowlisted video link; ``str()`` is the message in the user's language."""


@dataclass(frozen=True)
class Video:
    """A parsed video: ``host`` is ``"youtube"`` or ``"vimeo"``, ``video_id`` its id."""

    host: str
    video_id: str

    @property
    def canonical_url(self) -> str:
        """The watch URL stored in ``Lesson.video_url`` and written to exported files."""
        if self.host == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def embed_url(self) -> str:
        """The iframe ``src``; YouTube uses its no-cookie domain."""
        if self.host == "youtube":
            return YOUTUBE_EMBED + self.video_id
        return VIMEO_EMBED + self.video_id


def parse_video_url(text: str) -> Video:
    """Parse a YouTube or Vimeo link into a :class:`Video`.

    Accepted: ``youtube.com/watch?v=ID``, ``youtu.be/ID``, ``youtube.com/embed/ID``,
    ``/shorts/ID``, ``/live/ID`` (ID = 11 characters ``[A-Za-z0-9_-]``);
    ``vimeo.com/ID`` and ``player.vimeo.com/video/ID`` (ID digits). Scheme
    http or https. Raises :class:`VideoError` for anything else, including
    ``<iframe>`` code and other hosts.
    """
    text = (text or "").strip()
    if not text or "<" in text or ">" in text or any(ch.isspace() for ch in text):
        raise VideoError(refused_message())
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise VideoError(refused_message()) from None
    if parts.scheme not in ("http", "https") or port not in (None, 80, 443) or parts.username or parts.password:
        raise VideoError(refused_message())
    segments = [s for s in parts.path.split("/") if s]
    video_id = None
    if host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            values = parse_qs(parts.query).get("v", [])
            video_id = values[0] if len(values) == 1 else None
        elif len(segments) == 2 and segments[0] in ("embed", "shorts", "live"):
            video_id = segments[1]
        if video_id and _YOUTUBE_ID.match(video_id):
            return Video("youtube", video_id)
    elif host == "youtu.be":
        if len(segments) == 1 and _YOUTUBE_ID.match(segments[0]):
            return Video("youtube", segments[0])
    elif host in _VIMEO_HOSTS:
        if host == "player.vimeo.com":
            video_id = segments[1] if len(segments) == 2 and segments[0] == "video" else None
        elif len(segments) == 1:
            video_id = segments[0]
        if video_id and _VIMEO_ID.match(video_id):
            return Video("vimeo", video_id)
    raise VideoError(refused_message())


def video_of(lesson) -> Video | None:
    """The :class:`Video` of a lesson, or ``None`` (no video, or a stored URL no longer accepted)."""
    if not getattr(lesson, "video_url", None):
        return None
    try:
        return parse_video_url(lesson.video_url)
    except VideoError:
        return None


def lesson_csp() -> str:
    """The Content-Security-Policy of a lesson page that embeds a video: the base policy plus frame-src."""
    return f"{BASE_CSP}; frame-src {' '.join(FRAME_SOURCES)}"
