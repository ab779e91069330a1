"""Cross-cutting middleware."""

from __future__ import annotations


class VietnameseFirstMiddleware:
    """The interface is Vietnamese unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone set to
    English would get English without asking. Here the choice is explicit: the language cookie
    set by the switch (or at login from the user's preference) decides, otherwise Vietnamese.
    Must run before ``django.middleware.locale.LocaleMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
