"""The ceiling for the HTTP benchmarks: a bare Flask app on the same database as Lentera.

Served by gunicorn with the same options as the app (``bench/run.py`` starts
both). Two endpoints, no sessions, no templates beyond one string, no ORM:

* ``GET /page?size=N&id=K`` -- one primary-key query (``SELECT … FROM users
  WHERE id = K``) and an HTML page padded to N bytes, so it sends as many
  bytes as the Lentera page it stands next to;
* ``POST /upsert?enrolment=E&lesson=L`` -- one ``INSERT … ON CONFLICT DO
  NOTHING`` into ``lesson_progress`` and a commit, answered with a 302 like
  Lentera's "Tandai selesai".

The database URL comes from ``DATABASE_URL`` (same value the app gets).
Run alone: ``DATABASE_URL=… .venv/bin/gunicorn -w 4 -b 127.0.0.1:8001 bench.ceiling:app``.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

from flask import Flask, Response, redirect, request
from markupsafe import escape
from sqlalchemy import create_engine, text

app = Flask(__name__)
_url = os.environ["DATABASE_URL"]
engine = create_engine(_url, connect_args={"timeout": 30} if _url.startswith("sqlite") else {})
_upsert = text("INSERT INTO lesson_progress (enrolment_id, lesson_id, completed_at) VALUES (:e, :l, :t) "
               "ON CONFLICT (enrolment_id, lesson_id) DO NOTHING")
_select = text("SELECT id, full_name, email FROM users WHERE id = :id")


@app.get("/page")
def page() -> Response:
    """An HTML page of ``size`` bytes naming the user with primary key ``id`` (404 when absent)."""
    size = request.args.get("size", 10_000, type=int)
    with engine.connect() as conn:
        row = conn.execute(_select, {"id": request.args.get("id", 1, type=int)}).first()
    if row is None:
        return Response("tidak ada", status=404)
    head = (f"<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Batas atas</title></head>"
            f"<body><p>{escape(row.full_name)} &lt;{escape(row.email)}&gt;</p><p>")
    tail = "</p></body></html>\n"
    body = head + "x" * max(0, size - len(head.encode()) - len(tail)) + tail
    return Response(body, mimetype="text/html")


@app.post("/upsert")
def upsert() -> Response:
    """Mark lesson ``lesson`` complete for enrolment ``enrolment`` (idempotent); 302 to ``/page``."""
    with engine.begin() as conn:
        conn.execute(_upsert, {"e": request.args.get("enrolment", type=int), "l": request.args.get("lesson", type=int),
                               "t": datetime.now(timezone.utc).replace(tzinfo=None)})
    return redirect("/page")
