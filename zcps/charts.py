"""Bar charts drawn by the server as inline SVG: no script, nothing fetched (intranets), printable,
and readable without colour (each bar carries its number). Every label is escaped (``Markup.format``);
the table beside each chart is its accessible version."""
from markupsafe import Markup

from .exports import display_width
from .i18n import aside, local_month_day, reader_locale

BAR_HEIGHT = 18
ROW_HEIGHT = 28
BAR_AREA = 300  # pixels for the longest bar
CHAR_WIDTH = 7  # pixels per width unit of a 12 px label (a hanzi takes two)
MAX_LABEL_UNITS = 24
NUMBER_ROOM = 56
FILL = "#2f6fb0"


def _short(label: str) -> str:
    """A label cut to ``MAX_LABEL_UNITS`` (the table beside the chart has it in full)."""
    if display_width(label) <= MAX_LABEL_UNITS:
        return label
    cut = ""
    for char in label:
        if display_width(cut + char) > MAX_LABEL_UNITS - 2:
            break
        cut += char
    return cut + "…"


def bar_chart(title: str, bars) -> Markup:
    """A horizontal bar chart of ``bars`` ((label, number) pairs) as an ``<svg>`` element."""
    bars = [(_short(str(label)), int(value)) for label, value in bars]
    label_room = max([display_width(label) for label, _value in bars] + [4]) * CHAR_WIDTH + 12
    width = label_room + BAR_AREA + NUMBER_ROOM
    height = max(1, len(bars)) * ROW_HEIGHT + 8
    largest = max([value for _label, value in bars] + [1])
    parts = [Markup('<svg xmlns="http://www.w3.org/2000/svg" class="zcps-chart" role="img" '
                    'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-size="12">'
                    '<title>{t}</title>').format(w=width, h=height, t=title)]
    for row, (label, value) in enumerate(bars):
        top = 4 + row * ROW_HEIGHT
        middle = top + ROW_HEIGHT // 2
        length = round(BAR_AREA * value / largest)
        parts.append(Markup(
            '<g><text x="{lx}" y="{my}" text-anchor="end" dominant-baseline="middle">{label}</text>'
            '<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" fill="{fill}" stroke="#1d4a78"/>'
            '<text x="{nx}" y="{my}" dominant-baseline="middle">{value}</text></g>').format(
            lx=label_room - 8, my=middle, label=label, bx=label_room,
            by=middle - BAR_HEIGHT // 2, bw=length, bh=BAR_HEIGHT, fill=FILL,
            nx=label_room + length + 6, value=value))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)



# --- line charts --------------------------------------------------------------------------------

LINE_WIDTH = 720  # the plot area
LINE_HEIGHT = 220
LEFT = 44
LEGEND_ROOM = 28
MARK_ROOM = 16  # a row of deadline labels above the plot
AXIS_ROOM = 24
LABEL_GAP = 8  # pixels at least between two month labels
# Each line is told apart without colour: its dashes, its marker and its name in the legend.
STYLES = (
    {"stroke": "#1d4a78", "dash": "", "marker": "circle"},
    {"stroke": "#9a3412", "dash": "8 4", "marker": "square"},
    {"stroke": "#166534", "dash": "2 3", "marker": "triangle"},
)


def _marker(kind: str, x: float, y: float, colour: str) -> Markup:
    if kind == "circle":
        return Markup('<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#fff" stroke="{c}" '
                      'stroke-width="1.5"/>').format(x=x, y=y, c=colour)
    if kind == "square":
        return Markup('<rect x="{x:.1f}" y="{y:.1f}" width="7" height="7" fill="{c}"/>').format(
            x=x - 3.5, y=y - 3.5, c=colour)
    return Markup('<path d="M{x:.1f} {top:.1f} L{right:.1f} {bottom:.1f} L{left:.1f} {bottom:.1f} Z" '
                  'fill="{c}"/>').format(x=x, top=y - 4.5, right=x + 4.5, left=x - 4.5,
                                         bottom=y + 3.5, c=colour)


MONTH_PATTERNS = {"zh": ("y年M月", "M月"), "en": ("MMM y", "MMM")}


def _month(day, with_year: bool) -> str:
    """2026年1月 / Jan 2026, or 2月 / Feb, in the reader's language."""
    from babel.dates import format_date

    locale = reader_locale()
    patterns = MONTH_PATTERNS.get(locale.language, MONTH_PATTERNS["en"])
    return format_date(day, patterns[0] if with_year else patterns[1], locale=locale)


