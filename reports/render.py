"""Render a collected document (plain data, see `reports.collect`) to PDF bytes with reportlab.

A document is a dict: `title`, `kenmerk`, `letterhead` {`name`, `address` [lines], `logo`
path or None}, optional `recipient` [lines], optional `header` [[label, value], ...] (the
letter header fields) and `blocks`, each a dict with a type `t`:

- `h1`, `h2`: a heading (`text`); `p`: a paragraph (`text`, optional `bold`);
- `fields`: label/value rows (`rows`); `table`: `head`, `rows`, optional `widths` (fractions) and
  `plain` (cells of one line each, for long lists: drawn as tables of 40 rows, each with the head);
- `bullets`: `items`; `box`: a framed paragraph (`text`); `photo`: `sha256`, `caption`;
- `signature`: `lines`; `pagebreak`; `keep`: `blocks` kept on one page where possible.
- `chart`: a bar chart from plain data (reports.charts).

All text is plain (escaped here). Every page carries the kenmerk and 'Pagina X van Y'; a
concept carries CONCEPT across every page. The output is byte-for-byte repeatable for the
same input (reportlab's invariant mode), so a document's SHA-256 identifies its content.
"""

from __future__ import annotations

import io
from typing import Any, Callable
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports import charts

ImagePath = Callable[[str], str | None]


class PhotoUnreadable(Exception):
    """An ImagePath's answer for a photo that is stored but cannot be shown: drawn as a marked placeholder."""

    def __init__(self, sha256: str) -> None:
        super().__init__(sha256)
        self.sha256 = sha256

# Streams stay binary (compressed, not ASCII85-encoded): reportlab's pure-Python ASCII85 encoder
# took about 0.17 s per camera photo, and binary streams are a fifth smaller.
rl_config.useA85 = 0

WIDTH, HEIGHT = A4
MARGIN = 22 * mm
LETTERHEAD_HEIGHT = 38 * mm
TEXT_WIDTH = WIDTH - 2 * MARGIN

BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=10, leading=14, spaceAfter=5)
STYLES = {
    "p": BASE,
    "bold": ParagraphStyle("bold", parent=BASE, fontName="Helvetica-Bold"),
    "h1": ParagraphStyle("h1", parent=BASE, fontName="Helvetica-Bold", fontSize=15, leading=19, spaceBefore=4,
                         spaceAfter=8, keepWithNext=1),
    "h2": ParagraphStyle("h2", parent=BASE, fontName="Helvetica-Bold", fontSize=11.5, leading=15, spaceBefore=8,
                         spaceAfter=4, keepWithNext=1),
    "cell": ParagraphStyle("cell", parent=BASE, fontSize=8.5, leading=10.5, spaceAfter=0),
    "cellhead": ParagraphStyle("cellhead", parent=BASE, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5,
                               spaceAfter=0),
    "caption": ParagraphStyle("caption", parent=BASE, fontName="Helvetica-Oblique", fontSize=8.5, leading=11),
    "head": ParagraphStyle("head", parent=BASE, fontSize=9, leading=12, spaceAfter=0),
    "letterhead": ParagraphStyle("letterhead", parent=BASE, fontSize=8.5, leading=11, alignment=TA_RIGHT,
                                 spaceAfter=0),
}
PLAIN_ROWS = 40
LINE = colors.HexColor("#5b6770")
SHADE = colors.HexColor("#e8ecef")


