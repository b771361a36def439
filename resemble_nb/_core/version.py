"""The package's version, in one place every layer may read (``rnb.__version__``)."""

__version__ = "0.1.0"
