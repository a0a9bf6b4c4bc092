"""Renderers: the Agreement model to Word documents (and, through LibreOffice, PDF)."""
