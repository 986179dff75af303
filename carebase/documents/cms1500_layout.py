"""Where the CMS-1500 (02/12) prints each value: the NUCC print grid of the 8.5 x 11 inch
form, 10 characters per inch (85 columns) and 6 lines per inch (66 lines), both counted from
1 at the top left. Each box (or part of a box) is (column, line, width in characters); the
drawing prints every value at its box's column and line, never wider than its width, and the
tests read the PDF back against this same table."""

from __future__ import annotations

from typing import NamedTuple

COLUMNS = 85
LINES = 66
POINTS_PER_COLUMN = 7.2  # 72 pt / 10 characters
POINTS_PER_LINE = 12.0  # 72 pt / 6 lines
PAGE_WIDTH = COLUMNS * POINTS_PER_COLUMN  # 612 pt: 8.5 in
PAGE_HEIGHT = LINES * POINTS_PER_LINE  # 792 pt: 11 in
FONT = "Courier"
FONT_SIZE = 12.0  # Courier advances 0.6 em: 7.2 pt at 12 pt, ten to the inch
BASELINE = 9.5  # points below a line's top where its text sits


class Box(NamedTuple):
    column: int
    line: int
    width: int

    @property
    def left(self) -> float:
        return (self.column - 1) * POINTS_PER_COLUMN

    @property
    def right(self) -> float:
        return (self.column - 1 + self.width) * POINTS_PER_COLUMN

    @property
    def top(self) -> float:
        """Distance from the page's top edge, in points."""
        return (self.line - 1) * POINTS_PER_LINE

    @property
    def bottom(self) -> float:
        return self.line * POINTS_PER_LINE


# the six lines of box 24: each service prints on its unshaded line
SERVICE_LINES = (44, 46, 48, 50, 52, 54)

BOXES: dict[str, Box] = {
    "payer.name": Box(50, 2, 30),
    # box 1: one X per plan type
    "1.MEDICARE": Box(2, 8, 1),
    "1.MEDICAID": Box(9, 8, 1),
    "1.TRICARE": Box(16, 8, 1),
    "1.CHAMPVA": Box(25, 8, 1),
    "1.GROUP_HEALTH": Box(32, 8, 1),
    "1.FECA_BLACK_LUNG": Box(40, 8, 1),
    "1.OTHER": Box(46, 8, 1),
    "1a": Box(50, 8, 29),
    "2": Box(2, 10, 28),
    "3.date": Box(31, 10, 10),
    "3.MALE": Box(43, 10, 1),
    "3.FEMALE": Box(48, 10, 1),
    "4": Box(50, 10, 29),
    "5.street": Box(2, 12, 28),
    "5.city": Box(2, 14, 24),
    "5.state": Box(26, 14, 3),
    "5.zip": Box(2, 16, 12),
    "6.SELF": Box(34, 12, 1),
    "6.SPOUSE": Box(39, 12, 1),
    "6.CHILD": Box(43, 12, 1),
    "6.OTHER": Box(48, 12, 1),
    "7.street": Box(50, 12, 29),
    "7.city": Box(50, 14, 23),
    "7.state": Box(74, 14, 3),
    "7.zip": Box(50, 16, 12),
    "11": Box(50, 18, 29),
    "11a.date": Box(53, 20, 10),
    "11a.MALE": Box(68, 20, 1),
    "11a.FEMALE": Box(75, 20, 1),
    "11b": Box(50, 22, 29),
    "11c": Box(50, 24, 29),
    "11d.NO": Box(57, 26, 1),
    "12": Box(7, 30, 20),
    "13": Box(56, 30, 20),
    "21.indicator": Box(46, 37, 1),
    **{
        f"21.{letter}": Box(3 + 13 * (i % 4), 38 + i // 4, 8)
        for i, letter in enumerate("ABCDEFGHIJKL")
    },
    "25": Box(2, 56, 15),
    "25.SSN": Box(18, 56, 1),
    "25.EIN": Box(20, 56, 1),
    "26": Box(24, 56, 14),
    "27.YES": Box(39, 56, 1),
    "28": Box(51, 56, 10),
    "29": Box(63, 56, 9),
    "33.phone": Box(67, 57, 15),
    "31.name": Box(2, 59, 20),
    "31.date": Box(2, 61, 20),
    "32.name": Box(24, 58, 26),
    "32.street": Box(24, 59, 26),
    "32.city": Box(24, 60, 26),
    "32a": Box(24, 61, 10),
    "33.name": Box(51, 58, 29),
    "33.street": Box(51, 59, 29),
    "33.city": Box(51, 60, 29),
    "33a": Box(51, 61, 10),
    "33b": Box(63, 61, 14),
}

# box 24, columns A-J, on service line ``n`` (1-6)
LINE_COLUMNS: dict[str, tuple[int, int]] = {
    "24A.from": (1, 8),
    "24A.to": (10, 8),
    "24B": (19, 2),
    "24D.code": (25, 6),
    "24D.modifiers": (32, 11),
    "24E": (45, 4),
    "24F": (50, 9),
    "24G": (60, 3),
    "24J": (68, 11),
}


def line_box(name: str, n: int) -> Box:
    """Box ``name`` (e.g. "24F") on service line ``n`` of box 24, counted from 1."""
    column, width = LINE_COLUMNS[name]
    return Box(column, SERVICE_LINES[n - 1], width)
