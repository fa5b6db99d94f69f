"""Take WordLlama's 256-d token embeddings and tokenizer out of the author's wheel.

WordLlama (MIT licence, Lee Miller) ships `l2_supercat_256.safetensors` and
`l2_supercat_tokenizer_config.json` inside the `wordllama` wheel on the package
registry. The package itself is not installed (it requires pydantic>=2, which
Rasa 3.6 cannot live with): this script downloads the wheel pinned by hash in
`wordllama-wheel.txt`, extracts the two data files and the licence into
`build/wordllama/`, and `actions/embeddings.py` reads them with `safetensors`
and `tokenizers`. Nothing is downloaded at run time.

Usage: python bot/fetch_wordllama.py [OUTPUT_DIR]   (run by `make setup`)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# Run as a script (python bot/fetch_wordllama.py): its folder, bot/, is first on sys.path.
from actions.embeddings import MODEL_FILES, WORDLLAMA_DIR

BOT_DIR = Path(__file__).resolve().parent

REQUIREMENT = BOT_DIR / "wordllama-wheel.txt"
LICENCE = "LICENSE"


def main(argv: list) -> int:
    output = Path(argv[1]) if len(argv) > 1 else WORDLLAMA_DIR
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                "-r",
                str(REQUIREMENT),
                "-d",
                tmp,
            ],
            check=True,
        )
        wheels = list(Path(tmp).glob("wordllama-*.whl"))
        if len(wheels) != 1:
            print(f"expected one wordllama wheel, found {wheels}", file=sys.stderr)
            return 1
        output.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheels[0]) as wheel:
            names = wheel.namelist()
            wanted = {f"wordllama/{path}": Path(path).name for path in MODEL_FILES}
            wanted.update({n: LICENCE for n in names if n.endswith(f".dist-info/licenses/{LICENCE}")})
            missing = [n for n in wanted if n not in names]
            if missing:
                print(f"the wheel lacks {missing}", file=sys.stderr)
                return 1
            for member, target in wanted.items():
                (output / target).write_bytes(wheel.read(member))
    print(f"WordLlama vectors written to {output} ({', '.join(sorted(p.name for p in output.iterdir()))})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
