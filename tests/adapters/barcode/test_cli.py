"""`main.py scan` prints one line per image."""

from adapters.barcode.cli import format_scan_line, scan_paths
from adapters.barcode.loading import MAX_IMAGE_BYTES
from adapters.barcode.result import DecodedCode, ScanResult, ScanStatus


def test_a_line_lists_each_code_as_format_and_text():
    result = ScanResult.of([DecodedCode("EAN-13", "4006381333931"), DecodedCode("Code 39", "ABC123")])

    assert format_scan_line("shelf.jpg", result) == "shelf.jpg EAN-13:4006381333931 Code 39:ABC123"


def test_a_photo_without_codes_prints_none():
    assert format_scan_line("wall.jpg", ScanResult.of([])) == "wall.jpg none"


def test_a_file_that_is_no_image_prints_its_status():
    assert format_scan_line("notes.txt", ScanResult(ScanStatus.NOT_AN_IMAGE)) == "notes.txt not_an_image"


def test_scanning_paths_reads_each_file_in_order(tmp_path, corpus_sample):
    sample = corpus_sample("clean", 0)
    ((fmt, text),) = sample.expected
    (tmp_path / "box.jpg").write_bytes(sample.data)
    (tmp_path / "notes.txt").write_text("no image here")

    lines = list(scan_paths([tmp_path / "box.jpg", tmp_path / "notes.txt", tmp_path / "missing.jpg"]))

    assert lines == [f"box.jpg {fmt}:{text}", "notes.txt not_an_image", "missing.jpg unreadable"]


def test_a_file_over_20_mb_is_not_even_read(tmp_path):
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as file:
        file.truncate(MAX_IMAGE_BYTES + 1)  # sparse: nothing is written or read

    assert list(scan_paths([huge])) == ["huge.jpg too_large"]
