"""Reading and writing files the way people give them to us (not public API).

=================  ==========================================================================
module             holds
=================  ==========================================================================
``numbers``        the one parser for numbers typed by people (ASCII digits, stated ranges)
``dates``          the one parser for dates typed by people (``YYYY-MM-DD``, 1900-2100)
``json``           the one hardened JSON loader (size, depth, duplicate keys)
``spreadsheets``   CSV/Excel/Parquet read as text; pandera failures as Problems
``cells``          spreadsheet cells made safe to open (formula injection)
``files``          atomic writes that keep an existing file's permissions
``paths``          where the shipped data lives
=================  ==========================================================================
"""
