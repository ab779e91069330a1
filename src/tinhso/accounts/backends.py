from django.contrib.auth.backends import ModelBackend


class PhoneOrEmailBackend(ModelBackend):
    pass
