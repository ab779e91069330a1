from django.conf import settings


def platform(request):
    return {"SITE_NAME": settings.TINHSO_SITE_NAME}
