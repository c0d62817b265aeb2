"""Which decoder reads are accepted: check digits, GS1 data, our format names."""

from datetime import date

import pytest

from adapters.barcode.result import UnitsHint
from adapters.barcode.symbols import checked_code

GS = "\x1d"


@pytest.mark.parametrize(
    ("symbology", "text"),
    [("EAN-13", "4006381333932"), ("EAN-8", "96385075"), ("UPC-E", "01234566"), ("ITF", "15400141288764"),
     ("EAN-13", "0036000291453")],
    ids=["EAN-13", "EAN-8", "UPC-E", "ITF-14", "UPC-A"],
)  # fmt: skip
def test_a_wrong_check_digit_is_rejected(symbology, text):
    assert checked_code(symbology, text) is None


def test_a_gtin_with_a_wrong_check_digit_inside_gs1_data_is_rejected():
    assert checked_code("DataMatrix", "", gs1_data="]d2" + "0109506000134353" + "10AB") is None


def test_an_ean_13_starting_with_zero_is_the_upc_a_printed_on_the_pack():
    code = checked_code("EAN-13", "0036000291452")

    assert (code.format, code.text, code.key) == ("UPC-A", "036000291452", "00036000291452")


def test_an_ean_8_is_keyed_by_its_14_digit_form():
    code = checked_code("EAN-8", "96385074")

    assert (code.format, code.key, code.units_hint) == ("EAN-8", "00000096385074", UnitsHint.UNIT)


def test_a_upc_e_keeps_its_printed_digits_and_the_key_of_its_upc_a():
    code = checked_code("UPC-E", "01234565")

    assert (code.text, code.key) == ("01234565", "00012345000065")


def test_itf_14_with_indicator_1_to_8_counts_cartons_and_9_is_variable_measure():
    assert checked_code("ITF", "15400141288763").units_hint is UnitsHint.CARTON
    assert checked_code("ITF", "95400141288769").units_hint is UnitsHint.VARIABLE_MEASURE


def test_interleaved_2_of_5_of_another_length_is_not_a_trade_item():
    assert checked_code("ITF", "12345670") is None


def test_gs1_128_gives_gtin_batch_expiry_and_the_product_key():
    code = checked_code("Code 128", "", gs1_data="]C1" + "0114012345678908" + "10LOT7" + GS + "17280200")

    assert code.format == "Code 128"
    assert code.text == "(01)14012345678908(10)LOT7(17)280200"
    assert (code.gtin, code.batch, code.expiry) == ("14012345678908", "LOT7", date(2028, 2, 29))
    assert code.key == "14012345678908"
    assert code.units_hint is UnitsHint.CARTON


def test_code_39_and_code_128_labels_are_accepted_as_read_and_keyed_by_text():
    assert checked_code("Code 39", "ABC-123").key == "ABC-123"
    assert checked_code("Code 128", "SKU-00042/A1").key == "SKU-00042/A1"


def test_free_text_in_a_qr_code_has_no_catalogue_key():
    code = checked_code("QR", "https://shop.example/p/1")

    assert (code.format, code.text, code.key) == ("QR", "https://shop.example/p/1", None)
