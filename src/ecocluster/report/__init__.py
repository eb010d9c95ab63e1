"""The survey report: a document model, its HTML rendering and the report folder.

Build a `Report` from sections and blocks, then `write_report` it. Charts come from
`ecocluster.report.figures`, which is imported on demand because it loads matplotlib.
"""

from ecocluster.report.document import (
    Block,
    Bullets,
    Callout,
    FigureBlock,
    KeyFigures,
    Paragraph,
    Report,
    Section,
    TableBlock,
)
from ecocluster.report.html import (
    ReportFiles,
    ReportOutputError,
    render_html,
    summary_json,
    write_report,
)

__all__ = [
    "Block",
    "Bullets",
    "Callout",
    "FigureBlock",
    "KeyFigures",
    "Paragraph",
    "Report",
    "ReportFiles",
    "ReportOutputError",
    "Section",
    "TableBlock",
    "render_html",
    "summary_json",
    "write_report",
]
