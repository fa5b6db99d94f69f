"""`make bench` / `python -m bench`: this bot against the stock `rasa init` bot, in one run.

For each bot: training time, NLU accuracy on the held-out test set, start-up time, REST
latency (p50/p95/p99) and messages per second with 1 and with 8 concurrent conversations,
and the Rasa server's resident memory after the load. Scaling (issue 10.5): the same load at 8,
32 and 64 concurrent conversations against our bot on 1 Rasa server, on 2 Rasa servers behind
nginx and on 1 Rasa server with SANIC_WORKERS=2 (both on PostgreSQL + Redis), and the stock bot;
and where the time per message goes (bench/profile.py). Then the intake benchmark (16 clients,
gunicorn, SQLite). Figures go to docs/benchmarks.md and the README's benchmark section.
Nothing here asserts a timing: the figures are ratios side by side on one noisy machine.
"""

from __future__ import annotations

import argparse
import json
import datetime as dt
import os
import platform
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

import yaml

from quality import answer_quality, corpus, split

from . import intake_bench
from .bots import (
    Bot,
    cpu_seconds,
    machine_busy_seconds,
    nlu_accuracy,
    nlu_parse_ms,
    our_bot,
    our_bot_plain_rasa,
    profile_stages,
    rss_mb,
    serve,
    serve_scaled,
    services_cpu_seconds,
    stock_bot,
    train,
)
from .load import run_conversations

ROOT = Path(__file__).resolve().parent.parent
TEST_SET = ROOT / "tests" / "nlu" / "test_nlu.yml"
DOC = ROOT / "docs" / "benchmarks.md"
README = ROOT / "README.md"
SHOPPER_INTENTS = ("greet", "thank", "goodbye", "bot_challenge", "out_of_scope")
SCALING_CONCURRENCY = (8, 32, 64)
#: our bot in the production shape: (label, what it is, Rasa servers, Sanic workers per server)
SCALED_VARIANTS = (
    ("ours-2-rasa", "2 Rasa servers behind nginx (2 action servers)", 2, 1),
    ("ours-sanic-2", "1 Rasa server, SANIC_WORKERS=2, behind nginx (2 action servers)", 1, 2),
)


def shopper_script(conversations: int, seed: int) -> List[List[str]]:
    """Conversations of five held-out shopper messages: a greeting, three questions
    (policy questions, small talk, off-topic) and thanks. The same script for every bot."""
    by_intent: Dict[str, List[str]] = {}
    for block in yaml.safe_load(TEST_SET.read_text())["nlu"]:
        lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
        by_intent[block["intent"]] = lines
    questions = [t for i, ts in by_intent.items() if i.startswith("ask_") or i in SHOPPER_INTENTS[3:] for t in ts]
    rng = random.Random(seed)
    return [
        [rng.choice(by_intent["greet"]), *rng.sample(questions, 3), rng.choice(by_intent["thank"])]
        for _ in range(conversations)
    ]


def real_test_questions():
    return split.split(corpus.labelled_questions())[split.TEST]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def conversations_at(concurrency: int, args) -> int:
    return {1: args.conversations_1, 8: args.conversations_8, 32: args.conversations_32, 64: args.conversations_64}[
        concurrency
    ]


def run_load(served, figures: Dict[str, object], concurrencies, args) -> None:
    """The shopper load at each concurrency, with the CPU it cost: ms of CPU per message in the Rasa
    server(s) and in every service this bench started, and how busy the whole machine was."""
    run_conversations(served.url, shopper_script(8, seed=1), 8)  # warm-up, discarded
    for concurrency in concurrencies:
        rasa_before, services_before = cpu_seconds(served.rasa_pids), services_cpu_seconds()
        machine_before = machine_busy_seconds()
        result = run_conversations(
            served.url, shopper_script(conversations_at(concurrency, args), seed=concurrency), concurrency
        )
        summary = result.summary()
        answered = max(1, result.messages - result.errors)
        summary["rasa_cpu_ms"] = round((cpu_seconds(served.rasa_pids) - rasa_before) * 1000 / answered, 1)
        summary["services_cpu_ms"] = round((services_cpu_seconds() - services_before) * 1000 / answered, 1)
        summary["machine_busy"] = round(
            (machine_busy_seconds() - machine_before) / (result.elapsed_s * (os.cpu_count() or 1)), 2
        )
        figures[f"c{concurrency}"] = summary
        print(f"   {concurrency} concurrent: {result.summary()}", flush=True)


