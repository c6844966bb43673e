"""The `mapping` table of a HubSpot portal: batch size and extra contact properties."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from connectors.config import MappingSettings


class HubSpotMapping(MappingSettings):
    """HubSpot specifics: batch size (the API allows at most 100 inputs) and extra properties."""

    batch_size: Annotated[int, Field(ge=1, le=100)] = 100
    extra_contact_properties: tuple[str, ...] = ()
