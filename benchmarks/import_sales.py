"""Sales posting throughput (ledger included) and one-SKU lookup latency.

Loads 200 locations x 10,000 SKUs (2 million stock positions) through the real
importer, then posts sales lines through the same path as `main.py sales`
and times looking up one SKU across all locations.

    .venv/bin/python benchmarks/import_sales.py [--locations 200] [--skus 10000] [--lines 200000]
    TEST_POSTGRES_URL=postgresql+psycopg://... adds the PostgreSQL run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import Stopwatch, describe_ms

from adapters.batch import paused_gc
from adapters.csvio.importer import Importer
from adapters.csvio.sales_rows import read_receipts
from adapters.db.engine import open_database
from adapters.db.migrate import upgrade_to_head
from adapters.db.unit_of_work import UnitOfWorkFactory
from domain.barcodes import gs1_check_digit
from domain.services.sales import post_receipts

ZONE = ZoneInfo("Asia/Shanghai")


def write_chain(directory: Path, locations: int, skus: int, lines: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with (directory / "locations.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "kind", "region", "latitude", "longitude", "tier"])
        for n in range(locations):
            w.writerow([f"L{n:03d}", f"门店{n}", "store", "华东", 30 + rng.random(), 120 + rng.random(), ""])
    with (directory / "products.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sku", "name", "barcodes", "category", "brand", "unit_price", "unit_cost", "pack_size"])
        for n in range(skus):
            body = f"690{n:09d}"
            w.writerow(
                [f"P{n:05d}", f"商品 {n}", body + str(gs1_check_digit(body)), "cat", "brand", 10, 6, 12]
            )
    with (directory / "stock.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["location_code", "sku", "on_hand"])
        for loc in range(locations):
            for n in range(skus):
                w.writerow([f"L{loc:03d}", f"P{n:05d}", 1000])
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with (directory / "live_sales.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "receipt_id", "location_code", "sku", "qty", "unit_price"])
        written, receipt = 0, 0
        while written < lines:
            receipt += 1
            at = (start + timedelta(seconds=receipt)).isoformat()
            loc = f"L{rng.randrange(locations):03d}"
            for sku in rng.sample(range(skus), rng.randint(1, 5)):
                w.writerow([at, f"R{receipt}", loc, f"P{sku:05d}", 1, 10])
                written += 1


def run(url: str, label: str, directory: Path, locations: int, skus: int) -> None:
    upgrade_to_head(url)
    database = open_database(url)
    uow = UnitOfWorkFactory(database)
    importer = Importer(uow, ZONE, lambda: datetime.now(UTC))
    with Stopwatch() as load:
        outcomes = importer.import_dir(directory)
    assert all(o.status != "rejected" for o in outcomes), [o.summary() for o in outcomes]
    print(
        f"[{label}] loaded {locations} locations x {skus} SKUs ({locations * skus:,} positions) in {load.seconds:.1f} s"
    )

    with paused_gc():  # as `main.py sales` does
        with Stopwatch() as parse:
            receipts, source = read_receipts(directory / "live_sales.csv", ZONE)
        lines = sum(len(r.lines) for r in receipts)
        with Stopwatch() as posting:
            report = uow.run(lambda unit: post_receipts(unit, receipts, "bench"))
    assert report.lines_posted == lines, (report.lines_posted, lines, report.refused[:3])
    total = parse.seconds + posting.seconds
    cpu = parse.cpu_seconds + posting.cpu_seconds
    print(
        f"[{label}] posted {lines:,} sales lines ({len(receipts):,} receipts) with ledger: "
        f"{lines / total:,.0f} lines/s (parse {parse.seconds:.2f} s + post {posting.seconds:.2f} s); "
        f"this process's CPU {cpu:.2f} s = {lines / cpu:,.0f} lines per CPU-second (load average {os.getloadavg()[0]:.1f})"
    )

    samples = []
    rng = random.Random(3)
    for _ in range(2000):
        sku = f"P{rng.randrange(skus):05d}"
        with Stopwatch() as lookup, uow(readonly=True) as unit:
            found = unit.stock.for_sku(sku)
        assert len(found) == locations
        samples.append(lookup.seconds)
    print(f"[{label}] lookup of one SKU across {locations} locations: {describe_ms(samples)}")
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=200)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        write_chain(work, args.locations, args.skus, args.lines)
        run(f"sqlite:///{work / 'bench.db'}", "sqlite", work, args.locations, args.skus)
        server = os.environ.get("TEST_POSTGRES_URL")
        if server:
            from sqlalchemy import create_engine, text

            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text("DROP DATABASE IF EXISTS bench_import WITH (FORCE)"))
                c.execute(text("CREATE DATABASE bench_import"))
            run(server.rsplit("/", 1)[0] + "/bench_import", "postgresql", work, args.locations, args.skus)
        else:
            print("[postgresql] skipped: set TEST_POSTGRES_URL to measure it")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
