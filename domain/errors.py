"""Refusals the domain gives, each with a code the chat layer turns into a sentence.

A `DomainError` is an expected answer ("not enough stock"), not a crash: it
carries a stable `code` (the template `errors/<code>` renders it in the user's
language) and the facts the sentence needs.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, code: str | None = None, /, **facts: object) -> None:
        self.code = code or self.code
        self.facts = facts
        super().__init__(f"{self.code}: {facts}" if facts else self.code)


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    """The actor's role or location does not permit the action."""

    code = "not_allowed"


class InsufficientStock(DomainError):
    code = "insufficient_stock"


class InvalidQuantity(DomainError):
    code = "invalid_quantity"


class InvalidTransition(DomainError):
    """A state machine was asked to move along an edge it does not have."""

    code = "invalid_transition"


class Conflict(DomainError):
    """Someone else changed the same thing first."""

    code = "conflict"
