"""The bot's barcode reader: decoding runs in worker threads, never on the event loop.

Threads rather than processes. Nearly all of a read is spent in C that lets go
of the GIL: zxing-cpp's read_barcodes (its Python binding releases the GIL
around the decode), Pillow's JPEG decoder, resize, rotate and filters, and
numpy's array maths; pyzbar calls zbar through ctypes, which releases it too.
So threads run decodes in parallel, without a process pool's worker start-up,
pickling of every photo and forking next to a running event loop.
`benchmarks/barcode.py --pool` measures it on this shared 2-core machine
(other jobs running, so the figures are noisy): one thread 24-31 images/s,
two threads 36-40, two processes 26-51 (no steadier gain to pay the
processes' costs for); a 5 ms timer on the event loop fired at worst 4-19 ms
late while two threads decoded.
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
