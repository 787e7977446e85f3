"""Every route declares who may use it (app/common/access.py)."""


def test_every_endpoint_declares_an_access_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "access_rule", None):
            missing.append(f"{rule.endpoint} ({rule.rule})")
    assert missing == [], "routes without an access rule: " + ", ".join(missing)


def test_state_changing_routes_are_post_only(app):
    """Only GET and POST are routed: state changes go through POST forms with CSRF."""
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods <= {"GET", "POST"}, f"{rule.rule} accepts {methods}"
