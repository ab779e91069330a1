"""End-to-end browser journey for issue 5 (field reports, "Phản ánh hiện trường"), re-runnable.

A citizen files a flooding report with a photo at a point of phường An Xuyên; the ward's
People's Committee receives it (default routing rule for "ngap-ung") and its Chairwoman
(chutich@, role leader) sends it to the Department of Construction, which manages urban
drainage; the department's official (xaydung@, role report_handler) takes it, starts and resolves
it with a public answer; the citizen rates it 5/5; the same report reads "closed" with the answer
and the department as agency_responsible through Open311.

Prerequisites (fresh demo province and a running server):
    export TINHSO_VAR_DIR=/tmp/journey-fr-var; rm -rf $TINHSO_VAR_DIR; .venv/bin/tinhso setup
    PORT=8132 .venv/bin/tinhso serve --port 8132 --workers 2 &
Run from the repository root:  .venv/bin/python tests/browser/journey_field_report.py [--upto STEP]
(or tests/browser/run_field_report_journey.sh, which does the setup, starts and stops the server).
Environment: JOURNEY_BASE (default http://127.0.0.1:8132), JOURNEY_OUT (screenshot dir, default
test-artifacts/journey-fr; the run script uses /tmp/journey-fr), TINHSO_VAR_DIR (passed to
`tinhso demo_otp`), JOURNEY_TINHSO (path of the tinhso CLI).
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE = os.environ.get("JOURNEY_BASE", "http://127.0.0.1:8132")
OUT = Path(os.environ.get("JOURNEY_OUT", "test-artifacts/journey-fr"))
TINHSO = os.environ.get("JOURNEY_TINHSO", ".venv/bin/tinhso")
PASSWORD = "TinhSo@2026"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NARROW = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}
RESULTS: list[tuple[str, bool, str]] = []
STATE: dict = {}

CATEGORY = "ngap-ung"  # "Ngập úng, thoát nước" (feedback/demo.py): default rule → commune committee
COMMUNE = "32002"  # phường An Xuyên, where the demo officials motcua@/tuphap@/chutich@ work
AGENCY = "Ủy ban nhân dân phường An Xuyên"
POINT = ("9.178400", "105.150600")  # An Xuyên, central Cà Mau (a few hundred metres from demo-4)
DESCRIPTION = ("Hẻm 7 đường Ngô Quyền ngập sâu khoảng 40 cm sau mỗi cơn mưa chiều, "
               "nước rút rất chậm vì miệng cống bị rác bít kín. Học sinh phải lội nước đi học.")
ADDRESS = "Hẻm 7 đường Ngô Quyền, khóm 2"
ANSWER = ("Ngày hôm nay Sở Xây dựng cùng phường An Xuyên đã nạo vét 40 m cống thoát nước hẻm 7 đường Ngô Quyền, "
          "dọn rác miệng cống; nước đã rút hết. Sở sẽ kiểm tra lại sau mỗi đợt mưa lớn.")
COMMENT = "Xử lý nhanh, hẻm hết ngập rồi. Cảm ơn!"


# ----------------------------------------------------------------------------- fixtures
def make_photo(path: Path) -> Path:
    """A small real JPEG (a flooded alley, in colours) made with Pillow."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (150, 190, 220))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 300, 640, 480), fill=(90, 110, 80))  # muddy water
    draw.rectangle((40, 120, 220, 320), fill=(200, 170, 130))  # a house
    draw.rectangle((420, 140, 600, 320), fill=(180, 150, 120))
    for y in range(320, 480, 18):
        draw.line((0, y, 640, y + 6), fill=(120, 140, 110), width=3)
    img.save(path, "JPEG", quality=85)
    return path


