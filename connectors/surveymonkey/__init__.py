"""SurveyMonkey, a survey tool: responses with their NPS, CSAT and CES answers.

The type's one description; its connector (`connector.py`, API v3) and its `mapping` table
(`mapping.py`: which questions are which score) live beside it, and `connectors.registry`
registers it.
"""

from __future__ import annotations

from connectors.records import ConnectorKind, SourceKind
from connectors.surveymonkey.connector import SurveyMonkeyConnector
from connectors.surveymonkey.mapping import SurveyMonkeyMapping
from connectors.system_type import Secret, SystemType

SURVEYMONKEY = SystemType(
    name="surveymonkey",
    kind=ConnectorKind.SURVEY,
    serves=(SourceKind.SURVEY_RESPONSES,),
    mapping=SurveyMonkeyMapping,
    connector=SurveyMonkeyConnector,
    secret=Secret.BEARER,
    webhooks=("surveymonkey",),  # response completed, signed with the app's client id
)
