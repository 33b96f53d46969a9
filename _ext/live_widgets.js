// The shipped generators of gan_src, live in the reader's browser: no kernel, no network.
//
// _ext/live_widgets.py exports each G to ONNX at build time, writes _static/live/models.json
// (shapes, p_z, provenance) and adds this module to the pages holding a placeholder
// <div class="gan-live" data-model="NAME">. Each placeholder becomes a widget: an interpolation
// player (Figure 3; G((1 - t) z0 + t z1), or a path through several z) or, for a conditional G,
// a class picker with a 10 x 10 grid of samples and the same player with the class fixed.
// onnxruntime-web (WebAssembly) runs G; it and the model load only when a widget comes into
// view or is touched. window.ganLive exposes the widgets to tests and benchmarks.
// The widgets speak the page's language: English, or Chinese on the Chinese site (<html lang="zh-CN">,
// tools/zh_site.py), with the terms of book/zh/glossary.yml.

const HERE = new URL('.', import.meta.url);
const ORT = new URL('../vendor/onnxruntime-web/ort.wasm.bundle.min.mjs', HERE);
const WASM = new URL('../vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm.gz', HERE);
const MANIFEST = new URL('models.json', HERE);
const STRIP = 10;      // interpolants in the strip: t = 0, 1/9, ..., 1
const GRID = 10;       // the conditional grid is GRID x GRID samples
const GAP = 2;         // pixels between tiles on a canvas
const MAX_POINTS = 5;  // a path passes through at most this many z

// Every word a widget shows or says to a screen reader, per language.
const WORDS = {
  en: {
    live: 'Live in your browser: G = ',
    from: [' (', '), '],  // around the module's name, gan_src.pretrained
    trained: (spec, parzen, agree) => `trained ${spec.epochs} epochs (seed ${spec.seed}); ${parzen}${agree}. `,
    parzen: (mean, se) => `Parzen log-likelihood ${mean} ± ${se} nats`,
    noParzen: 'Parzen log-likelihood not measured',
    agree: (percent) => `; nearest training digit of the asked class for ${percent}\u00a0% of samples`,
    noServer: 'onnxruntime-web runs it on this page, with no server.',
    failed: (message) => `G could not run here: ${message}`,
    loading: 'loading G and its runtime…',
    tParameter: 'interpolation parameter t',
    strip: (n) => `G along the path, ${n} evenly spaced t`,
    points: 'points on the path',
    newZ: (k) => `new z${k}`,
    seed: 'seed',
    seedOfZ: 'seed of z',
    grid: (n) => `${n} samples of G(z, c)`,
    classOf: 'Class c of G(z, c):',
    classC: 'class c',
    walk: 'Below: a walk through z with the class held fixed.',
    newSamples: 'new samples',
    newPath: 'new path',
    noModel: (name) => `(no live model "${name}" on this site)`,
  },
  zh: {
    live: '在你的浏览器中实时运行：G = ',
    from: ['（', '），'],
    trained: (spec, parzen, agree) => `训练了 ${spec.epochs} 个迭代周期（种子 ${spec.seed}）；${parzen}${agree}。`,
    parzen: (mean, se) => `Parzen 窗对数似然 ${mean} ± ${se} nats`,
    noParzen: 'Parzen 窗对数似然未测量',
    agree: (percent) => `；${percent}\u00a0% 的样本，其最近邻的训练数字属于所选类别`,
    noServer: '由 onnxruntime-web 在本页中运行，不经服务器。',
    failed: (message) => `G 无法在此运行：${message}`,
    loading: '正在加载 G 及其运行时……',
    tParameter: '插值参数 t',
    strip: (n) => `沿路径的 G，t 等距取 ${n} 个值`,
    points: '路径上的点数',
    newZ: (k) => `换一个 z${k}`,
    seed: '种子',
    seedOfZ: 'z 的随机种子',
    grid: (n) => `G(z, c) 的 ${n} 个样本`,
    classOf: 'G(z, c) 的类别 c：',
    classC: '类别 c',
    walk: '下面：类别固定，沿一条路径遍历 z。',
    newSamples: '换一批样本',
    newPath: '换一条路径',
    noModel: (name) => `（本站没有名为“${name}”的在线模型）`,
  },
};
const LANG = /^zh\b/i.test(document.documentElement.lang) ? 'zh' : 'en';
const words = WORDS[LANG];

