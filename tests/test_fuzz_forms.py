"""Hypothesis fuzz of every form: any input to any POST route answers without a 500.

Field names come from the forms the pages render (so new forms are covered
without editing this file); values mix arbitrary Unicode, control characters,
SQL and HTML metacharacters, very long strings and numbers. Examples are
bounded so the suite stays fast (``LENTERA_FUZZ_EXAMPLES``, default 4 per route).
"""
from __future__ import annotations

import os
import re

from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_security_access import _get_rules, _signed_in, _url, world  # noqa: F401  (fixture)

EXAMPLES = int(os.environ.get("LENTERA_FUZZ_EXAMPLES", "4"))
NASTY = ["' OR '1'='1", "1; DROP TABLE users;--", "<script>alert(1)</script>", "\r\nSet-Cookie: x=1",
         "../../etc/passwd", "%00", "\x00", "9" * 40, "-1", "0", "1e309", "NaN", "١٢٣", "𝟘", "y", "on",
         "x" * 5000, "19800512 200501 2 003", "a@b.c", "{{7*7}}", "${jndi:ldap://x}"]
VALUES = st.one_of(st.text(max_size=200), st.sampled_from(NASTY), st.integers().map(str))
SKIP = {"auth.logout"}  # would end the fuzzing session itself
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)


def _field_names(app, clients, world):  # noqa: F811
    """Field names per URL (from the page at that URL, when it has one) and a pool of all of them."""
    by_url, pool = {}, set()
    for rule in _get_rules(app):
        url = _url(app, rule, world["values"])
        for client in clients:
            g.pop("_login_user", None)
            response = client.get(url, buffered=True)
            if response.status_code == 200 and response.mimetype == "text/html":
                names = set(NAME.findall(response.get_data(as_text=True))) - {"csrf_token"}
                by_url.setdefault(url, set()).update(names)
                pool |= names
    return by_url, sorted(pool)


def test_no_form_input_causes_a_server_error(app, world, tmp_path):  # noqa: F811
    app.config["LENTERA_MAIL_OUTBOX"] = str(tmp_path / "outbox")
    admin = _signed_in(app, world["users"]["admin"])
    learner = _signed_in(app, world["users"]["owner"])
    anonymous = app.test_client()
    by_url, pool = _field_names(app, (admin, learner), world)
    failures: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods or rule.endpoint in SKIP:
            continue
        url = _url(app, rule, world["values"])
        names = sorted(by_url.get(url) or pool[:25])
        access = getattr(app.view_functions[rule.endpoint], "access_rule", None)
        client = anonymous if access == "public" else (learner if access == "authenticated" else admin)

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.fixed_dictionaries({}, optional={name: VALUES for name in names}))
        def fuzz(data):
            g.pop("_login_user", None)
            response = client.post(url, data=data, buffered=True)
            if response.status_code >= 500:
                failures.append(f"POST {url} {data!r:.300}: {response.status_code}")

        fuzz()
    assert len(pool) >= 10, "too few form fields found to fuzz"
    assert failures == []