def text(value: Any) -> str:
    """Return plain text escaped for a reportlab paragraph, line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def para(value: Any, style: str = "p") -> Paragraph:
    """Return a paragraph of plain text."""
    return Paragraph(text(value), STYLES[style])


def _fit(value: str, width: float) -> str:
    """Return plain cell text whose every line fits the width (shortened with an ellipsis where it does not)."""
    lines = value.split("\n")
    for n, line in enumerate(lines):
        if stringWidth(line, "Helvetica", 8.5) > width:
            while line and stringWidth(line + "…", "Helvetica", 8.5) > width:
                line = line[:-1]
            lines[n] = line + "…"
    return "\n".join(lines)


def _table(head: list[str] | None, rows: list[list[Any]], widths: list[float] | None,
           label_column: bool = False, plain: bool = False) -> Table:
    data: list[list[Any]] = []
    if head:
        data.append([para(h, "cellhead") for h in head])
    columns = len(head or (rows[0] if rows else [])) or 1
    fractions = widths or [1 / columns] * columns
    if plain:  # lines of text, no paragraphs: a list of thousands of rows draws in seconds, not minutes
        data += [[_fit("" if c is None else str(c), f * TEXT_WIDTH - 6) for c, f in zip(row, fractions, strict=False)]
                 for row in rows]
    else:
        data += [[para(c, "cellhead" if label_column and i == 0 else "cell") for i, c in enumerate(row)]
                 for row in rows]
    table = Table(data, colWidths=[f * TEXT_WIDTH for f in fractions], repeatRows=1 if head else 0)
    style: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
             ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if not label_column:
        style += [("GRID", (0, 0), (-1, -1), 0.4, LINE)]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    if plain:
        style.append(("FONT", (0, 1 if head else 0), (-1, -1), "Helvetica", 8.5, 10.5))
    table.setStyle(TableStyle(style))
    return table


def _photo(block: dict[str, Any], image_path: ImagePath | None) -> list[Flowable]:
    caption = block.get("caption") or ""
    try:
        path = image_path(block["sha256"]) if image_path else None
        if path is None:
            return [para(f"[Foto {block['sha256'][:12]}… niet beschikbaar] {caption}", "caption")]
        reader = ImageReader(path)
        w, h = reader.getSize()
    except (PhotoUnreadable, OSError):  # reportlab reports an image it cannot read as OSError
        return [_unreadable(block["sha256"], caption)]
    scale = min(TEXT_WIDTH * 0.62 / w, 80 * mm / h)
    image = Image(path, width=w * scale, height=h * scale, hAlign="LEFT")
    return [KeepTogether([image, para(caption, "caption")])]


def _unreadable(sha256: str, caption: str) -> Flowable:
    """Return the framed placeholder of a stored photo that cannot be shown: the document still stands."""
    box = Table([[para(f"[Foto {sha256} kan niet worden weergegeven]", "caption")], [para(caption, "caption")]],
                colWidths=[TEXT_WIDTH], hAlign="LEFT")
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, LINE), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                             ("TOPPADDING", (0, 0), (-1, -1), 4)]))
    return KeepTogether([box, Spacer(1, 6)])


def _flowables(blocks: list[dict[str, Any]], image_path: ImagePath | None) -> list[Flowable]:
    out: list[Flowable] = []
    for block in blocks:
        kind = block["t"]
        if kind in ("h1", "h2"):
            out.append(para(block["text"], kind))
        elif kind == "p":
            out.append(para(block["text"], "bold" if block.get("bold") else "p"))
        elif kind == "fields":
            out += [_table(None, block["rows"], block.get("widths") or [0.3, 0.7], label_column=True), Spacer(1, 6)]
        elif kind == "table":
            if block.get("plain"):
                # Splitting one table over pages costs time in the rows left, so a long list is drawn as
                # tables of PLAIN_ROWS rows, each with its head (one page of a list, or less).
                rows = block["rows"]
                out += [_table(block.get("head"), rows[i:i + PLAIN_ROWS], block.get("widths"), plain=True)
                        for i in range(0, max(len(rows), 1), PLAIN_ROWS)]
                out.append(Spacer(1, 8))
            else:
                out += [_table(block.get("head"), block["rows"], block.get("widths")), Spacer(1, 8)]
        elif kind == "bullets":
            out += [Paragraph(text(item), STYLES["p"], bulletText="•") for item in block["items"]]
        elif kind == "box":
            box = Table([[para(block["text"])]], colWidths=[TEXT_WIDTH])
            box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, LINE), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 5)]))
            out += [box, Spacer(1, 8)]
        elif kind == "photo":
            out += _photo(block, image_path)
        elif kind == "signature":
            out.append(KeepTogether([Spacer(1, 10)] + [para(line) for line in block["lines"]]))
        elif kind == "pagebreak":
            out.append(PageBreak())
        elif kind == "keep":
            out.append(KeepTogether(_flowables(block["blocks"], image_path)))
        elif kind == "chart":
            out += [KeepTogether([charts.drawing(block, TEXT_WIDTH)]), Spacer(1, 8)]
        else:
            raise ValueError(f"unknown block type {kind!r}")
    return out


class _NumberedCanvas(pdfcanvas.Canvas):
    """A canvas that keeps its pages until the end, to print 'Pagina X van Y' on each."""

    footer_left = ""
    concept = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont("Helvetica", 8)
        self.setFillColor(LINE)
        self.drawString(MARGIN, 12 * mm, self.footer_left)
        self.drawRightString(WIDTH - MARGIN, 12 * mm, f"Pagina {number} van {total}")
        if self.concept:
            self.setFont("Helvetica-Bold", 60)
            self.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.18))
            self.translate(WIDTH / 2, HEIGHT / 2)
            self.rotate(40)
            self.drawCentredString(0, 0, "CONCEPT")
        self.restoreState()


def _letterhead(doc: dict[str, Any]) -> Callable[[pdfcanvas.Canvas, Any], None]:
    head = doc["letterhead"]

    def draw(canvas: pdfcanvas.Canvas, _template: Any) -> None:
        canvas.saveState()
        top = HEIGHT - 14 * mm
        if head.get("logo"):
            try:
                logo = ImageReader(head["logo"])
                w, h = logo.getSize()
                scale = min(45 * mm / w, 22 * mm / h)
                canvas.drawImage(logo, MARGIN, top - h * scale, w * scale, h * scale, mask="auto")
            except OSError:
                pass
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawRightString(WIDTH - MARGIN, top - 4 * mm, head["name"])
        canvas.setFont("Helvetica", 8.5)
        for i, line in enumerate(head.get("address") or []):
            canvas.drawRightString(WIDTH - MARGIN, top - 9 * mm - i * 3.8 * mm, line)
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, HEIGHT - LETTERHEAD_HEIGHT + 4 * mm, WIDTH - MARGIN, HEIGHT - LETTERHEAD_HEIGHT + 4 * mm)
        canvas.restoreState()

    return draw


def _later_pages(doc: dict[str, Any]) -> Callable[[pdfcanvas.Canvas, Any], None]:
    def draw(canvas: pdfcanvas.Canvas, _template: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(LINE)
        canvas.drawString(MARGIN, HEIGHT - 12 * mm, f"{doc['letterhead']['name']} - {doc['title']}")
        canvas.restoreState()

    return draw


def render(doc: dict[str, Any], image_path: ImagePath | None = None, *, concept: bool = False) -> bytes:
    """Return the PDF of a collected document; image_path resolves a photo's SHA-256 to a file.

    image_path answers None for a photo not received (a note in the text) and raises
    PhotoUnreadable for one that cannot be shown (a framed placeholder with its hash).
    """
    buffer = io.BytesIO()
    template = BaseDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=18 * mm,
                               bottomMargin=20 * mm, title=doc["title"], author=doc["letterhead"]["name"],
                               subject=doc.get("kenmerk") or "", creator="Woontoezicht", invariant=1)
    first = Frame(MARGIN, 20 * mm, TEXT_WIDTH, HEIGHT - LETTERHEAD_HEIGHT - 20 * mm, id="first")
    later = Frame(MARGIN, 20 * mm, TEXT_WIDTH, HEIGHT - 38 * mm, id="later")
    template.addPageTemplates([PageTemplate("first", [first], onPage=_letterhead(doc), autoNextPageTemplate="later"),
                               PageTemplate("later", [later], onPage=_later_pages(doc))])
    story: list[Flowable] = []
    if doc.get("recipient"):
        story += [para(line, "head") for line in doc["recipient"]] + [Spacer(1, 10)]
    if doc.get("header"):
        story += [_table(None, doc["header"], [0.22, 0.78], label_column=True), Spacer(1, 10)]
    story += _flowables(doc["blocks"], image_path)

    footer = f"{doc['letterhead']['name']} | {doc.get('kenmerk') or doc['title']}"
    canvas_class = type("DocumentCanvas", (_NumberedCanvas,), {"footer_left": footer, "concept": concept})
    template.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
