// CubeSeg viewer: the page's logic (views, forms, job list, result view).
//
// Views are chosen by the URL fragment: #/upload, #/jobs, #/jobs/<id>. Everything the page
// shows comes from the API (api.js); plots are drawn by plot.js. `window.cubesegViewer`
// exposes the state (for scripts and the browser test).
"use strict";

(function () {
  const api = window.CubeSegAPI;
  const plot = window.CubeSegPlot;
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------------------
  // Job parameters: the form is rendered from this table (openapi.yaml, Parameters schema).
  // type: int | number | enum | bool | background; default: what the server uses when absent.
  // ---------------------------------------------------------------------------------------
  const PARAMS = [
    { group: "Clustering", open: true, fields: [
      { name: "k_min", type: "int", default: 2, min: 2, help: "smallest K tried" },
      { name: "k_max", type: "int", default: 12, min: 2, max: 64, help: "largest K tried" },
      { name: "k_criterion", type: "enum", default: "auto", values: ["auto", "consensus", "silhouette", "calinski_harabasz", "davies_bouldin", "recursive_silhouette"], help: "how K is chosen; auto: Calinski-Harabasz for line spectra (X-ray fluorescence), the consensus otherwise; consensus: median of Calinski-Harabasz, the inertia elbow and spatial coherence" },
      { name: "cluster_model", type: "enum", default: "auto", values: ["auto", "kmeans", "gaussian_mixture"], help: "what draws each K's clusters; auto: a Gaussian mixture for continuum spectra of 512 or more values (IFU), k-means for line spectra (MA-XRF) and fewer values" },
      { name: "spatial_radius", type: "int", default: 1, min: 0, max: 8, help: "edge-preserving neighbourhood averaging of embeddings; 0 = off" },
      { name: "spatial_beta", type: "number", default: 0, min: 0 },
      { name: "kmeans_restarts", type: "int", default: 3, min: 1, max: 100 },
      { name: "lloyd_iterations", type: "int", default: 50, min: 1, max: 10000 },
      { name: "silhouette_sample", type: "int", default: 5000, min: 100 },
    ] },
    { group: "Preprocessing", fields: [
      { name: "background", type: "background", default: "auto", help: "none, auto, or a total-counts threshold" },
      { name: "bins", type: "int", default: null, min: 0, not: 1, help: "spectrum length after rebinning; 0: every channel; empty: chosen from the data" },
      { name: "transform", type: "enum", default: null, values: ["log_max", "anscombe", "robust", "none"], help: "per-spectrum transform; empty: anscombe for PCA of photon counts, else log_max" },
      { name: "silent_channels", type: "enum", default: "drop", values: ["drop", "keep"], help: "channels without spatial signal (absorption bands); drop: left out when the data are not counts" },
      { name: "smoothing", type: "int", default: 0, min: 0, max: 1025 },
      { name: "crop_start", type: "int", default: null, min: 0, help: "first channel kept" },
      { name: "crop_end", type: "int", default: null, min: 1, help: "channel after the last kept" },
      { name: "training_pixels", type: "int", default: 20000, min: 0, help: "pixels used for training; 0: every signal pixel" },
    ] },
    { group: "Embedding", fields: [
      { name: "embedding", type: "enum", default: "auto", values: ["auto", "autoencoder", "pca"], help: "auto: the autoencoder unless PCA reconstructs held-out spectra better" },
      { name: "latent", type: "int", default: null, min: 1, max: 256, help: "empty: 8, or for PCA of photon counts as many axes as carry signal (8 to 16)" },
      { name: "encoding_dim", type: "int", default: 32, min: 1, help: "at least latent" },
      { name: "hidden_rule", type: "enum", default: "halving", values: ["halving", "division"] },
      { name: "hidden_layers", type: "int", default: 4, min: 0, max: 16 },
      { name: "dropout", type: "number", default: 0.1, min: 0, maxExclusive: 1 },
      { name: "variational", type: "bool", default: false },
    ] },
    { group: "Training", fields: [
      { name: "epochs", type: "int", default: 100, min: 0, max: 100000 },
      { name: "batch_size", type: "int", default: 512, min: 2, max: 65536 },
      { name: "learning_rate", type: "number", default: 0.001, minExclusive: 0, maxExclusive: 10 },
      { name: "plateau_factor", type: "number", default: 0.1, minExclusive: 0, maxExclusive: 1 },
      { name: "plateau_patience", type: "int", default: 5, min: 0 },
      { name: "early_stopping_patience", type: "int", default: 10, min: 0 },
      { name: "validation_fraction", type: "number", default: 0.1, min: 0, maxExclusive: 0.9 },
      { name: "seed", type: "int", default: 0, min: 0 },
      { name: "clustering_term", type: "enum", default: "none", values: ["none", "silhouette", "dcn"] },
      { name: "gamma", type: "number", default: 0.002, min: 0 },
      { name: "beta_min", type: "number", default: 0, min: 0 },
      { name: "beta_max", type: "number", default: 1, min: 0 },
      { name: "beta_start_epoch", type: "int", default: 0, min: 0 },
      { name: "beta_end_epoch", type: "int", default: 10, min: 0 },
    ] },
    { group: "Job", fields: [
      { name: "priority", type: "int", default: 0, min: -100, max: 100, top: true, help: "queue priority of this job (not an engine parameter)" },
    ] },
  ];

  // Options for opening a cube (query fields of the upload; openapi.yaml CubeOpenRequest).
  const FILE_OPTIONS = [
    { name: "format", type: "enum", values: ["npy", "raw", "envi", "rpl", "fits", "hdf5"], placeholder: "detected" },
    { name: "shape", type: "text", placeholder: "raw: H,W,C" },
    { name: "dtype", type: "enum", values: ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "float32", "float64", "bool"], placeholder: "raw" },
    { name: "byte_order", type: "enum", values: ["little", "big"], placeholder: "little" },
    { name: "interleave", type: "enum", values: ["bip", "bil", "bsq"], placeholder: "bip" },
    { name: "header_offset", type: "text", placeholder: "0" },
    { name: "dataset", type: "text", placeholder: "HDF5 dataset path" },
    { name: "fits_extension", type: "text", placeholder: "FITS EXTNAME or index" },
  ];

  const HEADER_EXTENSIONS = ["hdr", "rpl"];
  const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  const state = {
    view: null,
    jobs: [],
    jobsLoaded: false,
    cubes: new Map(),
    tokenRequired: false,
    files: [],
    highlightJob: null,
    // Result view
    jobId: null,
    job: null,
    cube: null,
    labels: null,
    clusters: null,
    scores: null,
    report: null,
    resultFiles: [],
    kValues: [],
    chosenK: null,
    k: null,
    renderedK: null,
    resultReady: false,
    labelCanvasId: "label-canvas",
    mapScale: 1,
    pixel: null,
    pixelSpectrum: null,
    legend: [],
    names: {},
    valueUnit: null,
    logY: false,
  };
  let resultLoadSeq = 0;
  let pixelSeq = 0;
  let jobsTimer = null;
  let jobsInFlight = false;
  let pendingAfterToken = [];

  // ---------------------------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const show = (e, on) => e.classList.toggle("hidden", !on);

  function message(text, kind, sticky) {
    const box = el("div", { class: `message ${kind || "info"}`, role: kind === "error" ? "alert" : "status" },
      el("span", { text }),
      el("button", { type: "button", class: "close", "aria-label": "Dismiss", text: "×", onclick: () => box.remove() }));
    $("messages").append(box);
    if (!sticky) setTimeout(() => box.remove(), kind === "error" ? 15000 : 5000);
    return box;
  }
  /** Shows an API error (problem details: detail and code) to the user. */
  function showError(context, err) {
    if (err && err.name === "AbortError") return;
    if (err instanceof api.ApiError && err.status === 401) return; // the token dialog says it
    const text = err instanceof api.ApiError ? err.describe() : (err && err.message) || String(err);
    message(`${context}: ${text}`, "error");
    console.error(context, err);
  }

  function fmtBytes(n) {
    if (n < 1024) return `${n} B`;
    const u = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024, i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${u[i]}`;
  }
  function fmtDuration(s) {
    if (s === null || s === undefined || !isFinite(s)) return "";
    s = Math.max(0, Math.round(s));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60), r = s % 60;
    if (m < 60) return `${m} min ${String(r).padStart(2, "0")} s`;
    return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
  }
  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })
      : d.toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function extOf(name) {
    const i = name.lastIndexOf(".");
    return i < 0 ? "" : name.slice(i + 1).toLowerCase();
  }
  const LINE_NAMES = { a: "α", b: "β", g: "γ", l: "l" };
  /** "Ka" -> "Kα", "Lb1" -> "Lβ1". */
  function lineName(line) {
    if (!line) return "";
    const m = /^([KLMN])([abgl]?)(\d*)$/i.exec(line);
    if (!m) return line;
    return m[1].toUpperCase() + (m[2] ? LINE_NAMES[m[2].toLowerCase()] : "") + m[3];
  }
  const QUANTITIES = { kev: "Energy", ev: "Energy", mev: "Energy", nm: "Wavelength", um: "Wavelength", "µm": "Wavelength", micrometer: "Wavelength",
    angstrom: "Wavelength", "å": "Wavelength", a: "Wavelength", "cm-1": "Wavenumber", "cm^-1": "Wavenumber", hz: "Frequency",
    ghz: "Frequency", "km/s": "Velocity", channel: "Channel", index: "Channel" };
  const UNIT_SYMBOLS = { um: "µm", angstrom: "Å" };
  function unitSymbol(unit) { return UNIT_SYMBOLS[unit] || unit; }
  function axisLabel(unit) {
    if (!unit || unit.toLowerCase() === "channel" || unit.toLowerCase() === "index") return "Channel";
    const q = QUANTITIES[unit.toLowerCase()];
    return q ? `${q} [${unitSymbol(unit)}]` : `[${unitSymbol(unit)}]`;
  }
  function valueLabel(unit) {
    if (!unit) return "Intensity";
    return unit.charAt(0).toUpperCase() + unit.slice(1) + (["counts", "intensity"].includes(unit.toLowerCase()) ? "" : "");
  }
  function hexToRgb(hex) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return [128, 128, 128];
    const n = parseInt(m[1], 16);
    return [n >> 16, (n >> 8) & 255, n & 255];
  }

  // ---------------------------------------------------------------------------------------
  // Token
  // ---------------------------------------------------------------------------------------
  function updateAuthStatus() {
    const t = api.token();
    $("auth-status").textContent = t ? "token set" : state.tokenRequired ? "no token" : "";
    $("auth-status").className = `auth-status ${t ? "ok" : state.tokenRequired ? "missing" : ""}`;
  }
  function openTokenDialog(reason) {
    $("token-reason").textContent = reason || "";
    $("token-input").value = "";
    show($("token-dialog"), true);
    setTimeout(() => $("token-input").focus(), 0);
  }
  api.onUnauthorized((err) => {
    state.tokenRequired = true;
    updateAuthStatus();
    if ($("token-dialog").classList.contains("hidden")) {
      const had = api.token();
      openTokenDialog(had ? `The server did not accept the stored token: ${err.detail || err.code}.`
        : `The server answered: ${err.detail || "a bearer token is needed"} (${err.code}).`);
    }
  });
  function initToken() {
    $("token-button").addEventListener("click", () => openTokenDialog(api.token() ? "A token is stored; enter another to replace it." : ""));
    $("token-cancel").addEventListener("click", () => show($("token-dialog"), false));
    $("token-clear").addEventListener("click", () => { api.setToken(""); updateAuthStatus(); show($("token-dialog"), false); message("Token forgotten.", "info"); });
    $("token-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const t = $("token-input").value.trim();
      if (!t) { $("token-input").focus(); return; }
      api.setToken(t);
      show($("token-dialog"), false);
      updateAuthStatus();
      // Reload whatever the page was showing, now with the token.
      refreshJobs();
      route();
      const again = pendingAfterToken; pendingAfterToken = [];
      again.forEach((f) => f());
    });
    updateAuthStatus();
  }

  // ---------------------------------------------------------------------------------------
  // Routing
  // ---------------------------------------------------------------------------------------
  function route() {
    const h = location.hash || "#/jobs";
    let m;
    if ((m = /^#\/jobs\/([A-Za-z0-9_-]+)/.exec(h))) setView("result", m[1]);
    else if (h.startsWith("#/upload")) setView("upload");
    else setView("jobs");
  }
  function setView(view, jobId) {
    state.view = view;
    for (const v of ["upload", "jobs", "result"]) show($(`view-${v}`), v === view);
    for (const a of document.querySelectorAll(".tabs a")) a.classList.toggle("active", a.dataset.view === view);
    if (view === "upload") loadCubeChoices();
    if (view === "jobs") { renderJobs(); refreshJobs(); }
    if (view === "result") {
      const nav = $("nav-result");
      nav.href = `#/jobs/${jobId}`;
      show(nav, true);
      if (jobId !== state.jobId || !state.job) openResult(jobId);
      else if (state.resultReady) requestAnimationFrame(redrawPlots);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Upload view
  // ---------------------------------------------------------------------------------------
  function initUpload() {
    const zone = $("drop-zone"), input = $("file-input");
    input.addEventListener("change", () => setFiles(Array.from(input.files)));
    ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "dragend"].forEach((t) => zone.addEventListener(t, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      setFiles(Array.from(e.dataTransfer.files || []));
    });
    // Dropping a file outside the zone must not navigate away from the page.
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => e.preventDefault());

    const opts = $("file-options");
    for (const f of FILE_OPTIONS) {
      let input;
      if (f.type === "enum") {
        input = el("select", { id: `file-${f.name}`, "data-name": f.name }, el("option", { value: "", text: `(${f.placeholder})` }),
          ...f.values.map((v) => el("option", { value: v, text: v })));
      } else {
        input = el("input", { type: "text", id: `file-${f.name}`, "data-name": f.name, placeholder: f.placeholder });
      }
      opts.append(el("label", {}, f.name, input));
    }
    renderParamsForm();
    $("existing-cube").addEventListener("change", updateSubmitLabel);
    $("submit-job").addEventListener("click", submitJob);
  }

  /** Sorts the chosen files into a data file and an optional header (ENVI .hdr, Lispix .rpl). */
  function classifyFiles(files) {
    const headers = files.filter((f) => HEADER_EXTENSIONS.includes(extOf(f.name)));
    const data = files.filter((f) => !HEADER_EXTENSIONS.includes(extOf(f.name)));
    if (files.length === 0) return { error: null };
    if (files.length > 2) return { error: "Drop one cube: a single file, or a data file with its .hdr / .rpl header." };
    if (data.length === 0) return { error: `${headers[0].name} is a header: drop it together with its data file.` };
    if (data.length === 2) return { error: "Two data files: drop one cube at a time (or a data file with its .hdr / .rpl header)." };
    if (headers.length === 2) return { error: "Two headers: drop one data file with one header." };
    return { data: data[0], header: headers[0] || null, error: null };
  }

  function setFiles(files) {
    state.files = files;
    const list = $("file-list");
    list.textContent = "";
    const c = classifyFiles(files);
    for (const f of files) {
      const role = c.error ? "" : f === c.header ? (extOf(f.name) === "rpl" ? "Lispix header" : "ENVI header") : "data";
      list.append(el("li", {}, el("span", { class: "file-name", text: f.name }), el("span", { class: "hint", text: ` ${fmtBytes(f.size)}` }),
        role ? el("span", { class: "badge subtle", text: role }) : null));
    }
    if (c.error) list.append(el("li", { class: "error-text", text: c.error }));
    if (c.data && !$("cube-name").value) $("cube-name").placeholder = c.data.name;
    if (files.length) $("existing-cube").value = "";
    $("drop-zone").classList.toggle("has-files", files.length > 0);
    updateSubmitLabel();
  }

  function updateSubmitLabel() {
    $("submit-job").textContent = $("existing-cube").value ? "Segment this cube" : "Upload and segment";
  }

  async function loadCubeChoices() {
    try {
      const page = await api.listCubes(100);
      const sel = $("existing-cube");
      const keep = sel.value;
      sel.textContent = "";
      sel.append(el("option", { value: "", text: "— upload the file above —" }));
      for (const c of page.items || []) {
        state.cubes.set(c.id, c);
        sel.append(el("option", { value: c.id, text: `${c.name} · ${c.shape.join(" × ")} · ${fmtTime(c.created_at)}` }));
      }
      sel.value = keep;
    } catch (e) { showError("Listing cubes", e); }
  }

  function renderParamsForm() {
    const form = $("params-form");
    for (const g of PARAMS) {
      const grid = el("div", { class: "form-grid two" });
      for (const f of g.fields) {
        let input;
        const id = `param-${f.name}`;
        const def = f.default === null ? "from the data" : String(f.default);
        if (f.type === "enum" || f.type === "bool") {
          const values = f.type === "bool" ? ["true", "false"] : f.values;
          input = el("select", { id, name: f.name },
            el("option", { value: "", text: `default (${def})` }), ...values.map((v) => el("option", { value: v, text: v })));
        } else if (f.type === "background") {
          input = el("input", { id, name: f.name, type: "text", list: "background-values", placeholder: def });
        } else {
          const range = [];
          if (f.min !== undefined) range.push(`≥ ${f.min}`);
          if (f.minExclusive !== undefined) range.push(`> ${f.minExclusive}`);
          if (f.max !== undefined) range.push(`≤ ${f.max}`);
          if (f.maxExclusive !== undefined) range.push(`< ${f.maxExclusive}`);
          input = el("input", { id, name: f.name, type: "number", step: f.type === "int" ? "1" : "any", placeholder: def,
            min: f.min, max: f.max, title: range.join(", ") });
        }
        const label = el("label", { class: "param", title: f.help || "" },
          el("span", { class: "param-name", text: f.name }), input, el("span", { class: "field-error", id: `${id}-error` }));
        grid.append(label);
      }
      const details = el("details", { class: "param-group", open: g.open || false }, el("summary", { text: g.group }), grid);
      form.append(details);
    }
    form.append(el("datalist", { id: "background-values" }, el("option", { value: "auto" }), el("option", { value: "none" })));
    form.addEventListener("input", (e) => { if (e.target.name) validateField(e.target.name); });
  }

  function fieldSpec(name) {
    for (const g of PARAMS) for (const f of g.fields) if (f.name === name) return f;
    return null;
  }
  /** Parses and checks one field; returns {set, value, error}. */
  function readField(f) {
    const raw = $(`param-${f.name}`).value.trim();
    if (raw === "") return { set: false };
    if (f.type === "enum") return { set: true, value: raw };
    if (f.type === "bool") return { set: true, value: raw === "true" };
    if (f.type === "background") {
      if (raw === "auto" || raw === "none") return { set: true, value: raw };
      const n = Number(raw);
      if (!isFinite(n) || n < 0) return { error: "auto, none, or a threshold ≥ 0" };
      return { set: true, value: n };
    }
    const n = Number(raw);
    if (!isFinite(n)) return { error: "not a number" };
    if (f.type === "int" && !Number.isInteger(n)) return { error: "a whole number" };
    if (f.min !== undefined && n < f.min) return { error: `at least ${f.min}` };
    if (f.max !== undefined && n > f.max) return { error: `at most ${f.max}` };
    if (f.minExclusive !== undefined && n <= f.minExclusive) return { error: `more than ${f.minExclusive}` };
    if (f.maxExclusive !== undefined && n >= f.maxExclusive) return { error: `less than ${f.maxExclusive}` };
    if (f.not !== undefined && n === f.not) return { error: `not ${f.not}` };
    return { set: true, value: n };
  }
  function validateField(name) {
    const f = fieldSpec(name);
    if (!f) return true;
    const r = readField(f);
    $(`param-${name}-error`).textContent = r.error || "";
    $(`param-${name}`).classList.toggle("invalid", !!r.error);
    return !r.error;
  }
  /** The parameters the user set (others: the server's defaults) and top-level fields. */
  function collectParams() {
    const params = {}, top = {};
    const errors = [];
    for (const g of PARAMS) for (const f of g.fields) {
      const r = readField(f);
      $(`param-${f.name}-error`).textContent = r.error || "";
      $(`param-${f.name}`).classList.toggle("invalid", !!r.error);
      if (r.error) { errors.push(`${f.name}: ${r.error}`); continue; }
      if (r.set) (f.top ? top : params)[f.name] = r.value;
    }
    const kmin = params.k_min !== undefined ? params.k_min : 2, kmax = params.k_max !== undefined ? params.k_max : 12;
    if (kmin > kmax) errors.push("k_min must not exceed k_max");
    return { params, top, errors };
  }

  function setProgress(box, fraction, text) {
    show(box, true);
    box.querySelector(".bar").style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
    box.querySelector(".progress-text").textContent = text;
  }

  async function submitJob() {
    const button = $("submit-job");
    const { params, top, errors } = collectParams();
    if (errors.length) { message(`Check the parameters: ${errors.join("; ")}`, "error"); return; }
    const existing = $("existing-cube").value;
    const c = classifyFiles(state.files);
    if (!existing) {
      if (c.error) { message(c.error, "error"); return; }
      if (!c.data) { message("Choose or drop a cube file first (or pick an uploaded cube).", "error"); return; }
    }
    button.disabled = true;
    const bar = $("upload-progress");
    try {
      let cubeId = existing;
      if (!existing) {
        const q = { name: $("cube-name").value.trim() || c.data.name };
        const start = $("axis-start").value.trim(), step = $("axis-step").value.trim(), unit = $("axis-unit").value.trim();
        if (start !== "" || step !== "") {
          if (start === "" || step === "") throw new Error("the physical axis needs both a start and a step");
          if (!unit) throw new Error("choose the unit of the physical axis");
          if (Number(step) === 0) throw new Error("the axis step must not be 0");
          Object.assign(q, { axis_start: start, axis_step: step, axis_unit: unit });
        }
        for (const f of FILE_OPTIONS) {
          const v = $(`file-${f.name}`).value.trim();
          if (v) q[f.name] = v;
        }
        let body = c.data;
        if (c.header) {
          body = new FormData();
          body.append("cube", c.data, c.data.name);
          body.append("header", c.header, c.header.name);
        }
        const t0 = performance.now();
        setProgress(bar, 0, "Uploading…");
        const cube = await api.upload(`/v1/cubes${api.query(q)}`, body, (done, total) => {
          const s = (performance.now() - t0) / 1000;
          const rate = done / Math.max(0.001, s);
          setProgress(bar, done / total, `Uploading ${fmtBytes(done)} of ${fmtBytes(total)} · ${fmtBytes(rate)}/s`);
        });
        setProgress(bar, 1, `Stored cube ${cube.id} (${cube.shape.join(" × ")})`);
        state.cubes.set(cube.id, cube);
        cubeId = cube.id;
      }
      const body = Object.assign({ cube_id: cubeId }, Object.keys(params).length ? { params } : {}, top);
      const job = await api.json("/v1/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      message(`Job ${job.id} queued.`, "info");
      state.highlightJob = job.id;
      state.jobs = [job].concat(state.jobs.filter((j) => j.id !== job.id));
      show(bar, false);
      setFiles([]);
      $("file-input").value = "";
      location.hash = "#/jobs";
    } catch (e) {
      show(bar, false);
      if (e instanceof api.ApiError && e.status === 401) pendingAfterToken.push(() => message("Token stored: press the button again to submit.", "info"));
      showError("Submitting the job", e);
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Job list: polled (fast while a job is unfinished), with a long poll on running jobs.
  // ---------------------------------------------------------------------------------------
  const watchers = new Map(); // job id -> AbortController of its long poll
  async function refreshJobs() {
    if (jobsInFlight) return;
    jobsInFlight = true;
    clearTimeout(jobsTimer);
    try {
      const page = await api.listJobs(100);
      state.jobs = page.items || [];
      state.jobsLoaded = true;
      $("jobs-updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
      await ensureCubes(state.jobs.map((j) => j.cube_id));
      renderJobs();
      watchRunning();
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 401) { jobsInFlight = false; return; } // resumed after the token
      showError("Loading the jobs", e);
    } finally {
      jobsInFlight = false;
    }
    const busy = state.jobs.some((j) => !FINISHED.has(j.state));
    jobsTimer = setTimeout(() => { if (!document.hidden || busy) refreshJobs(); else scheduleIdle(); }, busy ? 2000 : 10000);
  }
  function scheduleIdle() { jobsTimer = setTimeout(refreshJobs, 10000); }

  async function ensureCubes(ids) {
    const missing = Array.from(new Set(ids)).filter((id) => id && !state.cubes.has(id));
    await Promise.all(missing.map(async (id) => {
      try { state.cubes.set(id, await api.cube(id)); } catch (_) { state.cubes.set(id, null); }
    }));
  }

  /** Long polls (?wait=) up to two running jobs so their rows move as soon as they change. */
  function watchRunning() {
    const running = state.jobs.filter((j) => j.state === "running").slice(0, 2).map((j) => j.id);
    for (const [id, ctl] of watchers) if (!running.includes(id)) { ctl.abort(); watchers.delete(id); }
    for (const id of running) {
      if (watchers.has(id)) continue;
      const ctl = new AbortController();
      watchers.set(id, ctl);
      (async () => {
        let etag = null;
        while (!ctl.signal.aborted) {
          try {
            const r = await api.waitJob(id, etag, 25, ctl.signal);
            etag = r.etag || etag;
            if (r.job) {
              updateJob(r.job);
              if (FINISHED.has(r.job.state)) break;
            }
          } catch (e) {
            break; // the list poll goes on; a new watcher starts at its next pass
          }
        }
        if (watchers.get(id) === ctl) watchers.delete(id);
      })();
    }
  }

  function updateJob(job) {
    const i = state.jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) state.jobs[i] = job; else state.jobs.unshift(job);
    if (state.view === "jobs") renderJobRow(job);
    if (state.view === "result" && state.jobId === job.id) showWaiting(job);
  }

  function progressText(job) {
    const p = job.progress;
    if (job.state === "queued") return job.run_after ? `queued · retry after ${fmtTime(job.run_after)}` : "queued";
    if (job.state === "succeeded") return "done";
    if (!p) return job.state;
    const parts = [p.phase];
    if (p.epoch !== null && p.epoch !== undefined && p.epochs) parts.push(`epoch ${p.epoch}/${p.epochs}`);
    if (p.loss !== null && p.loss !== undefined) parts.push(`loss ${plot.formatValue(p.loss)}`);
    return parts.join(" · ");
  }
  function progressFraction(job) {
    if (job.state === "succeeded") return 1;
    return job.progress && isFinite(job.progress.fraction) ? job.progress.fraction : 0;
  }

  function renderJobs() {
    const body = $("jobs-body");
    const table = $("jobs-table");
    if (!state.jobsLoaded) return;
    table.dataset.loaded = "true";
    show($("jobs-empty"), state.jobs.length === 0);
    const ids = new Set(state.jobs.map((j) => j.id));
    for (const tr of Array.from(body.querySelectorAll("tr.job-row"))) {
      if (!ids.has(tr.dataset.jobId)) { tr.nextElementSibling && tr.nextElementSibling.classList.contains("job-error-row") && tr.nextElementSibling.remove(); tr.remove(); }
    }
    state.jobs.forEach((job) => renderJobRow(job));
    // Keep the rows in list order (newest first).
    state.jobs.forEach((job) => {
      const tr = body.querySelector(`tr.job-row[data-job-id="${job.id}"]`);
      if (!tr) return;
      const err = tr.nextElementSibling && tr.nextElementSibling.classList.contains("job-error-row") ? tr.nextElementSibling : null;
      body.append(tr);
      if (err) body.append(err);
    });
  }

  function renderJobRow(job) {
    const body = $("jobs-body");
    let tr = body.querySelector(`tr.job-row[data-job-id="${job.id}"]`);
    if (!tr) {
      tr = el("tr", { class: "job-row", "data-job-id": job.id });
      body.append(tr);
    }
    tr.dataset.state = job.state;
    tr.classList.toggle("highlight", state.highlightJob === job.id);
    const cube = state.cubes.get(job.cube_id);
    const frac = progressFraction(job);
    const eta = job.progress && job.progress.eta_seconds !== null && job.progress.eta_seconds !== undefined && job.state === "running"
      ? `ETA ${fmtDuration(job.progress.eta_seconds)}` : job.state === "running" ? "ETA –" : "";
    const time = job.elapsed_seconds !== null && job.elapsed_seconds !== undefined ? `${FINISHED.has(job.state) ? "took" : "elapsed"} ${fmtDuration(job.elapsed_seconds)}` : "";
    const actions = el("div", { class: "row-actions" });
    if (job.state === "succeeded") actions.append(el("a", { class: "button primary small open-job", href: `#/jobs/${job.id}`, text: "Open" }));
    else if (!FINISHED.has(job.state)) {
      actions.append(el("a", { class: "button small", href: `#/jobs/${job.id}`, text: "Watch" }));
      actions.append(el("button", { type: "button", class: "small danger cancel-job", disabled: job.cancel_requested, text: job.cancel_requested ? "Cancelling…" : "Cancel",
        onclick: () => cancelJob(job.id) }));
    } else {
      actions.append(el("button", { type: "button", class: "small delete-job", text: "Delete", onclick: () => deleteJob(job.id) }));
    }
    tr.textContent = "";
    tr.append(
      el("td", {}, el("div", { class: "mono", text: job.id }), el("div", { class: "hint", text: `${job.kind} · ${fmtTime(job.created_at)}${job.attempt > 1 ? ` · attempt ${job.attempt}/${job.max_attempts}` : ""}` })),
      el("td", {}, el("div", { text: cube ? cube.name : job.cube_id }), el("div", { class: "hint", text: cube ? cube.shape.join(" × ") : "" })),
      el("td", {}, el("span", { class: `badge state-${job.state}`, text: job.cancel_requested && !FINISHED.has(job.state) ? `${job.state} (cancelling)` : job.state })),
      el("td", { class: "progress-col" },
        el("div", { class: `progress slim ${job.state}` }, el("div", { class: "bar", style: `width:${Math.round(frac * 100)}%` })),
        el("div", { class: "hint", text: `${progressText(job)}${job.state === "running" ? ` · ${Math.round(frac * 100)}%` : ""}` })),
      el("td", {}, el("div", { text: eta }), el("div", { class: "hint", text: time })),
      el("td", { class: "num", text: job.chosen_k === null || job.chosen_k === undefined ? "" : String(job.chosen_k) }),
      el("td", {}, actions));
    // A failed job's error on a row of its own.
    const next = tr.nextElementSibling;
    const hasErr = next && next.classList.contains("job-error-row");
    if (job.error) {
      const row = hasErr ? next : el("tr", { class: "job-error-row" });
      row.textContent = "";
      row.append(el("td", { colspan: "7", class: "error-text", text: job.error }));
      if (!hasErr) tr.after(row);
    } else if (hasErr) next.remove();
  }

  async function cancelJob(id) {
    try {
      const job = await api.cancelJob(id);
      updateJob(job);
      message(`Cancel requested for ${id}.`, "info");
    } catch (e) { showError("Cancelling", e); }
  }
  async function deleteJob(id) {
    if (!confirm(`Delete job ${id} and its results?`)) return;
    try {
      await api.deleteJob(id);
      state.jobs = state.jobs.filter((j) => j.id !== id);
      renderJobs();
    } catch (e) { showError("Deleting", e); }
  }

  // ---------------------------------------------------------------------------------------
  // Result view
  // ---------------------------------------------------------------------------------------
  let resultWatch = null;
  function resetResult(jobId) {
    Object.assign(state, { jobId, job: null, cube: null, labels: null, clusters: null, scores: null, report: null, resultFiles: [],
      kValues: [], chosenK: null, k: null, renderedK: null, resultReady: false, pixel: null, pixelSpectrum: null, legend: [], valueUnit: null });
    state.names = loadNames(jobId);
    if (resultWatch) { resultWatch.abort(); resultWatch = null; }
    if (state.previewUrl) { URL.revokeObjectURL(state.previewUrl); state.previewUrl = null; }
    $("preview-image").removeAttribute("src");
    $("pixel-info").textContent = "Click a pixel of the map.";
    delete $("pixel-info").dataset.row;
    delete $("pixel-info").dataset.col;
  }

  async function openResult(jobId) {
    const seq = ++resultLoadSeq;
    resetResult(jobId);
    $("result-title").textContent = `Job ${jobId}`;
    $("result-meta").textContent = "Loading…";
    show($("result-body"), false);
    show($("result-waiting"), false);
    try {
      const job = await api.job(jobId);
      if (seq !== resultLoadSeq) return;
      state.job = job;
      if (job.state !== "succeeded") {
        await ensureCubes([job.cube_id]);
        showWaiting(job);
        if (!FINISHED.has(job.state)) watchResultJob(jobId, seq);
        return;
      }
      await loadResult(job, seq);
    } catch (e) {
      if (seq !== resultLoadSeq) return;
      $("result-meta").textContent = e instanceof api.ApiError ? e.describe() : String(e);
      showError("Opening the job", e);
    }
  }

  function showWaiting(job) {
    if (state.resultReady) return;
    show($("result-waiting"), true);
    setProgress($("result-progress"), progressFraction(job), `${job.state} · ${progressText(job)}`);
    const eta = job.progress && job.progress.eta_seconds ? ` · ETA ${fmtDuration(job.progress.eta_seconds)}` : "";
    $("result-waiting-text").textContent = FINISHED.has(job.state) && job.state !== "succeeded"
      ? `The job ${job.state}${job.error ? `: ${job.error}` : "."}` : `The result opens by itself when the job is done${eta}.`;
    const cube = state.cubes.get(job.cube_id);
    $("result-meta").textContent = `${job.kind} job on ${cube ? `${cube.name} (${cube.shape.join(" × ")})` : `cube ${job.cube_id}`} · ${job.state}`;
    const cancel = $("result-cancel");
    show(cancel, !FINISHED.has(job.state));
    cancel.disabled = !!job.cancel_requested;
    cancel.textContent = job.cancel_requested ? "Cancelling…" : "Cancel the job";
    cancel.onclick = () => cancelJob(job.id);
  }

  function watchResultJob(jobId, seq) {
    const ctl = new AbortController();
    resultWatch = ctl;
    (async () => {
      let etag = null;
      while (!ctl.signal.aborted && seq === resultLoadSeq) {
        try {
          const r = await api.waitJob(jobId, etag, 25, ctl.signal);
          etag = r.etag || etag;
          if (!r.job) continue;
          state.job = r.job;
          showWaiting(r.job);
          if (r.job.state === "succeeded") { await loadResult(r.job, seq); break; }
          if (FINISHED.has(r.job.state)) break;
        } catch (e) {
          if (e && e.name === "AbortError") break;
          await new Promise((res) => setTimeout(res, 3000));
        }
      }
    })();
  }

  async function loadResult(job, seq) {
    const id = job.id;
    $("result-meta").textContent = "Loading the results…";
    const [files, labels, clusters, scores, report, cube] = await Promise.all([
      api.results(id),
      api.result(id, "labels.json"),
      api.result(id, "clusters.json"),
      api.result(id, "scores.json").catch(() => null),
      api.result(id, "report.json").catch(() => null),
      api.cube(job.cube_id).catch(() => null),
    ]);
    if (seq !== resultLoadSeq) return;
    Object.assign(state, { job, resultFiles: files.files || [], labels, clusters, scores, report, cube });
    const ks = (report && report.k_values) || Object.keys(labels.by_k || {}).map(Number);
    state.kValues = ks.filter((k) => labels.by_k && labels.by_k[String(k)]).sort((a, b) => a - b);
    if (!state.kValues.length) state.kValues = [labels.k];
    state.chosenK = job.chosen_k || labels.k || clusters.k;
    state.valueUnit = clusters.value_unit || null;
    ensureParents();
    show($("result-waiting"), false);
    show($("result-body"), true);
    renderResultHeader();
    setupMap();
    loadPreview(job.cube_id, seq);
    setupKSlider();
    renderDownloads();
    renderReport();
    setK(state.chosenK, true);
  }

  function renderResultHeader() {
    const { job, cube, report } = state;
    $("result-title").textContent = cube ? `${cube.name}` : `Job ${job.id}`;
    const parts = [`job ${job.id}`];
    if (cube) parts.push(`${cube.shape[0]} × ${cube.shape[1]} pixels × ${cube.shape[2]} channels (${cube.format}, ${cube.dtype})`);
    if (report && report.decisions && report.decisions.embedding) parts.push(`embedding: ${report.decisions.embedding}`);
    if (job.elapsed_seconds) parts.push(`${fmtDuration(job.elapsed_seconds)}`);
    parts.push(`chosen K = ${state.chosenK}`);
    $("result-meta").textContent = parts.join(" · ");
    $("result-meta").title = job.k_reason || "";
  }

  /** Cluster records of one K (clusters.json by_k), by label. */
  function clustersOf(k) {
    const c = state.clusters;
    const list = (c.by_k && c.by_k[String(k)]) || (k === c.k ? c.clusters : []);
    return list.slice().sort((a, b) => a.label - b.label);
  }
  function labelsOf(k) { return state.labels.by_k[String(k)] || (k === state.labels.k ? state.labels.labels : null); }
  function colorOf(k, label) {
    const c = clustersOf(k).find((x) => x.label === label);
    return c ? c.color : "#888888";
  }

  /** `parent` of each cluster (the label at the previous K it mostly came from): from clusters.json, or from the label maps when absent. */
  function ensureParents() {
    const ks = state.kValues;
    for (let i = 0; i < ks.length; i++) {
      const list = clustersOf(ks[i]);
      if (i === 0) { list.forEach((c) => { if (c.parent === undefined) c.parent = null; }); continue; }
      if (list.every((c) => c.parent !== undefined)) continue;
      const prev = labelsOf(ks[i - 1]), here = labelsOf(ks[i]);
      if (!prev || !here) continue;
      const counts = new Map();
      for (let p = 0; p < here.length; p++) {
        const a = here[p], b = prev[p];
        if (a < 0 || b < 0) continue;
        const key = a * 4096 + b;
        counts.set(key, (counts.get(key) || 0) + 1);
      }
      for (const c of list) {
        if (c.parent !== undefined) continue;
        let best = null, bestN = -1;
        for (const [key, n] of counts) if (Math.floor(key / 4096) === c.label && n > bestN) { bestN = n; best = key % 4096; }
        c.parent = best;
      }
    }
  }

  // --- names -------------------------------------------------------------------------------
  function loadNames(jobId) {
    try { return JSON.parse(localStorage.getItem(`cubeseg.names.${jobId}`) || "{}") || {}; } catch (_) { return {}; }
  }
  function saveNames() {
    try { localStorage.setItem(`cubeseg.names.${state.jobId}`, JSON.stringify(state.names)); } catch (_) { /* ignore */ }
  }
  /** A cluster's name: the user's (kept per label, so it follows the region across K) or "Cluster L". */
  function nameOf(label) { return state.names[String(label)] || `Cluster ${label}`; }

  // --- map -----------------------------------------------------------------------------------
  function setupMap() {
    const { width: W, height: H } = state.labels;
    const stack = $("map-stack");
    const room = 556;
    // Whole CSS pixels per cube pixel when that still fills most of the room (crisp squares).
    const fit = room / Math.max(W, H);
    const scale = fit >= 3 ? Math.floor(fit) : fit;
    state.mapScale = scale;
    const dw = Math.round(W * scale), dh = Math.round(H * scale);
    stack.style.width = `${dw}px`;
    stack.style.height = `${dh}px`;
    for (const id of ["preview-image", "label-canvas", "marker-canvas"]) {
      const e = $(id);
      e.style.width = `${dw}px`;
      e.style.height = `${dh}px`;
    }
    const canvas = $("label-canvas");
    canvas.width = W;
    canvas.height = H;
    const marker = $("marker-canvas");
    const dpr = window.devicePixelRatio || 1;
    marker.width = Math.round(dw * dpr);
    marker.height = Math.round(dh * dpr);
    applyOpacity();
  }

  async function loadPreview(cubeId, seq) {
    try {
      const b = await api.blob(api.previewPath(cubeId));
      if (seq !== resultLoadSeq) return;
      state.previewUrl = URL.createObjectURL(b);
      $("preview-image").src = state.previewUrl;
    } catch (e) {
      if (seq === resultLoadSeq) $("preview-image").removeAttribute("src");
    }
  }

  function applyOpacity() {
    const v = Number($("opacity-slider").value);
    $("opacity-value").textContent = `${v}%`;
    $("label-canvas").style.opacity = String(v / 100);
    $("preview-image").style.visibility = $("show-preview").checked ? "visible" : "hidden";
  }

  /** Draws the label map of K at one canvas pixel per cube pixel: palette colour, background transparent. */
  function drawLabels(k) {
    const { width: W, height: H } = state.labels;
    const labels = labelsOf(k);
    const canvas = $("label-canvas");
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(W, H);
    const lut = new Map(clustersOf(k).map((c) => [c.label, hexToRgb(c.color)]));
    const d = img.data;
    for (let i = 0; i < W * H; i++) {
      const l = labels[i];
      if (l < 0) continue; // background: alpha 0
      const rgb = lut.get(l) || [136, 136, 136];
      d[4 * i] = rgb[0]; d[4 * i + 1] = rgb[1]; d[4 * i + 2] = rgb[2]; d[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function drawMarker() {
    const marker = $("marker-canvas");
    const ctx = marker.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, marker.width, marker.height);
    if (!state.pixel) return;
    const sx = marker.width / state.labels.width, sy = marker.height / state.labels.height;
    const x = state.pixel.col * sx, y = state.pixel.row * sy;
    const dpr = window.devicePixelRatio || 1;
    ctx.lineWidth = 2 * dpr;
    ctx.strokeStyle = "#ffffff";
    ctx.strokeRect(x - 2 * dpr, y - 2 * dpr, sx + 4 * dpr, sy + 4 * dpr);
    ctx.lineWidth = 1 * dpr;
    ctx.strokeStyle = "#111111";
    ctx.strokeRect(x - 3.5 * dpr, y - 3.5 * dpr, sx + 7 * dpr, sy + 7 * dpr);
  }

  /** Cube pixel under a mouse event on the map. */
  function pixelAt(e) {
    const r = $("label-canvas").getBoundingClientRect();
    const col = Math.floor(((e.clientX - r.left) / r.width) * state.labels.width);
    const row = Math.floor(((e.clientY - r.top) / r.height) * state.labels.height);
    if (col < 0 || row < 0 || col >= state.labels.width || row >= state.labels.height) return null;
    return { row, col };
  }

  function initMap() {
    const canvas = $("label-canvas");
    canvas.addEventListener("click", (e) => { const p = pixelAt(e); if (p) selectPixel(p.row, p.col); });
    canvas.addEventListener("mousemove", (e) => {
      if (!state.resultReady) return;
      const p = pixelAt(e);
      if (!p) { $("map-readout").textContent = ""; return; }
      const l = labelsOf(state.k)[p.row * state.labels.width + p.col];
      $("map-readout").textContent = `row ${p.row}, col ${p.col} · ${l < 0 ? "background" : nameOf(l)}`;
    });
    canvas.addEventListener("mouseleave", () => { $("map-readout").textContent = ""; });
    // Arrow keys move the selected pixel (the map takes the focus when clicked or tabbed to).
    canvas.tabIndex = 0;
    canvas.addEventListener("keydown", (e) => {
      const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      if (!state.resultReady || !moves[e.key]) return;
      e.preventDefault();
      const p = state.pixel || { row: Math.floor(state.labels.height / 2), col: Math.floor(state.labels.width / 2) };
      const row = Math.min(state.labels.height - 1, Math.max(0, p.row + moves[e.key][0]));
      const col = Math.min(state.labels.width - 1, Math.max(0, p.col + moves[e.key][1]));
      selectPixel(row, col);
    });
    $("opacity-slider").addEventListener("input", applyOpacity);
    $("show-preview").addEventListener("change", applyOpacity);
    $("k-slider").addEventListener("input", () => setK(state.kValues[Number($("k-slider").value)]));
    $("log-y").checked = localStorage.getItem("cubeseg.logY") === "1";
    state.logY = $("log-y").checked;
    $("log-y").addEventListener("change", () => {
      state.logY = $("log-y").checked;
      try { localStorage.setItem("cubeseg.logY", state.logY ? "1" : "0"); } catch (_) { /* ignore */ }
      redrawPlots();
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => { if (state.resultReady) redrawPlots(); }, 150); });
  }

  function setupKSlider() {
    const s = $("k-slider");
    s.min = "0";
    s.max = String(state.kValues.length - 1);
    s.disabled = state.kValues.length < 2;
    const ticks = $("k-ticks");
    ticks.textContent = "";
    state.kValues.forEach((k, i) => {
      ticks.append(el("button", { type: "button", class: `k-tick${k === state.chosenK ? " chosen" : ""}`, "data-k": k, text: String(k),
        title: k === state.chosenK ? `K = ${k} (chosen)` : `K = ${k}`, onclick: () => setK(k) }));
    });
  }

  /** Shows K: label map, legend, plots. */
  function setK(k, first) {
    if (!state.labels || !state.kValues.includes(k)) return;
    state.k = k;
    $("k-slider").value = String(state.kValues.indexOf(k));
    $("k-value").textContent = String(k);
    show($("k-chosen"), k === state.chosenK);
    for (const b of $("k-ticks").children) b.classList.toggle("current", Number(b.dataset.k) === k);
    drawLabels(k);
    renderLegend();
    state.renderedK = k;
    state.resultReady = true;
    redrawPlots();
    if (state.pixel) renderPixel();
    if (first) drawMarker();
  }

  // --- legend --------------------------------------------------------------------------------
  function renderLegend() {
    const k = state.k;
    const list = clustersOf(k);
    const box = $("legend");
    box.textContent = "";
    state.legend = list.map((c) => ({ label: c.label, color: c.color, pixels: c.pixels, share: c.fraction * 100, name: nameOf(c.label) }));
    $("legend-k").textContent = `K = ${k}`;
    const signal = state.clusters.signal_pixels, total = state.clusters.total_pixels;
    $("legend-total").textContent = `${signal.toLocaleString()} signal pixels${total > signal ? ` of ${total.toLocaleString()}` : ""}`;
    for (const c of list) {
      const share = c.fraction * 100;
      const peaks = (c.peaks || []).filter((p) => p.element).slice(0, 4).map((p) => `${p.element} ${lineName(p.line)}`).join(", ");
      const name = el("input", { type: "text", class: "legend-name", value: nameOf(c.label), "data-label": c.label, "aria-label": `Name of cluster ${c.label}`,
        placeholder: `Cluster ${c.label}` });
      name.addEventListener("input", () => {
        const v = name.value.trim();
        if (v && v !== `Cluster ${c.label}`) state.names[String(c.label)] = v; else delete state.names[String(c.label)];
        saveNames();
        const entry = state.legend.find((x) => x.label === c.label);
        if (entry) entry.name = nameOf(c.label);
        clearTimeout(renderLegend.timer);
        renderLegend.timer = setTimeout(() => { redrawPlots(); if (state.pixel) renderPixel(); }, 250);
      });
      box.append(el("div", { class: "legend-row", role: "listitem", "data-label": c.label, "data-share": share.toFixed(4) },
        el("span", { class: "swatch", style: `background:${c.color}`, title: c.color }),
        el("span", { class: "legend-label mono", text: String(c.label) }),
        name,
        el("span", { class: "legend-bar", title: `${c.pixels.toLocaleString()} pixels` }, el("span", { style: `width:${Math.min(100, share)}%;background:${c.color}` })),
        el("span", { class: "legend-share num", text: `${share.toFixed(1)} %` }),
        el("span", { class: "legend-pixels num", text: `${c.pixels.toLocaleString()} px` }),
        el("span", { class: "legend-peaks hint", text: peaks, title: peaks })));
    }
  }

  // --- plots ---------------------------------------------------------------------------------
  function redrawPlots() {
    if (!state.resultReady) return;
    renderMeans();
    renderScores();
    renderTree();
    if (state.pixel) renderPixel(); else renderPixelEmpty();
  }

  function peakAnnotations(cluster, series) {
    return (cluster.peaks || []).filter((p) => isFinite(p.x) || isFinite(p.energy)).map((p) => {
      const x = isFinite(p.x) ? p.x : p.energy;
      const unit = series.unit && series.unit !== "channel" ? ` ${series.unit}` : "";
      return { x, y: valueAt(series, x), text: p.element ? `${p.element} ${lineName(p.line)}`.trim() : `${plot.formatValue(x)}${unit}`, color: cluster.color };
    });
  }
  function valueAt(series, x) {
    const xs = series.x;
    let best = 0;
    for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
    // The local maximum within a few channels (the peak itself, not its flank).
    let m = series.y[best];
    for (let j = Math.max(0, best - 3); j <= Math.min(xs.length - 1, best + 3); j++) m = Math.max(m, series.y[j]);
    return m;
  }
  function valueUnit() { return state.valueUnit || (state.pixelSpectrum && state.pixelSpectrum.value_unit) || "intensity"; }

  // The channels the segmentation left out as silent (report.json decisions.silent_channels),
  // as indices into the cropped mean spectra: drawn as gaps, so an absorption band's noise
  // does not set the plot's range.
  function gapped(y) {
    const r = state.report, d = r && r.decisions && r.decisions.silent_channels;
    if (!d || !Array.isArray(d.channels) || !d.channels.length) return y;
    const start = (r.parameters && r.parameters.crop_start) || 0;
    const silent = new Set(d.channels.map((c) => c - start));
    return y.map((v, i) => (silent.has(i) ? null : v));
  }

  function renderMeans() {
    const list = clustersOf(state.k);
    const unit = list.length ? list[0].mean_spectrum.unit : "";
    const series = list.map((c) => ({ x: c.mean_spectrum.x, y: gapped(c.mean_spectrum.y), color: c.color, label: `${c.label} · ${nameOf(c.label)}`, width: 1.3 }));
    // Peak labels of every cluster; one label per element line (at its highest curve).
    const byName = new Map();
    for (const c of list) for (const a of peakAnnotations(c, c.mean_spectrum)) {
      const prev = byName.get(a.text);
      if (!prev || a.y > prev.y) byName.set(a.text, a);
    }
    $("means-k").textContent = `K = ${state.k}`;
    plot.lines($("means-plot"), {
      series, xLabel: axisLabel(unit), yLabel: `Mean ${valueLabel(valueUnit()).toLowerCase()} per pixel`, logY: state.logY,
      annotations: Array.from(byName.values()), xName: QUANTITIES[(unit || "").toLowerCase()] || "x", xUnit: unit === "channel" ? "" : unit,
    });
  }

  function renderPixelEmpty() {
    plot.lines($("pixel-plot"), { series: [], emptyText: "Click a pixel of the map to see its spectrum" });
  }

  /** Selects a pixel: marker, its spectrum from the API, plotted next to its cluster's mean. */
  async function selectPixel(row, col) {
    if (!state.resultReady) return;
    state.pixel = { row, col };
    state.pixelSpectrum = null;
    drawMarker();
    const info = $("pixel-info");
    info.dataset.row = String(row);
    info.dataset.col = String(col);
    info.textContent = `row ${row}, col ${col} · loading…`;
    const seq = ++pixelSeq;
    try {
      const r = await api.spectrum(state.job.cube_id, row, col);
      if (seq !== pixelSeq) return;
      const s = r.spectrum || {};
      state.pixelSpectrum = { row: r.row, col: r.col, x: s.x, y: s.y, unit: s.unit, value_unit: r.value_unit };
      if (!state.valueUnit && r.value_unit) state.valueUnit = r.value_unit;
      renderPixel();
    } catch (e) {
      if (seq !== pixelSeq) return;
      info.textContent = `row ${row}, col ${col} · no spectrum: ${e instanceof api.ApiError ? e.describe() : e}`;
      showError("Loading the pixel's spectrum", e);
    }
  }

  function renderPixel() {
    const p = state.pixel;
    if (!p) return;
    const label = labelsOf(state.k)[p.row * state.labels.width + p.col];
    const cluster = label >= 0 ? clustersOf(state.k).find((c) => c.label === label) : null;
    const info = $("pixel-info");
    info.dataset.label = String(label);
    const what = label < 0 ? "background" : `${nameOf(label)} (label ${label})`;
    info.textContent = "";
    info.append(cluster ? el("span", { class: "swatch inline", style: `background:${cluster.color}` }) : "",
      `row ${p.row}, col ${p.col} · ${what}${state.pixelSpectrum ? "" : " · loading…"}`);
    const sp = state.pixelSpectrum;
    if (!sp || sp.row !== p.row || sp.col !== p.col) return;
    const series = [{ x: sp.x, y: sp.y, color: "#374151", label: `pixel (${p.row}, ${p.col})`, width: 1 }];
    let annotations = [];
    if (cluster) {
      series.push({ x: cluster.mean_spectrum.x, y: gapped(cluster.mean_spectrum.y), color: cluster.color, label: `mean of ${nameOf(label)}`, width: 2 });
      annotations = peakAnnotations(cluster, cluster.mean_spectrum);
    }
    const unit = sp.unit || (cluster && cluster.mean_spectrum.unit) || "";
    plot.lines($("pixel-plot"), {
      series, xLabel: axisLabel(unit), yLabel: valueLabel(sp.value_unit || valueUnit()), logY: state.logY, annotations,
      xName: QUANTITIES[(unit || "").toLowerCase()] || "x", xUnit: unit === "channel" ? "" : unit,
    });
  }

  const SCORE_METRICS = [
    { key: "silhouette", title: "Silhouette ↑", better: "higher is better" },
    { key: "calinski_harabasz", title: "Calinski-Harabasz ↑", better: "higher is better" },
    { key: "davies_bouldin", title: "Davies-Bouldin ↓", better: "lower is better" },
    { key: "inertia", title: "Inertia (elbow)", better: "look for the elbow" },
    { key: "spatial_coherence", title: "Spatial coherence ↑", better: "higher is better" },
  ];
  function renderScores() {
    const grid = $("scores-grid");
    const sc = state.scores || (state.report ? { scores: state.report.scores, reason: state.report.reason, criterion: state.report.criterion } : null);
    if (!sc || !sc.scores || !sc.scores.length) { grid.textContent = "No scores."; return; }
    $("scores-reason").textContent = `${sc.criterion ? `criterion ${sc.criterion}: ` : ""}${sc.reason || ""}`;
    const rows = sc.scores.slice().sort((a, b) => a.k - b.k);
    const metrics = SCORE_METRICS.filter((m) => rows.some((r) => r[m.key] !== undefined && r[m.key] !== null));
    if (grid.children.length !== metrics.length) {
      grid.textContent = "";
      for (const m of metrics) grid.append(el("div", { class: "score-cell", title: `${m.title}: ${m.better}` }, el("canvas", { class: "plot small", id: `score-${m.key}` })));
    }
    for (const m of metrics) {
      const xs = rows.map((r) => r.k), ys = rows.map((r) => (r[m.key] === null || r[m.key] === undefined ? NaN : r[m.key]));
      const cur = rows.find((r) => r.k === state.k);
      plot.lines($(`score-${m.key}`), {
        title: m.title,
        series: [{ x: xs, y: ys, color: "#1f4e79", width: 1.6, points: true, label: m.title.replace(/ [↑↓]$/, "") }],
        xLabel: "K (number of clusters)", integerX: true, yFromZero: false, legend: false, xName: "K", padLeft: 52,
        markers: [{ x: sc.chosen_k || state.chosenK, color: "#c2410c", dash: [5, 3] }],
        dots: cur && isFinite(cur[m.key]) ? [{ x: cur.k, y: cur[m.key], color: "#c2410c", r: 5 }] : [],
      });
    }
  }

  function renderTree() {
    const levels = state.kValues.map((k) => ({
      k, nodes: clustersOf(k).map((c) => ({ label: c.label, color: c.color, share: c.fraction, parent: c.parent === undefined ? null : c.parent,
        name: nameOf(c.label), parentName: c.parent === null || c.parent === undefined ? null : nameOf(c.parent) })),
    }));
    const box = $("split-tree");
    plot.splitTree(box, { levels, currentK: state.k, width: box.clientWidth - 4, onPick: (k) => setK(k) });
  }

  // --- downloads and details -------------------------------------------------------------------
  const FILE_NOTES = {
    "labels.png": "label map, chosen K", "labels_index.png": "label = grey value", "labels.json": "every K's label map",
    "labels.npy": "label map (int32)", "clusters.json": "clusters, mean spectra", "scores.json": "scores per K",
    "report.json": "parameters, decisions, history", "model.json": "the trained model", "spectra.png": "mean spectra plot",
    "scores.png": "scores plot",
  };
  function fileLink(name, text) {
    const path = api.resultPath(state.jobId, name);
    const a = el("a", { href: path, download: name, class: "download", "data-file": name, text: text || name });
    a.addEventListener("click", async (e) => {
      if (!api.token()) return; // the browser fetches it itself
      e.preventDefault();
      try { await api.download(path, name); } catch (err) { showError(`Downloading ${name}`, err); }
    });
    return a;
  }
  function renderDownloads() {
    const box = $("downloads");
    box.textContent = "";
    const files = state.resultFiles;
    const perK = /^labels(_index)?_k(\d+)\.png$/;
    const main = files.filter((f) => !perK.test(f));
    const list = el("ul", { class: "file-links" });
    for (const f of main) list.append(el("li", {}, fileLink(f), FILE_NOTES[f] ? el("span", { class: "hint", text: ` ${FILE_NOTES[f]}` }) : null));
    box.append(list);
    const ks = new Map();
    for (const f of files) {
      const m = perK.exec(f);
      if (!m) continue;
      const k = Number(m[2]);
      if (!ks.has(k)) ks.set(k, {});
      ks.get(k)[m[1] ? "index" : "palette"] = f;
    }
    if (ks.size) {
      const t = el("div", { class: "perk" }, el("div", { class: "hint", text: "Label maps of every K (colour · index):" }));
      const row = el("div", { class: "perk-row" });
      for (const k of Array.from(ks.keys()).sort((a, b) => a - b)) {
        const e = ks.get(k);
        row.append(el("span", { class: "perk-item" }, `K=${k} `, e.palette ? fileLink(e.palette, "png") : "", e.index ? " · " : "", e.index ? fileLink(e.index, "index") : ""));
      }
      t.append(row);
      box.append(t);
    }
  }

  function renderReport() {
    const body = $("report-body");
    body.textContent = "";
    const r = state.report;
    if (!r) { body.append(el("p", { class: "hint", text: "No report.json." })); return; }
    const dl = el("dl", { class: "kv" });
    const add = (k, v) => { if (v !== undefined && v !== null && v !== "") dl.append(el("dt", { text: k }), el("dd", { text: String(v) })); };
    add("K chosen", `${r.chosen_k} (${r.criterion})`);
    add("why", r.reason);
    const d = r.decisions || {};
    if (d.data) add("data", `${d.data.kind}: ${d.data.reason || ""}`);
    if (d.silent_channels) add("silent channels", d.silent_channels.reason);
    add("bins", d.bins_reason || d.bins);
    add("transform", d.transform_reason || d.transform);
    add("embedding", d.embedding_reason || d.embedding);
    add("cluster model", d.cluster_model_reason || d.cluster_model);
    add("K criterion", d.k_criterion_reason || d.k_criterion);
    if (Array.isArray(d.signal_to_noise)) add("signal-to-noise of the axes", d.signal_to_noise.map((v) => Number(v).toFixed(1)).join(", "));
    if (d.background) add("background", d.background.masks ? `masked below ${d.background.threshold}` : "no mask");
    add("pixels", `${r.signal_pixels} signal, ${r.background_pixels} background`);
    const m = d.missing_values;
    if (m) add("missing values", `${m.pixels_without_data} pixels without data (left unlabelled), ${m.non_finite_values} NaN or infinite values read as 0`);
    if (r.timings) add("timings", Object.entries(r.timings).map(([k, v]) => `${k} ${Number(v).toFixed(2)} s`).join(", "));
    if (r.software) add("software", `${r.software.name} ${r.software.version}`);
    body.append(dl);
    if (r.parameters) {
      body.append(el("div", { class: "hint", text: "parameters" }),
        el("pre", { class: "params-json", text: JSON.stringify(r.parameters, null, 1) }));
    }
  }

  // ---------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------
  function init() {
    initToken();
    initUpload();
    initMap();
    $("jobs-refresh").addEventListener("click", () => refreshJobs());
    window.addEventListener("hashchange", route);
    document.addEventListener("visibilitychange", () => { if (!document.hidden && state.view === "jobs") refreshJobs(); });
    route();
    if (state.view !== "jobs") refreshJobs();
  }

  window.cubesegViewer = {
    version: 1,
    state,
    setK: (k) => setK(k),
    selectPixel: (row, col) => selectPixel(row, col),
    openJob: (id) => { location.hash = `#/jobs/${id}`; },
    refreshJobs: () => refreshJobs(),
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
