"""The surveys of the simulated SurveyMonkey account: ids, questions and their scales.

Pure data shared by the simulator (which renders it as SurveyMonkey JSON) and by the demo
configuration (which maps question ids to NPS / CSAT / CES, as an operator would).
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMER_ID_VARIABLE = "c360_id"


@dataclass(frozen=True, slots=True)
class ScaleQuestion:
    """A one-row rating question whose choice weights are the score (0-10, 1-5 or 1-7)."""

    question_id: str
    metric: str  # "nps" | "csat" | "ces"
    heading: str
    low: int
    high: int
    low_label: str
    high_label: str

    @property
    def row_id(self) -> str:
        """The id of the single matrix row that carries the answer."""
        return f"{self.question_id}9"

    def choice_id(self, score: int) -> str:
        """The choice id that stands for `score`."""
        return f"{self.question_id}{score:02d}"


@dataclass(frozen=True, slots=True)
class Survey:
    """One survey: its scale questions, an open comment question, its collectors."""

    survey_id: str
    title: str
    nickname: str
    page_id: str
    questions: tuple[ScaleQuestion, ...]
    comment_question_id: str
    email_collector_id: str
    weblink_collector_id: str


SURVEYS: tuple[Survey, ...] = (
    Survey(
        survey_id="410000001",
        title="How likely are you to recommend us?",
        nickname="Relationship NPS",
        page_id="51000001",
        questions=(
            ScaleQuestion(
                "620000001",
                "nps",
                "How likely is it that you would recommend us to a friend or colleague?",
                0,
                10,
                "Not at all likely",
                "Extremely likely",
            ),
        ),
        comment_question_id="620000002",
        email_collector_id="720000001",
        weblink_collector_id="720000002",
    ),
    Survey(
        survey_id="410000002",
        title="How did we do with your support request?",
        nickname="Support follow-up",
        page_id="51000002",
        questions=(
            ScaleQuestion(
                "620000011",
                "csat",
                "How satisfied were you with the support you received?",
                1,
                5,
                "Very dissatisfied",
                "Very satisfied",
            ),
            ScaleQuestion(
                "620000012",
                "ces",
                "The company made it easy for me to handle my issue.",
                1,
                7,
                "Strongly disagree",
                "Strongly agree",
            ),
        ),
        comment_question_id="620000013",
        email_collector_id="720000011",
        weblink_collector_id="720000012",
    ),
    Survey(
        survey_id="410000003",
        title="Tell us about your recent order",
        nickname="Post-purchase",
        page_id="51000003",
        questions=(
            ScaleQuestion(
                "620000021",
                "csat",
                "Overall, how satisfied are you with your order?",
                1,
                5,
                "Very dissatisfied",
                "Very satisfied",
            ),
        ),
        comment_question_id="620000022",
        email_collector_id="720000021",
        weblink_collector_id="720000022",
    ),
)
SURVEY_BY_ID = {survey.survey_id: survey for survey in SURVEYS}


def question_ids(metric: str) -> tuple[str, ...]:
    """Ids of every scale question measuring `metric` ("nps", "csat" or "ces")."""
    return tuple(q.question_id for s in SURVEYS for q in s.questions if q.metric == metric)
