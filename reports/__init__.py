"""PDF documents: `collect(kind, data)` words the content, `render(document)` draws the PDF.

Pure: never touches a database or Flask; the server gathers the data and computes the terms.
"""

from reports.collect import TITLES, collect
from reports.render import render

__all__ = ["TITLES", "collect", "render"]
