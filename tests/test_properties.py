"""Property tests over random pattern distributions: monosemanticity never helps, and trained SAEs
never beat the closed-form optimum."""

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import rdp_jax as rdp


@st.composite
def pattern_distributions(draw, max_concepts=4):
    """Draw all `2**n` supports with random probabilities, some of them zero."""
    n = draw(st.integers(2, max_concepts))
    supports = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
    weights = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=2**n, max_size=2**n)))
    if weights.sum() < 1e-6:
        weights[-1] = 1.0
    return supports, weights / weights.sum()


# Closed forms are float64 sums of probabilities; 1e-12 covers their rounding.
TOLERANCE = 1e-12


@settings(max_examples=60, deadline=None)
@given(pattern_distributions(), st.integers(0, 4))
def test_monosemantic_never_better_closed_forms(distribution, k):
    supports, probs = distribution
    n = supports.shape[1]
    rates = [float(rdp.rate_zero_distortion(supports, probs, r)) for r in range(1, n + 1)]
    distortions = [float(rdp.distortion_topk(supports, probs, k, r)) for r in range(1, n + 1)]
    l1_rates = [float(rdp.l1_rate_zero_distortion(supports, probs, r)) for r in range(1, n + 1)]
    for coarse, fine in zip(rates, rates[1:]):
        assert coarse >= fine - TOLERANCE
    for coarse, fine in zip(distortions, distortions[1:]):
        assert coarse >= fine - TOLERANCE
    for coarse, fine in zip(l1_rates, l1_rates[1:]):
        assert coarse >= fine - TOLERANCE


@settings(max_examples=40, deadline=None)
@given(pattern_distributions(), st.floats(0.05, 4.5))
def test_monosemantic_lagrangian_never_better(distribution, lam):
    supports, probs = distribution
    mono = rdp.l0_lagrangian_frontier(supports, probs, lam, 1)
    free = rdp.l0_lagrangian_frontier(supports, probs, lam, None)
    assert float(mono.distortion + lam * mono.rate) >= float(free.distortion + lam * free.rate) - TOLERANCE


@settings(max_examples=30, deadline=None)
@given(pattern_distributions(max_concepts=3), st.integers(1, 2), st.integers(1, 3))
def test_monosemantic_never_better_exact_search(distribution, k, m):
    supports, probs = distribution
    result = rdp.search_c1(supports, probs, k, m)
    # Oracle distortions come from float64 NNLS, accurate to about 1e-14.
    assert result.distortion_mono >= result.distortion_free - 1e-10


@settings(max_examples=30, deadline=None)
@given(pattern_distributions(max_concepts=3))
def test_k1_optimum_beats_monosemantic_atoms(distribution):
    supports, probs = distribution
    n = supports.shape[1]
    keep = (probs > 0) & supports.any(axis=1)
    if not keep.any():
        return
    optimum = rdp.topk1_optimum(supports[keep].astype(float), probs[keep], n, method="enumerate")
    assert optimum.distortion <= float(rdp.distortion_topk(supports, probs, 1, 1)) + 1e-10


@settings(max_examples=3, deadline=None)
@given(pattern_distributions(max_concepts=3))
def test_trained_topk_never_beats_optimum(distribution):
    supports, probs = distribution
    dgp = rdp.pattern_dgp(supports, probs)
    spec = rdp.EnsembleSpec.grid(num_latents=16, k=[1, 2], budget=[0, 1], seed=[0, 1])
    config = rdp.TrainConfig(steps=300, batch_size=128, chunk_size=300)
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.key(0), progress=False)
    exact = rdp.evaluate_on_patterns(result.saes, dgp.concept_directions, supports, probs)
    for index, row in enumerate(spec.rows()):
        optimum = float(rdp.distortion_topk(supports, probs, row["k"], None if row["budget"] == 0 else row["budget"]))
        # Exact evaluation of float32 SAEs: 1e-5 covers the rounding of squared errors of size <= 3.
        assert exact.distortion[index] >= optimum - 1e-5, row
