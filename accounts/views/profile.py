"""A person's own pages: their profile and its check-in QR, and the consent asked once of
someone whose account was made for them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.forms import ConsentForm, ProfileForm
from common.qr import qr_svg


@login_required
def profile(request):
    """The person's profile, with their personal check-in QR code for festivals."""
    personal = request.build_absolute_uri(
        reverse("learning:attendee", args=[request.user.attendee_code])
    )
    code = qr_svg(personal, size_mm=45, label=_("Mã QR điểm danh cá nhân"))
    return render(request, "accounts/profile_detail.html", {"person": request.user, "qr": code})


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu hồ sơ của bạn."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def consent(request):
    """Explicit consent from someone whose account was created for them (a roster import);
    asked once."""
    target = request.GET.get("next", "")
    # A path on this site only: redirect() would take "abc" for a view name (a 500).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("learning:my_learning")
    if request.user.consent_at:
        return HttpResponseRedirect(target)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.user.consent_at = timezone.now()
        request.user.save(update_fields=["consent_at"])
        return HttpResponseRedirect(target)
    return render(request, "accounts/consent.html", {"form": form})
