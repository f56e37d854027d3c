"""HTML pages for people: the adherence meeting report and the weekly review of a clinic.

Pages only lay out tables that other modules work out; every string is escaped here.
"""
