"""Build the project's own blank English spaCy pipeline for Rasa's SpacyNLP.

Trained pipelines (en_core_web_*) are not available from the package registry
here and must not be downloaded at run time, so the bot uses a blank English
pipeline built from official packages only: spaCy's rule-based English
tokenizer plus the lookup lemmatizer whose tables ship in `spacy-lookups-data`.

Usage: python bot/build_spacy_pipeline.py [OUTPUT_DIR]
(default: bot/build/spacy-en, the path bot/config.yml points SpacyNLP at).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script (python bot/build_spacy_pipeline.py): its folder, bot/, is first on sys.path.
from actions.language import PIPELINE_DIR, build_pipeline


def main(argv: list) -> int:
    output = Path(argv[1]) if len(argv) > 1 else PIPELINE_DIR
    nlp = build_pipeline()
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    print(f"spaCy pipeline written to {output} (components: {nlp.pipe_names})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
