"""A URLconf with one view that fails, for the 500 page's test."""

from django.urls import path


def broken(request):
    raise RuntimeError("a failing view, on purpose")


urlpatterns = [path("hong/", broken)]
