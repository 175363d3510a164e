"""emrlint's cost estimator: what every EMR cluster and EMR Serverless application can cost.

A reader of the model, like the rules: :func:`~emrlint.cost.estimate.estimate_model` turns
a model's clusters and serverless applications into :class:`~emrlint.cost.estimate.Estimate` s (worst case per
hour, floor per hour, worst case per month, with their breakdown and how each figure was
reached); :mod:`emrlint.cost.report` renders them (terminal, JSON, CSV, Markdown) with their
totals, and :mod:`emrlint.cost.compare` diffs two JSON reports. ``emrlint cost`` runs the
scan engine with ``ScanOptions.cost`` set, so discovery, evaluation, configuration,
variables and exclusions are the scan's own. Importing this package imports nothing: a
scan whose result comes from the cache never loads the model.
"""
