class Refused(Exception):
    """An action the rules do not allow. `reason` is a sentence in French for the person who asked."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
