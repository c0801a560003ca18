"""The coordinators' review of held certificates (issue 14): a queue of the completions held
in the viewer's scope, with their evidence, and each one's review page, where a coordinator
approves or rejects it with a reason. Another scope's certificate answers 404; anyone who
is not a coordinator, 403."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import coordinator_required
from accounts.scopes import Scope
from learning import reviews
from learning.forms import CertificateReviewForm
from learning.models import Certificate, Review

PER_PAGE = 25
PEOPLE = {"commune": "user__commune", "organization": "user__organization"}


@coordinator_required
def certificate_reviews(request, scope: Scope):
    status = request.GET.get("xem", "")
    if status not in Review.values:
        status = Review.HELD
    mine = scope.filter(Certificate.objects.all(), **PEOPLE)
    counts = dict(mine.exclude(review="").values_list("review").annotate(n=Count("pk")).order_by())
    certificates = (
        mine.filter(review=status)
        .with_min_seconds()
        .select_related("user__commune", "user__organization")
        .order_by("issued_at", "pk")  # oldest first: who has waited longest
    )
    page = Paginator(certificates, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/certificate_reviews.html",
        {
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Review.choices],
            "page": page,
        },
    )


@coordinator_required
def certificate_review(request, scope: Scope, pk: int):
    certificate = scope.get_object_or_404(
        Certificate.objects.select_related("user__commune", "user__organization", "course"),
        paths=PEOPLE,
        pk=pk,
    )
    form = None
    if request.method == "POST":
        form = CertificateReviewForm(request.POST)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                reviews.decide_certificate(
                    certificate.pk,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    now=timezone.now(),
                )
            except reviews.ReviewRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                done = (
                    _("Đã duyệt và cấp giấy chứng nhận cho %(name)s.")
                    if decision == Review.APPROVED
                    else _("Đã ghi quyết định không duyệt giấy chứng nhận của %(name)s.")
                )
                messages.success(request, done % {"name": certificate.full_name})
                return redirect(reverse("learning:certificate_reviews"))
    elif certificate.is_pending:
        form = CertificateReviewForm()
    return render(
        request,
        "learning/certificate_review.html",
        {
            "certificate": certificate,
            "evidence": reviews.evidence(certificate),
            "decisions": certificate.reviews.select_related("by"),
            "form": form,
        },
    )
