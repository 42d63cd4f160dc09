# The targets a newcomer looks for. `make dev` runs everything; `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.9

STACK := deploy/local/stack.sh

.PHONY: setup clients stack dev down test unit lint typecheck bench bench-sockets bench-mix bench-search bench-booking bench-notify bench-assistant bench-relay bench-rebuild bench-calls schemas asyncapi eval-ai

setup:  ## install uv and the locked Python dependencies
	@command -v uv >/dev/null 2>&1 || python3 -m pip install -q "uv==$(UV_VERSION)" \
		|| python3 -m pip install -q --break-system-packages "uv==$(UV_VERSION)"
	uv sync --frozen --all-packages

clients:  ## install and build the TypeScript SDK (clients/typescript) from its lock file
	cd clients/typescript && npm ci --no-audit --no-fund

stack:  ## start Kafka, PostgreSQL and Redis on 127.0.0.1 (installs what is missing)
	bash $(STACK) start

dev: setup clients stack  ## run the whole system: the stack, all five services and the staff console
	uv run python deploy/local/dev.py

down:  ## stop the services and the stack
	-uv run python deploy/local/dev.py --stop
	bash $(STACK) stop

test: setup clients stack  ## every test, against the real Kafka, PostgreSQL and Redis (HAProxy for the failover test, chromium for the console's, Prometheus for the dashboards and alerts, coturn for the calls); kubeconform and the compose schema for the deploy files
	bash $(STACK) haproxy-install
	bash $(STACK) chromium-install
	bash $(STACK) prometheus-install
	bash $(STACK) coturn-install
	bash $(STACK) deploy-checks-install
	uv run pytest

unit: setup  ## only the tests that need no running infrastructure (promtool checks the alert rules; kubeconform the deploy files)
	bash $(STACK) prometheus-install
	bash $(STACK) deploy-checks-install
	uv run pytest -m "not integration and not e2e"

lint: setup
	uv run ruff check .
	uv run ruff format --check .

typecheck: setup
	uv run mypy libs/contracts/src libs/platform/src services/*/src deploy/local/src

bench: setup stack  ## the full-path messaging benchmark (see docs/benchmarks.md)
	uv run python bench/messaging_path.py $(BENCH_ARGS)

bench-search: setup stack  ## search latency over 1.1 million messages in a throwaway database (docs/benchmarks.md)
	uv run python bench/search.py $(BENCH_ARGS)

bench-booking: setup stack  ## booking: confirmations/s under contention, slot-search latency (docs/benchmarks.md)
	uv run python bench/booking.py $(BENCH_ARGS)

eval-ai: setup  ## the assistant's understanding on labelled messages; fails below eval/floors.json
	uv run python services/ai-assist/eval/run.py $(EVAL_ARGS)

bench-calls: setup stack  ## call setup across two gateways and the first video frame through coturn (docs/benchmarks.md#calls)
	bash $(STACK) coturn-install
	uv run python bench/calls.py $(BENCH_ARGS)

schemas:  ## snapshot new contract schemas (refuses incompatible changes)
	uv run python -m frontdesk_contracts.snapshots

asyncapi:  ## regenerate docs/asyncapi.json from the contracts
	uv run python -m frontdesk_contracts.asyncapi > docs/asyncapi.json

bench-sockets: setup stack  ## N sockets on one gateway: connect rate, KiB per idle socket, reconnect storm, p99 (docs/benchmarks.md)
	uv run python bench/sockets.py $(BENCH_ARGS)

bench-mix: setup stack  ## messaging mix (typing, receipts), reconnect storm, rebuild speed
	uv run python bench/messaging_mix.py $(BENCH_ARGS)

bench-relay: setup stack  ## outbox relay: rows/s from the outbox into Kafka, order per key checked
	uv run python bench/relay.py $(BENCH_ARGS)

bench-rebuild: setup stack  ## rebuild-projections events/s: messaging (154,000 events), or BENCH_ARGS="--service booking|notify|ai-assist" (booking: 131,000 events, rebuilt == live checked)
	uv run python bench/rebuild.py $(BENCH_ARGS)

bench-notify: setup stack  ## 100,000 reminders: how late they fire, none twice; delivery through the dev sink
	uv run python bench/notify.py $(BENCH_ARGS)

bench-assistant: setup stack  ## the assistant's reply latency p50/p99 through the gateway, booking included
	uv run python bench/assistant.py $(BENCH_ARGS)
