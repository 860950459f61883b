"""The version of nianbao, read by the build (pyproject.toml) and by the package."""

__version__ = "0.1.0"
