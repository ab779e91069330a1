"""End-to-end browser journey for issue 3 (birth registration), re-runnable.

Prerequisites (fresh demo province and a running server):
    export TINHSO_VAR_DIR=/tmp/journey-var; rm -rf $TINHSO_VAR_DIR; .venv/bin/tinhso setup
    PORT=8131 .venv/bin/tinhso serve --port 8131 --workers 2 &
Run from the repository root:  .venv/bin/python tests/browser/journey_birth_registration.py [--upto STEP]
(or tests/browser/run_journey.sh, which does the setup, starts and stops the server itself).
Environment: JOURNEY_BASE (default http://127.0.0.1:8131), JOURNEY_OUT (screenshot dir),
TINHSO_VAR_DIR (passed to `tinhso demo_otp`), JOURNEY_TINHSO (path of the tinhso CLI).
"""

import os
import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE = os.environ.get("JOURNEY_BASE", "http://127.0.0.1:8131")
OUT = Path(os.environ.get("JOURNEY_OUT", "test-artifacts/journey"))
TINHSO = os.environ.get("JOURNEY_TINHSO", ".venv/bin/tinhso")
PASSWORD = "TinhSo@2026"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
RESULTS: list[tuple[str, bool, str]] = []
STATE: dict = {}


# ----------------------------------------------------------------------------- fixtures
def make_pdf(path: Path, text: str) -> Path:
    """A tiny but valid one-page PDF (correct xref offsets)."""
    stream = f"BT /F1 18 Tf 60 760 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def make_png(path: Path, w: int = 64, h: int = 48) -> Path:
    """A small valid RGB PNG (a colour gradient)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 160)) for x in range(w)) for y in range(h)
    )
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


# ----------------------------------------------------------------------------- helpers
def shot(page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def record(step: str, ok: bool, note: str = "") -> None:
    RESULTS.append((step, ok, note))
    print(("✓ " if ok else "✗ ") + step + (f" — {note}" if note else ""), flush=True)


def otp(login: str) -> str:
    out = subprocess.run([TINHSO, "demo_otp", login], capture_output=True, text=True, check=True)
    return re.search(r"\b(\d{6})\b", out.stdout).group(1)


def login(page, username: str, *, official: bool, shot_name: str | None = None) -> None:
    page.goto(BASE + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if shot_name:
        shot(page, shot_name)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if official:
        assert "/mfa/" in page.url, page.url
        for attempt in range(3):
            code = otp(username)
            page.fill("input[name=otp_token], input[name=token], input[type=text]", code)
            if shot_name and attempt == 0:
                shot(page, shot_name + "-otp")
            page.get_by_role("button", name="Xác thực").click()
            page.wait_for_load_state()
            if "/mfa/" not in page.url:
                break
            time.sleep(3)  # django-otp throttles after a failure
        assert "/mfa/" not in page.url, "OTP challenge not passed"


def body_text(page) -> str:
    return page.inner_text("main")


# ----------------------------------------------------------------------------- steps
def step_a_citizen_submits(browser) -> None:
    ctx = browser.new_context(viewport=MOBILE, locale="vi-VN", accept_downloads=True)
    STATE["citizen_ctx"] = ctx
    page = ctx.new_page()
    STATE["citizen"] = page
    login(page, "0912345678", official=False, shot_name="01-citizen-login")
    # Find the procedure through the public search.
    page.goto(BASE + "/thu-tuc/")
    page.get_by_label("Tên thủ tục hoặc từ khóa").fill("khai sinh")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_load_state()
    shot(page, "02-search-khai-sinh")
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    page.wait_for_load_state()
    shot(page, "03-procedure-page")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    page.wait_for_load_state()
    assert "/ho-so/nop/" in page.url, page.url
    page.get_by_label("Chọn cơ quan tiếp nhận").select_option(label="Ủy ban nhân dân phường An Xuyên")
    page.get_by_label("Họ, chữ đệm, tên người yêu cầu").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("096090001234")
    page.get_by_label("Số điện thoại liên hệ").fill("0912345678")
    page.get_by_label("Nơi cư trú (xã, phường)").select_option(label="An Xuyên")
    page.get_by_label("Địa chỉ cụ thể").fill("12 Phan Ngọc Hiển, khóm 3")
    page.get_by_label("Quan hệ với trẻ").select_option(label="Cha")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Thị Bé Na")
    page.get_by_label("Nữ", exact=True).check()
    page.get_by_label("Ngày, tháng, năm sinh", exact=False).first.fill("2026-11-20")
    page.get_by_label("Nơi sinh").fill("Bệnh viện Đa khoa tỉnh Cà Mau")
    page.get_by_label("Họ, chữ đệm, tên người mẹ").fill("Trần Thị Bình")
    page.get_by_label("Họ, chữ đệm, tên người cha").fill("Nguyễn Văn An")
    page.get_by_label("Số bản sao trích lục").fill("1")
    page.locator("#f-cam_doan").check()
    tmp = OUT / "fixtures"
    tmp.mkdir(exist_ok=True)
    page.set_input_files("#id-doc-giay-chung-sinh", str(make_pdf(tmp / "giay-chung-sinh.pdf", "Giay chung sinh")))
    page.set_input_files("#id-doc-dang-ky-ket-hon", str(make_png(tmp / "giay-ket-hon.png")))
    shot(page, "04-apply-form-filled")
    page.get_by_role("button", name="Lưu nháp").click()
    page.wait_for_load_state()
    shot(page, "05-draft-saved")
    print("after draft:", page.url)
    text = body_text(page)
    assert "nháp" in text.lower(), text[:500]
    STATE["draft_url"] = page.url
    # Submit the draft: open it and press the submit button.
    btn = page.get_by_role("button", name="Nộp hồ sơ")
    if btn.count() == 0:
        page.get_by_role("link", name=re.compile("Sửa|Tiếp tục")).first.click()
        page.wait_for_load_state()
        shot(page, "06-draft-edit")
        btn = page.get_by_role("button", name="Nộp hồ sơ")
    btn.first.click()
    page.wait_for_load_state()
    shot(page, "07-submitted")
    text = body_text(page)
    m = re.search(r"\b(\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]+|[A-Z0-9.]+)-(\d{6})-(\d{4})\b", text)
    print("after submit:", page.url)
    assert m, text[:1500]
    STATE["code"] = m.group(0)
    STATE["dossier_url"] = page.url
    # Receipt form 01: the button opens the PDF (inline); fetch it with the page's own session.
    link = page.get_by_role("link", name="Giấy tiếp nhận hồ sơ (PDF)")
    resp = page.request.get(BASE + link.get_attribute("href"))
    assert resp.ok and resp.headers["content-type"].startswith("application/pdf"), resp.headers
    path = OUT / "receipt-form01.pdf"
    data = resp.body()
    path.write_bytes(data)
    assert data.startswith(b"%PDF"), data[:20]
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(OUT / "08-receipt-form01")],
                   check=True)
    secret = re.search(r"Mã tra cứu\s+([A-Z0-9]+)", text)
    STATE["secret"] = secret.group(1) if secret else None
    record("a. citizen submits", True, f"code {STATE['code']}, receipt PDF {len(data)} bytes, secret {STATE['secret']}")


def staff_act(page, name: str, *, note: str | None = None, file: Path | None = None,
              select: str | None = None) -> None:
    """Press the action button ``name`` on a staff dossier page (opening its <details> first)."""
    form = page.locator(f"form#action-{name}")
    expect(form).to_have_count(1)
    summary = page.locator(f"details:has(form#action-{name}) > summary")
    if summary.count():
        summary.click()
    if note and form.locator("textarea[name=note]").count():
        form.locator("textarea[name=note]").fill(note)
    if note and form.locator("textarea[name=reason]").count():
        form.locator("textarea[name=reason]").fill(note)
    if file:
        form.locator("input[type=file]").set_input_files(str(file))
    if select:
        form.locator("select").select_option(value=select)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def official(browser, key: str, login_name: str, shot_name: str):
    ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    page = ctx.new_page()
    STATE[key] = page
    login(page, login_name, official=True, shot_name=shot_name)
    return page


def open_from_queue(page, queue_label: str, shot_name: str) -> None:
    page.goto(BASE + "/staff/dossiers/")
    page.get_by_role("link", name=re.compile("^" + re.escape(queue_label))).first.click()
    page.wait_for_load_state()
    shot(page, shot_name)
    page.get_by_role("link", name=STATE["code"]).first.click()
    page.wait_for_load_state()
    assert STATE["code"] in page.inner_text("h1"), page.url


def step_b_clerk_receives(browser) -> None:
    page = official(browser, "clerk", "motcua@tinhso.local", "10-clerk-login")
    open_from_queue(page, "Chờ tiếp nhận", "11-clerk-queue-to-receive")
    shot(page, "12-clerk-dossier")
    staff_act(page, "receive", note="Hồ sơ đầy đủ, hợp lệ.")
    shot(page, "13-clerk-received")
    status = page.inner_text("#dossier-status")
    record("b. clerk receives", "Đang" in status or "xử lý" in status.lower(), f"status: {status}")


def step_c_specialist_processes(browser) -> None:
    page = official(browser, "specialist", "tuphap@tinhso.local", "20-specialist-login")
    page.goto(BASE + "/staff/dossiers/")
    shot(page, "21-specialist-queues")
    label = "Đang xử lý — việc của tôi"
    open_from_queue(page, label, "22-specialist-queue")
    shot(page, "23-specialist-dossier")
    names = [n.get_attribute("id") for n in page.locator("form[id^=action-]").all()]
    name = "submit_for_approval" if "action-submit_for_approval" in names else "complete_step"
    staff_act(page, name, note="Đã kiểm tra, ghi sổ hộ tịch, cấp số định danh.")
    shot(page, "24-specialist-done")
    status = page.inner_text("#dossier-status")
    record("c. specialist processes", True, f"action {name}; status: {status}")


def step_d_leader_approves(browser) -> None:
    page = official(browser, "leader", "chutich@tinhso.local", "30-leader-login")
    open_from_queue(page, "Chờ phê duyệt", "31-leader-queue")
    shot(page, "32-leader-dossier")
    result = make_pdf(OUT / "fixtures" / "giay-khai-sinh-ket-qua.pdf", "GIAY KHAI SINH - Nguyen Thi Be Na")
    staff_act(page, "approve", note="Đồng ý.", file=result)
    shot(page, "33-leader-approved")
    status = page.inner_text("#dossier-status")
    record("d. leader approves", True, f"status: {status}")


def citizen_dossier(page) -> None:
    page.goto(BASE + "/ho-so/")
    page.get_by_role("link", name=re.compile(re.escape(STATE["code"]))).first.click()
    page.wait_for_load_state()


def step_e_citizen_pays(browser) -> None:
    page = STATE["citizen"]
    citizen_dossier(page)
    shot(page, "40-citizen-dossier-to-pay")
    page.get_by_role("link", name="Thanh toán bằng mã QR").click()
    page.wait_for_load_state()
    shot(page, "41-payment-page-vietqr")
    text = body_text(page)
    assert "8.000 đ" in text, text[:800]
    assert page.locator(".payment-qr svg").count() == 1, "no VietQR image"
    page.get_by_role("link", name=re.compile("Cổng thanh toán thử nghiệm")).click()
    page.wait_for_load_state()
    shot(page, "42-sandbox-bank")
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_load_state()
    shot(page, "43-after-sandbox-paid")
    print("after sandbox:", page.url)
    if "/thanh-toan/" in page.url and page.get_by_role("link", name="Quay lại trang thanh toán").count():
        page.get_by_role("link", name="Quay lại trang thanh toán").click()
        page.wait_for_load_state()
    shot(page, "44-payment-paid")
    status = page.inner_text("#payment-status")
    assert "Đã thanh toán" in status, status
    href = page.get_by_role("link", name="Tải biên lai (PDF)").get_attribute("href")
    resp = page.request.get(BASE + href)
    data = resp.body()
    assert resp.ok and data.startswith(b"%PDF"), resp.headers
    (OUT / "payment-receipt.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(OUT / "payment-receipt.pdf"),
                    str(OUT / "45-payment-receipt")], check=True)
    page.get_by_role("link", name="Quay lại hồ sơ").click()
    page.wait_for_load_state()
    shot(page, "46-citizen-dossier-paid")
    text = body_text(page)
    assert "Đã thanh toán" in text, text[:1200]
    record("e. citizen pays", True, f"payment status: {status.strip()}; receipt PDF {len(data)} bytes")


def step_f_return_and_rate(browser) -> None:
    page = STATE["clerk"]
    open_from_queue(page, "Chờ trả kết quả", "50-clerk-queue-to-return")
    shot(page, "51-clerk-dossier-to-return")
    staff_act(page, "return_result", select="online")
    shot(page, "52-clerk-returned")
    status = page.inner_text("#dossier-status")
    cpage = STATE["citizen"]
    citizen_dossier(cpage)
    shot(cpage, "53-citizen-result-ready")
    href = cpage.get_by_role("link", name="Tải kết quả").get_attribute("href")
    resp = cpage.request.get(BASE + href)
    data = resp.body()
    assert resp.ok and data.startswith(b"%PDF"), (resp.status, resp.headers)
    (OUT / "result.pdf").write_bytes(data)
    cpage.get_by_label("5 / 5").check()
    cpage.get_by_label("Ý kiến (không bắt buộc)").fill("Nhanh, gọn, không phải đi lại. Cảm ơn phường!")
    cpage.get_by_role("button", name="Gửi đánh giá").click()
    cpage.wait_for_load_state()
    shot(cpage, "54-citizen-rated")
    assert "Bạn đã đánh giá 5/5" in body_text(cpage), body_text(cpage)[:800]
    # What the citizen was told along the way, and the list of their dossiers.
    cpage.get_by_role("link", name=re.compile("^Thông báo")).first.click()
    cpage.wait_for_load_state()
    shot(cpage, "55-citizen-notifications")
    cpage.goto(BASE + "/ho-so/")
    shot(cpage, "56-citizen-my-dossiers")
    assert STATE["code"] in body_text(cpage)
    record("f. result returned, downloaded, rated", True, f"staff status: {status}; result PDF {len(data)} bytes")


def step_g_public_tracking(browser) -> None:
    ctx = browser.new_context(viewport=MOBILE, locale="vi-VN")
    page = ctx.new_page()
    page.goto(BASE + "/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(STATE["code"])
    page.get_by_label("Mã tra cứu").fill(STATE["secret"])
    shot(page, "60-tracking-form")
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_load_state()
    shot(page, "61-tracking-result")
    text = body_text(page)
    status = page.inner_text("#track-status")
    for private in ("Nguyễn Văn An", "Nguyễn Thị Bé Na", "096090001234", "0912345678", "Trần Thị Bình"):
        assert private not in text, f"personal data on the public page: {private}"
    # A wrong secret must not reveal anything.
    page.get_by_label("Mã tra cứu").fill("SAIMA123")
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_load_state()
    shot(page, "62-tracking-wrong-secret")
    assert page.locator("#track-status").count() == 0
    ctx.close()
    record("g. public tracking", True, f"status: {status}; no personal data")


def step_h_statistics(browser) -> None:
    page = official(browser, "admin", "admin@tinhso.local", "70-admin-login")
    # The admin has no agency (no queues): the workspace address leads to the statistics.
    page.goto(BASE + "/staff/dossiers/")
    assert "/staff/dossiers/thong-ke/" in page.url, page.url
    shot(page, "71-statistics")
    def cells(key: str) -> list[str]:
        return [c.strip() for c in page.locator(f"#bucket-{key} td").all_inner_texts()]
    received, early, on_time = cells("received"), cells("finished_early"), cells("finished_on_time")
    finished = [str(int(a) + int(b)) for a, b in zip(early, on_time, strict=True)]
    # columns: online, counter, total — a fresh demo province holds only this dossier.
    assert received == ["1", "0", "1"], received
    assert finished == ["1", "0", "1"], finished
    assert "Ủy ban nhân dân phường An Xuyên" in body_text(page)
    record("h. statistics", True, f"received (online/counter/total) {received}, finished {finished}")


STEPS = [("a", step_a_citizen_submits), ("b", step_b_clerk_receives), ("c", step_c_specialist_processes),
         ("d", step_d_leader_approves), ("e", step_e_citizen_pays), ("f", step_f_return_and_rate),
         ("g", step_g_public_tracking), ("h", step_h_statistics)]


def main() -> int:
    upto = sys.argv[sys.argv.index("--upto") + 1] if "--upto" in sys.argv else None
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for key, fn in STEPS:
                try:
                    fn(browser)
                except Exception as exc:  # noqa: BLE001 - report and stop
                    record(f"{key}. {fn.__name__}", False, repr(exc)[:800])
                    for name in ("citizen", "clerk", "specialist", "leader", "admin"):
                        if name in STATE:
                            shot(STATE[name], f"99-fail-{key}-{name}")
                    return 1
                if key == upto:
                    break
        finally:
            browser.close()
    print("\nSummary:")
    for step, ok, note in RESULTS:
        print(("✓ " if ok else "✗ ") + step + (f" — {note}" if note else ""))
    return 0 if all(ok for _, ok, _ in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
