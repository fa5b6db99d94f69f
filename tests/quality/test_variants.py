"""The variants table's earlier steps are built from the shipped configuration (quality/variants.py)."""

import yaml

from quality import variants


def pipeline(path):
    return {c["name"]: c for c in yaml.safe_load(path.read_text())["pipeline"]}


def test_diet_alone_drops_the_averaging_and_restores_diets_own_fallback(tmp_path):
    shipped = pipeline(variants.BOT / "config.yml")
    diet = pipeline(variants.diet_alone_config(tmp_path / "diet.yml"))
    assert set(shipped) - set(diet) == set(variants.AVERAGING)
    assert "DIETClassifier" in diet and variants.FEATURIZER in diet
    assert {k: diet["FallbackClassifier"][k] for k in variants.DIET_FALLBACK} == variants.DIET_FALLBACK


def test_sparse_also_drops_the_wordllama_featurizer(tmp_path):
    sparse = pipeline(variants.diet_alone_config(tmp_path / "sparse.yml", dense=False))
    assert variants.FEATURIZER not in sparse and "DIETClassifier" in sparse
    assert not set(variants.AVERAGING) & set(sparse)
