"""The data layer: the tables sqops reads, how their columns are named in a file, and how
they are read and checked. ``report``, ``adherence`` and ``importers`` depend on it."""
