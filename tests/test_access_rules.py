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


def test_ids_beyond_64_bits_are_404_not_500(client, make_user, login, make_course):
    login(make_user("admin"))
    course = make_course()
    huge = 2**63
    for path in (f"/kursus/{course.slug}/kuis/{huge}", f"/kuis/hasil/{huge}", f"/sertifikat/{huge}/unduh",
                 f"/kursus/{course.slug}/pelajaran/{huge}", f"/admin/peserta/{huge}", f"/pengajar/kursus/{huge}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/kursus/{course.slug}/pelajaran/{huge}/selesai").status_code == 404


def test_every_form_speaks_indonesian(app):
    """Every form derives from LenteraForm, so WTForms' own messages are Indonesian."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import app as package
    from app.common.forms import LenteraForm

    for module in pkgutil.walk_packages(package.__path__, "app."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    english = [f"{c.__module__}.{c.__name__}" for c in subclasses(FlaskForm)
               if c is not LenteraForm and not issubclass(c, LenteraForm) and c.__module__.startswith("app.")]
    assert english == []
