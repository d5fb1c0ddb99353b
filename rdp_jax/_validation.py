"""Input checks shared by the public constructors, run on concrete values before any tracing.

Every checker takes the argument's public name first, converts the value to a
NumPy array (float64 for real values), and raises `ValueError` with one
sentence that names the argument in backticks and the offending value.
"""

import math
import numbers
from collections.abc import Sequence

import numpy as np

# Absolute tolerance on the sum of a probability distribution. Probabilities
# typed as decimals or computed in float64 sum to 1 within ~1e-15, so 1e-9
# accepts rounding but rejects a distribution that is off by a real amount.
PROBABILITY_SUM_ATOL = 1e-9

# Absolute tolerance on the symmetry and unit diagonal of a correlation matrix.
CORRELATION_ATOL = 1e-12

# A correlation matrix is accepted as positive semidefinite when its smallest
# eigenvalue is at least -1e-10, which admits float64 rounding of exactly
# singular matrices such as [[1, 1], [1, 1]].
PSD_EIGENVALUE_ATOL = 1e-10


def format_index(index) -> str:
    """Format a NumPy index tuple as `[i]` or `[i, j]` for error messages; empty for a scalar."""
    indices = np.atleast_1d(index)
    if indices.size == 0:
        return ""
    return "[" + ", ".join(str(int(i)) for i in indices) + "]"


def show(value) -> str:
    """Format a value for an error message, printing NumPy scalars as plain numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def first_index(mask: np.ndarray):
    """Return the index tuple of the first `True` entry of `mask`, in C order."""
    return np.unravel_index(int(np.argmax(mask)), mask.shape)


def check_positive_int(name: str, value) -> int:
    """Check that `value` is a positive integer and return it as `int`.

    Booleans are rejected even though Python treats them as integers.
    """
    is_integer = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if not is_integer or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer, but got {show(value)}.")
    return int(value)


def check_real_scalar(name: str, value, *, low=None, high=None, low_open=False) -> float:
    """Check that `value` is a finite real number in `[low, high]` and return it as `float`.

    Args:
        name: the argument's public name.
        value: the value to check.
        low, high: optional bounds, inclusive unless `low_open` is true.
        low_open: exclude `low` itself, for parameters that must be strictly positive.

    Returns:
        The value as a Python float.
    """
    is_real = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not is_real:
        array = np.asarray(value)
        if array.ndim != 0 or array.dtype.kind not in "iuf":
            raise ValueError(f"`{name}` must be a real number, but got {show(value)}.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"`{name}` must be finite, but got {show(number)}.")
    if low is not None and (number <= low if low_open else number < low):
        bound = f"greater than {low}" if low_open else f"at least {low}"
        raise ValueError(f"`{name}` must be {bound}, but got {show(number)}.")
    if high is not None and number > high:
        raise ValueError(f"`{name}` must be at most {high}, but got {show(number)}.")
    return number


def as_float_array(name: str, value) -> np.ndarray:
    """Convert `value` to a float64 NumPy array, rejecting booleans, strings and objects."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be a numeric array, but got {show(value)}.") from error
    if array.dtype.kind not in "iuf":
        raise ValueError(f"`{name}` must be a numeric array, but got dtype {array.dtype}.")
    return array.astype(np.float64)


def check_finite(name: str, value) -> np.ndarray:
    """Check that every entry of `value` is finite and return it as a float64 array."""
    array = as_float_array(name, value)
    bad = ~np.isfinite(array)
    if bad.any():
        index = first_index(bad)
        raise ValueError(
            f"`{name}` must be finite, but {name}{format_index(index)} = {show(array[index])}."
        )
    return array


def check_ndim(name: str, array: np.ndarray, ndim: int) -> np.ndarray:
    """Check that `array` has rank `ndim` and return it unchanged."""
    if array.ndim != ndim:
        raise ValueError(
            f"`{name}` must have {ndim} dimension(s), but it has shape {array.shape}."
        )
    return array


def check_shape(name: str, array: np.ndarray, shape: Sequence, *, reason: str = "") -> np.ndarray:
    """Check that `array` has `shape`, where `None` matches any length, and return it unchanged.

    Args:
        name: the argument's public name.
        array: the array to check.
        shape: the expected shape, with `None` for a free axis.
        reason: an optional clause such as "to match `p`" that ends the expectation.
    """
    expected = tuple(shape)
    matches = array.ndim == len(expected) and all(
        want is None or want == got for want, got in zip(expected, array.shape)
    )
    if not matches:
        printed = "(" + ", ".join("*" if want is None else str(want) for want in expected) + ")"
        suffix = f" {reason}" if reason else ""
        raise ValueError(
            f"`{name}` must have shape {printed}{suffix}, but it has shape {array.shape}."
        )
    return array


