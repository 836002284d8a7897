"""The parts of a corpus export; :mod:`crawler.export` puts them together."""
