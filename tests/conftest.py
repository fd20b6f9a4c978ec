import os
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Checks record the student's progress under $CNNKIT_HOME: tests (and the notebook kernels they
# start, which inherit the environment) write to a fresh temporary folder, never the real home.
os.environ["CNNKIT_HOME"] = tempfile.mkdtemp(prefix="cnnkit-home-tests-")
