"""rdp_jax: the rate-distortion-polysemanticity theory of sparse autoencoders, made checkable.

Closed forms and exact solvers for optimal SAEs on toy data with known concepts, and vectorised
training of many SAEs at once, measured in rate, distortion and polysemanticity.
"""

from .dgp import (
    DGP as DGP,
    BernoulliSupport as BernoulliSupport,
    CopulaPatterns as CopulaPatterns,
    CopulaSupport as CopulaSupport,
    HierarchicalSupport as HierarchicalSupport,
    PairBlockSupport as PairBlockSupport,
    PatternSupport as PatternSupport,
    Sample as Sample,
    bernoulli_dgp as bernoulli_dgp,
    bivariate_normal_cdf as bivariate_normal_cdf,
    block_correlation as block_correlation,
    concept_directions as concept_directions,
    copula_dgp as copula_dgp,
    copula_patterns as copula_patterns,
    hierarchical_dgp as hierarchical_dgp,
    low_rank_correlation as low_rank_correlation,
    pair_block_dgp as pair_block_dgp,
    pattern_dgp as pattern_dgp,
    stack_dgps as stack_dgps,
    zipf_marginals as zipf_marginals,
)
from .exact import (
    C1Result as C1Result,
    OracleCodes as OracleCodes,
    OracleEvaluation as OracleEvaluation,
    SetAtomDictionary as SetAtomDictionary,
    TopK1Optimum as TopK1Optimum,
    oracle_distortion as oracle_distortion,
    oracle_encode as oracle_encode,
    search_c1 as search_c1,
    set_atom_dictionary as set_atom_dictionary,
    set_atoms as set_atoms,
    topk1_optimum as topk1_optimum,
)
from .io import (
    load_result as load_result,
    load_scan as load_scan,
    save_result as save_result,
)
from .metrics import (
    Evaluation as Evaluation,
    activation_profiles as activation_profiles,
    concept_profiles as concept_profiles,
    evaluate as evaluate,
    evaluate_ensemble as evaluate_ensemble,
    evaluate_on_patterns as evaluate_on_patterns,
    mixing_ratio as mixing_ratio,
    polysemanticity_degree as polysemanticity_degree,
    sae_polysemanticity as sae_polysemanticity,
    support_count as support_count,
)
from .sae import (
    AbstractSAE as AbstractSAE,
    BatchTopKSAE as BatchTopKSAE,
    JumpReLUSAE as JumpReLUSAE,
    ReLUSAE as ReLUSAE,
    TopKSAE as TopKSAE,
    aux_k_loss as aux_k_loss,
    init_sae as init_sae,
    normalize_decoder as normalize_decoder,
    project_to_budget as project_to_budget,
)
from .theory import (
    LagrangianFrontier as LagrangianFrontier,
    MonosemanticPenalty as MonosemanticPenalty,
    PairDictionary as PairDictionary,
    TwoConceptOptimum as TwoConceptOptimum,
    distortion_topk as distortion_topk,
    l0_lagrangian_frontier as l0_lagrangian_frontier,
    l1_rate_zero_distortion as l1_rate_zero_distortion,
    monosemantic_penalty as monosemantic_penalty,
    pair_dictionary_rate as pair_dictionary_rate,
    pair_probabilities as pair_probabilities,
    rate_topk as rate_topk,
    rate_zero_distortion as rate_zero_distortion,
    support_sizes as support_sizes,
    two_concept_topk1 as two_concept_topk1,
)
from .train import (
    EnsembleResult as EnsembleResult,
    EnsembleSpec as EnsembleSpec,
    TrainConfig as TrainConfig,
    TrainState as TrainState,
    init_ensemble as init_ensemble,
    train_ensemble as train_ensemble,
)
