"""VietQR: the NAPAS flavour of the EMVCo merchant-presented QR code, built and parsed.

A payload is a flat run of TLV fields — a 2-digit ID, a 2-digit length, the value — some of
whose values are themselves TLV runs (38 and 62). Field 63 closes the payload with a
CRC-16/CCITT-FALSE over everything before its value, including the ``6304`` of field 63 itself.
See /work/shared/REFERENCE.md ("VietQR") and ``docs/payments.md``.
"""

from __future__ import annotations

import re

from tinhso.search.text import fold

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
# Banking apps show (and some cut) the transfer content: keep it short and plain ASCII.
PURPOSE_MAX_LENGTH = 50
MAX_AMOUNT_DIGITS = 13

_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
_BILL = re.compile(r"^[0-9A-Za-z]{1,25}$")
_NOT_PLAIN = re.compile(r"[^0-9A-Za-z ]+")
_SPACES = re.compile(r" +")


class VietQRError(ValueError):
    """A payload (or the parts given to build one) does not follow the format."""


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) of the UTF-8
    bytes of ``data``, as 4 uppercase hex digits: ``crc16("123456789") == "29B1"``."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"bad tag {tag!r}")
    if not 0 < len(value) <= 99:
        raise VietQRError(f"field {tag}: value length {len(value)} out of 1..99")
    return f"{tag}{len(value):02d}{value}"


def plain_text(text: str, *, max_length: int = PURPOSE_MAX_LENGTH) -> str:
    """Transfer content as banks accept it: diacritics folded (đ → d) keeping the case, only
    letters, digits and single spaces, cut to ``max_length``. ``"Lệ phí: Hộ tịch"`` →
    ``"Le phi Ho tich"``."""
    folded = "".join(" " if ch.isspace() else (fold(ch).upper() if ch.isupper() else fold(ch)) for ch in text)
    cleaned = _SPACES.sub(" ", _NOT_PLAIN.sub(" ", folded)).strip()
    return cleaned[:max_length].rstrip()


def build(
    *,
    bank_bin: str,
    account: str,
    amount: int | None = None,
    bill_number: str = "",
    purpose: str = "",
    service: str = SERVICE_TO_ACCOUNT,
) -> str:
    """The VietQR payload for a transfer to ``account`` at the bank ``bank_bin``.

    With an ``amount`` the code is dynamic (01 = "12", one payment), without it static ("11").
    ``purpose`` is folded to plain ASCII and cut to :data:`PURPOSE_MAX_LENGTH`.
    """
    if not _BIN.match(bank_bin or ""):
        raise VietQRError("bank BIN must be 6 digits")
    if not _ACCOUNT.match(account or ""):
        raise VietQRError("account must be 1-19 letters or digits")
    if service not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
        raise VietQRError(f"unknown service {service!r}")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        raise VietQRError("amount must be a positive integer (VND)")
    if amount is not None and len(str(amount)) > MAX_AMOUNT_DIGITS:
        raise VietQRError("amount too large")
    if bill_number and not _BILL.match(bill_number):
        raise VietQRError("bill number must be 1-25 letters or digits")
    purpose_text = plain_text(purpose) if purpose else ""

    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", service)
    parts = [
        tlv("00", "01"),
        tlv("01", "12" if amount is not None else "11"),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(tlv("54", str(amount)))
    parts.append(tlv("58", COUNTRY_VN))
    additional = (tlv("01", bill_number) if bill_number else "") + (tlv("08", purpose_text) if purpose_text else "")
    if additional:
        parts.append(tlv("62", additional))
    body = "".join(parts) + "6304"
    return body + crc16(body)


def split_tlv(data: str) -> list[tuple[str, str]]:
    """``"0002010102"`` → ``[("00", "01"), ("01", "02")]``; raises on a truncated or malformed run."""
    fields: list[tuple[str, str]] = []
    i = 0
    while i < len(data):
        header = data[i : i + 4]
        if len(header) < 4 or not header.isdigit():
            raise VietQRError(f"malformed field header at position {i}")
        tag, length = header[:2], int(header[2:])
        value = data[i + 4 : i + 4 + length]
        if length == 0 or len(value) != length:
            raise VietQRError(f"field {tag} at position {i}: length {length} does not fit")
        fields.append((tag, value))
        i += 4 + length
    return fields


def crc_is_valid(payload: str) -> bool:
    """Whether ``payload`` ends with a field 63 (``6304`` + 4 uppercase hex) matching its CRC."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return payload[-4:] == crc16(payload[:-4])


def _unique(fields: list[tuple[str, str]], where: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag, value in fields:
        if tag in result:
            raise VietQRError(f"{where}: field {tag} repeated")
        result[tag] = value
    return result


def parse(payload: str) -> dict:
    """Check and decode a VietQR payload.

    Raises :class:`VietQRError` when the CRC does not match, a length does not fit, a required
    field is missing or a field holds a value VietQR does not allow. Returns::

        {"initiation": "static"|"dynamic", "bank_bin", "account", "service", "currency",
         "amount": int | None, "country", "bill_number", "purpose", "crc"}
    """
    if not isinstance(payload, str) or not payload:
        raise VietQRError("empty payload")
    if not crc_is_valid(payload):
        raise VietQRError("CRC check failed")
    fields = split_tlv(payload)
    if not fields or fields[-1][0] != "63":
        raise VietQRError("field 63 (CRC) must come last")
    if fields[0] != ("00", "01"):
        raise VietQRError("field 00 must be 01 and come first")
    top = _unique(fields, "payload")
    initiation = top.get("01")
    if initiation not in ("11", "12"):
        raise VietQRError("field 01 must be 11 (static) or 12 (dynamic)")
    if "38" not in top:
        raise VietQRError("field 38 (NAPAS merchant account) missing")
    merchant = _unique(split_tlv(top["38"]), "field 38")
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError("field 38.00 must be the NAPAS GUID")
    if merchant.get("02") not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
        raise VietQRError("field 38.02 must be QRIBFTTA or QRIBFTTC")
    beneficiary = _unique(split_tlv(merchant.get("01", "")), "field 38.01")
    bank_bin, account = beneficiary.get("00", ""), beneficiary.get("01", "")
    if not _BIN.match(bank_bin):
        raise VietQRError("field 38.01.00 must be a 6-digit bank BIN")
    if not _ACCOUNT.match(account):
        raise VietQRError("field 38.01.01 must be an account or card number")
    if top.get("53") != CURRENCY_VND:
        raise VietQRError("field 53 must be 704 (VND)")
    if top.get("58") != COUNTRY_VN:
        raise VietQRError("field 58 must be VN")
    amount = None
    if "54" in top:
        if not top["54"].isdigit() or int(top["54"]) <= 0:
            raise VietQRError("field 54 must be a positive whole amount")
        amount = int(top["54"])
    if initiation == "12" and amount is None:
        raise VietQRError("a dynamic code needs an amount (field 54)")
    additional = _unique(split_tlv(top["62"]), "field 62") if "62" in top else {}
    return {
        "initiation": "dynamic" if initiation == "12" else "static",
        "bank_bin": bank_bin,
        "account": account,
        "service": merchant["02"],
        "currency": top["53"],
        "amount": amount,
        "country": top["58"],
        "bill_number": additional.get("01", ""),
        "purpose": additional.get("08", ""),
        "crc": top["63"],
    }
