"""The formula guard: a text cell that a spreadsheet would run as a formula (or a DDE command) is
written with an apostrophe in front, and read back without it.

On its own (no other import) so that the csv export's helper process (`csv_helper`) loads only it."""

from __future__ import annotations

# A spreadsheet treats a cell that starts with one of these as a formula (or a DDE command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a text that a spreadsheet would run (=, +, -, @, tab, CR) with an apostrophe."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise` when a file we wrote comes back in."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
