"""`python main.py scan IMAGE...`: one line per image, for checking photos by hand."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from adapters.barcode.loading import MAX_IMAGE_BYTES
from adapters.barcode.pipeline import decode_image_bytes
from adapters.barcode.result import ScanResult, ScanStatus


def format_scan_line(name: str, result: ScanResult) -> str:
    """`name FORMAT:TEXT FORMAT:TEXT`, `name none`, or `name <status>` when the file is no usable image."""
    if result.status is ScanStatus.OK:
        return " ".join([name, *(f"{code.format}:{code.text}" for code in result.codes)])
    if result.status is ScanStatus.NONE_FOUND:
        return f"{name} none"
    return f"{name} {result.status.value}"


def scan_paths(paths: Iterable[str | Path]) -> Iterator[str]:
    """Decode each file and yield its line; a missing or oversized file gets a status, not a traceback."""
    for path in map(Path, paths):
        yield format_scan_line(path.name, _scan_file(path))


def _scan_file(path: Path) -> ScanResult:
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return ScanResult(ScanStatus.TOO_LARGE)
        data = path.read_bytes()
    except OSError:
        return ScanResult(ScanStatus.UNREADABLE)
    return decode_image_bytes(data)
