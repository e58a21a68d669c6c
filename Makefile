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

# Issue #6 (in progress): cold start / init / size against budgets; see tests/bench/bench.py.
bench:
	.venv/bin/python tests/bench/bench.py

bench-quick:
	.venv/bin/python tests/bench/bench.py --quick
