"""SMS billing parts: 160 GSM-7 characters in one part (153 when split), 70 UCS-2 (67 when split)."""

from __future__ import annotations

from adapters.gateways.sms import sms_segments


def test_plain_latin_text_fits_160_characters_in_one_part():
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2


def test_split_gsm_text_counts_153_per_part():
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3


def test_chinese_text_fits_70_characters_in_one_part_and_67_per_part_when_split():
    assert sms_segments("退" * 70) == 1
    assert sms_segments("退" * 71) == 2
    assert sms_segments("退" * 134) == 2
    assert sms_segments("退" * 135) == 3


def test_one_chinese_character_makes_the_whole_text_ucs2():
    assert sms_segments("a" * 69 + "折") == 1
    assert sms_segments("a" * 70 + "折") == 2


def test_gsm_extension_characters_take_two_places():
    assert sms_segments("€" * 80) == 1
    assert sms_segments("€" * 81) == 2


def test_an_emoji_takes_two_ucs2_units():
    assert sms_segments("🎁" * 35) == 1
    assert sms_segments("🎁" * 36) == 2
