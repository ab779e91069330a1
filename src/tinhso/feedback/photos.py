"""Photo rules of field reports (files purposes; see tinhso.files)."""

REPORT_PHOTO_PURPOSE = "report_photo"
ANSWER_PHOTO_PURPOSE = "report_answer_photo"
PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
