"""The reader finds exactly the codes drawn into generated phone photos, condition by condition."""

import io

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from adapters.barcode import ScanStatus, UnitsHint, decode_image_bytes
from domain.barcodes import parse_barcode
from tests.support.barcode_corpus import CONDITIONS, SYMBOLOGIES

# Three images per condition; the offset walks every symbology through the conditions.
CASES = [(condition, (3 * position + k) % len(SYMBOLOGIES)) for position, condition in enumerate(CONDITIONS)
         for k in range(2 if condition == "small_in_12mp" else 3)]  # fmt: skip


@pytest.mark.parametrize(("symbology", "index"), [(name, index) for index, name in enumerate(SYMBOLOGIES)])
def test_reads_every_symbology_from_a_clean_photo(corpus_sample, symbology, index):
    sample = corpus_sample("clean", index)

    result = decode_image_bytes(sample.data)

    assert result.status is ScanStatus.OK
    assert {(code.format, code.text) for code in result.codes} == sample.expected


@pytest.mark.parametrize(("condition", "index"), CASES, ids=[f"{c}-{i}" for c, i in CASES])
def test_reads_the_encoded_values_from_a_distorted_photo(corpus_sample, condition, index):
    sample = corpus_sample(condition, index)

    result = decode_image_bytes(sample.data)

    assert {(code.format, code.text) for code in result.codes} == sample.expected


def test_several_codes_in_one_photo_are_all_read(corpus_sample):
    sample = corpus_sample("several", 4)
    assert len(sample.expected) == 3

    codes = decode_image_bytes(sample.data).codes

    assert {(code.format, code.text) for code in codes} == sample.expected


def test_gs1_datamatrix_gives_gtin_batch_expiry_and_the_product_key(corpus_sample):
    sample = corpus_sample("clean", SYMBOLOGIES.index("GS1 DataMatrix"))
    ((_, text),) = sample.expected
    gtin, yymmdd, batch = text[4:18], text[22:28], text[32:]

    (code,) = decode_image_bytes(sample.data).codes

    assert code.format == "DataMatrix"
    assert (code.gtin, code.batch) == (gtin, batch)
    assert code.expiry.strftime("%y%m") == yymmdd[:4]
    assert code.expiry.day == int(yymmdd[4:]) or yymmdd[4:] == "00"
    assert code.key == parse_barcode(gtin).key


def test_an_itf_14_with_a_packaging_indicator_is_a_carton(corpus_sample):
    (code,) = decode_image_bytes(corpus_sample("clean", SYMBOLOGIES.index("ITF-14")).data).codes

    assert code.format == "ITF-14"
    assert code.text[0] in "12345678"
    assert code.units_hint is UnitsHint.CARTON


def test_a_upc_a_and_its_ean_13_form_share_the_catalogue_key(corpus_sample):
    (code,) = decode_image_bytes(corpus_sample("clean", SYMBOLOGIES.index("UPC-A")).data).codes

    assert code.format == "UPC-A"
    assert code.key == parse_barcode("0" + code.text).key == code.text.zfill(14)


def test_a_qr_code_with_chinese_text_keeps_its_characters():
    symbol = zxingcpp.create_barcode("可口可乐 330ml 批次A1", zxingcpp.BarcodeFormat.QRCode).to_image(scale=4)
    png = io.BytesIO()
    Image.fromarray(np.array(symbol)).save(png, "PNG")

    codes = decode_image_bytes(png.getvalue()).codes

    assert [(code.format, code.text) for code in codes] == [("QR", "可口可乐 330ml 批次A1")]
