import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# CNNKIT_HOME (the progress file) points to a temporary folder: see the repository's conftest.py.
