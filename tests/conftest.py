"""Shared pytest configuration: strict JAX promotion rules and a PRNG key fixture."""

import jax
import pytest

# Implicit dtype or rank promotion in library code is a bug; make it raise in tests.
jax.config.update("jax_numpy_dtype_promotion", "strict")
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def key():
    return jax.random.key(0)