def line_chart(title: str, days, lines, marks=()) -> Markup:
    """A line per ``lines`` entry ((label, numbers per day of ``days``)) as an ``<svg>``: days
    along, the number up; a marker on every day with a number (its value written at each line's
    highest day), the ``marks`` ((day, label) pairs, the plan's deadlines) as dashed uprights."""
    days = list(days)
    span = max(1, len(days) - 1)
    largest = max([max(numbers, default=0) for _label, numbers in lines] + [1])
    marks = [(day, str(label)) for day, label in marks if days and days[0] <= day <= days[-1]]
    top = LEGEND_ROOM + MARK_ROOM * max(1, len(marks)) + 14 * len(lines)
    width = LEFT + LINE_WIDTH + 40
    height = top + LINE_HEIGHT + AXIS_ROOM

    def x_of(index: int) -> float:
        return LEFT + LINE_WIDTH * index / span

    def y_of(number: int) -> float:
        return top + LINE_HEIGHT - LINE_HEIGHT * number / largest

    parts = [Markup('<svg xmlns="http://www.w3.org/2000/svg" class="zcps-chart zcps-line-chart" '
                    'role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-size="12">'
                    '<title>{t}</title>').format(w=width, h=height, t=title)]
    # Axes, the number scale (0, half, the largest) and the first day of each month.
    parts.append(Markup('<path d="M{l} {t} V{b} H{r}" fill="none" stroke="#555"/>').format(
        l=LEFT, t=top, b=top + LINE_HEIGHT, r=LEFT + LINE_WIDTH))
    for number in sorted({0, largest // 2, largest}):
        parts.append(Markup('<text x="{x}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle">'
                            '{n}</text><path d="M{l} {y:.1f} H{r}" stroke="#ddd"/>').format(
            x=LEFT - 6, y=y_of(number), n=number, l=LEFT + 1, r=LEFT + LINE_WIDTH))
    # The first day of a month (the year written on the first label shown and where the year
    # changes), each label placed whole inside the chart and left out where it would come
    # closer than LABEL_GAP to the one before: labels never overlap.
    shown_until, shown_year = float("-inf"), None
    for index, day in enumerate(days):
        if day.day != 1 and index != 0:
            continue
        label = _month(day, with_year=day.year != shown_year)
        half = display_width(label) * CHAR_WIDTH / 2
        x = min(max(x_of(index), LEFT + half), width - half)
        if x - half < shown_until + LABEL_GAP:
            continue
        shown_until, shown_year = x + half, day.year
        parts.append(Markup('<path d="M{tick:.1f} {b} v4" stroke="#555"/><text class="zcps-month" '
                            'x="{x:.1f}" y="{y}" text-anchor="middle">{label}</text>').format(
            tick=x_of(index), x=x, b=top + LINE_HEIGHT, y=top + LINE_HEIGHT + 17, label=label))
    # The deadlines: a dashed upright each, its label in a row of its own above the plot.
    for row, (day, label) in enumerate(marks):
        x = x_of((day - days[0]).days)
        label_y = LEGEND_ROOM + MARK_ROOM * row + 11
        anchor = "end" if x > LEFT + LINE_WIDTH * 0.6 else "start"
        parts.append(Markup(
            '<g class="zcps-mark"><path d="M{x:.1f} {y0} V{y1}" stroke="#444" stroke-dasharray="3 3"/>'
            '<text x="{tx:.1f}" y="{ly}" text-anchor="{a}">{label}{when}</text></g>').format(
            x=x, y0=label_y + 3, y1=top + LINE_HEIGHT, tx=x + (-3 if anchor == "end" else 3),
            ly=label_y, a=anchor, label=label, when=aside(local_month_day(day))))
    # The legend: a piece of each line with its marker, and its name.
    legend_x = LEFT
    for number, (label, _numbers) in enumerate(lines):
        style = STYLES[number % len(STYLES)]
        parts.append(Markup(
            '<g class="zcps-legend"><path d="M{x} 12 h28" stroke="{c}" stroke-width="2" '
            'stroke-dasharray="{dash}"/>{marker}<text x="{tx}" y="12" dominant-baseline="middle">'
            '{label}</text></g>').format(
            x=legend_x, c=style["stroke"], dash=style["dash"] or "none",
            marker=_marker(style["marker"], legend_x + 14, 12, style["stroke"]),
            tx=legend_x + 34, label=label))
        legend_x += 34 + display_width(str(label)) * CHAR_WIDTH + 24
    for number, (label, numbers) in enumerate(lines):
        style = STYLES[number % len(STYLES)]
        points = " ".join(f"{x_of(index):.1f},{y_of(value):.1f}"
                          for index, value in enumerate(numbers))
        parts.append(Markup('<g class="zcps-line"><polyline points="{p}" fill="none" stroke="{c}" '
                            'stroke-width="1.5" stroke-dasharray="{dash}"/>').format(
            p=points, c=style["stroke"], dash=style["dash"] or "none"))
        for index, value in enumerate(numbers):
            if value:
                parts.append(_marker(style["marker"], x_of(index), y_of(value), style["stroke"]))
        if any(numbers):
            peak = max(range(len(numbers)), key=lambda index: numbers[index])
            parts.append(Markup('<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{label} {n}'
                                '</text>').format(x=x_of(peak),
                                                   y=y_of(numbers[peak]) - 8 - 14 * number,
                                                   label=label, n=numbers[peak]))
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
