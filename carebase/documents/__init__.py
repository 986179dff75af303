"""Documents built from plain values: X12 837P interchanges (and, later, the PDFs)."""
