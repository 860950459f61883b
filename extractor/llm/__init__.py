"""The LLM extraction backends (``llm`` and ``hybrid``) and what they need.

Opt-in: nothing in here imports openai, instructor or httpx until a model
is actually asked, so the default parser path neither pays their import time
nor needs the ``llm`` extra installed.

    settings   which endpoint and model: CLI flags, environment, config file
    config     the shared config file, nianbao.toml
    prices     what a call costs, from the dated price table
    prompts    prompt files of ``prompts/``, with their content hash
    answers    the pydantic models the model must fill
    client     one structured request through openai + instructor: re-asked, retried
    cache      answers on disk, keyed by model + prompt + input
    cassette   recorded answers in one file, replayed offline
    log        every call in SQLite
    ask        one question: cache, client, log and usage together
    locate     an answer's numbers found in the source, or flagged
    backend    the ``llm`` and ``hybrid`` backends
"""
