from shangmi.apps.assessment.models.assessments import Answer, AnswerSource, Assessment, AssessmentState
from shangmi.apps.assessment.models.events import AssessmentEvent, AssessmentEventKind

__all__ = [
    "Answer",
    "AnswerSource",
    "Assessment",
    "AssessmentEvent",
    "AssessmentEventKind",
    "AssessmentState",
]