const once = (f) => { let p; return () => (p ??= f()); };

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return response;
}

// The wasm binary is stored gzip-compressed (14 MB -> 4 MB); a server may have inflated it already.
async function inflate(response) {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const manifest = once(async () => (await fetchOk(MANIFEST)).json());

const runtime = once(async () => {
  const [ort, wasm] = await Promise.all([import(ORT.href), fetchOk(WASM).then(inflate)]);
  ort.env.wasm.numThreads = 1;  // a static site is not cross-origin isolated: no worker threads
  ort.env.wasm.wasmBinary = wasm;
  return ort;
});

// G for one shipped model: run(zs, c) -> Float32Array of zs.length images, one row each.
const generators = new Map();
function generator(name) {
  if (!generators.has(name)) {
    generators.set(name, (async () => {
      const ready = runtime();  // starting the runtime takes longest: fetch the model meanwhile
      const spec = (await manifest()).models[name];
      if (!spec) throw new Error(`no live model "${name}" in models.json`);
      const bytes = fetchOk(new URL(spec.file, HERE)).then((r) => r.arrayBuffer());
      const ort = await ready;
      const session = await ort.InferenceSession.create(await bytes, {executionProviders: ['wasm']});
      let queue = Promise.resolve();  // one run at a time per session
      const run = (zs, c = 0) => {
        const d = spec.z_dim + spec.classes;
        const input = new Float32Array(zs.length * d);
        zs.forEach((z, i) => {
          input.set(z, i * d);
          if (spec.classes) input[i * d + spec.z_dim + c] = 1;  // [z, one_hot(c)], gan_src.conditional
        });
        const job = queue.then(() => session.run({z: new ort.Tensor('float32', input, [zs.length, d])}));
        queue = job.catch(() => {});
        return job.then((out) => out.x.data);
      };
      return {spec, run};
    })());
  }
  return generators.get(name);
}

// p_z = U(-a, a)^z_dim (gan_src.models.mnist_p_z) from a seeded generator (mulberry32).
function stream(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (spec) => Float32Array.from({length: spec.z_dim}, () => (2 * next() - 1) * spec.half_width);
}

// The point at t in [0, 1] of the path through zs, each leg an equal share of t.
function along(zs, t) {
  const s = t * (zs.length - 1), i = Math.min(Math.floor(s), zs.length - 2), u = s - i;
  return zs[i].map((v, j) => (1 - u) * v + u * zs[i + 1][j]);
}

// Draw image `index` of G's output x at (left, top): pixels in [0, 1] -> 0..255, channel-major rows.
function paint(ctx, x, index, spec, left, top) {
  const n = spec.side * spec.side, image = ctx.createImageData(spec.side, spec.side);
  const at = index * n * spec.channels;
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < 3; k++) {
      const v = x[at + (spec.channels === 3 ? k * n : 0) + p];
      image.data[4 * p + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, left, top);
}

// Read back the pixels of tile (row, col) of a canvas drawn by `tiled`: gray values, or RGB triples.
function readTile(canvas, spec, row = 0, col = 0) {
  const stride = spec.side + (canvas.width > spec.side ? GAP : 0);
  const data = canvas.getContext('2d').getImageData(col * stride, row * stride, spec.side, spec.side).data;
  const out = [];
  for (let p = 0; p < spec.side * spec.side; p++) {
    if (spec.channels === 3) out.push(data[4 * p], data[4 * p + 1], data[4 * p + 2]);
    else out.push(data[4 * p]);
  }
  return out;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function tiled(spec, cols, rows, label) {
  const canvas = el('canvas', {class: 'gan-live-tiles', role: 'img', 'aria-label': label});
  canvas.width = cols * spec.side + (cols - 1) * GAP;
  canvas.height = rows * spec.side + (rows - 1) * GAP;
  return canvas;
}

function caption(spec) {
  const parzen = spec.parzen ? words.parzen(spec.parzen.mean.toFixed(1), spec.parzen.se.toFixed(1)) : words.noParzen;
  const agree = spec.class_agreement == null ? '' : words.agree((100 * spec.class_agreement).toFixed(1));
  return el('p', {class: 'gan-live-caption'},
    words.live, el('code', {}, spec.name), words.from[0], el('code', {}, 'gan_src.pretrained'), words.from[1],
    words.trained(spec, parzen, agree), words.noServer);
}

// Coalesce requests: while G runs, later requests merge and run once, with the latest state.
function painter(work, status) {
  let want = null, busy = null;
  const loop = async () => {
    try {
      while (want) { const w = want; want = null; await work(w); }
      status.textContent = '';
    } catch (err) {
      status.textContent = words.failed(err.message);
      throw err;
    } finally { busy = null; }
  };
  const request = (what) => { want = {...want, ...what}; return (busy ??= loop()); };
  request.idle = () => busy ?? Promise.resolve();  // settles once what was asked is drawn
  return request;
}

// The interpolation player: waypoints z0, z1, ..., slider t, G(z(t)) large, the strip of 10 beneath.
// Numbered from z0, as Figure 3 and gan_src.interpolation number its end points.
function player(spec, gen, draws, getClass, status) {
  const state = {points: [draws(spec), draws(spec)], t: 0.5};
  const main = tiled(spec, 1, 1, 'G(z(t))');
  main.classList.add('gan-live-main');
  const tLabel = el('output', {class: 'gan-live-t'}, 't = 0.50');
  const slider = el('input', {type: 'range', min: '0', max: '1', step: '0.01', value: '0.5',
                              'aria-label': words.tParameter});
  const strip = tiled(spec, STRIP, 1, words.strip(STRIP));
  const marker = el('div', {class: 'gan-live-marker'});
  const ends = el('div', {class: 'gan-live-points'});
  const pointsBox = el('select', {'aria-label': words.points},
    ...Array.from({length: MAX_POINTS - 1}, (_, i) => el('option', {value: String(i + 2)}, `${i + 2}`)));

  const draw = painter(async ({all}) => {
    const g = await gen();
    const zs = all ? [...state.points, ...Array.from({length: STRIP}, (_, i) => along(state.points, i / (STRIP - 1)))] : [];
    const x = await g.run([along(state.points, state.t), ...zs], getClass());
    paint(main.getContext('2d'), x, 0, spec, 0, 0);
    if (!all) return;
    [...ends.querySelectorAll('canvas')].forEach((c, k) => paint(c.getContext('2d'), x, 1 + k, spec, 0, 0));
    for (let i = 0; i < STRIP; i++) paint(strip.getContext('2d'), x, 1 + state.points.length + i, spec, i * (spec.side + GAP), 0);
  }, status);

  const layoutPoints = () => {
    ends.replaceChildren(...state.points.map((_, k) => el('figure', {},
      tiled(spec, 1, 1, `G(z${k})`),
      el('button', {type: 'button', onclick: () => { state.points[k] = draws(spec); draw({all: true}); }}, words.newZ(k)))));
    pointsBox.value = String(state.points.length);
  };
  const setT = (t) => {
    state.t = t;
    slider.value = String(t);
    tLabel.textContent = `t = ${t.toFixed(2)}`;
    marker.style.left = `calc(${t} * (100% - ${100 / STRIP}%))`;
  };
  slider.addEventListener('input', () => { setT(Number(slider.value)); draw({}); });
  pointsBox.addEventListener('change', () => {
    const k = Number(pointsBox.value);
    while (state.points.length < k) state.points.push(draws(spec));
    state.points.length = k;
    layoutPoints();
    draw({all: true});
  });
  layoutPoints();
  setT(state.t);

  const node = el('div', {class: 'gan-live-player'},
    el('div', {class: 'gan-live-stage'}, main, tLabel),
    el('label', {class: 'gan-live-slider'}, 't ', slider),
    el('div', {class: 'gan-live-strip'}, strip, marker),
    ends,
    el('label', {class: 'gan-live-field'}, `${words.points} `, pointsBox));
  return {node, state, draw, setT, layoutPoints, main, strip, ends};
}

function widget(root, spec) {
  const name = spec.name;
  const gen = () => generator(name);
  const status = el('p', {class: 'gan-live-status', role: 'status'});
  const seedBox = el('input', {type: 'number', min: '0', step: '1', value: root.dataset.seed || '0',
                               'aria-label': words.seedOfZ, inputmode: 'numeric'});
  let draws = stream(Number(seedBox.value));
  const cls = {c: Number(root.dataset.class || 3) % Math.max(1, spec.classes)};
  const p = player(spec, gen, (s) => draws(s), () => cls.c, status);
  const api = {el: root, name, spec, started: null, readyAt: null};
  const parts = [caption(spec)];

  let grid = null, gridZ = [], drawGrid = painter(async () => {}, status);
  if (spec.classes) {
    grid = tiled(spec, GRID, GRID, words.grid(GRID * GRID));
    grid.classList.add('gan-live-grid');
    const buttons = Array.from({length: spec.classes}, (_, c) => el('button', {
      type: 'button', 'aria-pressed': String(c === cls.c),
      onclick: () => api.set({c}),
    }, String(c)));
    drawGrid = painter(async () => {
      const g = await gen();
      const x = await g.run(gridZ, cls.c);
      gridZ.forEach((_, i) => paint(grid.getContext('2d'), x, i, spec, (i % GRID) * (spec.side + GAP),
                                    Math.floor(i / GRID) * (spec.side + GAP)));
      buttons.forEach((b, c) => b.setAttribute('aria-pressed', String(c === cls.c)));
    }, status);
    api.buttons = buttons;
    parts.push(el('p', {class: 'gan-live-note'}, words.classOf),
               el('div', {class: 'gan-live-classes', role: 'group', 'aria-label': words.classC}, ...buttons),
               grid,
               el('p', {class: 'gan-live-note'}, words.walk));
  }
  const newSamples = el('button', {type: 'button', onclick: () => api.set({seed: Number(seedBox.value) + 1})},
                        spec.classes ? words.newSamples : words.newPath);
  parts.push(p.node, el('div', {class: 'gan-live-controls'},
    el('label', {class: 'gan-live-field'}, `${words.seed} `, seedBox), newSamples), status);

  const reseed = (seed) => {
    seedBox.value = String(seed);
    draws = stream(seed);
    gridZ = spec.classes ? Array.from({length: GRID * GRID}, () => draws(spec)) : [];
    p.state.points = p.state.points.map(() => draws(spec));
    p.layoutPoints();
  };
  seedBox.addEventListener('change', () => api.set({seed: Math.max(0, Math.floor(Number(seedBox.value) || 0))}));
  reseed(Number(seedBox.value));

  // Change the state and draw: {seed, t, c, points: K}. Resolves once the canvases show it.
  api.set = (patch) => {
    if ('seed' in patch) reseed(patch.seed);
    if ('c' in patch) cls.c = patch.c;
    if ('points' in patch) { p.state.points = Array.from({length: patch.points}, (_, k) => p.state.points[k] || draws(spec)); p.layoutPoints(); }
    if ('t' in patch) p.setT(patch.t);
    const all = 'seed' in patch || 'c' in patch || 'points' in patch;
    return Promise.all([p.draw({all: all || !api.readyAt}), (all || !api.readyAt) ? drawGrid({}) : null]);
  };
  api.idle = () => Promise.all([p.draw.idle(), drawGrid.idle()]);
  // What the page shows, read back from its canvases, with the z that drew it.
  api.read = () => ({
    seed: Number(seedBox.value), t: p.state.t, c: cls.c,
    points: p.state.points.map((z) => [...z]), grid_z: gridZ.map((z) => [...z]),
    main: readTile(p.main, spec),
    strip: Array.from({length: STRIP}, (_, i) => readTile(p.strip, spec, 0, i)),
    ends: [...p.ends.querySelectorAll('canvas')].map((c) => readTile(c, spec)),
    grid: grid ? Array.from({length: GRID * GRID}, (_, i) => readTile(grid, spec, Math.floor(i / GRID), i % GRID)) : [],
  });
  // Milliseconds per image of G alone: `repeats` runs of a batch of `batch` rows.
  api.time = async (batch = 1, repeats = 20) => {
    const g = await gen(), fresh = stream(2 ** 31 - 1), zs = Array.from({length: batch}, () => fresh(spec));
    await g.run(zs, cls.c);
    const start = performance.now();
    for (let i = 0; i < repeats; i++) await g.run(zs, cls.c);
    return (performance.now() - start) / (repeats * batch);
  };
  api.start = once(async () => {
    api.started = performance.now();
    status.textContent = words.loading;
    await api.set({});
    api.readyAt = performance.now();
    root.dataset.ready = 'true';
  });

  root.replaceChildren(...parts);
  root.classList.add('gan-live-on');
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { observer.disconnect(); api.start(); }
  }, {rootMargin: '100% 0px'});  // start one screen before the reader gets there
  observer.observe(root);
  root.addEventListener('pointerdown', () => api.start(), {once: true});
  root.addEventListener('focusin', () => api.start(), {once: true});
  return api;
}

