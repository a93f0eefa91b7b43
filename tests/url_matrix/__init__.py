"""The parts of the role × URL matrix (tests/test_url_matrix.py) that are not its table."""
