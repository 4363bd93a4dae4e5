// CubeSeg viewer: the HTTP API client (same origin as the page).
//
// Every call goes through `request`, which adds the bearer token (kept in localStorage), turns
// RFC 9457 problem details into `ApiError`s and tells the page when the server wants a token
// (401), so that it can ask for one and retry.
"use strict";

(function () {
  const TOKEN_KEY = "cubeseg.token";

  /** An error answer of the API: HTTP status, the problem's `code`, `title` and `detail`. */
  class ApiError extends Error {
    constructor(status, problem, fallback) {
      const p = problem || {};
      super(p.detail || p.title || fallback || `HTTP ${status}`);
      this.name = "ApiError";
      this.status = status;
      this.code = p.code || (status === 0 ? "network_error" : `http_${status}`);
      this.title = p.title || "";
      this.detail = p.detail || fallback || "";
      this.problem = p;
    }
    /** One line for the user: what went wrong and the stable code. */
    describe() {
      const head = this.detail || this.title || this.message;
      return `${head} (${this.code}${this.status ? `, HTTP ${this.status}` : ""})`;
    }
  }

  const listeners = { unauthorized: [] };

  function token() {
    try { return localStorage.getItem(TOKEN_KEY) || ""; } catch (_) { return ""; }
  }
  function setToken(t) {
    try {
      if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY);
    } catch (_) { /* private mode: the token lives for this page only */ }
  }
  function authHeaders(extra) {
    const h = Object.assign({}, extra || {});
    const t = token();
    if (t) h["Authorization"] = `Bearer ${t}`;
    return h;
  }

  /** Reads a problem-details body (or any text) of a failed response into an ApiError. */
  async function errorOf(response) {
    let problem = null, text = "";
    try {
      text = await response.text();
      problem = JSON.parse(text);
    } catch (_) { problem = null; }
    const err = new ApiError(response.status, problem, text ? text.slice(0, 200) : response.statusText);
    if (response.status === 401) listeners.unauthorized.forEach((f) => f(err));
    return err;
  }

  /**
   * fetch with the token; resolves to the Response of a 2xx or 304, rejects with an ApiError.
   * options: {method, headers, body, signal}
   */
  async function request(path, options) {
    const o = options || {};
    let response;
    try {
      response = await fetch(path, {
        method: o.method || "GET",
        headers: authHeaders(o.headers),
        body: o.body,
        signal: o.signal,
        cache: "no-store",
      });
    } catch (e) {
      if (e && e.name === "AbortError") throw e;
      throw new ApiError(0, { title: "Network error", detail: `the server did not answer (${e && e.message ? e.message : e})` });
    }
    if (response.ok || response.status === 304) return response;
    throw await errorOf(response);
  }

  async function json(path, options) {
    const r = await request(path, options);
    return r.status === 204 ? null : r.json();
  }

  function postJSON(path, body, headers) {
    return json(path, {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
      body: JSON.stringify(body),
    });
  }

  /**
   * Upload with progress (XMLHttpRequest: fetch reports none). `body` is a File/Blob (raw
   * upload) or a FormData (ENVI / RPL pair). Resolves to the Cube; rejects with an ApiError.
   */
  function upload(path, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      const t = token();
      if (t) xhr.setRequestHeader("Authorization", `Bearer ${t}`);
      if (!(body instanceof FormData)) xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => { if (onProgress && e.lengthComputable) onProgress(e.loaded, e.total); };
      xhr.onload = () => {
        let parsed = null;
        try { parsed = JSON.parse(xhr.responseText); } catch (_) { parsed = null; }
        if (xhr.status >= 200 && xhr.status < 300) { resolve(parsed); return; }
        const err = new ApiError(xhr.status, parsed, xhr.responseText.slice(0, 200) || xhr.statusText);
        if (xhr.status === 401) listeners.unauthorized.forEach((f) => f(err));
        reject(err);
      };
      xhr.onerror = () => reject(new ApiError(0, { title: "Network error", detail: "the upload was interrupted" }));
      xhr.send(body);
    });
  }

  /** A result file as a Blob (with the token), e.g. for a download or an <img>. */
  async function blob(path) {
    const r = await request(path);
    return r.blob();
  }

  /** Saves a file that needs the token: fetched as a blob, then handed to the browser. */
  async function download(path, fileName) {
    const b = await blob(path);
    const url = URL.createObjectURL(b);
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function query(params) {
    const parts = [];
    for (const [k, v] of Object.entries(params || {})) {
      if (v === undefined || v === null || v === "") continue;
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    }
    return parts.length ? `?${parts.join("&")}` : "";
  }

  const enc = encodeURIComponent;
  const api = {
    ApiError, token, setToken, request, json, blob, download, upload, query,
    onUnauthorized(f) { listeners.unauthorized.push(f); },

    listJobs: (limit) => json(`/v1/jobs${query({ limit: limit || 50 })}`),
    listCubes: (limit) => json(`/v1/cubes${query({ limit: limit || 100 })}`),
    cube: (id) => json(`/v1/cubes/${enc(id)}`),
    job: (id) => json(`/v1/jobs/${enc(id)}`),
    /** Long poll: resolves to {job, etag} (job null on 304). */
    async waitJob(id, etag, seconds, signal) {
      const headers = etag ? { "If-None-Match": etag } : {};
      const r = await request(`/v1/jobs/${enc(id)}${query({ wait: seconds })}`, { headers, signal });
      if (r.status === 304) return { job: null, etag };
      return { job: await r.json(), etag: r.headers.get("ETag") };
    },
    createJob: (cubeId, params) => postJSON("/v1/jobs", { cube_id: cubeId, params }),
    cancelJob: (id) => json(`/v1/jobs/${enc(id)}/cancel`, { method: "POST" }),
    deleteJob: (id) => json(`/v1/jobs/${enc(id)}`, { method: "DELETE" }),
    results: (id) => json(`/v1/jobs/${enc(id)}/results`),
    resultPath: (id, file) => `/v1/jobs/${enc(id)}/results/${enc(file)}`,
    result: (id, file) => json(`/v1/jobs/${enc(id)}/results/${enc(file)}`),
    previewPath: (cubeId) => `/v1/cubes/${enc(cubeId)}/preview.png`,
    spectrum: (cubeId, row, col) => json(`/v1/cubes/${enc(cubeId)}/spectrum${query({ row, col })}`),
  };

  window.CubeSegAPI = api;
})();
