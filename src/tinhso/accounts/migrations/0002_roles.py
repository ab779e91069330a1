"""The roles officials hold through memberships. Data, not code: more can be added in the admin."""

from django.db import migrations

ROLES = [
    ("clerk", "Công chức một cửa", "Tiếp nhận, kiểm tra hồ sơ và trả kết quả tại bộ phận một cửa."),
    ("specialist", "Chuyên viên xử lý", "Thụ lý, xử lý hồ sơ và văn bản được giao."),
    ("leader", "Lãnh đạo phê duyệt", "Phê duyệt, ký hồ sơ và văn bản; theo dõi chỉ tiêu."),
    ("document_clerk", "Văn thư", "Đăng ký văn bản đến, cấp số và phát hành văn bản đi."),
    ("data_officer", "Cán bộ dữ liệu", "Công bố dữ liệu mở, cấp quyền chia sẻ dữ liệu."),
    ("digital_team", "Tổ công nghệ số cộng đồng", "Hỗ trợ người dân sử dụng dịch vụ số tại địa bàn."),
    ("agency_admin", "Quản trị cơ quan", "Quản lý cán bộ và phân công trong cơ quan."),
    ("report_handler", "Cán bộ xử lý phản ánh", "Tiếp nhận và xử lý phản ánh hiện trường."),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name, description in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
