# Stillpoint's one entry point for tooling; CI (.ci/run) runs the same commands.

default:
    @just --list

# Run the product on generated demo data.
demo:
    cargo run --release -- demo

# Format the code.
fmt:
    cargo fmt --all

# Lint exactly as CI does.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Run every test.
test:
    cargo test --workspace

# Ingest throughput over generated practitioners (default one million); writes a report.
bench count="1000000":
    cargo run --release -p stillpoint-bench -- ingest --count {{count}}

# Search latency per query class over a generated index (built once, then reused).
bench-search count="1000000":
    cargo run --release -p stillpoint-bench -- search --count {{count}}

# The HTTP load mix run in-process: the search core's and the JSON's CPU per request type.
bench-mix count="1000000":
    cargo run --release -p stillpoint-bench -- mix --count {{count}}

# The HTTP load benchmark (wrk and bench/mix.lua against `stillpoint serve`).
load:
    bash bench/load.sh

# What CI runs.
ci:
    bash .ci/run

# Re-derive the embedded gazetteer (see scripts/gazetteer/README.md).
gazetteer:
    node scripts/gazetteer/derive.js
