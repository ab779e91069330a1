"""Folding and query parsing: pure functions, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.search.query import MAX_TERMS, parse_query
from tinhso.search.text import fold, fold_with_map, words


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("Giấy khai sinh", "giay khai sinh"),
        ("Đăng ký  kết\thôn\n", "dang ky ket hon"),
        ("ĐẤT ĐAI", "dat dai"),
        ("Thủ tục cấp Giấy chứng nhận quyền sử dụng đất", "thu tuc cap giay chung nhan quyen su dung dat"),
        ("Phường Tân Thành, Cà Mau", "phuong tan thanh, ca mau"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_fold_decomposed_input_equals_composed():
    import unicodedata

    text = "Người dân Bạc Liêu"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "nguoi dan bac lieu"


@given(st.text(max_size=200))
def test_fold_is_idempotent_and_map_lines_up(s):
    assert fold(fold(s)) == fold(s)
    folded, where = fold_with_map(s)
    assert len(folded) == len(where)
    assert all(0 <= i < len(s) for i in where)
    assert where == sorted(where)


def test_words_split_on_everything_but_letters_and_digits():
    assert words('"giấy" (khai) sinh* -OR- NEAR/2 000.00.00.H49') == [
        "giay", "khai", "sinh", "or", "near", "2", "000", "00", "00", "h49"
    ]


@pytest.mark.parametrize(
    "raw, fts5, tsquery",
    [
        ("giay khai si", '"giay" "khai" "si"*', "giay & khai & si:*"),
        ('"; DROP TABLE x; --', '"drop" "table" "x"*', "drop & table & x:*"),
        ("AND OR NOT", '"and" "or" "not"*', "and & or & not:*"),
        ("***", "", ""),
        ("", "", ""),
    ],
)
def test_parse_query_is_always_safe(raw, fts5, tsquery):
    parsed = parse_query(raw)
    assert parsed.fts5() == fts5
    assert parsed.tsquery() == tsquery


def test_long_queries_are_cut():
    parsed = parse_query("giay " * 10_000)
    assert parsed.terms == ("giay",)
    parsed = parse_query(" ".join(f"w{i}" for i in range(100)))
    assert len(parsed.terms) == MAX_TERMS
