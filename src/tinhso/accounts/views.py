from django.http import HttpResponse


def lockout_response(request, credentials, *args, **kwargs):
    return HttpResponse("Tài khoản tạm khóa.", status=429)
