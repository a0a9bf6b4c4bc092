"""Tables: a header row that repeats on every page, fixed column widths, optional shading."""

from __future__ import annotations

from collections.abc import Sequence


def _cell(content: str, width: int, *, shade: str | None) -> str:
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if shade:
        tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{content}</w:tc>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int], *,
          style: str = "MsaTable", shaded_rows: Sequence[int] = (), header_fill: str = "D9E2F3",
          header_mark: str = "", row_marks: Sequence[str] = ()) -> str:
    """A table whose cells are given as paragraph XML; `widths` in twentieths of a point.

    `header_mark` and `row_marks` (per body row) end a row's properties: a redline puts the
    tracked insertion or deletion of the whole row there (see ooxml/revisions.py).
    """
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
        'w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    if header:
        cells = "".join(_cell(c, w, shade=header_fill) for c, w in zip(header, widths))
        out.append(f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader/>{header_mark}</w:trPr>{cells}</w:tr>')
    shaded = set(shaded_rows)
    for index, row in enumerate(rows):
        fill = "FFF2CC" if index in shaded else None
        cells = "".join(_cell(c, w, shade=fill) for c, w in zip(row, widths))
        mark = row_marks[index] if index < len(row_marks) else ""
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{mark}</w:trPr>{cells}</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def column_widths(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` twips between columns in proportion to `weights`, summing exactly."""
    whole = sum(weights)
    widths = [total * w // whole for w in weights]
    widths[-1] += total - sum(widths)
    return widths
