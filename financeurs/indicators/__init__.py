"""The indicators of a funding agreement: their definitions (definitions.py, esf.py) and their computation
(compute.py). Callers import from here."""

from financeurs.indicators.compute import compute, participants, representatives, scopes
from financeurs.indicators.definitions import ENTERED, INDICATORS, Indicator, IndicatorResult, Period, Report
from financeurs.indicators.esf import ESF_INDICATORS

__all__ = [
    "ENTERED",
    "ESF_INDICATORS",
    "INDICATORS",
    "Indicator",
    "IndicatorResult",
    "Period",
    "Report",
    "compute",
    "participants",
    "representatives",
    "scopes",
]