def measure_scaled(ours: Bot, label: str, description: str, servers: int, workers: int, work: Path, args):
    print(f"\n== {label}: {description}", flush=True)
    figures: Dict[str, object] = {"name": label, "description": description}
    with serve_scaled(ours, work, label, servers, workers) as served:
        figures["load_s"], figures["stores"] = served.load_s, served.stores
        run_load(served, figures, SCALING_CONCURRENCY, args)
        if servers > 1 and not args.no_profile:  # the same stores one conversation at a time: their cost
            figures["profile"] = profile_stages(served, ours, shopper_script(args.profile_conversations, 9), work)
            print(f"   profile: {figures['profile']}", flush=True)
        figures["rasa_rss_mb"] = sum(rss_mb(pid) for pid in served.rasa_pids)
    return figures


def measure_bot(bot, work: Path, args) -> Dict[str, object]:
    print(f"\n== {bot.name}: {bot.description}", flush=True)
    if bot.model is None:
        train(bot, work)
        print(f"   trained in {bot.training_s:.0f} s", flush=True)
    figures: Dict[str, object] = {"name": bot.name, "description": bot.description, "training_s": bot.training_s}
    if bot.name == "ours":
        figures["nlu"] = nlu_accuracy(bot, TEST_SET, work)
        print(f"   NLU on the held-out set: {figures['nlu']}", flush=True)
    if not bot.plain_rasa:
        texts = [text for conversation in shopper_script(40, seed=5) for text in conversation]
        figures["nlu_ms"] = nlu_parse_ms(bot, texts)
        print(f"   NLU alone: median {figures['nlu_ms']:.1f} ms per message", flush=True)
    with serve(bot, work) as served:
        figures["load_s"], figures["stores"] = served.load_s, served.stores
        run_load(served, figures, (1, 8) if bot.plain_rasa else (1, *SCALING_CONCURRENCY), args)
        if bot.name == "ours" and not args.no_profile:
            figures["profile"] = profile_stages(served, bot, shopper_script(args.profile_conversations, 9), work)
            print(f"   profile: {figures['profile']}", flush=True)
        if bot.name == "ours":  # answer quality on the real-question test half (as `make eval`)
            quality = answer_quality.Report(answer_quality.run(served.url, real_test_questions()))
            figures["quality"] = quality.metrics()
            print(f"   real questions, test half: {figures['quality']}", flush=True)
        figures["rasa_rss_mb"] = sum(rss_mb(pid) for pid in served.rasa_pids)
        figures["actions_rss_mb"] = rss_mb(served.actions_pid) if served.actions_pid else None
    print(f"   Rasa server RSS {figures['rasa_rss_mb']:.0f} MB", flush=True)
    return figures


def fmt(value, pattern="{:.0f}"):
    return "n/a" if value is None else pattern.format(value)


def bot_table(bots: List[Dict[str, object]]) -> List[str]:
    header = "| | " + " | ".join(f"`{b['name']}`" for b in bots) + " |"
    rows = [header, "|---" * (len(bots) + 1) + "|"]

    def row(label, cell):
        rows.append(f"| {label} | " + " | ".join(cell(b) for b in bots) + " |")

    row("what it is", lambda b: b["description"])
    row("training time (s)", lambda b: fmt(b["training_s"]))
    row(
        "NLU accuracy / macro F1, held-out set",
        lambda b: (
            f"{b['nlu']['accuracy']:.3f} / {b['nlu']['macro_f1']:.3f}"
            if b.get("nlu")
            else ("n/a (other intents)" if b["name"] == "stock" else "same model")
        ),
    )
    row(
        "real questions, test half: top-1 / covered declined / uncovered answered",
        lambda b: (
            "{} / {} / {}".format(
                *(answer_quality.pct(b["quality"][k]) for k in ("top1", "covered_as_not_covered", "uncovered_answered"))
            )
            if b.get("quality")
            else ("n/a (other intents)" if b["name"] == "stock" else "same model")
        ),
    )
    row("NLU pipeline alone, median (ms per message)", lambda b: fmt(b.get("nlu_ms"), "{:.1f}"))
    row("start-up until ready (s)", lambda b: fmt(b["load_s"]))
    for c in (1, 8):
        row(f"{c} conversation{'s' if c > 1 else ''}: messages/s", lambda b, c=c: fmt(b[f"c{c}"]["per_s"], "{:.1f}"))
        row(
            f"{c} conversation{'s' if c > 1 else ''}: p50 / p95 / p99 (ms)",
            lambda b, c=c: "{p50_ms:.0f} / {p95_ms:.0f} / {p99_ms:.0f}".format(**b[f"c{c}"]),
        )
        row(f"{c} conversation{'s' if c > 1 else ''}: errors", lambda b, c=c: str(b[f"c{c}"]["errors"]))
    row("Rasa server RSS after the load (MB)", lambda b: fmt(b["rasa_rss_mb"]))
    row("action server RSS (MB)", lambda b: fmt(b.get("actions_rss_mb")))
    return rows


