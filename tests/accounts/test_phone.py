import pytest

from tinhso.accounts.crypto import mask_identifier
from tinhso.accounts.phone import InvalidPhone, mask_email, mask_phone, normalize_phone
from tinhso.accounts.selectors import normalize_login


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "+84912345678", "84912345678", "+84 912 345 678", "0912.345.678", "0912 345 678",
     "(+84) 912-345-678", "0084912345678", " 0912345678 ", "+840912345678"],
)
def test_every_common_spelling_becomes_the_canonical_form(raw):
    assert normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize(
    "raw", ["", "091234567", "09123456789", "0112345678", "0212345678", "1912345678", "09a2345678",
            "+1 912 345 678", "0312345678", "0512345678", "8491234567"],
)
def test_not_a_vietnamese_mobile_number(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


@pytest.mark.parametrize("raw", ["0321234567", "0561234567", "0701234567", "0811234567", "0991234567"])
def test_all_network_prefixes_are_accepted(raw):
    assert normalize_phone(raw) == raw


def test_login_normalisation():
    assert normalize_login("Nguyen.An@Example.VN ") == "nguyen.an@example.vn"
    assert normalize_login("+84 912 345 678") == "0912345678"
    assert normalize_login("không phải số") is None
    assert normalize_login("") is None


def test_masks():
    assert mask_phone("0912345678") == "0912***678"
    assert mask_email("nguyen.an@example.vn") == "ng***@example.vn"
    assert mask_identifier("079012341234") == "0790****1234"
    assert mask_identifier("1234") == "****"
