#!/usr/bin/env python3
"""Headless-browser check of the CubeSeg viewer (GET / on `cubeseg serve`).

Usage: scripts/browser_test.py BIN [--resources DIR] [--artifacts DIR] [--keep]

BIN is the cubeseg binary. The script starts `BIN serve` on a free port with a temporary data
directory, writes a small synthetic MA-XRF cube with `BIN synth`, starts chromedriver and a
headless Chromium (Debian's `chromium` and `chromium-driver`), and drives the page through the
W3C WebDriver protocol (plain HTTP, no selenium):

  upload the cube through the page's file input (with its keV axis), submit a job with the
  default parameters, wait for it in the page's job list, open the result, then check
  (1) every pixel of the label canvas has its label's palette colour (labels.json, clusters.json),
  (2) a click on a pixel shows that pixel's spectrum (= GET /v1/cubes/{id}/spectrum) and its row/col,
  (3) moving the K slider keeps the colour of the region the two Ks share most,
  (4) the legend shows K entries whose shares add up to 100 %,
  (5) against a server with a token: the page asks for the token on 401 and then lists the jobs,
  (6) a copy of the cube whose first three rows are NaN (no data) segments, and the report panel
      and report.json name its pixels without data.

Screenshots of every view go to .build/browser-artifacts/. Exits 1 on any failed check (one line
per check either way); the server, chromedriver and Chromium are stopped in every case.
Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
KEY_END = "\ue010"
KEY_LEFT = "\ue012"
KEY_RIGHT = "\ue014"
TOKEN = "browser-test-token-7f3a9c2e51d84b06"
FINISHED = ("succeeded", "failed", "cancelled")


class CheckFailed(Exception):
    """A check of the viewer failed; the message says which and why."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, predicate, timeout, interval=0.25):
    """Polls `predicate` until it returns a truthy value; raises CheckFailed after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except CheckFailed:
            raise
        except Exception as e:  # a transient error while the page changes
            last_error = e
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def stop_group(proc, name, grace=20):
    """SIGTERM to the process group we started (`start_new_session`), SIGKILL after `grace` s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        print(f"  {name} did not stop within {grace} s: killing it", file=sys.stderr)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------
