"""Shared renderers: one Markdown escaper (``markdown``) and one Jinja2 environment with the
HTML templates and the stylesheet shared by plan, report and adherence (``html``).

Renderers only format: every list, sum and grouping they show comes from the model.
"""
