"""VietQR payloads: the published NAPAS vector byte for byte, the CRC, and properties."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.payments import vietqr

VECTOR = (
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN"
    "62340107NPS68690819thanh toan don hang63042E2E"
)


def test_crc_check_value():
    assert vietqr.crc16("123456789") == "29B1"


def test_published_vector_reproduced_from_its_parts():
    payload = vietqr.build(
        bank_bin="970403", account="0011012345678", amount=180000, bill_number="NPS6869", purpose="thanh toan don hang"
    )
    assert payload == VECTOR


def test_published_vector_parses():
    assert vietqr.parse(VECTOR) == {
        "initiation": "dynamic", "bank_bin": "970403", "account": "0011012345678", "service": "QRIBFTTA",
        "currency": "704", "amount": 180000, "country": "VN", "bill_number": "NPS6869",
        "purpose": "thanh toan don hang", "crc": "2E2E",
    }


def test_static_code_without_amount():
    payload = vietqr.build(bank_bin="970436", account="123456789")
    assert payload.startswith("000201010211")
    assert "54" not in [tag for tag, _ in vietqr.split_tlv(payload)]
    parsed = vietqr.parse(payload)
    assert parsed["initiation"] == "static" and parsed["amount"] is None and parsed["bill_number"] == ""


def test_purpose_folded_to_ascii_and_limited():
    payload = vietqr.build(bank_bin="970403", account="1", amount=1000, purpose="Lệ phí: Đăng ký  hộ tịch! " * 5)
    purpose = vietqr.parse(payload)["purpose"]
    assert purpose.startswith("Le phi Dang ky ho tich Le phi")
    assert purpose.isascii() and len(purpose) <= vietqr.PURPOSE_MAX_LENGTH
    assert set(purpose) <= set(string.ascii_letters + string.digits + " ")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bank_bin": "97040", "account": "1"},
        {"bank_bin": "97040A", "account": "1"},
        {"bank_bin": "970403", "account": ""},
        {"bank_bin": "970403", "account": "12345678901234567890"},
        {"bank_bin": "970403", "account": "1", "amount": 0},
        {"bank_bin": "970403", "account": "1", "amount": -5},
        {"bank_bin": "970403", "account": "1", "amount": 10**13},
        {"bank_bin": "970403", "account": "1", "bill_number": "NPS 6869"},
        {"bank_bin": "970403", "account": "1", "service": "OTHER"},
    ],
)
def test_build_rejects_bad_parts(kwargs):
    with pytest.raises(vietqr.VietQRError):
        vietqr.build(**kwargs)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        VECTOR[:-1],
        VECTOR[:-4] + "2e2e",  # lower-case CRC
        VECTOR.replace("180000", "180001"),
        # A correct CRC over a payload whose lengths do not fit.
        (lambda body: body + vietqr.crc16(body))("0002010102123899" + "6304"),
        # Wrong currency, correct CRC.
        (lambda body: body + vietqr.crc16(body))(VECTOR[:-4].replace("5303704", "5303840")),
    ],
)
def test_parse_rejects(payload):
    with pytest.raises(vietqr.VietQRError):
        vietqr.parse(payload)


bins = st.text(alphabet=string.digits, min_size=6, max_size=6)
accounts = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=19)
amounts = st.one_of(st.none(), st.integers(min_value=1, max_value=10**13 - 1))
bills = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=0, max_size=25)
purposes = st.text(max_size=120)


@settings(max_examples=150, deadline=None)
@given(bank_bin=bins, account=accounts, amount=amounts, bill=bills, purpose=purposes)
def test_build_parse_round_trip(bank_bin, account, amount, bill, purpose):
    payload = vietqr.build(bank_bin=bank_bin, account=account, amount=amount, bill_number=bill, purpose=purpose)
    assert payload.isascii()
    parsed = vietqr.parse(payload)
    assert parsed["bank_bin"] == bank_bin
    assert parsed["account"] == account
    assert parsed["amount"] == amount
    assert parsed["initiation"] == ("dynamic" if amount is not None else "static")
    assert parsed["bill_number"] == bill
    assert parsed["purpose"] == vietqr.plain_text(purpose)


@settings(max_examples=200, deadline=None)
@given(
    bank_bin=bins, account=accounts, amount=amounts, bill=bills, purpose=purposes,
    position=st.floats(min_value=0, max_value=1, exclude_max=True),
    replacement=st.characters(min_codepoint=32, max_codepoint=126),
)
def test_any_single_char_change_breaks_the_crc(bank_bin, account, amount, bill, purpose, position, replacement):
    payload = vietqr.build(bank_bin=bank_bin, account=account, amount=amount, bill_number=bill, purpose=purpose)
    i = int(position * len(payload))
    if payload[i] == replacement:
        replacement = "A" if payload[i] != "A" else "B"
    changed = payload[:i] + replacement + payload[i + 1 :]
    assert not vietqr.crc_is_valid(changed)
    with pytest.raises(vietqr.VietQRError):
        vietqr.parse(changed)
