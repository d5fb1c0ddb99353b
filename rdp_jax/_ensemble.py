"""Helpers shared by ensemble training and evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from .dgp import DGP, stack_dgps


def prepare_dgp(dgp: DGP | Sequence[DGP], num_members: int) -> tuple[DGP, int | None]:
    """Return the DGP to vmap over and its member axis: `(dgp, None)` if shared, `(stacked, 0)` if one per member."""
    if isinstance(dgp, DGP):
        return dgp, None
    if isinstance(dgp, Sequence) and all(isinstance(item, DGP) for item in dgp):
        if len(dgp) != num_members:
            raise ValueError(f"`dgp` must be one DGP or one per member ({num_members}); got a sequence of {len(dgp)}.")
        return stack_dgps(list(dgp)), 0
    raise ValueError(f"`dgp` must be a DGP or a sequence of DGPs; got {type(dgp).__name__}.")
