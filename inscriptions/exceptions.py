class Refused(Exception):
    """An action the rules do not allow. `reason` is a sentence in French for the person who asked."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class DateRefused(Refused):
    """A day outside the bounds of the step it dates: forms show the reason on their date field."""
