"""The bot's reader decodes in worker threads, leaving the event loop free."""

import asyncio

import pytest

from adapters.barcode import BarcodeReader, ScanStatus


@pytest.fixture
def reader():
    reader = BarcodeReader(workers=2)
    yield reader
    reader.close()


async def test_reads_a_photo_without_blocking_the_event_loop(reader, corpus_sample):
    sample = corpus_sample("small_in_12mp", 0)
    ticks = 0

    async def tick():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.002)
            ticks += 1

    ticker = asyncio.create_task(tick())
    result = await reader.read(sample.data)
    ticker.cancel()

    assert {(code.format, code.text) for code in result.codes} == sample.expected
    assert ticks >= 3


async def test_reads_several_photos_at_once_each_with_its_own_result(reader, corpus_sample):
    photos = [corpus_sample("clean", 0), corpus_sample("rotated", 1), corpus_sample("clean", 7)]

    results = await asyncio.gather(
        *(reader.read(photo.data) for photo in photos), reader.read(b"not an image")
    )

    assert [{(c.format, c.text) for c in r.codes} for r in results[:3]] == [p.expected for p in photos]
    assert results[3].status is ScanStatus.NOT_AN_IMAGE