# ----------------------------------------------------------------------------- helpers
def shot(page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def shot_narrow(page, name: str) -> None:
    """The same page at 360 px, then back to the desktop width."""
    page.set_viewport_size(NARROW)
    page.wait_for_timeout(300)
    shot(page, name)
    page.set_viewport_size(DESKTOP)


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
    else:
        assert "/accounts/login/" not in page.url, page.url


def body_text(page) -> str:
    return page.inner_text("main")


def new_page(browser, key: str):
    ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = ctx.new_page()
    STATE[key] = page
    return page


def official(browser, key: str, login_name: str, shot_name: str):
    page = new_page(browser, key)
    login(page, login_name, official=True, shot_name=shot_name)
    return page


def staff_act(page, form_id: str, fields: dict[str, str] | None = None) -> None:
    """Open the <details> holding ``form#form_id`` on a staff report page, fill it and submit."""
    form = page.locator(f"form#{form_id}")
    expect(form).to_have_count(1)
    summary = page.locator(f"details:has(form#{form_id}) > summary")
    if summary.count() and not form.is_visible():
        summary.click()
    for selector, value in (fields or {}).items():
        field = form.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def staff_status(page) -> str:
    return page.inner_text("p.fb-staff-status .fb-status").strip()


def open_staff_report(page, queue_label: str, shot_name: str) -> None:
    """From the workspace, open the queue tab ``queue_label`` and the journey's report in it."""
    page.goto(BASE + "/staff/phan-anh/")
    page.locator("#queue-tabs").get_by_role("link", name=re.compile("^" + re.escape(queue_label))).click()
    page.wait_for_load_state()
    shot(page, shot_name)
    page.get_by_role("link", name=STATE["code"], exact=True).first.click()
    page.wait_for_load_state()
    assert STATE["code"] in page.inner_text("h1"), page.url


# ----------------------------------------------------------------------------- steps
def step_a_citizen_reports(browser) -> None:
    page = new_page(browser, "citizen")
    login(page, "0912345678", official=False, shot_name="01-citizen-login")
    page.goto(BASE + "/")
    nav = page.get_by_role("link", name="Phản ánh", exact=True)
    via_nav = nav.count() > 0
    if via_nav:
        nav.first.click()
        page.wait_for_load_state()
    else:  # the portal's navigation has no link yet: type the address
        page.goto(BASE + "/phan-anh/")
    assert page.url.rstrip("/").endswith("/phan-anh"), page.url
    page.wait_for_timeout(800)  # the map and its markers
    shot(page, "02-phan-anh-index")
    page.get_by_role("link", name="Gửi phản ánh", exact=True).first.click()
    page.wait_for_load_state()
    assert "/phan-anh/gui/" in page.url, page.url
    page.wait_for_timeout(800)
    shot(page, "03-report-form")
    shot_narrow(page, "03n-report-form-360")

    page.get_by_label(re.compile(r"^Lĩnh vực")).select_option(value=CATEGORY)
    page.get_by_label("Mô tả vấn đề").fill(DESCRIPTION)
    # The location: a tap on the map fills the coordinates; then the exact point of the alley
    # goes in the coordinate fields (the map has no tiles in the demo) and the ward is chosen.
    clicked = ""
    pick = page.locator("#fb-pick-map")
    if page.locator("#fb-pick-map .leaflet-container, #fb-pick-map.leaflet-container").count():
        box = pick.bounding_box()
        pick.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_timeout(300)
        clicked = page.input_value("#id-lat") + ", " + page.input_value("#id-long")
    details = page.locator("details.fb-coords")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.get_by_label("Vĩ độ").fill(POINT[0])
    page.get_by_label("Kinh độ").fill(POINT[1])
    page.get_by_label("Xã, phường", exact=True).select_option(value=COMMUNE)
    page.get_by_label("Địa chỉ, mô tả vị trí").fill(ADDRESS)
    tmp = OUT / "fixtures"
    tmp.mkdir(exist_ok=True)
    photo = make_photo(tmp / "hem-ngap.jpg")
    page.set_input_files("#id-photos", str(photo))
    page.wait_for_timeout(800)  # the nearby-reports check (htmx)
    shot(page, "04-report-form-filled")
    shot_narrow(page, "04n-report-form-filled-360")
    page.get_by_role("button", name=re.compile("^(Gửi phản ánh|Vẫn gửi phản ánh mới)$")).click()
    page.wait_for_load_state()
    if "/phan-anh/gui/" in page.url:  # nearby reports shown once before filing (or an error)
        shot(page, "05-report-form-nearby")
        text = body_text(page)
        assert "Vẫn gửi phản ánh mới" in text, text[:1500]
        page.set_input_files("#id-photos", str(photo))
        page.get_by_role("button", name="Vẫn gửi phản ánh mới").click()
        page.wait_for_load_state()
    shot(page, "06-report-submitted")
    text = body_text(page)
    m = re.search(r"Mã phản ánh: (\S+)", text)
    assert m, text[:1500]
    STATE["code"] = m.group(1).rstrip(".")
    assert "Đã gửi phản ánh" in page.inner_text("body"), "no confirmation message"
    assert AGENCY in text, text[:1500]
    status = page.inner_text("article header .fb-status").strip()
    assert status, "no status on the report page"
    imgs = page.locator("ul.fb-photos img")
    assert imgs.count() == 1, f"{imgs.count()} photos on the public page"
    src = imgs.first.get_attribute("src")
    resp = page.request.get(BASE + src)
    assert resp.ok and resp.headers["content-type"].startswith("image/"), (resp.status, resp.headers)
    STATE["report_url"] = page.url
    STATE["public_id"] = re.search(r"/phan-anh/([0-9a-f-]{36})/anh/", src).group(1)
    shot_narrow(page, "06n-report-submitted-360")
    record("a. citizen reports flooding", True,
           f"code {STATE['code']}, status «{status}», photo {len(resp.body())} bytes, "
           f"map tap → {clicked or 'no map'}, nav link {'yes' if via_nav else 'absent (typed /phan-anh/)'}")


def step_b_commune_assigns(browser) -> None:
    """The ward's chairwoman sends the report to the department in charge of urban drainage."""
    page = official(browser, "leader", "chutich@tinhso.local", "10-chutich-login")
    page.goto(BASE + "/staff/phan-anh/")
    shot(page, "11-staff-queues")
    open_staff_report(page, "Chờ tiếp nhận, phân công", "12-queue-to-assign")
    shot(page, "13-staff-report")
    assert AGENCY in body_text(page)
    assert page.locator("section[aria-labelledby=photos-title] img").count() == 1, "photo missing for staff"
    summary = page.locator("details:has(form#form-reassign) > summary")
    if summary.count() and not page.locator("form#form-reassign").is_visible():
        summary.click()
    option = page.locator("#reassign-agency option", has_text="Sở Xây dựng").first
    department = option.inner_text().strip()
    page.locator("#reassign-agency").select_option(value=option.get_attribute("value"))
    staff_act(page, "form-reassign", {
        "#reassign-reason": "Cống thoát nước chung của đô thị do Sở Xây dựng quản lý, đề nghị Sở xử lý.",
    })
    shot(page, "14-assigned")
    text = body_text(page)
    assert f"Đã chuyển phản ánh tới {department}" in page.inner_text("body"), text[:1500]
    assert page.url.rstrip("/").endswith("/staff/phan-anh"), page.url  # back to the queue: no longer hers
    STATE["department"] = department
    record("b. ward chairwoman assigns it to the department", True, f"to {department}")


def step_c_official_resolves(browser) -> None:
    """The department's official takes the report, works on it and resolves it publicly."""
    page = official(browser, "handler", "xaydung@tinhso.local", "20-handler-login")
    open_staff_report(page, "Chờ tiếp nhận, phân công", "21-queue-to-assign")
    shot(page, "22-handler-report")
    summary = page.locator("details:has(form#form-assign) > summary")
    if summary.count() and not page.locator("form#form-assign").is_visible():
        summary.click()
    option = page.locator("#assign-assignee option", has_text="Đỗ Thanh Phong").first
    page.locator("#assign-assignee").select_option(value=option.get_attribute("value"))
    staff_act(page, "form-assign", {"#assign-note": "Tổ thoát nước của Sở kiểm tra hiện trường."})
    assert "Đã phân công cho Đỗ Thanh Phong" in page.inner_text("body"), body_text(page)[:800]
    staff_act(page, "form-start", {"#start-note": "Đã ra hiện trường, cống bị rác bít."})
    shot(page, "23-started")
    started = staff_status(page)
    assert "Đã chuyển sang đang xử lý" in page.inner_text("body"), started
    staff_act(page, "form-resolve", {"#resolve-body": ANSWER})
    shot(page, "24-resolved")
    status = staff_status(page)
    assert "Đã hoàn thành xử lý phản ánh" in page.inner_text("body"), status
    assert ANSWER in body_text(page)
    record("c. the department's official resolves it", True,
           f"{STATE['department']}: after start: {started}; after resolve: {status}")


def step_d_citizen_rates(browser) -> None:
    STATE["citizen"].context.close()
    page = new_page(browser, "citizen")
    login(page, "0912345678", official=False, shot_name="30-citizen-login-again")
    page.goto(BASE + "/phan-anh/")
    page.get_by_role("link", name="Phản ánh của tôi").first.click()
    page.wait_for_load_state()
    assert "/phan-anh/cua-toi/" in page.url, page.url
    card = page.locator("li.fb-card", has=page.get_by_role("link", name=STATE["code"], exact=True))
    expect(card).to_have_count(1)
    shot(page, "31-my-reports")
    card_status = card.locator(".fb-status").inner_text().strip()
    card.get_by_label("5", exact=True).check()
    card.get_by_label("Nhận xét (không bắt buộc)").fill(COMMENT)
    card.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    shot(page, "32-rated")
    assert "Cảm ơn bạn đã đánh giá" in page.inner_text("body")
    card = page.locator("li.fb-card", has=page.get_by_role("link", name=STATE["code"], exact=True))
    assert "Bạn đã đánh giá: 5/5" in card.inner_text(), card.inner_text()
    page.goto(STATE["report_url"])
    page.wait_for_load_state()
    shot(page, "33-public-report-resolved")
    shot_narrow(page, "33n-public-report-resolved-360")
    text = body_text(page)
    assert ANSWER in text, text[:2000]
    record("d. citizen rates 5/5", True, f"card status before rating «{card_status}»")


def step_e_open311(browser) -> None:
    page = new_page(browser, "anonymous")
    resp = page.request.get(BASE + f"/open311/v2/requests.json?service_code={CATEGORY}")
    assert resp.ok, resp.status
    rows = [r for r in resp.json() if r.get("description") == DESCRIPTION]
    assert len(rows) == 1, f"{len(rows)} matches in the list"
    rid = rows[0]["service_request_id"]
    assert rid == STATE["public_id"], (rid, STATE["public_id"])
    resp = page.request.get(BASE + f"/open311/v2/requests/{rid}.json")
    assert resp.ok, resp.status
    data = resp.json()
    row = data[0] if isinstance(data, list) else data
    (OUT / "open311-request.json").write_text(resp.text())
    assert row["status"] == "closed", row
    assert row["status_notes"] == ANSWER, row.get("status_notes")
    assert row["service_code"] == CATEGORY, row
    assert row["agency_responsible"] == STATE["department"], row
    assert row["address_id"] == COMMUNE, row
    assert (round(float(row["lat"]), 6), round(float(row["long"]), 6)) == tuple(float(p) for p in POINT), row
    assert row.get("media_url"), "no media_url for the photo"
    media = page.request.get(row["media_url"])
    assert media.ok and media.headers["content-type"].startswith("image/"), (media.status, media.headers)
    page.goto(BASE + f"/open311/v2/requests/{rid}.json")
    shot(page, "40-open311-request")
    record("e. Open311 shows it closed", True,
           f"id {rid}, status {row['status']}, agency {row['agency_responsible']}, media_url {row['media_url']}")


STEPS = [("a", step_a_citizen_reports), ("b", step_b_commune_assigns), ("c", step_c_official_resolves),
         ("d", step_d_citizen_rates), ("e", step_e_open311)]


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
                    for name in ("citizen", "leader", "handler", "anonymous"):
                        if name in STATE:
                            try:
                                shot(STATE[name], f"99-fail-{key}-{name}")
                            except Exception:  # noqa: BLE001, S110 - a closed page
                                pass
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
