"""WordprocessingML written as text: runs, paragraphs, fields, tables, numbering, parts and zips.

The rest of msa-builder speaks in agreements and blocks; only this package knows Word's XML.
Building the body as strings (instead of python-docx proxy objects) is what makes a build fast:
see benchmarks/bench_build.py.
"""
