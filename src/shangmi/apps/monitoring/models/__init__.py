from shangmi.apps.monitoring.models.alerts import Alert, AlertNote, AlertState, ScoringRun, Severity
from shangmi.apps.monitoring.models.sources import LogSource, LogUpload, MonitoringSettings

__all__ = [
    "Alert",
    "AlertNote",
    "AlertState",
    "LogSource",
    "LogUpload",
    "MonitoringSettings",
    "ScoringRun",
    "Severity",
]
