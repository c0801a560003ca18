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

from accounts.context_processors import roles
from accounts.converters import parse_id
from accounts.qr import qr_svg
from accounts.text import mask_name
from courses.models import Audience, Course, Lesson, Question
from courses.reads import course_by_slug, course_outline, final_test, lesson_content
from learning import lesson_page, reads, services, session
from learning.certificates import certificate_pdf
from learning.models import Assignment, Certificate, Enrollment, Notification, Status
from learning.services import LessonNotDone

COURSES_PER_PAGE = 20


def _course(request, slug: str) -> Course:
    """A published course, or any course for staff previewing it; else 404."""
    course = course_by_slug(slug)
    if course is None or not (course.is_open or request.user.is_staff):
        raise Http404
    return course


def _open_to_visitors(course: Course) -> bool:
    return course.audience in (Audience.RESIDENTS, Audience.EVERYONE)


def _reading(request, course: Course) -> dict:
    """{"lessons": {lesson id: {"opened", "completed"}}, "answers": {question id: choice id}}
    for this learner (cached from the database) or visitor (their session)."""
    if request.user.is_authenticated:
        return reads.reading(request.user.pk, course.pk)
    record = session.reading(request.session)
    return {
        "lessons": {
            int(k): {"opened": v["opened"], "completed": v.get("completed")}
            for k, v in record["lessons"].items()
        },
        "answers": {int(k): v for k, v in record["answers"].items()},
    }


def _progress(request, course: Course) -> dict[int, dict]:
    """lesson id → {"opened", "completed"} for this learner (database or session)."""
    return _reading(request, course)["lessons"]


def _menu(request) -> str:
    """Which of base.html's navigation variants this person sees."""
    if not request.user.is_authenticated:
        return "visitor"
    role = roles(request)
    return (
        "coordinator"
        if role["is_coordinator"]()
        else "volunteer"
        if role["is_volunteer"]()
        else "learner"
    )


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
    outline = course_outline(course)
    progress = _progress(request, course)
    certificate = (
        Certificate.objects.filter(user=request.user, course=course).first()
        if request.user.is_authenticated
        else None
    )
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            "outline": outline,
            "progress": progress,
            "summary": _summary(outline, progress),
            "done_ids": {k for k, v in progress.items() if v["completed"]},
            "certificate": certificate,
            "open_to_visitors": _open_to_visitors(course),
        },
    )


@login_required
@require_POST
def enroll(request, slug: str):
    course = _course(request, slug)
    services.enroll(request.user, course=course, now=timezone.now())
    outline = course_outline(course)
    if not outline:
        return redirect(course)
    target = _summary(outline, _progress(request, course))["next"] or outline[0]
    return redirect("learning:lesson", slug=course.slug, lesson_id=target["id"])


def lesson_detail(request, slug: str, lesson_id: int):
    course = _course(request, slug)
    if not request.user.is_authenticated and not _open_to_visitors(course):
        return redirect(f"{reverse('account_login')}?next={request.path}")
    page = lesson_page.shared_page(course, lesson_id, menu=_menu(request))
    if page is None:
        raise Http404
    now = timezone.now()
    if request.user.is_authenticated:
        reading = _reading(request, course)
        if lesson_id not in reading["lessons"]:
            services.open_lesson(
                request.user,
                lesson=Lesson(pk=lesson_id, course=course),
                now=now,
                enrolled=bool(reading["lessons"]),  # any opened lesson means enrolled already
            )
            reading["lessons"][lesson_id] = {"opened": now, "completed": None}
    else:
        session.open_lesson(request.session, lesson_id=lesson_id, now=now)
        reading = _reading(request, course)
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
    valid = choice_id in {c["id"] for c in question["choices"]}
    if not valid:
        messages.error(request, _("Hãy chọn một phương án rồi bấm Trả lời."))
    elif request.user.is_authenticated:
        services.answer_question(
            request.user,
            question=Question(pk=question_id, course=course),
            choice_id=choice_id,
            now=timezone.now(),
        )
    else:
        session.answer(request.session, question=question, choice_id=choice_id)
    url = reverse("learning:lesson", args=[course.slug, lesson_id])
    return redirect(f"{url}#q{question_id}")


@require_POST
def complete(request, slug: str, lesson_id: int):
    course = _course(request, slug)
    lesson = lesson_content(course, lesson_id)
    if lesson is None:
        raise Http404
    outline = course_outline(course)
    lesson_url = reverse("learning:lesson", args=[course.slug, lesson_id])
    now = timezone.now()
    try:
        if request.user.is_authenticated:
            certificate = services.complete_lesson(
                request.user, lesson=Lesson.objects.get(pk=lesson_id), now=now
            )
        else:
            session.complete_lesson(request.session, lesson=lesson, now=now)
            certificate = None
    except LessonNotDone as not_done:
        if not_done.pending_questions:
            messages.error(request, _("Hãy trả lời đúng câu hỏi kiểm tra trước khi học tiếp."))
        else:
            messages.error(
                request,
                _("Bạn đọc hơi nhanh. Hãy đọc thêm %(s)s giây nữa rồi bấm lại.")
                % {"s": not_done.seconds_left},
            )
        return redirect(lesson_url)
    if certificate:
        messages.success(request, _("Chúc mừng! Bạn đã hoàn thành khoá học."))
        return redirect(certificate)
    ids = [item["id"] for item in outline]
    following = ids[ids.index(lesson_id) + 1] if ids.index(lesson_id) + 1 < len(ids) else None
    if following:
        return redirect("learning:lesson", slug=course.slug, lesson_id=following)
    if course.completion_rule == "final_test" and request.user.is_authenticated:
        return redirect("learning:final_test", slug=course.slug)
    if not request.user.is_authenticated:
        messages.info(
            request,
            _("Bạn đã đọc hết các bài. Hãy đăng ký để lưu kết quả và nhận giấy chứng nhận."),
        )
    return redirect(course)


@login_required
def final_test_view(request, slug: str):
    course = _course(request, slug)
    questions = final_test(course)
    if not questions:
        raise Http404
    result = None
    if request.method == "POST":
        choices = {}
        for question in questions:
            # Only one of the question's own choices counts ("²", a huge number or another
            # question's choice is no answer), so the service never looks up a stranger.
            value = parse_id(request.POST.get(f"q{question['id']}", ""))
            if value in {c["id"] for c in question["choices"]}:
                choices[question["id"]] = value
        if len(choices) < len(questions):
            messages.error(request, _("Hãy trả lời tất cả các câu hỏi."))
        else:
            result = services.submit_final_test(
                request.user, course=course, choices=choices, now=timezone.now()
            )
            if result.certificate:
                messages.success(request, _("Chúc mừng! Bạn đã đạt bài kiểm tra."))
                return redirect(result.certificate)
    return render(
        request,
        "learning/final_test.html",
        {"course": course, "questions": questions, "result": result},
    )


@login_required
def my_learning(request):
    """Mandatory courses first (deadline, days left), then the rest, then certificates."""
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
    rows = []
    for enrollment in enrollments:
        outline = course_outline(enrollment.course)
        progress = _progress(request, enrollment.course)
        rows.append({"enrollment": enrollment, "summary": _summary(outline, progress)})
    certificates = Certificate.objects.filter(user=request.user).order_by("-issued_at")
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