class ServerProcess:
    """`cubeseg serve` on a free loopback port with its own config and data directory."""

    def __init__(self, binary, workdir, token=None, resources=None, name="server"):
        self.binary = binary
        self.workdir = workdir
        self.token = token
        self.resources = resources
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log_path = os.path.join(workdir, f"{name}.log")

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        config = os.path.join(self.workdir, f"{self.name}.yaml")
        lines = [
            "host: 127.0.0.1",
            f"port: {self.port}",
            f"data_dir: {os.path.join(self.workdir, self.name + '-data')}",
            "workers: 1",
            "min_free_bytes: 0",
        ]
        if self.token:
            lines += ["tokens:", f'  - {{token: "{self.token}", name: browser-test}}']
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ)
        # The service's own variables would override the config file.
        for k in list(env):
            if k.startswith("CUBESEG_"):
                del env[k]
        if self.resources:
            env["CUBESEG_RESOURCES"] = self.resources
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", config], cwd=self.workdir, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(f"{self.name} to answer /healthz", self._healthy, 120)

    def _healthy(self):
        if self.proc.poll() is not None:
            raise CheckFailed(f"{self.name} exited with status {self.proc.returncode}; see {self.log_path}")
        try:
            return self.request("GET", "/healthz", auth=False)[0] == 200
        except OSError:
            return False

    def request(self, method, path, body=None, headers=None, auth=True, timeout=120):
        """(status, headers, bytes) of one API call; error statuses are returned, not raised."""
        h = dict(headers or {})
        if auth and self.token:
            h["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, path):
        status, _, body = self.request("GET", path)
        if status != 200:
            raise CheckFailed(f"GET {path} answered {status}: {body[:300]!r}")
        return json.loads(body)

    def stop(self):
        stop_group(self.proc, self.name)
        if getattr(self, "log", None):
            self.log.close()


# ---------------------------------------------------------------------------------------------
# WebDriver (W3C protocol over HTTP)
# ---------------------------------------------------------------------------------------------
class WebDriverError(Exception):
    pass


class WebDriver:
    """chromedriver plus one headless Chromium session, spoken to in plain W3C WebDriver."""

    def __init__(self, chromedriver, chromium, log_path):
        self.chromedriver = chromedriver
        self.chromium = chromium
        self.log_path = log_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.session = None

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.chromedriver, f"--port={self.port}"], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_until("chromedriver to be ready", lambda: self._raw("GET", "/status").get("value", {}).get("ready"), 60)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                         "--disable-gpu", "--force-device-scale-factor=1", "--no-first-run", "--no-default-browser-check",
                         "--disable-extensions", "--disable-background-networking"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
            "timeouts": {"script": 120000, "pageLoad": 120000, "implicit": 0},
        }}}
        value = self._raw("POST", "/session", caps, timeout=180)["value"]
        if "sessionId" not in value:
            raise WebDriverError(f"no session: {value}")
        self.session = value["sessionId"]

    def _raw(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                v = json.loads(e.read()).get("value", {})
                msg = f"{v.get('error')}: {v.get('message', '')[:500]}"
            except Exception:
                msg = str(e)
            raise WebDriverError(f"{method} {path}: {msg}") from None

    def cmd(self, method, path, body=None, timeout=120):
        return self._raw(method, f"/session/{self.session}{path}", body, timeout).get("value")

    # navigation, scripts, elements
    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def execute(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        return self.cmd("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css):
        return [e[ELEMENT] for e in self.cmd("POST", "/elements", {"using": "css selector", "value": css})]

    def ref(self, element_id):
        return {ELEMENT: element_id}

    def click(self, element_id):
        self.cmd("POST", f"/element/{element_id}/click", {})

    def send_keys(self, element_id, text):
        self.cmd("POST", f"/element/{element_id}/value", {"text": text})

    def clear(self, element_id):
        self.cmd("POST", f"/element/{element_id}/clear", {})

    def displayed(self, css):
        ids = self.find_all(css)
        return bool(ids) and bool(self.cmd("GET", f"/element/{ids[0]}/displayed"))

    def click_at(self, element_id, x, y):
        """Pointer move to (x, y) from the element's in-view centre, then a left click."""
        self.cmd("POST", "/actions", {"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "origin": self.ref(element_id), "x": int(x), "y": int(y)},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0},
            ]}]})
        self.cmd("DELETE", "/actions")

    def screenshot(self, path, element_id=None):
        url = f"/element/{element_id}/screenshot" if element_id else "/screenshot"
        png = base64.b64decode(self.cmd("GET", url))
        with open(path, "wb") as f:
            f.write(png)
        return path

    def browser_log(self):
        try:
            return self.cmd("POST", "/se/log", {"type": "browser"}) or []
        except WebDriverError:
            return []

    def quit(self):
        if self.session:
            try:
                self._raw("DELETE", f"/session/{self.session}", timeout=30)
            except Exception:
                pass
            self.session = None
        stop_group(self.proc, "chromedriver", grace=10)
        if getattr(self, "log", None):
            self.log.close()


