"""Bar charts drawn by the server as inline SVG: no script, nothing fetched (intranets), printable,
and readable without colour (each bar carries its number). Every label is escaped (``Markup.format``);
the table beside each chart is its accessible version."""
from markupsafe import Markup

from .exports import display_width

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

