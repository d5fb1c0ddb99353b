"""The numerical proofs: the quick subset passes, and the harness reports failures."""

import subprocess
import sys
from pathlib import Path

import pytest

from proofs_numeric._harness import CheckResult, ErrorTracker

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_proofs_pass():
    # A subprocess, because the command line of the proofs turns on float64 for JAX globally.
    completed = subprocess.run(
        [sys.executable, "-m", "proofs_numeric", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    table = completed.stdout.split("\n\n")[0]
    for theorem in ("T1", "T2", "T2b", "T3", "T4", "T5", "T6", "C1"):
        assert f"\n{theorem} " in table, theorem
    assert "FAIL" not in table


def test_tracker_keeps_smallest_counterexample():
    tracker = ErrorTracker(tolerance=1e-6)
    tracker.add(0.5, size=10, describe=lambda: "large case")
    tracker.add(1e-9, size=1, describe=lambda: "passing case")
    tracker.add(0.1, size=3, describe=lambda: "small case")
    result = tracker.result("T0", "test", "reason")
    assert not result.passed
    assert result.status == "FAIL"
    assert result.counterexample == "small case"
    assert result.max_error == 0.5
    assert result.cases == 3


def test_tracker_nan_fails():
    tracker = ErrorTracker(tolerance=1.0)
    tracker.add(float("nan"), size=1, describe=lambda: "nan case")
    assert not tracker.result("T0", "test", "reason").passed


def test_findings_never_fail():
    row = CheckResult("C1", "search", 5, 2.0, 0.0, "", "a counterexample", finding=True)
    assert row.passed
    assert row.status == "FINDING"
