"""`make bench`: cold start, init and size figures against budgets (issue #6), as a table and as JSON in
target/bench/. Runs against a local stack (ports 8200/5200/9200) that it starts and stops.

    bench.py            release binaries (cargo lambda build --release), 20 cold starts each
    bench.py --quick    the debug binaries `make test` built, 3 starts: checks the suite still runs (CI)
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from runtime_api import RuntimeApi  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ["token", "customer-lookup", "bpm-cmd", "customer-onboarding"]
BASELINE = "bench-hello"


def sh(*cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, check=True, **kw)


def stack_env():
    out = subprocess.run(["bash", "infra/local/stack.sh", "env"], cwd=ROOT, check=True, capture_output=True, text=True,
                         env={**os.environ, "STACK": "bench"}).stdout
    env = {}
    for line in out.splitlines():
        line = line.removeprefix("export ").strip()
        for part in line.split(" "):
            if "=" in part:
                k, v = part.split("=", 1)
                env[k] = v.replace("${RUST_LOG:-info}", "warn")
    return env


def build(quick):
    """Paths of the binaries to measure, and the bootstrap.zip sizes (release only)."""
    names = FUNCTIONS + [BASELINE]
    if quick:
        for n in names:
            sh("cargo", "build", "--quiet", "--manifest-path", "Cargo.toml", "--bin", n)
        return {n: ROOT / "target/debug" / n for n in names}, {}
    args = [str(ROOT / ".venv/bin/cargo-lambda"), "lambda", "build", "--release", "--compiler", "cargo",
            "--output-format", "zip"]
    for n in names:
        args += ["--bin", n]
    sh(*args)
    # Run exactly what would be deployed: the bootstrap inside each bootstrap.zip.
    import zipfile
    bins, sizes = {}, {}
    for n in names:
        z = ROOT / f"target/lambda/{n}/bootstrap.zip"
        sizes[n] = z.stat().st_size
        out = ROOT / f"target/bench/bin/{n}"
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(z) as zf:
            zf.extract("bootstrap", out)
        (out / "bootstrap").chmod(0o755)
        bins[n] = out / "bootstrap"
    return bins, sizes


def event(name, token):
    if name == "token":
        return json.loads((ROOT / "events/token.password.json").read_text())
    if name in ("customer-lookup", "python-twin"):
        e = json.loads((ROOT / "events/customer-lookup.seed.json").read_text())
        e["headers"]["authorization"] = f"Bearer {token}"
        return e
    if name == "bpm-cmd":
        e = json.loads((ROOT / "events/bpm-cmd.request-customer-approval.json").read_text())
        e["headers"]["authorization"] = f"Bearer {token}"
        return e
    if name == "customer-onboarding":
        e = json.loads((ROOT / "events/customer-onboarding.seed.json").read_text())
        return e  # no token: measures start + verifier path; onboarding work is issue #6 item 4
    return {"hello": "world"}


def one_start(cmd, env, ev):
    """(init_ms, cold_ms, warm_ms) for one process start: spawn -> first next; spawn -> first response minus
    the warm latency of the same request. A fresh Runtime API per start: a killed process's pending
    `next` must not swallow the next process's event."""
    api = RuntimeApi()
    env = {**env, "AWS_LAMBDA_RUNTIME_API": api.address}
    t0 = time.perf_counter_ns()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        kind, t_first, body = api.invoke(ev)
        if kind != "response":
            raise RuntimeError(f"{cmd[0]} answered {kind}: {body[:200]!r}")
        init_ms = (api.first_next_ns - t0) / 1e6
        w0 = time.perf_counter_ns()
        api.invoke(ev)
        warm_ms = (time.perf_counter_ns() - w0) / 1e6
        return init_ms, (t_first - t0) / 1e6 - warm_ms, warm_ms
    finally:
        proc.kill()
        proc.wait()
        api.close()


def measure(cmd, env, ev, n):
    runs = [one_start(cmd, env, ev) for _ in range(n)]
    return {"init_ms": statistics.median(r[0] for r in runs), "cold_ms": statistics.median(r[1] for r in runs),
            "warm_ms": statistics.median(r[2] for r in runs), "starts": n}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 3 if args.quick else 20
    env_stack = {**os.environ, "STACK": "bench"}
    sh("bash", "infra/local/stack.sh", "start", env=env_stack, stdout=subprocess.DEVNULL)
    try:
        bins, sizes = build(args.quick)
        api = RuntimeApi()
        base_env = {**os.environ, **stack_env(),
                    "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                    "AWS_LAMBDA_FUNCTION_VERSION": "1", "AWS_LAMBDA_LOG_FORMAT": "Text", "RUST_LOG": "warn"}
        # A partner token from our own token function (the first start also warms nothing else).
        kind, _, body = (None, None, None)
        proc = subprocess.Popen([str(bins["token"])], env={**base_env, "AWS_LAMBDA_RUNTIME_API": api.address},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            kind, _, body = api.invoke(event("token", None))
        finally:
            proc.kill()
            proc.wait()
            api.close()
        token = json.loads(json.loads(body)["body"])["access_token"]

        results = {}
        for name in [BASELINE] + FUNCTIONS:
            results[name] = measure([str(bins[name])], base_env, event(name, token), n)
        twin_env = {**base_env, "PYTHONPATH": str(Path(__file__).parent)}
        results["python-twin"] = measure([str(ROOT / ".venv/bin/python"), "-m", "awslambdaric", "python_twin.handler"],
                                         twin_env, event("python-twin", token), n)
    finally:
        sh("bash", "infra/local/stack.sh", "stop", env=env_stack, stdout=subprocess.DEVNULL)

    base = results[BASELINE]["cold_ms"]
    rows = []
    for name in FUNCTIONS:
        r = results[name]
        rows.append((f"cold start {name} / hello-world", "<= 2.0x", f"{r['cold_ms']:.1f} ms", r["cold_ms"] / base, r["cold_ms"] / base <= 2.0))
        rows.append((f"init {name}", "report", f"{r['init_ms']:.1f} ms", None, True))
    py = results["python-twin"]["cold_ms"]
    ours = results["customer-lookup"]["cold_ms"]
    rows.append(("python twin cold / customer-lookup cold", ">= 10x", f"{py:.1f} / {ours:.1f} ms", py / ours, py / ours >= 10))
    for name, size in sizes.items():
        rows.append((f"bootstrap.zip {name}", "<= 4 MiB", f"{size / 1048576:.2f} MiB", size / 4194304, size <= 4194304))
    print(f"{'figure':<48} {'budget':>9} {'measured':>20} {'ratio':>7}  result")
    for fig, budget, measured, ratio, ok in rows:
        r = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"{fig:<48} {budget:>9} {measured:>20} {r:>7}  {'pass' if ok else 'FAIL'}")
    out = ROOT / "target/bench"
    out.mkdir(parents=True, exist_ok=True)
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": platform.platform(),
              "cpus": os.cpu_count(), "mode": "quick" if args.quick else "full", "results": results,
              "sizes": sizes, "rows": [dict(figure=f, budget=b, measured=m, ratio=r, passed=ok) for f, b, m, r, ok in rows]}
    (out / ("bench-quick.json" if args.quick else "bench.json")).write_text(json.dumps(report, indent=2))
    if args.quick:
        print("bench (quick): the suite runs; budgets are checked by the full run only")
        return 0
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
