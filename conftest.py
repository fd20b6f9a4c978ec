"""Loaded by every pytest run in this repository (tests/, and nbval runs of notebooks/ and exercises/).

Checks and practice record the student's progress under $CNNKIT_HOME. Test runs, and the notebook
kernels they start (which inherit the environment), write to a fresh temporary folder instead:
never the real ~/.cnnkit.
"""

import os
import tempfile

os.environ["CNNKIT_HOME"] = tempfile.mkdtemp(prefix="cnnkit-home-tests-")
