// XOR Lab's replay in the browser (app/replay.py says why this is not Vega-Lite). One canvas per
// panel: the output a2 over the input plane with its a2 = 0.5 line and the four points' outputs,
// the loss curve with a marker at the shown epoch, and the hidden activations a1 of the four inputs.
// The page sends every snapshot's weights once; playing and scrubbing never talk to the server.
// The forward pass below is the notes' (z1 = x @ W1 + b1, a1 = f(z1), z2 = a1 @ W2 + b2,
// a2 = σ(z2)); tests/test_browser_replay.py checks its numbers against core's MLP.forward.

const memory = new Map(); // run id -> {i, start, autoplayed, playing}: survives the page's reruns
const GRID = 64; // cells per side of the plane's picture (65 × 65 forward passes per snapshot)
const NEURON_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d", "#eeca3b"];
const INK = "#31333f";
const FAINT = "#8a8d99";

const CSS = `
.rp { font-family: "Source Sans 3", "Source Sans Pro", sans-serif; color: ${INK}; contain: content; }
.rp .bar { display: flex; align-items: center; gap: .6em; flex-wrap: wrap; margin-bottom: .4em; }
.rp button { font: inherit; padding: .25em .9em; border-radius: .5em; border: 1px solid #c9cbd3;
  background: #fff; color: ${INK}; cursor: pointer; min-width: 6.5em; }
.rp button:hover, .rp button:focus-visible { border-color: #ff4b4b; color: #ff4b4b; }
.rp input[type=range] { flex: 1 1 12em; min-width: 10em; accent-color: #ff4b4b; height: 1.6em; }
.rp .now { font-variant-numeric: tabular-nums; flex: 1 1 14em; }
.rp .panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(var(--col), 1fr)); gap: .5em 1em; }
.rp canvas { display: block; width: 100%; }
`;

function activation(name, slope) {
  if (name === "tanh") return Math.tanh;
  if (name === "relu") return (z) => (z > 0 ? z : 0);
  if (name === "leaky_relu") return (z) => (z > 0 ? z : slope * z);
  return sigmoid;
}

