"""Reading one CSV file into checked values, with errors that name file, line and column."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

MAX_ERRORS_LISTED = 20


@dataclass(slots=True, frozen=True)
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column {self.column}: {self.message}"


class BadValue(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


class CsvFile:
    """Rows of one UTF-8 CSV with a header, checked against required and optional columns."""

    def __init__(self, path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        self.path = path
        self.name = path.name
        self.required = required
        self.optional = optional
        self.errors: list[RowError] = []

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, row) pairs; header problems are recorded as errors on line 1."""
        try:
            handle = self.path.open(newline="", encoding="utf-8-sig")
        except OSError as error:
            self.errors.append(RowError(self.name, 0, "-", f"cannot open: {error.strerror}"))
            return
        with handle:
            try:
                reader = csv.reader(handle)
                header = [h.strip() for h in next(reader, [])]
                missing = [c for c in self.required if c not in header]
                if missing:
                    self.errors.append(RowError(self.name, 1, ",".join(missing), "missing column(s)"))
                    return
                index = {name: header.index(name) for name in (*self.required, *self.optional) if name in header}
                for number, values in enumerate(reader, start=2):
                    if not any(v.strip() for v in values):
                        continue
                    yield number, {name: values[i].strip() if i < len(values) else "" for name, i in index.items()}
            except UnicodeDecodeError:
                self.errors.append(RowError(self.name, 0, "-", "file is not UTF-8"))
            except csv.Error as error:
                self.errors.append(RowError(self.name, 0, "-", f"malformed CSV: {error}"))

    def fail(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(self.name, line, column, message))


def text(row: dict[str, str], column: str, *, required: bool = True, max_length: int = 200) -> str:
    value = row.get(column, "")
    if required and not value:
        raise BadValue(column, "is empty")
    if len(value) > max_length:
        raise BadValue(column, f"is longer than {max_length} characters")
    return value


def whole_number(
    row: dict[str, str], column: str, *, minimum: int | None = 0, maximum: int = 1_000_000_000, required: bool = True
) -> int | None:
    value = row.get(column, "")
    if not value:
        if required:
            raise BadValue(column, "is empty")
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadValue(column, f"{value!r} is not a number") from None
    if not number.is_integer():
        raise BadValue(column, f"{value!r} is not a whole number")
    if minimum is not None and number < minimum:
        raise BadValue(column, f"{value!r} is below {minimum}")
    if abs(number) > maximum:
        raise BadValue(column, f"{value!r} is too large")
    return int(number)


def decimal(row: dict[str, str], column: str, *, minimum: float | None = 0.0, lo: float | None = None, hi: float | None = None) -> float:
    value = row.get(column, "")
    try:
        number = float(value)
    except ValueError:
        raise BadValue(column, f"{value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValue(column, f"{value!r} is not a number")
    if minimum is not None and number < minimum:
        raise BadValue(column, f"{value!r} is below {minimum}")
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise BadValue(column, f"{value!r} is out of range {lo}..{hi}")
    return number


TRUE_VALUES = ("1", "true", "yes", "y")
FALSE_VALUES = ("0", "false", "no", "n")


def flag(row: dict[str, str], column: str, default: bool = False) -> bool:
    value = row.get(column, "").lower()
    if not value:
        return default
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise BadValue(column, f"{value!r} is not 0 or 1")


def day(row: dict[str, str], column: str) -> date:
    value = row.get(column, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(column, f"{value!r} is not a date (YYYY-MM-DD)") from None


def timestamp(row: dict[str, str], column: str, zone: tzinfo) -> datetime:
    """ISO 8601 with or without offset; without one it is local time in the chain's zone."""
    value = row.get(column, "")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(column, f"{value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