def check_probabilities(name: str, value, *, ndim=None) -> np.ndarray:
    """Check that every entry of `value` is a probability and return it as a float64 array.

    Args:
        name: the argument's public name.
        value: array-like of any shape, or of rank `ndim` when given.
        ndim: the required rank, or None for any rank.

    Returns:
        The values as float64, each finite and in `[0, 1]`.
    """
    array = check_finite(name, value)
    if ndim is not None:
        check_ndim(name, array, ndim)
    outside = (array < 0.0) | (array > 1.0)
    if outside.any():
        index = first_index(outside)
        place = f"{name}{format_index(index)}" if array.ndim else name
        raise ValueError(f"`{name}` must lie in [0, 1], but {place} = {show(array[index])}.")
    return array


def check_probability_vector(name: str, value, *, ndim: int = 1) -> np.ndarray:
    """Check a non-empty array of per-concept probabilities of rank `ndim` (1 by default).

    The entries need not sum to 1. Use `check_distribution` for that.

    Returns:
        The values as float64, each finite and in `[0, 1]`.
    """
    array = check_probabilities(name, value, ndim=ndim)
    if array.size == 0:
        raise ValueError(f"`{name}` must not be empty, but it has shape {array.shape}.")
    return array


def check_distribution(name: str, value) -> np.ndarray:
    """Check a probability distribution over a finite set and return it renormalised.

    Args:
        name: the argument's public name.
        value: shape (P,), non-negative and summing to 1 within `PROBABILITY_SUM_ATOL`.

    Returns:
        Shape (P,) float64, divided by its sum so that it sums to 1 to float64 rounding.
    """
    array = check_probability_vector(name, value)
    total = float(array.sum())
    if abs(total - 1.0) > PROBABILITY_SUM_ATOL:
        raise ValueError(
            f"`{name}` must sum to 1 within {PROBABILITY_SUM_ATOL:g}, but it sums to {show(total)}."
        )
    return array / total


def check_binary(name: str, value) -> np.ndarray:
    """Check that every entry of `value` is 0 or 1 (or a boolean) and return a bool array."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be a 0/1 array, but got {show(value)}.") from error
    if array.dtype == np.bool_:
        return array
    numeric = check_finite(name, array)
    bad = (numeric != 0.0) & (numeric != 1.0)
    if bad.any():
        index = first_index(bad)
        raise ValueError(
            f"`{name}` must contain only 0 and 1, but {name}{format_index(index)} = {show(numeric[index])}."
        )
    return numeric == 1.0


def check_correlation(name: str, value) -> np.ndarray:
    """Check a correlation matrix and return it as an exactly symmetric float64 array.

    Args:
        name: the argument's public name.
        value: shape (n, n), symmetric and with unit diagonal within `CORRELATION_ATOL`,
            entries in [-1, 1], and smallest eigenvalue at least `-PSD_EIGENVALUE_ATOL`.

    Returns:
        Shape (n, n) float64 `(Σ + Σ^T) / 2` with the diagonal set to exactly 1.
    """
    matrix = check_finite(name, value)
    check_ndim(name, matrix, 2)
    if matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"`{name}` must be a non-empty square matrix, but it has shape {matrix.shape}.")

    asymmetry = np.abs(matrix - matrix.T)
    if asymmetry.max() > CORRELATION_ATOL:
        i, j = first_index(asymmetry > CORRELATION_ATOL)
        raise ValueError(
            f"`{name}` must be symmetric, but {name}[{i}, {j}] = {show(matrix[i, j])} "
            f"and {name}[{j}, {i}] = {show(matrix[j, i])}."
        )
    diagonal = np.diag(matrix)
    off_unit = np.abs(diagonal - 1.0) > CORRELATION_ATOL
    if off_unit.any():
        i = int(np.argmax(off_unit))
        raise ValueError(f"`{name}` must have a unit diagonal, but {name}[{i}, {i}] = {show(diagonal[i])}.")
    outside = np.abs(matrix) > 1.0 + CORRELATION_ATOL
    if outside.any():
        i, j = first_index(outside)
        raise ValueError(f"`{name}` entries must lie in [-1, 1], but {name}[{i}, {j}] = {show(matrix[i, j])}.")

    symmetric = 0.5 * (matrix + matrix.T)
    np.fill_diagonal(symmetric, 1.0)
    smallest = float(np.linalg.eigvalsh(symmetric)[0])
    if smallest < -PSD_EIGENVALUE_ATOL:
        raise ValueError(
            f"`{name}` must be positive semidefinite, but its smallest eigenvalue is {show(smallest)}."
        )
    return np.clip(symmetric, -1.0, 1.0)


def check_nonnegative(name: str, value) -> np.ndarray:
    """Check that every entry of `value` is finite and at least 0, and return it as a float64 array."""
    array = check_finite(name, value)
    negative = array < 0.0
    if negative.any():
        index = first_index(negative)
        place = f"{name}{format_index(index)}" if array.ndim else name
        raise ValueError(f"`{name}` must be at least 0, but {place} = {show(array[index])}.")
    return array
