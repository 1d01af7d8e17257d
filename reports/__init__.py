"""PDF documents with reportlab: collect(data) -> render(pdf). No database, no Flask."""