const STYLE = `
.gan-live.gan-live-on { border: 1px solid var(--pst-color-border, #ccc); border-radius: 6px; padding: 0.6rem;
  margin: 1rem 0; max-width: 40rem; font-size: 0.9rem; }
.gan-live canvas { image-rendering: pixelated; background: #777; display: block; }
.gan-live .gan-live-caption { margin: 0 0 0.5rem; }
.gan-live .gan-live-stage { display: flex; align-items: center; gap: 0.8rem; justify-content: center; }
.gan-live .gan-live-main { width: min(12rem, 50vw); height: auto; }
.gan-live .gan-live-slider { display: flex; align-items: center; gap: 0.5rem; margin: 0.5rem 0; }
.gan-live .gan-live-slider input { flex: 1; min-width: 0; }
.gan-live .gan-live-strip { position: relative; padding-bottom: 6px; }
.gan-live .gan-live-strip canvas { width: 100%; height: auto; }
.gan-live .gan-live-marker { position: absolute; bottom: 0; width: 10%; height: 4px; background: var(--pst-color-primary, #36c); }
.gan-live .gan-live-points { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.5rem 0; }
.gan-live .gan-live-points figure { margin: 0; display: flex; flex-direction: column; align-items: center; gap: 0.2rem; }
.gan-live .gan-live-points canvas { width: 3.5rem; height: auto; }
.gan-live .gan-live-grid { width: min(100%, 24rem); height: auto; margin: 0.4rem auto; }
.gan-live .gan-live-classes { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem; }
.gan-live .gan-live-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6rem; margin-top: 0.4rem; }
.gan-live input[type=number] { width: 5.5rem; }
.gan-live button, .gan-live select, .gan-live input[type=number] { font: inherit; padding: 0.15rem 0.45rem;
  border: 1px solid var(--pst-color-border, #999); border-radius: 4px; background: var(--pst-color-surface, #f4f4f4);
  color: var(--pst-color-text-base, #222); min-height: 2rem; }
.gan-live .gan-live-classes button { min-width: 1.9rem; padding: 0.15rem 0.3rem; }
.gan-live button[aria-pressed=true] { background: var(--pst-color-primary, #36c); color: #fff; }
.gan-live .gan-live-status { min-height: 1.2em; margin: 0.3rem 0 0; color: var(--pst-color-text-muted, #666); }
.gan-live .gan-live-note { margin: 0.4rem 0 0; }
`;

async function main() {
  const roots = [...document.querySelectorAll('div.gan-live[data-model]')];
  window.ganLive = {widgets: [], generator, manifest};
  if (!roots.length) return;
  document.head.append(el('style', {}, STYLE));
  const m = await manifest();
  for (const root of roots) {
    const spec = m.models[root.dataset.model];
    if (!spec) { root.append(el('p', {}, words.noModel(root.dataset.model))); continue; }
    window.ganLive.widgets.push(widget(root, spec));
  }
}

window.ganLiveReady = main();
