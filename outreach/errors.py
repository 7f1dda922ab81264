"""Errors a person can fix: each names the file, line or field, and what to do."""


class OutreachError(Exception):
    """An error to show the user as it is, without a traceback."""


class ConfigError(OutreachError):
    def __init__(self, path: object, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: invalid configuration\n{lines}")
