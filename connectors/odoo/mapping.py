"""The `mapping` table of an Odoo system: its database, API user and payment terms."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from connectors.config import MappingSettings


class OdooMapping(MappingSettings):
    """Odoo specifics: database, API user, and which payment terms mean "prepay"."""

    database: str
    login: str
    uid: int | None = None  # skip `authenticate` when known
    prepay_terms: tuple[str, ...] = ("Immediate Payment",)
    page_size: Annotated[int, Field(ge=1, le=1000)] = 200
