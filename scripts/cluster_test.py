#!/usr/bin/env python3
"""A cluster on one machine: `cubeseg serve --workers 0` and two `cubeseg worker` processes on
one PostgreSQL database and one data directory; 20 small jobs; one worker killed with SIGKILL
in the middle of a job. Then:

- every job succeeded, and exactly one run of each committed a result ("job run ended
  outcome=succeeded" once per job across the workers' logs);
- the job the killed worker was running was reclaimed after its lease expired (attempt 2)
  and finished on the other worker;
- the result folders on disk are exactly those the jobs refer to: nothing written by a
  worker that lost its lease survives;
- the survivors drain and exit 0 on SIGTERM.

Usage: scripts/cluster_test.py [BIN]   (needs CUBESEG_TEST_POSTGRES_URL, as make test sets)
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release/cubeseg"
JOBS = 20


def fail(message):
    print(f"cluster test: FAILED: {message}")
    sys.exit(1)


def call(base, method, path, body=None, headers=None, timeout=120):
    """(status, body): the body decoded when it is JSON, bytes otherwise."""
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, kind, raw = r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        status, kind, raw = e.code, e.headers.get("Content-Type", ""), e.read()
    return status, (json.loads(raw or b"null") if "json" in kind else raw)


def committed(log):
    """Job ids of the runs that committed a result ("job run ended" with outcome=succeeded)."""
    return [m.group(1) for line in log.splitlines() if "job run ended" in line and "outcome=succeeded" in line
            for m in [re.search(r"job=([0-9a-z_-]+)", line)] if m]


def wait_until(what, predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    fail(f"timed out after {seconds} s waiting for {what}")


def main():
    url = os.environ.get("CUBESEG_TEST_POSTGRES_URL")
    if not url:
        fail("CUBESEG_TEST_POSTGRES_URL is not set (make test starts a private PostgreSQL server)")
    schema = "cluster_" + uuid.uuid4().hex[:12]
    store = url + ("&" if "?" in url else "?") + "schema=" + schema
    work = tempfile.mkdtemp(prefix="cubeseg-cluster.")
    data = os.path.join(work, "data")
    env = dict(os.environ,
               CUBESEG_LEASE_SECONDS="4", CUBESEG_HEARTBEAT_SECONDS="0.5", CUBESEG_RETRY_BASE_SECONDS="0.2",
               CUBESEG_POLL_SECONDS="0.5", CUBESEG_MIN_FREE_BYTES="0", CUBESEG_BLAS_THREADS="1")
    procs = {}

    def start(name, args):
        log = open(os.path.join(work, name + ".log"), "w")
        procs[name] = (subprocess.Popen([BIN] + args, stdout=log, stderr=subprocess.STDOUT, env=env), log)

    def log_of(name):
        with open(os.path.join(work, name + ".log")) as f:
            return f.read()

    try:
        cube = os.path.join(work, "cube.npy")
        subprocess.run([BIN, "synth", "maxrf", cube, "--size", "32", "--channels", "256", "--seed", "3"],
                       check=True, stdout=subprocess.DEVNULL)
        start("serve", ["serve", "--port", "0", "--workers", "0", "--store", store, "--data-dir", data])
        base = wait_until("the front to listen", lambda: (re.search(r"listening on (http://\S+)", log_of("serve")) or [None, None])[1], 60)
        for w in ("worker1", "worker2"):
            start(w, ["worker", "--store", store, "--data-dir", data, "--workers", "1"])

        with open(cube, "rb") as f:
            status, body = call(base, "PUT", "/v1/cubes?name=cluster", f.read(), {"Content-Type": "application/octet-stream"})
        if status != 201:
            fail(f"upload answered {status}: {body}")
        cube_id = body["id"]
        jobs = []
        for i in range(JOBS):
            status, body = call(base, "POST", "/v1/jobs",
                                json.dumps({"cube_id": cube_id, "params": {"epochs": 150, "k_max": 4, "seed": i}}).encode(),
                                {"Content-Type": "application/json"})
            if status != 202:
                fail(f"job {i} answered {status}: {body}")
            jobs.append(body["id"])

        # The moment worker1 is running a job (its log says it started one), kill it.
        def in_flight_on_worker1():
            text = log_of("worker1")
            ended = set(re.findall(r"job=([0-9a-z_-]+)[^\n]*job run ended", text))
            return [j for j in re.findall(r"job=([0-9a-z_-]+)[^\n]*job started", text) if j not in ended]

        wait_until("worker1 to start a job", in_flight_on_worker1, 120)
        time.sleep(random.uniform(0.1, 0.6))   # into its training
        procs["worker1"][0].kill()
        procs["worker1"][0].wait()
        in_flight = in_flight_on_worker1()
        print(f"cluster test: killed worker1 (SIGKILL) while it ran {in_flight}")

        def all_finished():
            states = {}
            for j in jobs:
                status, body = call(base, "GET", f"/v1/jobs/{j}")
                if status != 200:
                    fail(f"GET job {j} answered {status}")
                states[j] = body
            return states if all(b["state"] in ("succeeded", "failed", "cancelled") for b in states.values()) else None

        final = wait_until("all 20 jobs to finish", all_finished, 600)
        bad = {j: b["state"] + ": " + str(b.get("error")) for j, b in final.items() if b["state"] != "succeeded"}
        if bad:
            fail(f"jobs that did not succeed: {bad}")
        # Exactly one committed run per job, across both workers.
        commits = committed(log_of("worker1") + log_of("worker2"))
        counts = {j: commits.count(j) for j in jobs}
        if any(n != 1 for n in counts.values()):
            fail(f"committed runs per job should all be 1: {counts}")
        for j in in_flight:
            if final[j]["attempt"] != 2:
                fail(f"the killed worker's job {j} should have been reclaimed (attempt 2), is at attempt {final[j]['attempt']}")
            if j not in committed(log_of("worker2")):
                fail(f"the killed worker's job {j} did not finish on worker2")
        if not in_flight:
            fail("worker1 was killed between jobs; the test needs it killed mid-job")
        # Result folders on disk: exactly those the jobs refer to.
        results_dir = os.path.join(data, "blobs", "results")
        on_disk = set(os.listdir(results_dir)) if os.path.isdir(results_dir) else set()
        if len(on_disk) != JOBS:
            fail(f"{len(on_disk)} result folders on disk for {JOBS} succeeded jobs: a run that lost its lease left its results")
        for j in jobs:
            status, _ = call(base, "GET", f"/v1/jobs/{j}/results/labels.npy")
            if status != 200:
                fail(f"labels.npy of job {j} answered {status}")
        # The survivors drain on SIGTERM and exit 0.
        for name in ("worker2", "serve"):
            p = procs[name][0]
            p.send_signal(signal.SIGTERM)
            try:
                code = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                fail(f"{name} did not exit within 60 s of SIGTERM")
            if code != 0:
                fail(f"{name} exited {code} on SIGTERM")
        print(f"cluster test: OK: {JOBS} jobs, each committed once; the killed worker's job {in_flight} "
              f"finished on the other worker at attempt 2; {len(on_disk)} result folders; clean SIGTERM exits")
    finally:
        for p, log in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
            log.close()
        if os.environ.get("KEEP_CLUSTER_TEST") is None:
            subprocess.run(["rm", "-rf", work])
        else:
            print(f"cluster test: logs kept in {work}")
        try:
            import shlex  # noqa: F401  (psql drops the test schema; best effort)
            m = re.match(r"postgres://([^@]+)@[^/]*/([^?]+)\?host=(\S+)", url)
            if m:
                subprocess.run(["psql", f"host={m.group(3)} user={m.group(1)} dbname={m.group(2)}", "-qc",
                                f"DROP SCHEMA IF EXISTS {schema} CASCADE"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            pass


if __name__ == "__main__":
    main()
