from datetime import date

import pytest

from domain.gs1 import InvalidGs1, expiry_date, parse_element_string

TODAY = date(2026, 11, 22)
GS = "\x1d"


def test_reads_gtin_expiry_and_batch_from_a_gs1_128_scan_with_its_identifier():
    data = parse_element_string("]C1" + "0109506000134352" + "17251231" + "10ABC123", TODAY)

    assert data.gtin == "09506000134352"
    assert data.expiry == date(2025, 12, 31)
    assert data.batch == "ABC123"


def test_a_group_separator_ends_a_variable_length_batch_before_the_next_field():
    data = parse_element_string("]d2" + "0109506000134352" + "10AB-1" + GS + "17270300" + "21SER9", TODAY)

    assert data.fields == {"01": "09506000134352", "10": "AB-1", "17": "270300", "21": "SER9"}


def test_a_leading_fnc1_and_a_separator_after_a_fixed_length_field_are_tolerated():
    data = parse_element_string(GS + "0109506000134352" + GS + "10L7", TODAY)

    assert (data.gtin, data.batch) == ("09506000134352", "L7")


def test_gs1_qr_data_reads_like_any_other_element_string():
    assert parse_element_string("]Q3" + "0104012345678901" + "10X1", TODAY).batch == "X1"


def test_reads_the_human_readable_form_with_identifiers_in_parentheses():
    data = parse_element_string("(01)09506000134352(17)260700(10)B 12", TODAY)

    assert data.gtin == "09506000134352"
    assert data.batch == "B 12"
    assert data.expiry == date(2026, 7, 31)


def test_four_digit_identifiers_with_fixed_length_values_are_split_correctly():
    data = parse_element_string("0109506000134352" + "3103000750" + "10LOT", TODAY)

    assert data.fields == {"01": "09506000134352", "3103": "000750", "10": "LOT"}


def test_a_gtin_with_a_wrong_check_digit_is_rejected():
    with pytest.raises(InvalidGs1, match="check digit"):
        parse_element_string("]C1" + "0109506000134353" + "10ABC", TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "]C1" + "01095060001343",
        "]C1" + "AB123",
        "(01)09506000134352junk",
        "]C1" + "0109506000134352" + "171313",
    ],
    ids=["gtin cut short", "no identifier", "text outside parentheses", "expiry cut short"],
)
def test_malformed_element_strings_are_rejected(text):
    with pytest.raises(InvalidGs1):
        parse_element_string(text, TODAY)


def test_day_zero_means_the_last_day_of_the_month():
    assert expiry_date("280200", TODAY) == date(2028, 2, 29)
    assert expiry_date("270200", TODAY) == date(2027, 2, 28)
    assert expiry_date("260400", TODAY) == date(2026, 4, 30)


def test_two_digit_years_fall_within_49_years_back_and_50_ahead():
    assert expiry_date("760101", TODAY) == date(2076, 1, 1)
    assert expiry_date("770101", TODAY) == date(1977, 1, 1)
    assert expiry_date("990101", date(2070, 1, 1)) == date(2099, 1, 1)
    assert expiry_date("050101", date(2099, 6, 1)) == date(2105, 1, 1)


@pytest.mark.parametrize("yymmdd", ["261301", "260231", "26010", "2601AA"])
def test_impossible_dates_are_rejected(yymmdd):
    with pytest.raises(InvalidGs1):
        expiry_date(yymmdd, TODAY)
