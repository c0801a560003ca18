import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.converters import parse_id
from common.qr import qr_svg
from common.text import mask_name
from courses.models import Course
from courses.reads import course_by_slug, final_test, lesson_content
from learning import contents, lesson_page
from learning.certificates import certificate_pdf
from learning.models import (
    Assignment,
    Certificate,
    Enrollment,
    FinalTestTry,
    Notification,
    Status,
)
from learning.readers import open_to_visitors, reader_for
from learning.services.final_test import (
    FinalTestLocked,
    final_test_tries_left,
    start_final_test,
    submit_final_test,
)
from learning.services.reading import LessonNotDone
from learning.services.reading import enroll as enroll_in_course  # the view is `enroll`

COURSES_PER_PAGE = 20


def _course(request, slug: str) -> Course:
    """A published course, or any course for staff previewing it; else 404."""
    course = course_by_slug(slug)
    if course is None or not (course.is_open or request.user.is_staff):
        raise Http404
    return course


def _summary(outline: list[dict], progress: dict[int, dict]) -> dict:
    done = sum(1 for item in outline if (progress.get(item["id"]) or {}).get("completed"))
    total = len(outline)
    next_lesson = next(
        (item for item in outline if not (progress.get(item["id"]) or {}).get("completed")),
        None,
    )
    return {
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "next": next_lesson,
        "started": bool(progress),
    }


def catalogue(request):
    query = request.GET.get("q", "").strip()
    courses = Course.objects.published().search(query)
    page = Paginator(courses, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "learning/course_list.html", {"page": page, "q": query})


def course_detail(request, slug: str):
    course = _course(request, slug)
    reader = reader_for(request)
    outline = contents.outline(course)
    progress = reader.reading(course)["lessons"]
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            "outline": outline,
            "progress": progress,
            "summary": _summary(outline, progress),
            "done_ids": {k for k, v in progress.items() if v["completed"]},
            "certificate": reader.certificate(course),
            "open_to_visitors": open_to_visitors(course),
        },
    )


@login_required
@require_POST
def enroll(request, slug: str):
    course = _course(request, slug)
    enroll_in_course(request.user, course=course, now=timezone.now())
    outline = contents.outline(course)
    if not outline:
        return redirect(course)
    progress = reader_for(request).reading(course)["lessons"]
    target = _summary(outline, progress)["next"] or outline[0]
    return redirect("learning:lesson", slug=course.slug, lesson_id=target["id"])


def lesson_detail(request, slug: str, lesson_id: int):
    course = _course(request, slug)
    reader = reader_for(request)
    if not reader.may_read(course):
        return redirect(f"{reverse('account_login')}?next={request.path}")
    page = lesson_page.shared_page(course, lesson_id, menu=reader.menu)
    if page is None:
        raise Http404
    reading = reader.open_lesson(course, lesson_id, now=timezone.now())
    notes = messages.get_messages(request)
    html = lesson_page.fill(
        page,
        lesson_id=lesson_id,
        reading=reading,
        messages_html=render_to_string("_components/messages.html", {"messages": notes})
        if notes
        else "",
        csrf_token=get_token(request),
    )
    return HttpResponse(html)


@require_POST
def answer(request, slug: str, lesson_id: int, question_id: int):
    course = _course(request, slug)
    lesson = lesson_content(course, lesson_id)
    question = next(
        (q for q in (lesson or {}).get("questions", []) if q["id"] == question_id), None
    )
    if question is None:
        raise Http404
    try:
        choice_id = int(request.POST.get("choice", ""))
    except ValueError:
        choice_id = None
    if choice_id in {c["id"] for c in question["choices"]}:
        reader_for(request).answer(
            course, lesson=lesson, question=question, choice_id=choice_id, now=timezone.now()
        )
    else:
        messages.error(request, _("Hãy chọn một phương án rồi bấm Trả lời."))
    url = reverse("learning:lesson", args=[course.slug, lesson_id])
    return redirect(f"{url}#q{question_id}")


