"""The trainer's assessment view: grades, pre/post-test gain, question statistics, CSV, regrade route."""
import csv
import io
from datetime import datetime, timezone
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from app.assessment import reports, services
from app.catalog.models import CourseTrainer
from app.extensions import db
from app.learning import services as learning

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def _take(enrolment, quiz, right, now=T0):
    questions = sorted(quiz.questions, key=lambda q: q.position)
    form = MultiDict({f"q-{q.id}": str(q.choices[0 if i < right else 1].id) for i, q in enumerate(questions)})
    attempt = services.start_attempt(enrolment, quiz, now)
    services.submit_attempt(attempt, services.parse_form(attempt, form), now)
    db.session.commit()
    return attempt


def _course_with_learners(make_course, make_user):
    course = make_course(modules=3, questions_per_quiz=4)
    pre, mid, post = (m.quiz for m in course.modules)
    pre.kind, post.kind = "pretest", "posttest"
    db.session.commit()
    ani = learning.enrol(make_user(full_name="Ani", nip="198005122005012003"), course)
    budi = learning.enrol(make_user(full_name="=Budi"), course)
    cici = learning.enrol(make_user(full_name="Cici"), course)
    db.session.commit()
    _take(ani, pre, 1)       # 25 %
    _take(ani, post, 4)      # 100 %: gain 75
    _take(budi, pre, 2)      # 50 %
    _take(budi, post, 3)     # 75 %: gain 25
    _take(cici, pre, 3)      # only a pre-test: no gain
    _take(ani, mid, 2)
    return course, (pre, mid, post), (ani, budi, cici)


def test_gain_per_learner_and_class_average(make_course, make_user):
    course, (pre, mid, post), (ani, budi, cici) = _course_with_learners(make_course, make_user)
    report = reports.course_report(course)
    assert [row.enrolment.user.full_name for row in report.rows] == ["=Budi", "Ani", "Cici"]
    gains = {row.enrolment.id: row.gain for row in report.rows}
    assert gains == {ani.id: Decimal(75), budi.id: Decimal(25), cici.id: None}
    assert report.average_gain == Decimal(50) and report.gain_count == 2
    assert report.average_grade(pre) == Decimal(50)  # (25 + 50 + 75) / 3


def test_question_statistics_share_correct(make_course, make_user):
    course, (pre, mid, post), _ = _course_with_learners(make_course, make_user)
    report = reports.course_report(course)
    first_pre = [s for s in report.questions if s.quiz.id == pre.id][0]
    assert (first_pre.answered, first_pre.correct, first_pre.share) == (3, 3, Decimal(100))
    third_pre = [s for s in report.questions if s.quiz.id == pre.id][2]
    assert (third_pre.answered, third_pre.correct) == (3, 1) and third_pre.share == Decimal("33.33")


def test_report_page_csv_and_access(client, make_course, make_user, login):
    course, (pre, mid, post), _ = _course_with_learners(make_course, make_user)
    other_trainer = make_user(role="trainer")
    trainer = make_user(role="trainer")
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    login(other_trainer)
    assert client.get(f"/pengajar/kursus/{course.id}/penilaian").status_code == 404
    client.post("/keluar")
    login(make_user())
    assert client.get(f"/pengajar/kursus/{course.id}/penilaian").status_code == 403
    client.post("/keluar")
    login(trainer)
    page = client.get(f"/pengajar/kursus/{course.id}/penilaian")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Rata-rata peningkatan kelas" in body and "50,00 poin persen" in body
    assert "33,33%" in body
    export = client.get(f"/pengajar/kursus/{course.id}/penilaian.csv")
    assert export.mimetype == "text/csv" and export.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][0] == "NIP" and rows[0][-1].startswith("Peningkatan")
    budi = next(r for r in rows if "Budi" in r[1])
    assert budi[1] == "'=Budi"                    # formula neutralised
    ani = next(r for r in rows if r[1] == "Ani")
    assert ani[0] == '="198005122005012003"' and ani[-1] == "75,00"
    stats = client.get(f"/pengajar/kursus/{course.id}/statistik-soal.csv?pemisah=titik-koma")
    lines = stats.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Kuis;Kunci soal") and any(";33,33" in line for line in lines)


