"""Barcode keys and who may do what."""

from __future__ import annotations

import pytest

from domain.barcodes import InvalidBarcode, Symbology, expand_upce, lookup_keys, parse_barcode
from domain.errors import NotAllowed
from domain.staff import Permission, Role, StaffMember


def test_a_upca_and_its_ean13_form_are_the_same_product() -> None:
    assert parse_barcode("036000291452").key == parse_barcode("0036000291452").key == "00036000291452"


def test_a_gtin14_with_a_leading_zero_is_the_consumer_unit() -> None:
    assert parse_barcode("00036000291452").key == parse_barcode("036000291452").key


@pytest.mark.parametrize("code", ["6901234567893", "036000291453", "96385075", "16901234567890"])
def test_a_wrong_check_digit_is_refused(code: str) -> None:
    with pytest.raises(InvalidBarcode):
        parse_barcode(code)


def test_upce_expands_to_its_upca() -> None:
    assert expand_upce("04252614") == "042100005264"
    assert parse_barcode("04252614").symbology is Symbology.UPCE


def test_eight_digits_are_tried_as_ean8_and_as_upce() -> None:
    assert parse_barcode("96385074").symbology is Symbology.EAN8
    assert lookup_keys("04252614") == ["00042100005264"]


def test_internal_code128_labels_keep_their_text() -> None:
    barcode = parse_barcode("SHELF-A12")
    assert barcode.symbology is Symbology.CODE128 and barcode.key == "SHELF-A12"


def test_staff_may_request_but_not_approve_transfers() -> None:
    clerk = StaffMember(1, "clerk", Role.STAFF, ["S01"])
    assert clerk.can(Permission.REQUEST_TRANSFER)
    with pytest.raises(NotAllowed):
        clerk.require(Permission.APPROVE_TRANSFER, "S01")


def test_a_manager_approves_only_for_their_own_locations_and_an_admin_everywhere() -> None:
    manager = StaffMember(2, "manager", Role.MANAGER, ["S01"])
    admin = StaffMember(3, "admin", Role.ADMIN, ["W01"])
    assert manager.can(Permission.APPROVE_TRANSFER, "S01")
    assert not manager.can(Permission.APPROVE_TRANSFER, "S02")
    assert admin.can(Permission.APPROVE_TRANSFER, "S02")
    assert not manager.can(Permission.MANAGE_STAFF)


def test_an_inactive_member_of_staff_may_do_nothing() -> None:
    assert StaffMember(4, "gone", Role.ADMIN, ["W01"], active=False).permissions() == frozenset()
