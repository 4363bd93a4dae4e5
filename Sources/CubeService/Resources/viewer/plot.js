// CubeSeg viewer: a small plotting library of its own (no dependencies).
//
// `lines(canvas, spec)` draws x-y curves on a <canvas> with axes, ticks, unit labels, a
// legend, vertical markers, point markers and text annotations (X-ray peak labels), and a
// hover read-out. `splitTree(container, spec)` draws how clusters split from one K to the
// next as an SVG diagram with the K levels as rows.
"use strict";

(function () {
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const SMALL_FONT = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const AXIS = "#3a3f47";
  const GRID = "#e7e9ee";
  const MUTED = "#6b7280";

  /** "Nice" tick values covering [lo, hi] with about `count` ticks (1, 2, 5 x 10^n steps). */
  function niceTicks(lo, hi, count) {
    if (!isFinite(lo) || !isFinite(hi)) return { ticks: [], step: 1 };
    if (hi === lo) { hi = lo + 1; lo = lo - 1; }
    const raw = (hi - lo) / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    const ticks = [];
    const first = Math.ceil(lo / step - 1e-9) * step;
    for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return { ticks, step };
  }

  /** Tick labels: as few digits as the step needs; exponent form for very large/small. */
  function formatTick(v, step) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      const e = Math.floor(Math.log10(a));
      const m = v / Math.pow(10, e);
      return `${Number(m.toFixed(2))}e${e}`;
    }
    const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
    return v.toFixed(decimals);
  }

  function formatValue(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
    return Number(v.toPrecision(4)).toString();
  }

  /** Sizes the canvas backing store to its CSS size times the device pixel ratio. */
  function prepare(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(50, Math.round(canvas.clientWidth || canvas.width));
    const h = Math.max(50, Math.round(canvas.clientHeight || canvas.height));
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx, w, h };
  }

  function extent(values, filter) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) {
      if (v === null || v === undefined || !isFinite(v) || (filter && !filter(v))) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  }

  /**
   * Line plot. spec: {
   *   series: [{x: [], y: [], color, label, width, dash, points (draw dots)}],
   *   xLabel, yLabel, logY, integerX, title,
   *   markers: [{x, color, label, dash}]   vertical lines (e.g. the chosen K)
   *   dots: [{x, y, color, r, label}]      point markers (e.g. the current K)
   *   annotations: [{x, y, text, color}]   labels at a point (X-ray peaks)
   *   legend: true (default) | false,  emptyText
   * }
   */
  function lines(canvas, spec) {
    canvas._plotSpec = spec;
    if (!canvas._plotHover) {
      canvas._plotHover = true;
      canvas.addEventListener("mousemove", (e) => {
        const r = canvas.getBoundingClientRect();
        draw(canvas, canvas._plotSpec, { x: e.clientX - r.left, y: e.clientY - r.top });
      });
      canvas.addEventListener("mouseleave", () => draw(canvas, canvas._plotSpec, null));
    }
    return draw(canvas, spec, null);
  }

  function draw(canvas, spec, hover) {
    const { ctx, w, h } = prepare(canvas);
    const series = (spec.series || []).filter((s) => s && s.x && s.y && s.x.length);
    ctx.font = FONT;
    const pad = { left: spec.padLeft || 64, right: 14, top: spec.title ? 26 : 12, bottom: 44 };
    const pw = w - pad.left - pad.right, ph = h - pad.top - pad.bottom;
    if (spec.title) {
      ctx.fillStyle = AXIS;
      ctx.font = "600 12.5px system-ui, sans-serif";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.fillText(spec.title, pad.left, 6);
      ctx.font = FONT;
    }
    if (!series.length) {
      ctx.fillStyle = MUTED;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(spec.emptyText || "No data", w / 2, h / 2);
      return null;
    }

    // Ranges.
    const logY = !!spec.logY;
    let [x0, x1] = extent(series.flatMap((s) => Array.from(s.x)));
    (spec.markers || []).forEach((m) => { x0 = Math.min(x0, m.x); x1 = Math.max(x1, m.x); });
    if (x0 === x1) { x0 -= 0.5; x1 += 0.5; }
    if (spec.integerX) { x0 -= 0.4; x1 += 0.4; }
    const yFilter = logY ? (v) => v > 0 : null;
    let [y0, y1] = extent(series.flatMap((s) => Array.from(s.y)), yFilter);
    if (!isFinite(y0)) { y0 = logY ? 0.1 : 0; y1 = 1; }
    let yt;
    if (logY) {
      y0 = Math.max(y0, y1 * 1e-5);
      const l0 = Math.floor(Math.log10(y0)), l1 = Math.ceil(Math.log10(y1) + 0.02);
      y0 = Math.pow(10, l0);
      y1 = Math.pow(10, Math.max(l1, l0 + 1));
      yt = [];
      for (let e = l0; e <= Math.log10(y1) + 1e-9; e++) yt.push(Math.pow(10, e));
    } else {
      if (spec.yFromZero !== false && y0 > 0) y0 = 0;
      if (y1 === y0) { y1 = y0 + 1; y0 -= 1; }
      if (spec.yFromZero === false) { const m = (y1 - y0) * 0.08; y0 -= m; y1 += m; }
      const room = (y1 - y0) * (spec.annotations && spec.annotations.length ? 0.16 : 0.05);
      y1 += room;
      const t = niceTicks(y0, y1, Math.max(3, Math.round(ph / 55)));
      yt = t.ticks;
      yt.step = t.step;
      y1 = Math.max(y1, yt[yt.length - 1] || y1);
      y0 = Math.min(y0, yt[0]);
    }
    const sx = (x) => pad.left + ((x - x0) / (x1 - x0)) * pw;
    const sy = logY
      ? (y) => pad.top + ph - ((Math.log10(Math.max(y, y0)) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph
      : (y) => pad.top + ph - ((y - y0) / (y1 - y0)) * ph;
    const xt = niceTicks(x0, x1, Math.max(3, Math.round(pw / 80)));
    if (spec.integerX) {
      xt.ticks = xt.ticks.filter((v) => Number.isInteger(Math.round(v * 1e6) / 1e6));
      if (xt.step < 1) { xt.step = 1; xt.ticks = []; for (let v = Math.ceil(x0); v <= x1; v++) xt.ticks.push(v); }
    }

    // Grid and axes.
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const v of xt.ticks) { const X = Math.round(sx(v)) + 0.5; ctx.moveTo(X, pad.top); ctx.lineTo(X, pad.top + ph); }
    for (const v of yt) { const Y = Math.round(sy(v)) + 0.5; ctx.moveTo(pad.left, Y); ctx.lineTo(pad.left + pw, Y); }
    ctx.stroke();
    ctx.strokeStyle = AXIS;
    ctx.beginPath();
    ctx.moveTo(pad.left + 0.5, pad.top);
    ctx.lineTo(pad.left + 0.5, pad.top + ph + 0.5);
    ctx.lineTo(pad.left + pw, pad.top + ph + 0.5);
    ctx.stroke();
    ctx.fillStyle = AXIS;
    ctx.font = SMALL_FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.beginPath();
    for (const v of xt.ticks) {
      const X = Math.round(sx(v)) + 0.5;
      ctx.moveTo(X, pad.top + ph); ctx.lineTo(X, pad.top + ph + 4);
      ctx.fillText(formatTick(v, xt.step), X, pad.top + ph + 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of yt) {
      const Y = Math.round(sy(v)) + 0.5;
      ctx.moveTo(pad.left - 4, Y); ctx.lineTo(pad.left, Y);
      ctx.fillText(logY ? formatTick(v, v) : formatTick(v, yt.step), pad.left - 6, Y);
    }
    ctx.stroke();
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    if (spec.xLabel) ctx.fillText(spec.xLabel, pad.left + pw / 2, h - 4);
    if (spec.yLabel) {
      ctx.save();
      ctx.translate(13, pad.top + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle";
      ctx.fillText(spec.yLabel, 0, 0);
      ctx.restore();
    }

    // Plot area content, clipped.
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left + 1, pad.top - 1, pw, ph + 1);
    ctx.clip();
    for (const m of spec.markers || []) {
      ctx.strokeStyle = m.color || "#9ca3af";
      ctx.setLineDash(m.dash || [4, 3]);
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      ctx.moveTo(Math.round(sx(m.x)) + 0.5, pad.top);
      ctx.lineTo(Math.round(sx(m.x)) + 0.5, pad.top + ph);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const s of series) {
      ctx.strokeStyle = s.color || AXIS;
      ctx.lineWidth = s.width || 1.4;
      ctx.setLineDash(s.dash || []);
      ctx.lineJoin = "round";
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.x.length; i++) {
        const yv = s.y[i];
        if (yv === null || !isFinite(yv) || (logY && yv <= 0)) { pen = false; continue; }
        const X = sx(s.x[i]), Y = sy(yv);
        if (pen) ctx.lineTo(X, Y); else { ctx.moveTo(X, Y); pen = true; }
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.points) {
        ctx.fillStyle = s.color || AXIS;
        for (let i = 0; i < s.x.length; i++) {
          if (!isFinite(s.y[i])) continue;
          ctx.beginPath();
          ctx.arc(sx(s.x[i]), sy(s.y[i]), 2.6, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    for (const d of spec.dots || []) {
      ctx.fillStyle = d.color || "#111";
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(sx(d.x), sy(d.y), d.r || 5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();

    // Peak labels: a leader line from the curve to the text; text boxes never overlap
    // (a label that finds no room within a few rows is left out).
    if (spec.annotations && spec.annotations.length) {
      ctx.font = SMALL_FONT;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      const placed = [];
      const sorted = spec.annotations.slice().sort((a, b) => (b.y || 0) - (a.y || 0));
      for (const a of sorted) {
        if (a.x < x0 || a.x > x1 || !isFinite(a.y)) continue;
        const X = sx(a.x), Yp = Math.max(pad.top + 2, sy(Math.max(a.y, logY ? y0 : a.y)));
        const tw = ctx.measureText(a.text).width + 4, th = 13;
        let Y = Yp - 6, ok = false;
        for (let tries = 0; tries < 6 && !ok; tries++) {
          const box = { l: X - tw / 2, r: X + tw / 2, t: Y - th, b: Y };
          if (box.t < pad.top - 2) break;
          ok = !placed.some((p) => box.l < p.r && box.r > p.l && box.t < p.b && box.b > p.t);
          if (ok) { placed.push(box); break; }
          Y -= th;
        }
        if (!ok) continue;
        ctx.strokeStyle = a.color || MUTED;
        ctx.lineWidth = 0.8;
        ctx.beginPath();
        ctx.moveTo(X, Yp - 1);
        ctx.lineTo(X, Y);
        ctx.stroke();
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(X - tw / 2, Y - th, tw, th);
        ctx.fillStyle = a.color ? darken(a.color) : AXIS;
        ctx.fillText(a.text, X, Y);
      }
      ctx.font = FONT;
    }

    // Legend (top right, inside the plot area).
    const named = series.filter((s) => s.label);
    if (spec.legend !== false && named.length) {
      ctx.font = SMALL_FONT;
      const lw = Math.min(220, Math.max(...named.map((s) => ctx.measureText(s.label).width)) + 34);
      const rowH = 15;
      const maxRows = Math.max(1, Math.floor((ph - 8) / rowH));
      const shown = named.slice(0, maxRows);
      const lx = pad.left + pw - lw - 6, ly = pad.top + 6;
      ctx.fillStyle = "rgba(255,255,255,0.88)";
      ctx.strokeStyle = GRID;
      ctx.fillRect(lx, ly, lw, shown.length * rowH + 6);
      ctx.strokeRect(lx + 0.5, ly + 0.5, lw, shown.length * rowH + 6);
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      shown.forEach((s, i) => {
        const Y = ly + 3 + rowH * i + rowH / 2;
        ctx.strokeStyle = s.color || AXIS;
        ctx.lineWidth = Math.max(2, s.width || 1.4);
        ctx.setLineDash(s.dash || []);
        ctx.beginPath(); ctx.moveTo(lx + 6, Y); ctx.lineTo(lx + 24, Y); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = AXIS;
        ctx.fillText(truncate(ctx, s.label, lw - 34), lx + 29, Y);
      });
      ctx.font = FONT;
    }

    // Hover read-out: the nearest x of the first series, every series' y there.
    if (hover && hover.x >= pad.left && hover.x <= pad.left + pw && hover.y >= pad.top && hover.y <= pad.top + ph) {
      const xv = x0 + ((hover.x - pad.left) / pw) * (x1 - x0);
      const rows = [];
      let snapX = null;
      for (const s of series) {
        const i = nearestIndex(s.x, xv);
        if (i < 0) continue;
        if (snapX === null) snapX = s.x[i];
        rows.push({ color: s.color, text: `${s.label ? s.label + ": " : ""}${formatValue(s.y[i])}` });
      }
      if (snapX !== null) {
        const X = Math.round(sx(snapX)) + 0.5;
        ctx.strokeStyle = "rgba(60,60,60,0.45)";
        ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(X, pad.top); ctx.lineTo(X, pad.top + ph); ctx.stroke();
        ctx.font = SMALL_FONT;
        const head = `${spec.xName || "x"} = ${formatValue(snapX)}${spec.xUnit ? " " + spec.xUnit : ""}`;
        const lines = [{ text: head }].concat(rows.slice(0, 8));
        const bw = Math.max(...lines.map((l) => ctx.measureText(l.text).width)) + 22;
        const bh = lines.length * 14 + 6;
        let bx = X + 8;
        if (bx + bw > pad.left + pw) bx = X - 8 - bw;
        const by = pad.top + 4;
        ctx.fillStyle = "rgba(255,255,255,0.94)";
        ctx.strokeStyle = "#c9ced6";
        ctx.fillRect(bx, by, bw, bh);
        ctx.strokeRect(bx + 0.5, by + 0.5, bw, bh);
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        lines.forEach((l, i) => {
          const Y = by + 3 + 14 * i + 7;
          if (l.color) { ctx.fillStyle = l.color; ctx.fillRect(bx + 5, Y - 4, 8, 8); }
          ctx.fillStyle = AXIS;
          ctx.fillText(l.text, bx + (l.color ? 17 : 6), Y);
        });
      }
    }
    return { sx, sy, x0, x1, y0, y1, pad, w, h };
  }

  function nearestIndex(xs, v) {
    if (!xs.length) return -1;
    let lo = 0, hi = xs.length - 1;
    const asc = xs[hi] >= xs[0];
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((xs[mid] < v) === asc) lo = mid; else hi = mid;
    }
    return Math.abs(xs[lo] - v) <= Math.abs(xs[hi] - v) ? lo : hi;
  }

  function truncate(ctx, text, width) {
    if (ctx.measureText(text).width <= width) return text;
    let t = text;
    while (t.length > 1 && ctx.measureText(t + "…").width > width) t = t.slice(0, -1);
    return t + "…";
  }

  /** A darker shade of "#rrggbb" for text on white. */
  function darken(hex) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return AXIS;
    const n = parseInt(m[1], 16);
    const f = (c) => Math.round(c * 0.62);
    return `rgb(${f(n >> 16)}, ${f((n >> 8) & 255)}, ${f(n & 255)})`;
  }

  /**
   * Split tree. spec: {
   *   levels: [{k, nodes: [{label, color, share (0..1), parent (label at previous K or null), name}]}],
   *   currentK, onPick(k, label), width
   * }
   * Rows are Ks (smallest on top); a node's width is its pixel share; each node hangs from its
   * parent at the row above by a band. Nodes are ordered so that children sit under parents.
   */
  function splitTree(container, spec) {
    const NS = "http://www.w3.org/2000/svg";
    const levels = spec.levels || [];
    container.textContent = "";
    if (!levels.length) return;
    const width = Math.max(300, spec.width || container.clientWidth || 600);
    const labelW = 46, right = 10, rowH = 22, gapY = 26, top = 8;
    const height = top + levels.length * rowH + (levels.length - 1) * gapY + 8;
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("class", "split-tree");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "How clusters split from one K to the next");
    const el = (name, attrs, parent) => {
      const e = document.createElementNS(NS, name);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      (parent || svg).appendChild(e);
      return e;
    };
    const span = width - labelW - right;
    // Order: the first level by label; each next level by its parent's position, then label.
    const positions = [];
    let prevOrder = null;
    levels.forEach((level, li) => {
      let nodes = level.nodes.slice();
      if (prevOrder) {
        const rank = new Map(prevOrder.map((n, i) => [n.label, i]));
        nodes.sort((a, b) => {
          const ra = rank.has(a.parent) ? rank.get(a.parent) : 1e9, rb = rank.has(b.parent) ? rank.get(b.parent) : 1e9;
          return ra - rb || (a.parent === a.label ? -1 : 0) - (b.parent === b.label ? -1 : 0) || a.label - b.label;
        });
      } else {
        nodes.sort((a, b) => a.label - b.label);
      }
      const gap = Math.min(6, (span * 0.25) / Math.max(1, nodes.length - 1));
      const usable = span - gap * (nodes.length - 1);
      const total = nodes.reduce((s, n) => s + Math.max(0, n.share), 0) || 1;
      let x = labelW;
      const y = top + li * (rowH + gapY);
      const pos = new Map();
      for (const n of nodes) {
        const w = Math.max(3, (Math.max(0, n.share) / total) * usable);
        pos.set(n.label, { x, y, w, node: n });
        x += w + gap;
      }
      positions.push(pos);
      prevOrder = nodes;
    });
    // Bands from parent to child (drawn first, under the nodes). A parent's outgoing bands are
    // stacked along its bottom edge in child order.
    for (let li = 1; li < levels.length; li++) {
      const above = positions[li - 1], here = positions[li];
      const offsets = new Map();
      const kids = Array.from(here.values()).sort((a, b) => a.x - b.x);
      const sums = new Map();
      for (const c of kids) sums.set(c.node.parent, (sums.get(c.node.parent) || 0) + c.w);
      for (const c of kids) {
        const p = above.get(c.node.parent);
        if (!p) continue;
        const scale = p.w / Math.max(p.w, sums.get(c.node.parent));
        const off = offsets.get(c.node.parent) || 0;
        const px0 = p.x + off, px1 = p.x + off + c.w * scale;
        offsets.set(c.node.parent, off + c.w * scale);
        const y0 = p.y + rowH, y1 = c.y, ym = (y0 + y1) / 2;
        el("path", {
          d: `M${px0},${y0} C${px0},${ym} ${c.x},${ym} ${c.x},${y1} L${c.x + c.w},${y1} C${c.x + c.w},${ym} ${px1},${ym} ${px1},${y0} Z`,
          fill: c.node.color, "fill-opacity": "0.28", stroke: "none",
        });
      }
    }
    levels.forEach((level, li) => {
      const y = top + li * (rowH + gapY);
      const current = level.k === spec.currentK;
      if (current) el("rect", { x: 2, y: y - 3, width: width - 4, height: rowH + 6, rx: 4, fill: "#eef2ff", stroke: "#c7d2fe" });
      const t = el("text", { x: 6, y: y + rowH / 2 + 4, class: current ? "tree-k current" : "tree-k" });
      t.textContent = `K=${level.k}`;
      for (const p of positions[li].values()) {
        const n = p.node;
        const g = el("g", { class: "tree-node", "data-k": level.k, "data-label": n.label });
        const r = el("rect", { x: p.x, y: p.y, width: p.w, height: rowH, rx: 2, fill: n.color, stroke: current ? "#1f2937" : "#ffffff", "stroke-width": current ? 1 : 0.8 }, g);
        r.style.cursor = "pointer";
        const title = el("title", {}, g);
        title.textContent = `K=${level.k} · ${n.name || `cluster ${n.label}`} · ${(n.share * 100).toFixed(1)}% of signal pixels` +
          (n.parent === null || n.parent === undefined ? "" : ` · from ${n.parentName || `cluster ${n.parent}`} at K=${levels[li - 1] ? levels[li - 1].k : "?"}`);
        if (p.w > 22) {
          const tx = el("text", { x: p.x + p.w / 2, y: p.y + rowH / 2 + 4, "text-anchor": "middle", class: "tree-label", fill: textOn(n.color) }, g);
          tx.textContent = String(n.label);
        }
        if (spec.onPick) g.addEventListener("click", () => spec.onPick(level.k, n.label));
      }
    });
    container.appendChild(svg);
  }

  /** Black or white, whichever reads better on "#rrggbb". */
  function textOn(hex) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return "#000";
    const n = parseInt(m[1], 16);
    const lum = 0.2126 * (n >> 16) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255);
    return lum > 140 ? "#111" : "#fff";
  }

  window.CubeSegPlot = { lines, splitTree, niceTicks, formatValue, textOn };
})();