# ---------------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------------
class ViewerTest:
    def __init__(self, args):
        self.args = args
        self.binary = os.path.abspath(args.binary)
        self.artifacts = os.path.abspath(args.artifacts)
        self.tmp = tempfile.mkdtemp(prefix="cubeseg-browser-")
        self.server = None
        self.driver = None
        self.results = []
        self.shots = []

    # --- helpers ---
    def ok(self, n, text):
        line = f"PASS ({n}) {text}"
        self.results.append(line)
        print(line, flush=True)

    def step(self, text):
        print(f"  .. {text}", flush=True)

    def shot(self, name, css=None):
        path = os.path.join(self.artifacts, name)
        try:
            if css:
                # Just below the sticky top bar, which would otherwise cover the element's top.
                self.driver.execute("const e = document.querySelector(arguments[0]); window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 64);", css)
                time.sleep(0.2)
                self.driver.screenshot(path, self.driver.find(css))
            else:
                self.driver.screenshot(path)
            self.shots.append(path)
        except Exception as e:  # a screenshot never decides the outcome
            print(f"  (screenshot {name} failed: {e})", file=sys.stderr)

    def viewer(self, expr):
        return self.driver.execute(f"const v = window.cubesegViewer; return v ? ({expr}) : null;")

    def canvas_rgba(self):
        """The label canvas as (width, height, bytes RGBA)."""
        r = self.driver.execute("""
            const c = document.getElementById(window.cubesegViewer.state.labelCanvasId);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let s = '';
            for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode.apply(null, d.subarray(i, i + 8192));
            return {w: c.width, h: c.height, data: btoa(s)};""")
        return r["w"], r["h"], base64.b64decode(r["data"])

    @staticmethod
    def rgb(hex_color):
        h = hex_color.lstrip("#")
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))

    # --- the run ---
    def run(self):
        os.makedirs(self.artifacts, exist_ok=True)
        for f in os.listdir(self.artifacts):
            if f.endswith(".png"):
                os.remove(os.path.join(self.artifacts, f))
        cube = self.make_cube()
        try:
            self.server = ServerProcess(self.binary, self.tmp, resources=self.args.resources, name="server")
            self.server.start()
            self.step(f"server at {self.server.url}")
            self.check_page_served()
            self.driver = WebDriver(self.args.chromedriver, self.args.chromium, os.path.join(self.tmp, "chromedriver.log"))
            self.driver.start()
            self.step("headless Chromium session started")
            job_id = self.upload_and_submit(cube)
            self.wait_job(job_id)
            self.open_result(job_id)
            self.check_label_colours(1, self.viewer("v.state.k"))
            self.check_pixel_click()
            self.check_legend(4)
            self.check_k_switch()
            self.check_missing_values(cube)
            self.check_console()
        finally:
            self.stop_all()
        # (5) a server with a token: the page asks for it.
        try:
            self.server = ServerProcess(self.binary, self.tmp, token=TOKEN, resources=self.args.resources, name="token-server")
            self.server.start()
            self.driver = WebDriver(self.args.chromedriver, self.args.chromium, os.path.join(self.tmp, "chromedriver-token.log"))
            self.driver.start()
            self.check_token(cube)
        finally:
            self.stop_all()

    def stop_all(self):
        if self.driver:
            self.driver.quit()
            self.driver = None
        if self.server:
            self.server.stop()
            self.server = None

    def make_cube(self):
        path = os.path.join(self.tmp, "painting.npy")
        channels = self.args.channels
        subprocess.run([self.binary, "synth", "maxrf", path, "--size", str(self.args.size), "--channels", str(channels),
                        "--classes", "5", "--counts", "200", "--seed", "3"], check=True, stdout=subprocess.DEVNULL)
        self.axis_step = 20.48 / channels  # cubeseg synth: channel i at i * 20.48 / channels keV
        self.step(f"synthetic cube {self.args.size} x {self.args.size} x {channels} at {path}")
        return path

    def check_page_served(self):
        status, headers, body = self.server.request("GET", "/", auth=False)
        if status != 200 or b"cubeseg" not in body.lower():
            raise CheckFailed(f"GET / answered {status} ({headers.get('Content-Type')}), not the viewer page")
        for f in ("viewer.js", "viewer.css", "api.js", "plot.js"):
            s, _, _ = self.server.request("GET", f"/viewer/{f}", auth=False)
            if s != 200:
                raise CheckFailed(f"GET /viewer/{f} answered {s}")

    def upload_and_submit(self, cube):
        d = self.driver
        d.get(self.server.url + "/#/upload")
        wait_until("the upload view", lambda: d.displayed("#drop-zone"), 60)
        d.send_keys(d.find("#file-input"), cube)
        wait_until("the chosen file in the list", lambda: "painting.npy" in d.execute("return document.getElementById('file-list').textContent;"), 30)
        d.send_keys(d.find("#axis-start"), "0")
        d.send_keys(d.find("#axis-step"), repr(self.axis_step))
        d.send_keys(d.find("#axis-unit"), "keV")
        self.shot("01-upload.png")
        d.click(d.find("#submit-job"))
        self.step("uploading and submitting with default parameters")

        def new_row():
            errors = d.execute("return Array.from(document.querySelectorAll('#messages .message.error')).map(e => e.textContent);")
            if errors:
                raise CheckFailed(f"the page showed an error after submitting: {errors}")
            return d.execute("const r = document.querySelector('#jobs-body tr.job-row.highlight'); return location.hash === '#/jobs' && r ? r.dataset.jobId : null;")
        job_id = wait_until("the new job in the job list", new_row, 300)
        time.sleep(0.5)
        self.shot("02-jobs.png")
        self.step(f"job {job_id} listed")
        return job_id

    def wait_job(self, job_id):
        d = self.driver
        seen = set()

        def finished():
            state = d.execute("const r = document.querySelector(`#jobs-body tr.job-row[data-job-id='${arguments[0]}']`); return r ? r.dataset.state : null;", job_id)
            if state and state not in seen:
                seen.add(state)
                self.step(f"job list shows {state}")
                if state == "running":
                    time.sleep(0.3)
                    self.shot("02b-jobs-running.png")
            return state if state in FINISHED else None
        state = wait_until(f"job {job_id} to finish in the page's job list", finished, self.args.job_timeout, interval=0.5)
        if state != "succeeded":
            job = self.server.json(f"/v1/jobs/{job_id}")
            raise CheckFailed(f"job {job_id} {state}: {job.get('error')}")
        time.sleep(0.3)
        self.shot("02c-jobs-finished.png")

    def open_result(self, job_id):
        d = self.driver
        d.click(d.find(f"#jobs-body tr.job-row[data-job-id='{job_id}'] a.open-job"))
        wait_until("the result view", lambda: self.viewer(f"v.state.jobId === '{job_id}' && v.state.resultReady"), 120)
        wait_until("the intensity preview", lambda: d.execute("const i = document.getElementById('preview-image'); return i.complete && i.naturalWidth > 0;"), 60)
        # Labels at full opacity (the canvas holds the colours either way; this is what the eye sees).
        d.send_keys(d.find("#opacity-slider"), KEY_END)
        wait_until("opacity 1", lambda: d.execute("return getComputedStyle(document.getElementById('label-canvas')).opacity === '1';"), 10)
        self.job_id = job_id
        self.cube_id = self.viewer("v.state.job.cube_id")
        self.labels = self.server.json(f"/v1/jobs/{job_id}/results/labels.json")
        self.clusters = self.server.json(f"/v1/jobs/{job_id}/results/clusters.json")
        time.sleep(0.3)
        self.shot("03-result.png")

    def palette(self, k):
        return {c["label"]: self.rgb(c["color"]) for c in self.clusters["by_k"][str(k)]}

    def check_label_colours(self, n, k, report=True):
        if self.viewer("v.state.renderedK") != k:
            raise CheckFailed(f"({n}) the page rendered K = {self.viewer('v.state.renderedK')}, not {k}")
        w, h, data = self.canvas_rgba()
        W, H = self.labels["width"], self.labels["height"]
        if (w, h) != (W, H):
            raise CheckFailed(f"({n}) label canvas is {w} x {h}, labels.json {W} x {H}")
        labels = self.labels["by_k"][str(k)]
        palette = self.palette(k)
        bad = []
        signal = 0
        for i, label in enumerate(labels):
            if label < 0:
                continue
            signal += 1
            px = tuple(data[4 * i:4 * i + 4])
            want = palette[label] + (255,)
            if px != want:
                bad.append((i // W, i % W, label, px, want))
        if bad:
            r, c, label, got, want = bad[0]
            raise CheckFailed(f"({n}) {len(bad)} of {signal} pixels differ from their label's palette colour at K = {k}; "
                              f"first: row {r}, col {c}, label {label}: canvas {got}, palette {want}")
        text = f"label map colours: all {signal} labelled pixels at K = {k} have their label's palette colour ({len(palette)} colours)"
        if report:
            self.ok(n, text)
        return text

    def check_pixel_click(self):
        d = self.driver
        W, H = self.labels["width"], self.labels["height"]
        k = self.viewer("v.state.k")
        labels = self.labels["by_k"][str(k)]
        # A labelled pixel inside the image, away from the edges.
        target = next((r, c) for r, c in [(H // 3, W // 2 + 3), (H // 2, W // 2), (2 * H // 3, W // 3)] + [(r, c) for r in range(H) for c in range(W)]
                      if labels[r * W + c] >= 0)
        row, col = target
        d.execute("""
            const c = document.getElementById(window.cubesegViewer.state.labelCanvasId);
            c.scrollIntoView({block: 'center'});
            window.__lastClick = null;
            c.addEventListener('click', (e) => { window.__lastClick = {x: e.clientX, y: e.clientY}; }, {capture: true, once: true});""")
        time.sleep(0.2)
        rect = d.execute("const r = document.getElementById(window.cubesegViewer.state.labelCanvasId).getBoundingClientRect(); return {l: r.left, t: r.top, w: r.width, h: r.height};")
        # Offsets from the element's in-view centre to the centre of the target pixel.
        cx, cy = rect["l"] + rect["w"] / 2, rect["t"] + rect["h"] / 2
        ox = rect["l"] + (col + 0.5) * rect["w"] / W - cx
        oy = rect["t"] + (row + 0.5) * rect["h"] / H - cy
        d.click_at(d.find("#label-canvas"), round(ox), round(oy))
        click = wait_until("the click on the map", lambda: d.execute("return window.__lastClick;"), 10)
        got_col = int((click["x"] - rect["l"]) / rect["w"] * W)
        got_row = int((click["y"] - rect["t"]) / rect["h"] * H)
        if (got_row, got_col) != (row, col):
            raise CheckFailed(f"(2) the click landed on row {got_row}, col {got_col}, not the aimed row {row}, col {col}")
        spectrum = wait_until("the pixel's spectrum in the page",
                              lambda: self.viewer(f"v.state.pixelSpectrum && v.state.pixelSpectrum.row === {row} && v.state.pixelSpectrum.col === {col} ? v.state.pixelSpectrum : null"), 60)
        api = self.server.json(f"/v1/cubes/{self.cube_id}/spectrum?row={row}&col={col}")
        want_y, want_x = api["spectrum"]["y"], api["spectrum"]["x"]
        def same(a, b):  # null (NaN in the file) matches null only
            return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b)))
        if len(spectrum["y"]) != len(want_y) or not all(same(a, b) for a, b in zip(spectrum["y"], want_y)):
            raise CheckFailed(f"(2) the plotted spectrum of row {row}, col {col} differs from GET /v1/cubes/{{id}}/spectrum "
                              f"(page {len(spectrum['y'])} values, API {len(want_y)})")
        if len(spectrum["x"]) != len(want_x) or any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(spectrum["x"], want_x)):
            raise CheckFailed("(2) the plotted spectrum's axis differs from the API's")
        shown = d.execute("const e = document.getElementById('pixel-info'); return {row: e.dataset.row, col: e.dataset.col, text: e.textContent};")
        if (shown["row"], shown["col"]) != (str(row), str(col)) or f"row {row}, col {col}" not in shown["text"]:
            raise CheckFailed(f"(2) the page shows {shown}, not row {row}, col {col}")
        wait_until("the pixel plot to be drawn", lambda: "loading" not in d.execute("return document.getElementById('pixel-info').textContent;"), 20)
        time.sleep(0.3)
        self.shot("04-pixel-spectrum.png", "#pixel-card")
        self.shot("03b-result-with-pixel.png")
        self.shot("05-cluster-means.png", "#means-card")
        self.shot("06-k-scores.png", "#scores-card")
        self.shot("07-split-tree.png", "#tree-card")
        self.shot("07b-downloads.png", "#downloads-card")
        unit = api["spectrum"].get("unit")
        self.ok(2, f"pixel click: row {row}, col {col} shown; its {len(want_y)}-value spectrum ({unit}; values in {self.clusters.get('value_unit') or api.get('value_unit')}) equals the API's")

    def check_legend(self, n, report=True):
        d = self.driver
        k = self.viewer("v.state.k")
        rows = d.execute("return Array.from(document.querySelectorAll('#legend .legend-row')).map(r => ({label: r.dataset.label, share: r.dataset.share, text: r.querySelector('.legend-share').textContent, name: r.querySelector('.legend-name').value, swatch: getComputedStyle(r.querySelector('.swatch')).backgroundColor}));")
        if len(rows) != k:
            raise CheckFailed(f"({n}) the legend shows {len(rows)} entries at K = {k}")
        total = sum(float(r["share"]) for r in rows)
        shown = sum(float(r["text"].replace("%", "").strip()) for r in rows)
        if abs(total - 100) > 0.5 or abs(shown - 100) > 0.06 * k + 0.05:
            raise CheckFailed(f"({n}) legend shares add up to {total:.3f} % (shown: {shown:.1f} %), not 100 %")
        palette = self.palette(k)
        for r in rows:
            want = "rgb({}, {}, {})".format(*palette[int(r["label"])])
            if r["swatch"] != want:
                raise CheckFailed(f"({n}) legend swatch of label {r['label']} is {r['swatch']}, palette {want}")
        text = f"legend: {len(rows)} entries at K = {k}, shares sum to {shown:.1f} % (exact {total:.3f} %), swatches match the palette"
        if report:
            self.ok(n, text)
        return text

    def check_k_switch(self):
        d = self.driver
        k_values = self.viewer("v.state.kValues")
        k = self.viewer("v.state.k")
        k2 = k + 1 if k + 1 in k_values else k - 1
        a_map, b_map = self.labels["by_k"][str(k)], self.labels["by_k"][str(k2)]
        counts = {}
        for a, b in zip(a_map, b_map):
            if a >= 0 and b >= 0:
                counts[(a, b)] = counts.get((a, b), 0) + 1
        (la, lb), shared = max(counts.items(), key=lambda kv: kv[1])
        pixel = next(i for i, (a, b) in enumerate(zip(a_map, b_map)) if a == la and b == lb)
        _, _, before = self.canvas_rgba()
        colour_k = tuple(before[4 * pixel:4 * pixel + 3])
        d.send_keys(d.find("#k-slider"), KEY_RIGHT if k2 > k else KEY_LEFT)
        wait_until(f"K = {k2} after moving the slider", lambda: self.viewer("v.state.renderedK") == k2, 30)
        _, _, after = self.canvas_rgba()
        colour_k2 = tuple(after[4 * pixel:4 * pixel + 3])
        if colour_k != colour_k2:
            raise CheckFailed(f"(3) the region shared most by cluster {la} at K = {k} and cluster {lb} at K = {k2} ({shared} pixels) "
                              f"changed colour: {colour_k} -> {colour_k2}")
        self.check_label_colours(1, k2, report=False)
        self.check_legend(4, report=False)
        kept = sum(1 for c in self.clusters["by_k"][str(max(k, k2))] if c.get("parent") == c["label"])
        d.execute("window.scrollTo(0, 0);")
        time.sleep(0.3)
        self.shot("08-result-k%d.png" % k2)
        self.ok(3, f"K slider {k} -> {k2}: the region shared most (label {la} -> {lb}, {shared} pixels) keeps its colour "
                   f"#{''.join('%02x' % v for v in colour_k)}; at K = {k2} too every pixel has its palette colour and the legend "
                   f"{k2} entries; {kept} of {max(k, k2)} clusters keep their parent's label")

    def nan_border_copy(self, cube):
        """A copy of `cube` (npy, little-endian float32, C order) whose first three image
        rows hold NaN only: pixels without data, as outside an IFU's field of view."""
        with open(cube, "rb") as f:
            raw = bytearray(f.read())
        major = raw[6]
        header_len, start = (struct.unpack("<H", raw[8:10])[0], 10) if major == 1 else (struct.unpack("<I", raw[8:12])[0], 12)
        header = raw[start:start + header_len].decode("latin1")
        if "'<f4'" not in header or "'fortran_order': False" not in header:
            raise CheckFailed(f"(6) the synthetic cube is not C-order little-endian float32: {header.strip()}")
        data = start + header_len
        values = 3 * self.args.size * self.args.channels
        raw[data:data + 4 * values] = struct.pack("<f", float("nan")) * values
        path = os.path.join(self.tmp, "nan-border.npy")
        with open(path, "wb") as f:
            f.write(raw)
        return path, 3 * self.args.size

    def finished_api_job(self, path, name, what):
        """Uploads the cube at `path` as `name` through the API, runs a job on it with the
        default parameters and waits until it succeeded; returns the job's id. `what` names
        it in the failure lines."""
        with open(path, "rb") as f:
            status, _, body = self.server.request("POST", "/v1/cubes?name=%s&axis_start=0&axis_step=%r&axis_unit=keV" % (name, self.axis_step),
                                                  f.read(), {"Content-Type": "application/octet-stream"})
        if status != 201:
            raise CheckFailed(f"{what} upload answered {status}: {body[:300]!r}")
        status, _, body = self.server.request("POST", "/v1/jobs", json.dumps({"cube_id": json.loads(body)["id"]}).encode(),
                                              {"Content-Type": "application/json"})
        if status != 202:
            raise CheckFailed(f"{what} job answered {status}: {body[:300]!r}")
        job_id = json.loads(body)["id"]
        deadline = time.monotonic() + self.args.job_timeout
        while True:
            job = self.server.json(f"/v1/jobs/{job_id}?wait=30&until=finished")
            if job["state"] in FINISHED or time.monotonic() > deadline:
                break
        if job["state"] != "succeeded":
            raise CheckFailed(f"{what} job {job_id} {job['state']}: {job.get('error')}")
        return job_id

    def check_missing_values(self, cube):
        d = self.driver
        path, without_data = self.nan_border_copy(cube)
        job_id = self.finished_api_job(path, "nan-border", "(6) the NaN-border cube's")
        self.viewer(f"v.openJob('{job_id}')")
        wait_until("the NaN-border result view", lambda: self.viewer(f"v.state.jobId === '{job_id}' && v.state.resultReady"), 120)
        report = wait_until("the report panel", lambda: d.execute("return document.getElementById('report-body').textContent;") or None, 30)
        expected = f"{without_data} pixels without data (left unlabelled), 0 NaN or infinite values read as 0"
        if "missing values" not in report or expected not in report:
            raise CheckFailed(f"(6) the report panel does not say '{expected}': {report[:400]!r}")
        decisions = self.server.json(f"/v1/jobs/{job_id}/results/report.json")["decisions"]
        missing = decisions["missing_values"]
        if missing != {"pixels_without_data": without_data, "non_finite_values": 0}:
            raise CheckFailed(f"(6) report.json's missing_values is {missing}")
        for label, key in (("cluster model", "cluster_model_reason"), ("K criterion", "k_criterion_reason")):
            if not decisions.get(key) or label + decisions[key] not in report:
                raise CheckFailed(f"(6) the report panel does not give report.json's {key} ({decisions.get(key)!r}): {report[:600]!r}")
        self.ok(6, f"missing values: a cube whose first three rows are NaN segments; the report panel and report.json name "
                   f"its {without_data} pixels without data, and the panel says which criterion chose K and why")

    def check_console(self):
        # Chromium asks for /favicon.ico whatever the page links; the service has none.
        severe = [e for e in self.driver.browser_log() if e.get("level") == "SEVERE" and "/favicon.ico" not in e.get("message", "")]
        if severe:
            raise CheckFailed(f"the browser console has errors: {[e.get('message') for e in severe][:5]}")

    def check_token(self, cube):
        d = self.driver
        # A finished job of this token's, made through the API, for the page to open with the token.
        job_id = self.finished_api_job(cube, "token-cube", "(5) the token's")
        if self.server.request("GET", "/v1/jobs", auth=False)[0] != 401:
            raise CheckFailed("(5) the token server lists jobs without a token")
        d.get(self.server.url + "/")
        wait_until("the token prompt after a 401", lambda: d.displayed("#token-dialog"), 60)
        self.shot("09-token-prompt.png")
        d.send_keys(d.find("#token-input"), "not-the-right-token-0000")
        d.click(d.find("#token-submit"))
        wait_until("the prompt again after a wrong token", lambda: d.displayed("#token-dialog") and "did not accept" in d.execute("return document.getElementById('token-reason').textContent;"), 30)
        d.clear(d.find("#token-input"))
        d.send_keys(d.find("#token-input"), TOKEN)
        d.click(d.find("#token-submit"))
        wait_until("the job list with the token", lambda: d.execute("return document.getElementById('jobs-table').dataset.loaded === 'true';") and not d.displayed("#token-dialog"), 60)
        stored = d.execute("return localStorage.getItem('cubeseg.token');")
        if stored != TOKEN:
            raise CheckFailed(f"(5) the token was not kept in localStorage ({stored!r})")
        # The token is sent on later calls too: a reload lists the jobs without asking.
        d.get(self.server.url + "/#/jobs")
        wait_until("the job list after a reload", lambda: d.execute("return document.getElementById('jobs-table').dataset.loaded === 'true';"), 60)
        if d.displayed("#token-dialog"):
            raise CheckFailed("(5) the page asked for the token again after a reload")
        wait_until("the token's job in the list", lambda: d.execute("return !!document.querySelector(`#jobs-body tr.job-row[data-job-id='${arguments[0]}'] a.open-job`);", job_id), 60)
        self.shot("10-token-jobs.png")
        # The result view fetches everything with the token: the preview image too (as a blob).
        d.click(d.find(f"#jobs-body tr.job-row[data-job-id='{job_id}'] a.open-job"))
        wait_until("the token's result view", lambda: self.viewer(f"v.state.jobId === '{job_id}' && v.state.resultReady"), 120)
        wait_until("the preview fetched with the token", lambda: d.execute("const i = document.getElementById('preview-image'); return i.complete && i.naturalWidth > 0;"), 60)
        # A download link fetches the file with the token (a plain link would get a 401).
        d.click(d.find("#downloads a.download[data-file='scores.json']"))
        fetched = wait_until("scores.json fetched for the download", lambda: d.execute(
            "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/results/scores.json') && e.initiatorType === 'fetch').map(e => e.responseStatus || 200);"), 30)
        if fetched[-1] != 200 or self.viewer("v.state.view") != "result":
            raise CheckFailed(f"(5) the download of scores.json answered {fetched[-1]} or left the result view")
        self.ok(5, "token: 401 -> prompt; a wrong token is refused and asked again; the right one is kept and loads the job list, "
                   "the result (preview included) and a download")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("binary", help="the cubeseg binary")
    p.add_argument("--resources", help="serve the viewer from this folder (CUBESEG_RESOURCES), e.g. Sources/CubeService/Resources")
    p.add_argument("--artifacts", default=os.path.join(REPO, ".build", "browser-artifacts"), help="where screenshots go")
    p.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    p.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    p.add_argument("--size", type=int, default=48, help="side of the synthetic cube")
    p.add_argument("--channels", type=int, default=256, help="channels of the synthetic cube")
    p.add_argument("--job-timeout", type=float, default=1200, help="seconds a job may take")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    args = p.parse_args()
    for tool in (args.binary, args.chromedriver, args.chromium):
        if not os.path.exists(tool):
            print(f"FAIL: {tool} not found (apt-get install chromium chromium-driver; build cubeseg first)", file=sys.stderr)
            return 2
    test = ViewerTest(args)
    started = time.monotonic()
    try:
        test.run()
    except (CheckFailed, WebDriverError, subprocess.CalledProcessError, OSError) as e:
        print(f"FAIL {e}", flush=True)
        print(f"browser test: {len(test.results)} passed, 1 failed; logs and data kept in {test.tmp}; screenshots in {test.artifacts}")
        return 1
    finally:
        test.stop_all()
    print(f"browser test: {len(test.results)} passed, 0 failed in {time.monotonic() - started:.0f} s; screenshots in {test.artifacts}")
    if not args.keep:
        shutil.rmtree(test.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