PROFILE_STAGES = (
    ("nlu", "NLU pipeline (spaCy + WordLlama + DIET + regression)"),
    ("policies", "policy prediction (RulePolicy)"),
    ("tracker load", "tracker store: load"),
    ("tracker save", "tracker store: save"),
    ("lock store", "lock store"),
    ("action server", "action server round trip (HTTP)"),
    ("action payload and reply check", "action payload and reply check (in Rasa)"),
)


def profile_table(rows: List[Dict[str, object]]) -> List[str]:
    with_profile = [r for r in rows if r.get("profile")]
    if not with_profile:
        return []
    lines = [
        "| stage, median ms per message | " + " | ".join(f"`{r['name']}`: {r['stores']}" for r in with_profile) + " |",
        "|---" * (len(with_profile) + 1) + "|",
    ]
    for key, label in PROFILE_STAGES:
        lines.append(f"| {label} | " + " | ".join(f"{r['profile'][key]:.1f}" for r in with_profile) + " |")
    lines.append(
        "| Rasa's own work (events, action loop, NLG): the rest | "
        + " | ".join(
            f"{max(0.0, r['profile']['total'] - sum(r['profile'][k] for k, _ in PROFILE_STAGES)):.1f}"
            for r in with_profile
        )
        + " |"
    )
    lines.append(
        "| **total, `Agent.handle_message`** | "
        + " | ".join(f"**{r['profile']['total']:.1f}**" for r in with_profile)
        + " |"
    )
    return lines


def cores_paragraph(ours, scaled) -> List[str]:
    """What 2 cores allow and what a bigger host would: from the measured CPU per message."""
    cores = os.cpu_count() or 1
    variants = [ours, *scaled]
    best = max(variants, key=lambda r: r["c64"]["per_s"])
    cpu_ms = best["c64"]["services_cpu_ms"]
    one_rasa_cores = ours["c64"]["rasa_cpu_ms"] * ours["c64"]["per_s"] / 1000
    ceiling = {n: n * 1000 / cpu_ms for n in (cores, 4, 8)} if cpu_ms else {}
    if not ceiling:
        return []
    return [
        f"**What {cores} cores allow.** One Rasa server at 64 conversations used {one_rasa_cores:.2f} of a core "
        f"({ours['c64']['rasa_cpu_ms']:.1f} ms of Rasa CPU per message at {ours['c64']['per_s']:.1f} messages/s): "
        "Rasa handles messages on one event loop, so one server process can never use more than one core, "
        f"whatever the concurrency. The best variant here, `{best['name']}`, answered {best['c64']['per_s']:.1f} "
        f"messages/s at 64 with the machine {best['c64']['machine_busy']:.0%} busy, and every message cost "
        f"{cpu_ms:.1f} ms of CPU across all its services: "
        + (
            "the work is CPU-bound, and "
            if best["c64"]["machine_busy"] >= 0.85
            else "the machine was not saturated, yet "
        )
        + f"{cores} cores cap it near "
        f"{ceiling[cores]:.0f} messages/s ({cores} x 1000 / {cpu_ms:.1f}) even with nothing else on the machine. "
        "More concurrency past that point only lengthens the queue (p50 grows with the number of conversations, "
        "messages/s does not).",
        "",
        f"**What a 4- or 8-core host would do** (a prediction from these figures, not a measurement): with as "
        f"many Rasa processes as cores (RASA_SERVERS or SANIC_WORKERS) and the same {cpu_ms:.1f} ms of CPU per "
        f"message, the ceiling scales with the cores: about {ceiling[4]:.0f} messages/s on 4 and "
        f"{ceiling[8]:.0f} on 8, less what PostgreSQL and nginx lose to contention and whatever else the host "
        "runs. A single Rasa server stays at one core's worth on any host; extra cores only help with more Rasa "
        "processes. Latency at a given concurrency falls in proportion while the host is below its ceiling.",
        "",
    ]