function sigmoid(z) {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

// One input through the network of one snapshot: w is W1 (2×h) row by row, b1 (h), W2 (h), b2.
function forward(w, h, f, x1, x2, a1) {
  let z2 = 0;
  for (let j = 0; j < h; j++) {
    const a = f(x1 * w[j] + x2 * w[h + j] + w[2 * h + j]);
    if (a1) a1[j] = a;
    z2 += a * w[3 * h + j];
  }
  return z2 + w[4 * h];
}

function hexRGB(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function lut(stops) {
  const rgb = stops.map(hexRGB);
  const out = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const p = (k / 255) * (rgb.length - 1);
    const lo = Math.min(Math.floor(p), rgb.length - 2);
    const t = p - lo;
    for (let c = 0; c < 3; c++) out[3 * k + c] = rgb[lo][c] * (1 - t) + rgb[lo + 1][c] * t;
  }
  return out;
}

function niceTicks(max, count) {
  const raw = max / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || mag * 10;
  const out = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

export default function (component) {
  try {
    return mount(component);
  } catch (err) {
    // never a blank: say what happened (the page's own charts and tables still show the run)
    component.parentElement.textContent = `The animated replay could not start in this browser (${err}).`;
    return undefined;
  }
}

function mount(component) {
  const { data, parentElement } = component;
  if (parentElement.__replayCleanup) parentElement.__replayCleanup();
  // the run itself comes as one JSON text (app/replay.py builds it once per run); where to start and
  // how large to draw come beside it
  const { run, ...view } = data;
  const d = { ...JSON.parse(run), ...view };
  const n = d.epochs.length;
  const h = d.hidden;
  const f = activation(d.act, d.slope);
  const fs = d.font;
  const colour = lut(d.colours.scheme);
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  const mem = memory.get(d.id) || { i: d.start, start: d.start, autoplayed: false, playing: false };
  if (mem.start !== d.start) Object.assign(mem, { i: d.start, start: d.start, playing: false });
  memory.set(d.id, mem);

  // ----- the DOM: controls, then three panels -----
  const style = document.createElement("style");
  style.textContent = CSS;
  const root = document.createElement("div");
  root.className = "rp";
  root.style.fontSize = `${fs}px`;
  root.style.setProperty("--col", d.present ? "290px" : "220px"); // three panels side by side at 1280 px
  root.innerHTML = `
    <div class="bar">
      <button type="button" class="play" aria-label="Play the replay">▶ Play</button>
      <input type="range" class="scrub" min="0" max="${n - 1}" step="1" aria-label="Replay: snapshot">
      <span class="now" aria-live="off"></span>
    </div>
    <div class="panels">
      <canvas class="plane" role="img"></canvas>
      <canvas class="loss" role="img"></canvas>
      <canvas class="hidden" role="img"></canvas>
    </div>`;
  parentElement.append(style, root);
  const button = root.querySelector(".play");
  const scrub = root.querySelector(".scrub");
  const now = root.querySelector(".now");
  const canvases = { plane: root.querySelector(".plane"), loss: root.querySelector(".loss"), hidden: root.querySelector(".hidden") };

  // ----- precomputed once per run: the hidden panel's range, the loss axis -----
  const a1 = new Float64Array(h);
  let amin = 0;
  let amax = 0;
  if (d.act === "sigmoid") amax = 1;
  else if (d.act === "tanh") [amin, amax] = [-1, 1];
  else
    for (const w of d.weights)
      for (const [x1, x2] of d.X) {
        forward(w, h, f, x1, x2, a1);
        for (const v of a1) [amin, amax] = [Math.min(amin, v), Math.max(amax, v)];
      }
  if (amax - amin < 1e-9) amax = amin + 1;
  const logs = d.curve.map(([, v]) => Math.log10(v));
  const ylo = Math.floor(Math.min(...logs, 0));
  const yhi = Math.ceil(Math.max(...logs, ylo + 1));
  const lastEpoch = Math.max(d.epochs[n - 1], 1);
  const heat = document.createElement("canvas");
  heat.width = heat.height = GRID + 1;
  const heatCtx = heat.getContext("2d");
  const image = heatCtx.createImageData(GRID + 1, GRID + 1);
  const z2grid = new Float64Array((GRID + 1) * (GRID + 1));
  const v4 = new Float64Array(4);
  const CX = [0, 1, 1, 0]; // a cell's corners, clockwise from the top left (column, row offsets)
  const CY = [0, 0, 1, 1];
  let planeKey = ""; // the snapshot and size the heat picture and the half line were made for
  let halfLine = new Path2D();
  const lossBack = document.createElement("canvas"); // the loss panel without its marker
  let lossKey = "";

  let i = Math.max(0, Math.min(n - 1, mem.i));
  let playing = false;
  let raf = 0;
  let t0 = 0;
  let i0 = 0;
  const stats = { frames: 0, snapshots: 0, since: 0, ms: 0, drawMs: 0 };

  function setup(cv, w, hgt) {
    const dpr = window.devicePixelRatio || 1;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(hgt * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(hgt * dpr);
      cv.style.height = `${hgt}px`;
    }
    const ctx = cv.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    ctx.font = `${fs}px "Source Sans 3", "Source Sans Pro", sans-serif`;
    ctx.fillStyle = INK;
    ctx.strokeStyle = INK;
    ctx.textBaseline = "middle";
    return ctx;
  }

  function title(ctx, text, x) {
    ctx.save();
    ctx.font = `600 ${fs}px "Source Sans 3", "Source Sans Pro", sans-serif`;
    ctx.textAlign = "left";
    ctx.fillText(text, x, fs * 0.8);
    ctx.restore();
  }

  // ----- the plane: a2 over the inputs, the a2 = 0.5 line, the four points with their a2 -----
  function drawPlane(w, W, H) {
    const ctx = setup(canvases.plane, W, H);
    const ml = fs * 3.2;
    const mt = fs * 2;
    const mb = fs * 2.6;
    const P = Math.max(40, Math.min(W - ml - fs, H - mt - mb));
    const span = d.hi - d.lo;
    const px = (x1) => ml + ((x1 - d.lo) / span) * P;
    const py = (x2) => mt + ((d.hi - x2) / span) * P;
    const cell = P / GRID; // pixel centres sit on the grid's nodes
    const key = `${i}:${ml}:${mt}:${P}`;
    if (key !== planeKey) {
      // this snapshot's output over the plane (a new snapshot, or a new size): the heat picture and
      // the a2 = 0.5 line; frames that show the same snapshot again only repaint them
      planeKey = key;
      for (let r = 0; r <= GRID; r++)
        for (let c = 0; c <= GRID; c++) {
          const z2 = forward(w, h, f, d.lo + (c * span) / GRID, d.hi - (r * span) / GRID, null);
          z2grid[r * (GRID + 1) + c] = z2;
          const k = 3 * Math.round(sigmoid(z2) * 255);
          const o = 4 * (r * (GRID + 1) + c);
          image.data[o] = colour[k];
          image.data[o + 1] = colour[k + 1];
          image.data[o + 2] = colour[k + 2];
          image.data[o + 3] = 255;
        }
      heatCtx.putImageData(image, 0, 0);
      // the a2 = 0.5 line (z2 = 0), marching squares over the nodes
      halfLine = new Path2D();
      const N1 = GRID + 1;
      for (let r = 0; r < GRID; r++)
        for (let c = 0; c < GRID; c++) {
          // corners clockwise from the top left; an edge is cut where z2 changes sign along it
          const o = r * N1 + c;
          v4[0] = z2grid[o];
          v4[1] = z2grid[o + 1];
          v4[2] = z2grid[o + N1 + 1];
          v4[3] = z2grid[o + N1];
          let cuts = 0;
          for (let e = 0; e < 4; e++) {
            const a = v4[e];
            const b = v4[(e + 1) & 3];
            if (a > 0 === b > 0) continue;
            const t = a / (a - b);
            const e2 = (e + 1) & 3;
            const x = ml + (c + CX[e] + t * (CX[e2] - CX[e])) * cell;
            const yy = mt + (r + CY[e] + t * (CY[e2] - CY[e])) * cell;
            if (cuts % 2 === 0) halfLine.moveTo(x, yy);
            else halfLine.lineTo(x, yy);
            cuts++;
          }
        }
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(ml, mt, P, P);
    ctx.clip();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, ml - cell / 2, mt - cell / 2, P + cell, P + cell);
    ctx.lineWidth = d.present ? 3 : 2;
    ctx.strokeStyle = "#000";
    ctx.stroke(halfLine);
    ctx.restore();
    ctx.strokeStyle = FAINT;
    ctx.lineWidth = 1;
    ctx.strokeRect(ml, mt, P, P);
    // axes
    ctx.fillStyle = INK;
    ctx.textAlign = "center";
    for (const t of [-0.5, 0, 0.5, 1, 1.5]) {
      ctx.fillText(String(t).replace("-", "−"), px(t), mt + P + fs * 0.8);
      ctx.textAlign = "right";
      ctx.fillText(String(t).replace("-", "−"), ml - fs * 0.3, py(t));
      ctx.textAlign = "center";
    }
    ctx.fillText("x1", ml + P / 2, mt + P + fs * 1.9);
    ctx.save();
    ctx.translate(fs * 0.5, mt + P / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("x2", 0, 0);
    ctx.restore();
    title(ctx, `Output a2 at epoch ${d.labels[i]}`, ml);
    // the four points: class 0 a blue circle, class 1 a red square, each with its output a2
    const r0 = d.present ? 11 : 7;
    d.X.forEach(([x1, x2], k) => {
      const a2 = sigmoid(forward(w, h, f, x1, x2, null));
      const [x, yy] = [px(x1), py(x2)];
      ctx.beginPath();
      if (d.y[k] === 1) ctx.rect(x - r0, yy - r0, 2 * r0, 2 * r0);
      else ctx.arc(x, yy, r0, 0, 2 * Math.PI);
      ctx.fillStyle = d.y[k] === 1 ? d.colours.red : d.colours.blue;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
      const label = `a2 = ${a2.toFixed(2)}`;
      ctx.font = `600 ${fs}px "Source Sans 3", "Source Sans Pro", sans-serif`;
      ctx.textAlign = "center"; // outward: above the top points, below the bottom ones
      const lx = x;
      const ly = yy + (x2 > 0.5 ? -1 : 1) * (r0 + fs * 0.75);
      ctx.lineWidth = 2.5;
      ctx.lineJoin = "round";
      ctx.strokeStyle = "rgba(255,255,255,.8)";
      ctx.strokeText(label, lx, ly);
      ctx.fillStyle = INK;
      ctx.fillText(label, lx, ly);
    });
  }

  // ----- the loss curve with a marker at the shown epoch -----
  function drawLoss(W, H) {
    const ctx = setup(canvases.loss, W, H);
    const dpr = window.devicePixelRatio || 1;
    const ml = fs * 3.2;
    const mr = fs * 1.2;
    const mt = fs * 2;
    const mb = fs * 2.6;
    const pw = Math.max(40, W - ml - mr);
    const ph = Math.max(40, H - mt - mb);
    const px = (e) => ml + (e / lastEpoch) * pw;
    const py = (v) => mt + ((yhi - Math.log10(v)) / (yhi - ylo)) * ph;
    if (lossKey !== `${W}:${H}:${dpr}`) {
      lossKey = `${W}:${H}:${dpr}`;
      lossBack.width = Math.round(W * dpr);
      lossBack.height = Math.round(H * dpr);
      lossBackground(lossBack.getContext("2d"), dpr, W, ml, mt, pw, ph, px, py);
    }
    ctx.drawImage(lossBack, 0, 0, W, H);
    marker(ctx, mt, ph, px, py);
  }

  function lossBackground(ctx, dpr, W, ml, mt, pw, ph, px, py) {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = `${fs}px "Source Sans 3", "Source Sans Pro", sans-serif`;
    ctx.fillStyle = INK;
    ctx.textBaseline = "middle";
    title(ctx, d.loss_title, ml);
    ctx.strokeStyle = "#e6e7eb";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    const every = Math.max(1, Math.ceil((yhi - ylo) / Math.max(2, Math.floor(ph / (fs * 1.8)))));
    for (let p = ylo; p <= yhi; p += every) {
      const yy = mt + ((yhi - p) / (yhi - ylo)) * ph;
      ctx.beginPath();
      ctx.moveTo(ml, yy);
      ctx.lineTo(ml + pw, yy);
      ctx.stroke();
      ctx.fillText(p === 0 ? "1" : `1e${p}`.replace("-", "−"), ml - fs * 0.3, yy);
    }
    ctx.textAlign = "center";
    for (const t of niceTicks(lastEpoch, Math.max(2, Math.floor(pw / (fs * 5))))) {
      const label = t.toLocaleString("en-US");
      const fits = px(t) + ctx.measureText(label).width / 2 <= W; // the last one may sit at the edge
      ctx.textAlign = fits ? "center" : "right";
      ctx.fillText(label, fits ? px(t) : W, mt + ph + fs * 0.8);
    }
    ctx.textAlign = "center";
    ctx.fillText("epoch", ml + pw / 2, mt + ph + fs * 1.9);
    ctx.beginPath();
    d.curve.forEach(([e, v], k) => (k ? ctx.lineTo(px(e), py(v)) : ctx.moveTo(px(e), py(v))));
    ctx.strokeStyle = d.colours.grey;
    ctx.lineWidth = d.present ? 3 : 2;
    ctx.stroke();
  }

  function marker(ctx, mt, ph, px, py) {
    const e = d.epochs[i];
    ctx.strokeStyle = "#ff4b4b";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(px(e), mt);
    ctx.lineTo(px(e), mt + ph);
    ctx.stroke();
    const point = d.curve.find(([ce]) => ce === e);
    if (point) {
      ctx.beginPath();
      ctx.arc(px(e), py(point[1]), d.present ? 8 : 5, 0, 2 * Math.PI);
      ctx.fillStyle = "#ff4b4b";
      ctx.fill();
    }
  }

  // ----- the hidden activations a1: one group of bars per input, one bar per hidden neuron -----
  function drawHidden(w, W, H) {
    const ctx = setup(canvases.hidden, W, H);
    const ml = fs * 3;
    const mr = fs * 0.8;
    const mt = fs * 3.4;
    const mb = fs * 2.6;
    const pw = Math.max(40, W - ml - mr);
    const ph = Math.max(40, H - mt - mb);
    const px = (v) => ml + ((v - amin) / (amax - amin)) * pw;
    title(ctx, "Hidden activations a1", ml);
    // legend: which colour is which neuron
    let lx = ml;
    ctx.textAlign = "left";
    for (let j = 0; j < h; j++) {
      const name = `H${j + 1}`;
      const wd = ctx.measureText(name).width + fs * 1.3;
      if (lx + wd > W) break;
      ctx.fillStyle = NEURON_COLOURS[j % NEURON_COLOURS.length];
      ctx.fillRect(lx, fs * 2.1 - fs * 0.35, fs * 0.7, fs * 0.7);
      ctx.fillStyle = INK;
      ctx.fillText(name, lx + fs * 0.9, fs * 2.1);
      lx += wd;
    }
    ctx.strokeStyle = FAINT;
    ctx.beginPath();
    ctx.moveTo(px(0), mt);
    ctx.lineTo(px(0), mt + ph);
    ctx.stroke();
    const group = ph / d.X.length;
    const bh = Math.max(2, (group * 0.8) / h);
    d.X.forEach(([x1, x2], k) => {
      forward(w, h, f, x1, x2, a1);
      const top = mt + k * group + group * 0.1;
      ctx.fillStyle = INK;
      ctx.textAlign = "right";
      ctx.fillText(d.rows[k], ml - fs * 0.4, top + group * 0.4);
      for (let j = 0; j < h; j++) {
        const [x0, xv] = [px(0), px(a1[j])];
        ctx.fillStyle = NEURON_COLOURS[j % NEURON_COLOURS.length];
        ctx.fillRect(Math.min(x0, xv), top + j * bh, Math.max(1, Math.abs(xv - x0)), bh - 1);
        if (bh >= fs * 0.9) {
          const text = a1[j].toFixed(2);
          const inside = xv - x0 > ctx.measureText(text).width + 8;
          ctx.textAlign = inside ? "right" : "left";
          ctx.fillStyle = inside ? "#fff" : INK;
          ctx.fillText(text, inside ? xv - 4 : Math.max(xv, x0) + 4, top + j * bh + bh / 2);
        }
      }
    });
    ctx.fillStyle = INK;
    ctx.textAlign = "center";
    const ticks = d.act === "tanh" ? [-1, 0, 1] : d.act === "sigmoid" ? [0, 0.5, 1] : [amin, 0, amax];
    for (const t of [...new Set(ticks)]) ctx.fillText(t.toFixed(t % 1 ? 1 : 0).replace("-", "−"), px(t), mt + ph + fs * 0.8);
    ctx.fillText("a1 (input x1 x2 on the left)", ml + pw / 2, mt + ph + fs * 1.9);
  }

  let size = { W: 300, H: 300, h: 300 };
  function draw() {
    const w = d.weights[i];
    const { W, H } = size;
    drawPlane(w, W, H);
    drawLoss(W, size.h);
    drawHidden(w, W, size.h);
    scrub.value = String(i);
    now.textContent = `Epoch ${d.labels[i]} of ${d.labels[n - 1]} · ${d.words[i]}`;
    root.dataset.epoch = String(d.epochs[i]);
    if (!playing) describe();
    mem.i = i;
  }

  function describe() {
    // the pictures' text alternative: set when the replay rests (not 40 times a second while playing)
    for (const cv of Object.values(canvases)) cv.setAttribute("aria-label", `Epoch ${d.labels[i]}: ${d.words[i]}`);
  }

  function tick(t) {
    if (!playing) return;
    // a frame's timestamp can be a little earlier than the press (it is the frame's start): clamp
    const k = Math.min(n - 1, i0 + Math.floor((Math.max(0, t - t0) / 1000) * ((n - 1) / d.seconds)));
    if (k !== i) stats.snapshots++;
    i = k;
    const t1 = performance.now();
    draw();
    stats.drawMs += performance.now() - t1;
    if (stats.frames === 0) stats.since = t; // frames per second: (frames − 1) over first to last frame
    stats.frames++;
    stats.ms = t - stats.since;
    if (i >= n - 1) return stop();
    raf = requestAnimationFrame(tick);
  }

  function play() {
    if (i >= n - 1) i = 0;
    playing = mem.playing = true;
    root.dataset.playing = "true";
    button.textContent = "❚❚ Pause";
    button.setAttribute("aria-label", "Pause the replay");
    t0 = performance.now();
    i0 = i;
    Object.assign(stats, { frames: 0, snapshots: 0, since: t0, ms: 0, drawMs: 0 });
    raf = requestAnimationFrame(tick);
  }

  function stop() {
    playing = mem.playing = false;
    root.dataset.playing = "false";
    cancelAnimationFrame(raf);
    describe();
    button.textContent = "▶ Play";
    button.setAttribute("aria-label", "Play the replay");
  }

  button.addEventListener("click", () => {
    mem.autoplayed = true; // a press wins over autoplay
    if (playing) stop();
    else play();
  });
  scrub.addEventListener("input", () => {
    mem.autoplayed = true;
    if (playing) stop();
    i = Number(scrub.value);
    draw();
  });

  // Presenter mode: P plays or pauses from anywhere on the page (not while typing in a field), so a
  // teacher at the projector needs no mouse (listed in the presenter-mode help, app/ui.py).
  const onKey = (e) => {
    if (!d.present || e.repeat || e.ctrlKey || e.metaKey || e.altKey || (e.key !== "p" && e.key !== "P")) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    button.click();
  };
  document.addEventListener("keydown", onKey);

  const observer = new ResizeObserver(() => {
    const W = Math.floor(canvases.plane.parentElement.clientWidth);
    const cols = getComputedStyle(root.querySelector(".panels")).gridTemplateColumns.split(" ").length;
    const colW = Math.max(160, Math.floor((W - (cols - 1) * fs) / cols));
    const H = Math.min(colW, d.present ? 440 : 340);
    // one column (a phone): the curve and the bars are lower than the square plane
    const next = { W: colW, H, h: cols > 1 ? H : Math.min(H, Math.max(Math.round(colW * 0.62), fs * 14)) };
    if (next.W !== size.W || next.H !== size.H || next.h !== size.h) {
      size = next;
      draw();
    }
  });
  observer.observe(root);

  // what tests and the benchmark read (app/replay.py, bench/replay_bench.py)
  root.replay = {
    stats,
    play,
    stop,
    get epoch() { return d.epochs[i]; },
    get playing() { return playing; },
    reduce,
    act: d.act,
    weights: (k) => d.weights[k].slice(),
    // a1 and a2 of one input for snapshot k, as drawn
    forward: (k, x1, x2) => {
      const hid = new Float64Array(h);
      const a2 = sigmoid(forward(d.weights[k], h, f, x1, x2, hid));
      return { a1: Array.from(hid), a2 };
    },
  };

  draw();
  // Autoplay: the whole run from epoch 0, once, when the picture first comes into view; never when
  // the browser asks for reduced motion (the slider and the button still work).
  let seen = null;
  if (mem.playing) play();
  else if (d.autoplay && !reduce && !mem.autoplayed) {
    seen = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting) || mem.autoplayed) return;
      mem.autoplayed = true;
      seen.disconnect();
      i = 0;
      play();
    }, { threshold: 0.5 });
    seen.observe(root);
  }

  const cleanup = () => {
    const was = playing;
    cancelAnimationFrame(raf);
    playing = false;
    mem.playing = was;
    observer.disconnect();
    document.removeEventListener("keydown", onKey);
    if (seen) seen.disconnect();
    style.remove();
    root.remove();
    parentElement.__replayCleanup = null;
  };
  parentElement.__replayCleanup = cleanup;
  return cleanup;
}