@require_POST
def complete(request, slug: str, lesson_id: int):
    course = _course(request, slug)
    lesson = lesson_content(course, lesson_id)
    if lesson is None:
        raise Http404
    reader = reader_for(request)
    try:
        certificate = reader.complete_lesson(course, lesson=lesson, now=timezone.now())
    except LessonNotDone as not_done:
        if not_done.pending_questions:
            messages.error(request, _("Hãy trả lời đúng câu hỏi kiểm tra trước khi học tiếp."))
        else:
            messages.error(
                request,
                _("Bạn đọc hơi nhanh. Hãy đọc thêm %(s)s giây nữa rồi bấm lại.")
                % {"s": not_done.seconds_left},
            )
        return redirect("learning:lesson", slug=course.slug, lesson_id=lesson_id)
    if certificate:
        if certificate.is_pending:
            messages.info(
                request, _("Bạn đã học xong khoá học. Giấy chứng nhận đang chờ xét duyệt.")
            )
        else:
            messages.success(request, _("Chúc mừng! Bạn đã hoàn thành khoá học."))
        return redirect(certificate)
    ids = [item["id"] for item in contents.outline(course)]
    following = ids[ids.index(lesson_id) + 1] if ids.index(lesson_id) + 1 < len(ids) else None
    if following:
        return redirect("learning:lesson", slug=course.slug, lesson_id=following)
    return redirect(reader.after_last_lesson(course))


@login_required
def final_test_view(request, slug: str):
    """The course's final test: start a try (drawn once, kept across reloads), answer it,
    see the score; a limited number of tries in 24 hours."""
    course = _course(request, slug)
    pool = final_test(course)
    if not pool:
        raise Http404
    now = timezone.now()
    mine = FinalTestTry.objects.filter(user=request.user, course=course)
    if request.method == "POST" and "start" in request.POST:
        with contextlib.suppress(FinalTestLocked):  # the page then says until when
            start_final_test(request.user, course=course, now=now)
        return redirect("learning:final_test", slug=course.slug)
    current = mine.open().first()
    result, chosen = None, {}
    if request.method == "POST":
        attempt = mine.filter(pk=parse_id(request.POST.get("try", "")) or 0).first()
        if attempt is None:
            return redirect("learning:final_test", slug=course.slug)
        drawn = _drawn(pool, attempt)
        for question in drawn:
            # Only one of the question's own choices counts ("²", a huge number or another
            # question's choice is no answer), so the service never looks up a stranger.
            value = parse_id(request.POST.get(f"q{question['id']}", ""))
            if value in {c["id"] for c in question["choices"]}:
                chosen[question["id"]] = value
        if attempt.submitted_at is None and len(chosen) < len(drawn):
            messages.error(request, _("Hãy trả lời tất cả các câu hỏi."))
        else:
            result = submit_final_test(request.user, attempt=attempt, choices=chosen, now=now)
            if result.certificate:
                if result.certificate.is_pending:
                    messages.info(
                        request, _("Bạn đã đạt bài kiểm tra. Giấy chứng nhận đang chờ xét duyệt.")
                    )
                else:
                    messages.success(request, _("Chúc mừng! Bạn đã đạt bài kiểm tra."))
                return redirect(result.certificate)
            current, chosen = None, {}
    left, retry_at = final_test_tries_left(request.user, course=course, now=now)
    return render(
        request,
        "learning/final_test.html",
        {
            "course": course,
            "attempt": current,
            "questions": _drawn(pool, current, chosen=chosen) if current else [],
            "count": min(course.final_test_questions or len(pool), len(pool)),
            "result": result,
            "tries_left": left,
            "locked": _locked(course, retry_at) if retry_at else "",
        },
    )