def scaling_section(ours, scaled, stock, args) -> List[str]:
    rows = [ours, *scaled] + ([stock] if stock else [])
    lines = [
        "## Scaling: 8, 32 and 64 concurrent conversations",
        "",
        f"The same closed-loop shopper load, {args.conversations_8} conversations at 8, {args.conversations_32} at "
        f"32 and {args.conversations_64} at 64 at once (fewer per shopper at the higher concurrencies, to keep the "
        "run short), after the same 8 warm-up conversations. CPU per message: CPU time the Rasa server(s) used "
        "during the load, and every process the bench started (Rasa, action servers, intake, PostgreSQL, Redis, "
        "nginx; not the load generator), divided by the messages answered. Machine busy: all cores, every "
        "process on the machine, the load generator included (the machine is shared: this column shows how much of it the run had).",
        "",
        "| variant | stores | concurrent | messages/s | p50 / p95 / p99 (ms) | errors | Rasa CPU ms/msg | all services CPU ms/msg | machine busy |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        for c in SCALING_CONCURRENCY:
            f = r.get(f"c{c}")
            if not f:
                continue
            lines.append(
                f"| `{r['name']}` | {r['stores']} | {c} | {f['per_s']:.1f} | "
                f"{f['p50_ms']:.0f} / {f['p95_ms']:.0f} / {f['p99_ms']:.0f} | {f['errors']} | "
                f"{f['rasa_cpu_ms']:.1f} | {f['services_cpu_ms']:.1f} | {f['machine_busy']:.0%} |"
            )
    lines += ["", "Variants: " + "; ".join(f"`{r['name']}`: {r['description']}" for r in rows) + ".", ""]
    if stock:
        verdicts = []
        for r in [ours, *scaled]:
            ratio = r["c8"]["per_s"] / stock["c8"]["per_s"]
            met = ratio >= 3 and r["c8"]["p95_ms"] <= 100 and r["c64"]["errors"] == 0
            verdicts.append(
                f"`{r['name']}` {ratio:.1f}x, p95 {r['c8']['p95_ms']:.0f} ms, {r['c64']['errors']} errors at 64 "
                f"({'met' if met else 'missed'})"
            )
        lines += [
            "**Target (issue 10): at 8 concurrent conversations at least 3x the stock bot's messages per second "
            "with p95 at most 100 ms, no errors at 64.** " + "; ".join(verdicts) + ".",
            "",
        ]
    lines += cores_paragraph(ours, scaled)
    profiled = [r for r in rows if r.get("profile")]
    if profiled:
        lines += [
            "### Where the time per message goes",
            "",
            f"`bench/profile.py`: the model in a Rasa `Agent` in its own process, the same stores and action "
            f"server as the variant, {args.profile_conversations - 3} conversations one at a time (3 warm-up), "
            "Rasa's stages timed around every message (median per message; bot/rasa_server.py's fixes installed). "
            "Without the REST channel and the HTTP server, which the 1-conversation p50 above adds.",
            "",
            *profile_table(rows),
            "",
        ]
    return lines


def write_report(bots, scaled, intake, args, started: dt.datetime) -> str:
    ours = next(b for b in bots if b["name"] == "ours")
    stock = next((b for b in bots if b["name"] == "stock"), None)
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` (`{' '.join(['python -m bench', *sys.argv[1:]])}`) "
        f"on {started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu_model()}), "
        f"Python {platform.python_version()}. One run, bots measured one after another on a shared, "
        "noisy machine: read the ratios, not the absolute numbers.",
        "",
        "Load: closed-loop shoppers over the REST channel (`/webhooks/rest/webhook`), each conversation "
        "five held-out messages (greeting, three questions, thanks), the same script for every bot; "
        f"{args.conversations_1} conversations one at a time, then {args.conversations_8} with 8 running "
        "at once; 8 warm-up conversations discarded. Our bot's latency includes its action server "
        "(answers are composed there). Both Rasa servers run with one TensorFlow thread "
        "(`TF_INTRA_OP_PARALLELISM_THREADS=1`, as `make run` starts ours).",
        "",
        *bot_table(bots),
        "",
    ]
    lines += scaling_section(ours, scaled, stock, args)
    plain = next((b for b in bots if b["name"] == "ours-plain-rasa"), None)
    if plain:
        lines += [
            f"The fixes in `bot/rasa_server.py` (Rasa re-checked the action-reply schema on every custom "
            f"action; it also looked up event classes, matched all ~240 rules and built its SQL tracker "
            f"store's queries anew for every message): the same bot on plain `rasa run` handles "
            f"{plain['c8']['per_s']:.1f} messages/s at 8 conversations (p95 {plain['c8']['p95_ms']:.0f} ms): "
            f"the fixes give {ours['c8']['per_s'] / plain['c8']['per_s']:.1f}x the messages/s.",
            "",
        ]
    if stock and ours.get("nlu_ms") and stock.get("nlu_ms"):
        lines += [
            "Policy choice: per message at 1 conversation, the part after the NLU (policies, actions, "
            f"tracker) takes p50 {ours['c1']['p50_ms'] - ours['nlu_ms']:.0f} ms here with RulePolicy "
            f"alone and a call to the action server, against {stock['c1']['p50_ms'] - stock['nlu_ms']:.0f} ms "
            "for the stock bot's Memoization + Rule + UnexpecTED + TED (no action server). Every path of "
            "this bot is a rule; TED and UnexpecTED train on stories only, and this bot has none, so they "
            "would add prediction cost and nothing else.",
            "",
        ]
    if intake:
        saturation = next(v for k, v in intake.items() if k.startswith("saturation"))
        paced = next((v for k, v in intake.items() if k.startswith("paced")), None)
        cfg = intake["config"]
        lines += [
            "## Intake",
            "",
            f"`POST /api/v1/requests` (signed), {cfg['clients']} clients, gunicorn ({cfg['workers']} "
            f"{cfg['worker_class']} workers, `intake/gunicorn_conf.py`), SQLite (the embedded default):",
            "",
            "| phase | submissions/s | p50 / p95 / p99 (ms) |",
            "|---|---|---|",
            f"| saturation (closed loop) | {saturation['per_s']:.0f} | "
            f"{saturation['p50_ms']:.0f} / {saturation['p95_ms']:.0f} / {saturation['p99_ms']:.0f} |",
        ]
        if paced:
            lines.append(
                f"| paced at 300/s offered | {paced['per_s']:.0f} | "
                f"{paced['p50_ms']:.0f} / {paced['p95_ms']:.0f} / {paced['p99_ms']:.0f} |"
            )
            lines += ["", f"Target 300/s with p99 under 50 ms: {'met' if intake.get('target_met') else 'missed'}."]
        lines.append("")
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines))
    return "\n".join(lines)


def update_readme(report: str) -> None:
    """Replace the block between the README's bench markers with the report's tables."""
    text = README.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        print("README has no bench markers; figures are in docs/benchmarks.md only")
        return
    body = report.split("\n", 2)[2].strip()  # without the "# Benchmarks" title
    body = re.sub(r"^## ", "#### ", body, flags=re.M)
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    README.write_text(f"{before}{start}\n{body}\n{end}{after}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations-1", type=int, default=30, help="conversations at concurrency 1")
    parser.add_argument("--conversations-8", type=int, default=120, help="conversations at concurrency 8")
    parser.add_argument("--conversations-32", type=int, default=96, help="conversations at concurrency 32")
    parser.add_argument("--conversations-64", type=int, default=128, help="conversations at concurrency 64")
    parser.add_argument("--profile-conversations", type=int, default=23, help="for the profile (3 are warm-up)")
    parser.add_argument("--no-scaled", action="store_true", help="skip the 2-server and SANIC_WORKERS=2 variants")
    parser.add_argument("--no-profile", action="store_true", help="skip the per-stage profile")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain-`rasa run` variant")
    parser.add_argument("--no-intake", action="store_true", help="skip the intake benchmark")
    parser.add_argument("--model", type=Path, help="our bot's trained model: skip training it (no training time)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (models, logs)")
    args = parser.parse_args()

    started = dt.datetime.now(dt.timezone.utc)
    work = Path(tempfile.mkdtemp(prefix="privacy-bot-bench-"))
    print(f"work folder: {work}")
    try:
        ours = our_bot(work)
        if args.model:
            ours.model = args.model.resolve()
        bots = [measure_bot(ours, work, args)]
        if not args.no_plain:
            bots.append(measure_bot(our_bot_plain_rasa(ours), work, args))
        scaled = []
        if not args.no_scaled:
            for label, description, servers, workers in SCALED_VARIANTS:
                scaled.append(measure_scaled(ours, label, description, servers, workers, work, args))
        bots.append(measure_bot(stock_bot(work), work, args))
        (ROOT / "var").mkdir(exist_ok=True)  # the raw figures, kept even if the intake bench fails
        (ROOT / "var" / "bench-figures.json").write_text(json.dumps({"bots": bots, "scaled": scaled}))
        intake = None
        if not args.no_intake:
            print("\n== intake", flush=True)
            intake = intake_bench.measure(intake_bench.options(duration=10.0, warmup=200))
        report = write_report(bots, scaled, intake, args, started)
        update_readme(report)
        print(f"\n{report}\nwritten to {DOC.relative_to(ROOT)} and README.md")
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
