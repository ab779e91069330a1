from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tinhso.feedback"
    label = "feedback"
    verbose_name = "Phản ánh hiện trường"

    def ready(self) -> None:
        from tinhso.files.access import register_policy
        from tinhso.files.kinds import register_purpose

        from . import access
        from .photos import ANSWER_PHOTO_PURPOSE, PHOTO_MAX_BYTES, REPORT_PHOTO_PURPOSE

        for purpose in (REPORT_PHOTO_PURPOSE, ANSWER_PHOTO_PURPOSE):
            register_purpose(purpose, allowed_kinds=("jpeg", "png"), max_bytes=PHOTO_MAX_BYTES)
            register_policy(purpose, access.can_read_report_photo)

        from .portal import register

        register()