def test_regrade_route_reports_certified_learners_and_keeps_certificates(client, make_course, make_user, login):
    course = make_course(modules=1, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    enrolment = learning.enrol(make_user(full_name="Dewi"), course)
    for lesson in course.modules[0].lessons:
        learning.mark_lesson_complete(enrolment, lesson)
    _take(enrolment, quiz, 2)
    assert enrolment.completed_at is not None
    question = sorted(quiz.questions, key=lambda q: q.position)[0]
    question.choices[0].is_correct, question.choices[1].is_correct = False, True
    db.session.commit()
    admin = make_user(role="admin")
    login(admin)
    response = client.post(f"/pengajar/kursus/{course.id}/kuis/{quiz.id}/nilai-ulang", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 menjadi tidak lulus" in body
    assert "TIDAK dicabut" in body and "Dewi" in body
    assert client.get(f"/pengajar/kursus/{course.id}/kuis/999999/nilai-ulang").status_code == 405
    assert client.post(f"/pengajar/kursus/{course.id}/kuis/999999/nilai-ulang").status_code == 404


def test_report_pages_learners_but_class_figures_cover_everyone(make_course, make_user):
    # 2,000 learners made a 1.3 MB page (issue #8): the page shows one page of learners; the
    # averages and the learner count still cover the whole class.
    course, (pre, mid, post), (ani, budi, cici) = _course_with_learners(make_course, make_user)
    first = reports.course_report(course, page=1, per_page=2)
    second = reports.course_report(course, page=2, per_page=2)
    assert [row.enrolment.user.full_name for row in first.rows] == ["=Budi", "Ani"]
    assert [row.enrolment.user.full_name for row in second.rows] == ["Cici"]
    for report in (first, second):
        assert report.learner_count == 3 and report.pagination.pages == 2
        assert report.average_gain == Decimal(50) and report.gain_count == 2
        assert report.average_grade(pre) == Decimal(50)
    assert reports.course_report(course, page=3, per_page=2).rows == []


def test_report_page_in_the_browser_has_a_pager(app, client, make_course, make_user, login):
    course, _quizzes, _learners = _course_with_learners(make_course, make_user)
    for n in range(reports.REPORT_LEARNERS_PER_PAGE):
        learning.enrol(make_user(full_name=f"Peserta {n:02d}"), course)
    db.session.commit()
    login(make_user("admin"))
    page = client.get(f"/pengajar/kursus/{course.id}/penilaian").get_data(as_text=True)
    assert "53 peserta" in page and "Halaman 1 dari 2" in page
    assert page.count('<tr>\n        <th scope="row">') == reports.REPORT_LEARNERS_PER_PAGE
    last = client.get(f"/pengajar/kursus/{course.id}/penilaian?page=2")
    assert last.status_code == 200 and "Halaman 2 dari 2" in last.get_data(as_text=True)
    assert client.get(f"/pengajar/kursus/{course.id}/penilaian?page=3").status_code == 404
    rows = list(csv.reader(io.StringIO(client.get(f"/pengajar/kursus/{course.id}/penilaian.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + 53  # the CSV keeps every learner


def test_question_statistics_do_not_count_blank_answers(make_course, make_user):
    # Found by the fresh-user retest: a question left blank counted as "Dijawab".
    course = make_course(modules=1, questions_per_quiz=3)
    quiz = course.modules[0].quiz
    enrolment = learning.enrol(make_user(), course)
    db.session.commit()
    first = sorted(quiz.questions, key=lambda q: q.position)[0]
    attempt = services.start_attempt(enrolment, quiz, T0)
    form = MultiDict({f"q-{first.id}": str(first.choices[0].id)})  # only the first question answered
    services.submit_attempt(attempt, services.parse_form(attempt, form), T0)
    db.session.commit()
    stats = {s.key: (s.answered, s.correct) for s in reports.course_report(course).questions}
    assert stats == {"q1": (1, 1), "q2": (0, 0), "q3": (0, 0)}
