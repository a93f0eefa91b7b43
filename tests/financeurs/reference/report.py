"""What the reference gives for one agreement and one period, field by field as Tremplin's report."""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Result:
    code: str
    value: object
    numerator: int | None = None
    denominator: int | None = None
    target: Decimal | None = None
    target_met: bool | None = None
    value_over_all: Decimal | None = None
    denominator_over_all: int | None = None
    women: int | None = None
    men: int | None = None


@dataclass
class Report:
    results: dict  # code -> Result
    results_complete_on: datetime.date | None
    results_complete: bool
    still_in_training_after_end: int
