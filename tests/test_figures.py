"""The acceptance check shared by the figure scripts."""

import numpy as np
import pytest

from figures._common import ABSOLUTE_TOLERANCE, compare_with_optimum
from rdp_jax import Evaluation


def _evaluation(distortion, se):
    distortion = np.asarray(distortion, dtype=float)
    zeros = np.zeros_like(distortion)
    return Evaluation(zeros, zeros, distortion, np.asarray(se, dtype=float), zeros, zeros, zeros, zeros)


def test_best_seed_within_tolerance_passes():
    exact = _evaluation([0.52, 0.501, 0.7], [0.0] * 3)
    sampled = _evaluation([0.52, 0.50, 0.7], [0.01] * 3)
    comparison = compare_with_optimum(0.5, [0, 1, 2], exact, sampled)
    assert comparison.best == 1
    assert comparison.passed


def test_best_seed_too_far_fails():
    exact = _evaluation([0.6, 0.7], [0.0, 0.0])
    comparison = compare_with_optimum(0.5, [0, 1], exact, exact)
    assert not comparison.within_tolerance
    assert not comparison.passed


def test_absolute_tolerance_near_zero():
    exact = _evaluation([0.8 * ABSOLUTE_TOLERANCE], [0.0])
    assert compare_with_optimum(0.0, [0], exact, exact).within_tolerance


@pytest.mark.parametrize(
    "exact_value, sampled_value, se, beats",
    [
        (0.4999, 0.5, 0.01, True),  # exact value below the optimum beyond float32 rounding
        (0.5, 0.45, 0.01, True),  # sampled value 5 standard errors below
        (0.5, 0.48, 0.01, False),  # sampled value 2 standard errors below: sampling noise
    ],
)
def test_beating_optimum_detected(exact_value, sampled_value, se, beats):
    exact = _evaluation([exact_value], [0.0])
    sampled = _evaluation([sampled_value], [se])
    assert compare_with_optimum(0.5, [0], exact, sampled).beats_optimum is beats
