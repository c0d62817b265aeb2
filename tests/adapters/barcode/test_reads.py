"""When a read is believed: strong checks at once, weak check digits only when confirmed."""

from collections import Counter

from adapters.barcode.reads import is_trusted
from adapters.barcode.result import DecodedCode

EAN = DecodedCode("EAN-13", "4006381333931", "04006381333931")
MISREAD = DecodedCode("EAN-13", "4006381393871", "04006381393871")
QR = DecodedCode("QR", "https://shop.example/p/1")


def test_a_code_with_error_correction_is_believed_on_one_read():
    assert is_trusted(QR, Counter({QR: 1}))


def test_an_ean_read_once_is_not_yet_believed():
    assert not is_trusted(EAN, Counter({EAN: 1}))


def test_an_ean_read_the_same_way_twice_is_believed():
    assert is_trusted(EAN, Counter({EAN: 2}))


def test_two_values_read_as_often_at_one_spot_are_both_doubted():
    votes = Counter({EAN: 2, MISREAD: 2})

    assert not is_trusted(EAN, votes)
    assert not is_trusted(MISREAD, votes)


def test_the_value_read_more_often_wins_over_a_misread():
    votes = Counter({EAN: 3, MISREAD: 1})

    assert is_trusted(EAN, votes)
    assert not is_trusted(MISREAD, votes)
