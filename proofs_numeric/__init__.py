"""Numerical checks of the rate-distortion-polysemanticity theorems, one module per theorem.

Run one with `python -m proofs_numeric.<module>` or all with `python -m proofs_numeric`
(`make verify`). Each module compares its closed form with an exact float64 solver on many
seeded random DGPs and, where training reaches the optimum, with trained SAE ensembles, and
prints a table with the largest error, the tolerance and PASS or FAIL.
"""

MODULES = ("t1", "t2", "t2b", "t3", "t4", "t5", "t6", "c1")