def _drawn(pool: list[dict], attempt, *, chosen: dict | None = None) -> list[dict]:
    """The try's questions as drawn, each with its choices in the drawn order (a question
    or choice deleted since is left out) and the reader's pick if they made one."""
    questions = {q["id"]: q for q in pool}
    drawn = []
    for question_id, choice_ids in attempt.questions:
        question = questions.get(question_id)
        if question is None:
            continue
        choices = {c["id"]: c for c in question["choices"]}
        drawn.append(
            {
                "id": question_id,
                "text": question["text"],
                "choices": [choices[c] for c in choice_ids if c in choices],
                "chosen": (chosen or {}).get(question_id),
            }
        )
    return drawn


def _locked(course: Course, retry_at) -> str:
    when = timezone.localtime(retry_at)
    return _(
        "Bạn đã làm bài kiểm tra %(n)s lần trong 24 giờ qua. Bạn có thể làm lại từ "
        "%(time)s ngày %(date)s."
    ) % {
        "n": course.final_test_tries_per_day,
        "time": when.strftime("%H:%M"),
        "date": when.strftime("%d/%m/%Y"),
    }


@login_required
def my_learning(request):
    """Mandatory courses first (deadline, days left), then the rest, then certificates."""
    reader = reader_for(request)
    today = timezone.localdate()
    assignments = (
        Assignment.objects.filter(user=request.user)
        .select_related("campaign")
        .prefetch_related("campaign__courses")
        .order_by("completed_at", "campaign__deadline")
    )
    mandatory = [
        {
            "assignment": assignment,
            "status": Status(assignment.status_on(today)),
            "days_left": (assignment.campaign.deadline - today).days,
            "courses": list(assignment.campaign.courses.all()),
        }
        for assignment in assignments
    ]
    enrollments = (
        Enrollment.objects.filter(user=request.user)
        .select_related("course")
        .order_by("completed_at", "-enrolled_at")
    )
    certificates = list(Certificate.objects.filter(user=request.user).order_by("-issued_at"))
    by_course = {certificate.course_id: certificate for certificate in certificates}
    rows = []
    for enrollment in enrollments:
        outline = contents.outline(enrollment.course)
        progress = reader.reading(enrollment.course)["lessons"]
        rows.append(
            {
                "enrollment": enrollment,
                "summary": _summary(outline, progress),
                "certificate": by_course.get(enrollment.course_id),
            }
        )
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(
        request,
        "learning/my_learning.html",
        {"mandatory": mandatory, "rows": rows, "certificates": certificates, "unread": unread},
    )


@login_required
def notifications(request):
    """The person's notifications, newest first; opening the page marks them read."""
    mine = Notification.objects.filter(user=request.user)
    page = Paginator(mine, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    response = render(request, "learning/notifications.html", {"page": page})
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return response


@login_required
def certificate_detail(request, code: str):
    certificate = get_object_or_404(Certificate, code=code, user=request.user)
    if certificate.is_pending or certificate.is_rejected:  # no certificate yet: its status
        return render(request, "learning/certificate_detail.html", {"certificate": certificate})
    verify_url = request.build_absolute_uri(certificate.get_verify_url())
    return render(
        request,
        "learning/certificate_detail.html",
        {
            "certificate": certificate,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, label=_("Mã QR xác minh giấy chứng nhận")),
        },
    )


@login_required
def certificate_download(request, code: str):
    certificate = get_object_or_404(Certificate, code=code, user=request.user)
    if certificate.is_pending or certificate.is_rejected:
        messages.error(request, _("Giấy chứng nhận chưa được cấp nên chưa tải được bản PDF."))
        return redirect(certificate)
    content = certificate_pdf(
        full_name=certificate.full_name,
        course_title=certificate.course_title,
        issued_on=timezone.localtime(certificate.issued_at).strftime("%d/%m/%Y"),
        code=certificate.code,
        verify_url=request.build_absolute_uri(certificate.get_verify_url()),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chung-nhan-{certificate.code}.pdf"'
    return response


def verify(request, code: str):
    certificate = Certificate.objects.filter(code=code.upper()).first()
    return render(
        request,
        "learning/certificate_verify.html",
        {
            "certificate": certificate,
            "code": code,
            "masked_name": mask_name(certificate.full_name) if certificate else "",
        },
        status=200 if certificate else 404,
    )
