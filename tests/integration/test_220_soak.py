# SPDX-License-Identifier: Apache-2.0
"""The soak of tests/reliability/run at full size: 1,000,000 requests with
100,000 distinct tokens against a private httpd (event MPM) of its own.
On a 2-core machine it takes about 3.5 minutes.

It fails when a child crashed or was replaced, an answer was not a 200, the
children's private RSS or descriptors grew (see the script's criteria), or
the requests did not fit the time limit. The report goes to a temporary
file (shown when the test fails): docs/reliability.md is written only by
running the script by hand, so the suite never edits a tracked file.

Marked soak: pytest.ini leaves it out of the main run and scripts/test
runs it as its own step (`== soak`): pytest -m soak test_220_soak.py."""
import os
import re
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
RUN = os.path.join(TOP, "tests", "reliability", "run")
REQUESTS = 1000000


@pytest.mark.soak
def test_soak_one_million_requests(tmp_path, env):
    out = tmp_path / "reliability.md"
    argv = [sys.executable, RUN, "--requests", str(REQUESTS),
            "--out", str(out)]
    if os.path.exists(env.module_so):
        # the session's private copy of the module
        argv += ["--module", env.module_so]
    res = subprocess.run(argv, capture_output=True, text=True,
                         timeout=1500, cwd=TOP)
    text = out.read_text() if out.exists() else "(no report)"
    assert res.returncode == 0, "soak failed (exit %d):\n%s\n%s\n%s" % (
        res.returncode, res.stdout[-3000:], res.stderr[-3000:], text)
    assert "Result: **PASS**" in text
    # wrk stops after the count, so a few more than asked may be made
    m = re.search(r"^\| soak \| ([0-9,]+) \|", text, re.M)
    assert m, text
    made = int(m.group(1).replace(",", ""))
    assert REQUESTS <= made <= REQUESTS + 10000, text
