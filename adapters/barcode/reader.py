"""The bot's barcode reader: decoding runs in worker threads, never on the event loop.

Threads rather than processes: zxing-cpp releases the GIL while it decodes, and
so do Pillow's JPEG decoder, resizing, rotation and filters and numpy's array
maths, which together are nearly all of a read. Measured with
benchmarks/barcode.py --pool: two threads and two processes give about the same
throughput on two cores, while processes add worker start-up, pickling of each
photo and a fork inside a running event loop. A thread pool it is.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from adapters.barcode.pipeline import decode_image_bytes
from adapters.barcode.result import ScanResult


class BarcodeReader:
    """Decodes photos off the event loop, at most `workers` at a time."""

    def __init__(self, workers: int = 2) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="barcode")

    async def read(self, data: bytes) -> ScanResult:
        """Every barcode in an image file's bytes, with a status the bot can answer on."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, decode_image_bytes, data)

    def close(self) -> None:
        """Wait for reads in progress, then release the worker threads."""
        self._executor.shutdown(wait=True)
