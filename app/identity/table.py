"""Normalized records held as columns, so many pairs can be compared at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import numpy as np

from app.identity.names import given_name_key
from app.identity.normalized import NormalizedRecord

_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(NormalizedRecord))


class RecordTable:
    """Column arrays (numpy object arrays of str, "" when missing) over normalized records.

    Besides the record fields it holds `family_as_given_key`, the family name read as a given
    name, which is what a record with swapped names is compared on.
    """

    def __init__(self, records: Sequence[NormalizedRecord]) -> None:
        self.records: tuple[NormalizedRecord, ...] = tuple(records)
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {
            name: np.array([getattr(r, name) for r in self.records], dtype=object)
            for name in _COLUMNS
        }
        self._columns["family_as_given_key"] = np.array(
            [given_name_key(r.family_name) for r in self.records], dtype=object
        )
        # Birth dates as rows of 8 digit code points (yyyymmdd), zeros where missing.
        compact = np.array([r.birth_date.replace("-", "") for r in self.records], dtype="U8")
        self.birth_digits: np.ndarray = (
            compact.view(np.uint32).reshape(-1, 8) if len(compact) else np.zeros((0, 8), np.uint32)
        )

    def __len__(self) -> int:
        return len(self.records)

    def column(self, name: str) -> np.ndarray:
        """The values of one field for every record, in record order."""
        return self._columns[name]

    def lengths(self, name: str) -> np.ndarray:
        """The length of each value of a column (computed once)."""
        if name not in self._lengths:
            values = self._columns[name]
            self._lengths[name] = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        return self._lengths[name]
