"""The installed version of redoxmap."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("redoxmap")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
