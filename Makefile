# The two commands (see README):
#   make up    the whole API locally on 127.0.0.1:9000 (emulators, resources, demo realm, watch)
#   make test  every test, with its own services on other ports
.PHONY: up test lint stop-test bench bench-quick
up:
	bash infra/local/stack.sh up

test:
	bash infra/local/test.sh

lint:
	bash infra/local/lint.sh

stop-test:
	STACK=test bash infra/local/stack.sh stop

# Benchmarks with budgets (cold start, warm path, onboarding, size, token split): tests/bench/bench.py.
# make test runs bench-quick (debug builds, a few samples) to check the suite still runs.
bench:
	.venv/bin/python tests/bench/bench.py

bench-quick:
	.venv/bin/python tests/bench/bench.py --quick
