"""What a scenario measures (Figure) and how it says it could not (Unavailable).

Figure: a key (JSON), a label (table), a unit, and which way is better ("lower"/"higher"),
so the report can print a ratio where > 1 always means our daemon did better.
Unavailable(reason): raised from a scenario, the whole scenario is "n/a (reason)" for that side;
stored as one figure's value, only that figure is. The reason names the cause.
"""


class Figure:
    def __init__(self, key, label, unit, better="lower", digits=None):
        self.key, self.label, self.unit, self.better = key, label, unit, better
        self.digits = digits


class Unavailable(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason

    def __str__(self):
        return self.reason
