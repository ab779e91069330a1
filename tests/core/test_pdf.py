from tinhso.core.pdf import VietnameseDocument, qr_svg


def test_vietnamese_pdf_with_table_and_qr():
    doc = VietnameseDocument(title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả", issuer="UBND phường An Xuyên")
    doc.field("Mã hồ sơ", "000.00.00.H12-261124-0001")
    doc.paragraph("Ông/bà Nguyễn Thị Ánh Tuyết đã nộp hồ sơ đăng ký khai sinh.")
    doc.table(["STT", "Giấy tờ"], [["1", "Tờ khai đăng ký khai sinh"], ["2", "Giấy chứng sinh"]], widths=[15, 150])
    doc.qr("https://tinhso.example.vn/tra-cuu/?code=X")
    doc.signature_block("Cà Mau, ngày 24 tháng 11 năm 2026", "Người tiếp nhận", "Trần Văn Bình")
    data = doc.to_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 2000


def test_qr_svg_is_inline_svg_without_script():
    svg = qr_svg("000.00.00.H12-261124-0001")
    assert svg.lstrip().startswith("<")
    assert "<svg" in svg and "<script" not in svg
