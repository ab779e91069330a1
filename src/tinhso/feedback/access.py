"""Who may download a photo of a field report through ``files.views.download`` (logged-in
users only, as every private file): the reporter, officials who see the report, and anyone for
the photos of a report that is public. Anonymous visitors of public pages get photos through
``selectors.public_report_photo`` (a view of the pages layer)."""

from __future__ import annotations


def can_read_report_photo(user, file) -> bool:
    from .models import Answer, ReportPhoto
    from .selectors import is_publicly_visible, staff_can_see

    link = ReportPhoto.objects.filter(file=file).select_related("report").first()
    report = link.report if link is not None else None
    if report is None:
        answer = Answer.objects.filter(photo=file).select_related("report").first()
        report = answer.report if answer is not None else None
    if report is None:
        return False
    if is_publicly_visible(report) or report.reporter_id == user.pk:
        return True
    return staff_can_see(user=user, report=report)
