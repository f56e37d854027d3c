"""The weekly review: from a patient's logs to a decision, with the evidence and the rule.

=============  =============================================================================
module         holds
=============  =============================================================================
``rules``      the review rules, as data (``data/review-rules.csv``), loaded and checked
``decide``     :func:`review` and :func:`apply_review`: one patient's week decided
``cohort``     every patient of a clinic reviewed at once, most urgent first
=============  =============================================================================
"""
