# Session Music privacy assistant. `make run` to try it, `make test` to check it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(CURDIR)/$(VENV)/bin/rasa
MODEL  := bot/models/privacy-bot.tar.gz
SPACY  := bot/build/spacy-en/config.cfg
WORDLLAMA := bot/build/wordllama/l2_supercat_256.safetensors
# What the trained model depends on (the policy texts are read at run time, not trained on).
BOT_INPUTS := $(shell find bot/data/nlu bot/data/rules -name '*.yml') bot/config.yml bot/domain.yml \
              $(wildcard bot/components/*.py) bot/actions/embeddings.py

export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
# No training cache: its fingerprints see the path of the spaCy pipeline, not its contents, so a
# changed lemmatizer (bot/actions/language.py) would silently reuse features trained on the old one.
export RASA_MAX_CACHE_SIZE := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help setup train run run-scaled shell test test-fast lint rules eval eval-variants real-nlu review-questions add-labels eval-shop eval-probes bench policy-review purge-conversations clean

help:
	@echo "make run            set up (first time: Python 3.10 venv, packages, spaCy pipeline, training) and start everything"
	@echo "make run-scaled     the production shape on loopback: 2 Rasa and 2 action servers behind nginx, PostgreSQL, Redis"
	@echo "make test           run the whole test suite (unit, actions, NLU, conversations, intake, end-to-end, browser)"
	@echo "make shell          rasa shell in this terminal, with the action server and intake running (for staff)"
	@echo "make eval           answer quality on the real-question test half; figures go to docs/answer-quality.md"
	@echo "make bench          benchmark against the stock 'rasa init' bot; figures go to docs/benchmarks.md"
	@echo "make real-nlu       after changing a labels file (real or shop questions): regenerate the training examples"
	@echo "make review-questions  the questions the bot could not answer, redacted, for staff to label"
	@echo "make add-labels FILE=...  add the labelled questions to quality/shop_questions/labels.tsv"
	@echo "make eval-shop      answer quality on the test half of the shop's own labelled questions"
	@echo "make eval-probes    answer quality on the questions written from the labelling guide (a regression set)"
	@echo "make policy-review  after a policy update: show which answer summaries rest on changed clauses"
	@echo "make rules          after editing bot/data/intents.yml: regenerate the rules, the domain's intents and INTENTS.md"
	@echo "make lint           ruff: lint and format check (make test runs it first)"
	@echo "make purge-conversations  delete the bot's conversations older than CONVERSATION_RETENTION_DAYS (run daily)"

# --- set-up -----------------------------------------------------------------------
$(VENV)/.installed: requirements.txt scripts/find-python.sh
	@python_bin=$$(scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] > (3, 10))'; then \
	    echo "Creating $(VENV) with $$python_bin"; rm -rf $(VENV); "$$python_bin" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip check
	@touch $@

$(SPACY): $(VENV)/.installed bot/actions/language.py bot/build_spacy_pipeline.py
	$(PY) bot/build_spacy_pipeline.py

# WordLlama's vectors and tokenizer, taken out of the author's wheel (pinned by hash).
$(WORDLLAMA): $(VENV)/.installed bot/wordllama-wheel.txt bot/fetch_wordllama.py
	$(PY) bot/fetch_wordllama.py

setup: $(VENV)/.installed $(SPACY) $(WORDLLAMA)

# Retrains only when the NLU data, rules, domain or config changed.
$(MODEL): $(VENV)/.installed $(SPACY) $(BOT_INPUTS)
	cd bot && $(RASA) train --data data/nlu data/rules --fixed-model-name privacy-bot --out models
	@touch $(MODEL)

train: $(MODEL)

# --- use ----------------------------------------------------------------------------
run: setup train
	$(PY) -m launcher

# The production shape on loopback: RASA_SERVERS (2) Rasa and ACTION_SERVERS (2) action servers behind
# nginx, PostgreSQL and Redis (throw-away local ones unless their URLs are set; launcher/scaled.py).
run-scaled: setup train
	$(PY) -m launcher --scaled

shell: setup train
	$(PY) -m launcher.shell

# --- checks -------------------------------------------------------------------------
# BROWSER=0 skips the browser tests on purpose (and says so); otherwise Chromium is installed
# when missing (as root) or the run stops saying what to install.
BROWSER ?= 1
test: setup train lint
ifeq ($(BROWSER),0)
	@echo "BROWSER=0: the browser tests (tests/browser) are SKIPPED in this run."
	BROWSER_TESTS_REQUIRE_STACK=1 $(PY) -m pytest -m "not browser"
	@echo "BROWSER=0: the browser tests (tests/browser) were SKIPPED in this run."
else
	scripts/require-chromium.sh
	BROWSER_TESTS_REQUIRE_STACK=1 $(PY) -m pytest
endif

# ruff (settings in pyproject.toml): the linter, then the formatter's check (`ruff format .` fixes
# what it reports).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-fast: setup
	$(PY) -m pytest tests/unit tests/actions tests/intake tests/quality -m "not slow"

# Every question of the real-question test half to the running bot (REST), scored.
eval: setup train
	$(PY) -m quality eval --split test --write

# The variants table (sparse only / + dense features / + hybrid fallback / + averaged with a regression), on the test half.
eval-variants: setup train
	$(PY) -m quality variants

real-nlu: setup
	$(PY) -m quality nlu

# Shoppers' questions the bot could not answer -> staff labels -> training (quality/review.py).
# DAYS=30 by default; ALL=1 takes answered questions too.
review-questions: $(VENV)/.installed
	$(PY) -m quality review-export $(if $(DAYS),--days $(DAYS)) $(if $(filter 1,$(ALL)),--all)

add-labels: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make add-labels FILE=var/review/questions-to-label.tsv"; exit 2; }
	$(PY) -m quality review-import "$(FILE)"

eval-shop: setup train
	$(PY) -m quality eval --corpus shop --split test

# Questions written from the labelling guide alone (quality/guide_probes): a regression set, not an unseen measure.
eval-probes: setup train
	$(PY) -m quality eval --corpus probes

bench: setup train
	$(PY) -m bench

# The rule files, domain.yml's intent lists and INTENTS.md, from bot/data/intents.yml
# (tests/unit/test_generated_rules.py fails while they are out of date).
rules: $(VENV)/.installed
	$(PY) bot/generate_rules.py

policy-review: setup
	$(PY) -m scripts.policy_review

# The retention purge of the bot's conversations (intake/conversation_purge.py): schedule it daily.
# `make purge-conversations ARGS=--dry-run` counts without deleting.
purge-conversations: $(VENV)/.installed
	$(PY) -m intake.conversation_purge $(ARGS)

clean:
	rm -rf bot/models bot/build bot/results var artifacts
