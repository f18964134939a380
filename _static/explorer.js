/* Neural Redshift explorer (book/explorer.md): sample a random MLP in the browser, draw its
 * function on the 64 x 64 grid and score it, with no server, no download and no library.
 *
 * It mirrors redshift_utils exactly, in float64: the network is the conventions page's "Random MLPs,
 * layer by layer" (redshift_utils/sampler.py), the grid is cell-centred (grids.py), the score
 * is the orthonormal DCT-II mean frequency (fourier.py) and the LZ76 compressibility of the
 * median-binarised function (lempel_ziv.py). Only the random numbers differ: the library's streams
 * (numpy's PCG64DXSM, sampler.network_stream) are not reproduced here, so tests/test_explorer.py exports weights from
 * redshift_utils.sample_mlp_params and checks that this file computes the same function and
 * scores from them (window.redshiftExplorer.evaluate).
 *
 * Sphinx loads this file on every page; it only acts where an element #redshift-explorer exists.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- activations
  // erf on [0, 6] as Chebyshev series on five intervals (coefficients computed with mpmath at
  // 40 digits; max abs error about 2e-16, checked against math.erf by tests/test_explorer.py).
  // erfc(6) < 3e-17, so erf = 1 beyond 6.
  const ERF_PIECES = [
    [0, 1, [0.4696329178911501, 0.4258244580438104, -0.04955262679620434, -0.004492934887683827, 0.0012919410465849696,
      1.8363892921493964e-05, -2.2111147040995264e-05, 5.233374852342572e-07, 2.781847888335379e-07,
      -1.4115809274881312e-08, -2.725712963305617e-09, 2.0634390487207063e-10, 2.1427399199678532e-11,
      -2.229902555393458e-12, -1.3625007465019357e-13, 1.951440106530674e-14, 6.856271244243195e-16,
      -1.4450120569189574e-16, -2.462227431702517e-18]],
    [1, 2, [0.9428522557363892, 0.07216411186037618, -0.023555662412541055, 0.004179719271557277,
      -0.00029384471334866445, -3.2638635138919656e-05, 8.853742394382987e-06, -4.681008471396916e-07,
      -7.330109350955952e-08, 1.1752407126307547e-08, -7.524775090451023e-11, -1.142828196341959e-10,
      7.874600614316335e-12, 5.467629123001376e-13, -9.40376259840778e-14, 5.031221267276532e-16,
      6.59903994160004e-16, -3.267831256683133e-17, -2.941164984695531e-18]],
    [2, 3, [0.9986968793331212, 0.0019935206572262573, -0.0009701840770401454, 0.0003219110647036877,
      -7.532105760261905e-05, 1.2343188523307583e-05, -1.2964140790298631e-06, 4.919952190460103e-08,
      9.347897479551307e-09, -1.872214925621896e-09, 1.3032760930755192e-10, 4.143059929104777e-12,
      -1.6500888241981348e-12, 1.2219969786197377e-13, 2.5833135469491364e-15, -1.1536063383010982e-15,
      7.142055050101517e-17, 2.6512318111525903e-18]],
    [3, 4.5, [0.9999959012347654, 7.335380373003402e-06, -5.275596872140557e-06, 3.0763181883978713e-06,
      -1.4691471390153811e-06, 5.795937382338469e-07, -1.8991859067812602e-07, 5.171933877382036e-08,
      -1.1624605230657492e-08, 2.1125428245653554e-09, -2.944100802413728e-10, 2.6511313227460606e-11,
      -5.322340558497499e-14, -4.917244461663805e-13, 9.754767249714255e-14, -9.679123920740106e-15,
      1.2251749276736564e-16, 1.2614499611999437e-16, -2.1334778891001404e-17]],
    [4.5, 6, [0.9999999999698397, 5.592571644732342e-11, -4.462800326862374e-11, 3.076009446411838e-11,
      -1.840498987763067e-11, 9.61473270542147e-12, -4.4106568301190035e-12, 1.7863956341995207e-12,
      -6.41821669796354e-13, 2.0535068547887197e-13, -5.86771863803159e-14, 1.4999319687905303e-14,
      -3.431053167756099e-15, 7.012487409332638e-16, -1.2753591238831923e-16, 2.047409750089742e-17,
      -2.857636005950967e-18]],
  ];

  function erf(x) {
    if (Number.isNaN(x)) return NaN;
    const ax = Math.abs(x);
    if (ax >= 6) return x > 0 ? 1 : -1;
    let piece = ERF_PIECES[0];
    for (let p = 1; p < ERF_PIECES.length && ax >= ERF_PIECES[p][0]; p++) piece = ERF_PIECES[p];
    const [a, b, c] = piece;
    const t = (2 * ax - a - b) / (b - a);
    // Clenshaw recurrence for sum_k c_k T_k(t).
    let b1 = 0;
    let b2 = 0;
    for (let k = c.length - 1; k >= 1; k--) {
      const tmp = 2 * t * b1 - b2 + c[k];
      b2 = b1;
      b1 = tmp;
    }
    const value = t * b1 - b2 + c[0];
    return x < 0 ? -value : value;
  }

  const SELU_ALPHA = 1.6732632423543772;
  const SELU_SCALE = 1.0507009873554805;
  const sigmoid = (x) => 1 / (1 + Math.exp(-x));

  // Same names and definitions as redshift_utils.ACTIVATIONS (gelu is the exact, erf-based one).
  const ACTIVATIONS = {
    relu: (x) => (x > 0 ? x : 0),
    gelu: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
    swish: (x) => x * sigmoid(x),
    selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    tanh: Math.tanh,
    gaussian: (x) => Math.exp(-x * x),
    sin: Math.sin,
    sigmoid: sigmoid,
    identity: (x) => x,
  };

  // ---------------------------------------------------------------- configuration
  const WEIGHT_DISTRIBUTIONS = ["uniform", "normal", "student_t", "uniform_ball"];
  const DEFAULTS = {
    activation: "relu", depth: 3, width: 64, alpha: 1.0, bias_scale: 1.0, prefactor: 1.0,
    weight_dist: "uniform", residual: false, layernorm: false, ln_gain: 1.0, gating: false, in_dim: 2,
  };

  // Chapter 3's variant readings: accepted at their defaults (the book's definition, book/conventions.md) only.
  const VARIANT_DEFAULTS = { residual_mode: "around_phi", layernorm_position: "before", bias_scales_with_alpha: false };

  /** A complete, validated MLPConfig-like object (same fields, defaults and ranges). */
  function makeConfig(partial) {
    const given = Object.assign({}, partial || {});
    for (const [name, value] of Object.entries(given)) {
      if (name in DEFAULTS) continue;
      if (name in VARIANT_DEFAULTS && value === VARIANT_DEFAULTS[name]) {
        delete given[name];
        continue;
      }
      throw new Error(`MLPConfig.${name} = ${JSON.stringify(value)} is not supported by the explorer, ` +
        "which implements the book's definition only (book/conventions.md)");
    }
    const c = Object.assign({}, DEFAULTS, given);
    const fail = (name, allowed) => {
      throw new Error(`MLPConfig.${name} must be ${allowed}, got ${JSON.stringify(c[name])}`);
    };
    if (!(c.activation in ACTIVATIONS)) fail("activation", `one of ${Object.keys(ACTIVATIONS).join(", ")}`);
    for (const name of ["depth", "width"]) if (!Number.isInteger(c[name]) || c[name] < 1) fail(name, "an integer >= 1");
    if (c.in_dim !== 2) fail("in_dim", "2 in the explorer");
    for (const name of ["alpha", "prefactor", "ln_gain"]) {
      if (typeof c[name] !== "number" || !Number.isFinite(c[name]) || c[name] <= 0) fail(name, "a finite number > 0");
    }
    if (typeof c.bias_scale !== "number" || !Number.isFinite(c.bias_scale) || c.bias_scale < 0) {
      fail("bias_scale", "a finite number >= 0");
    }
    if (!WEIGHT_DISTRIBUTIONS.includes(c.weight_dist)) fail("weight_dist", `one of ${WEIGHT_DISTRIBUTIONS.join(", ")}`);
    for (const name of ["residual", "layernorm", "gating"]) if (typeof c[name] !== "boolean") fail(name, "true or false");
    return c;
  }

  // ---------------------------------------------------------------- random numbers
  // xoshiro128** seeded through splitmix32. Every (seed, layer, branch) has its own stream, so
  // adding a layer, switching gating on or changing the activation keeps the other draws.
  function mix32(h) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  function makeStream(keys) {
    let h = 0x9e3779b9;
    for (const key of keys) {
      h = mix32((h ^ (key >>> 0)) + 0x7f4a7c15);
      h = mix32(h ^ Math.floor(key / 4294967296));
    }
    let sm = h >>> 0;
    const s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      sm = (sm + 0x9e3779b9) >>> 0;
      s[i] = mix32(sm) || 1;
    }
    const rotl = (x, k) => (x << k) | (x >>> (32 - k));
    const next = () => {
      const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
      const t = s[1] << 9;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 11);
      return result;
    };
    const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992; // [0, 1), 53 bits
    const normal = () => {
      const u = 1 - uniform(); // (0, 1]
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
    };
    return { uniform, normal };
  }

  /** Draws with the variance of U(-1, 1), as sampler._unit_draw: s * draw has the variance of U(-s, s). */
  function unitDraws(count, dist, stream) {
    const out = new Float64Array(count);
    if (dist === "uniform_ball") {
      // The whole tensor uniform in the ball of radius sqrt((count + 2) / 3): variance 1/3 per coordinate.
      let norm2 = 0;
      for (let i = 0; i < count; i++) {
        out[i] = stream.normal();
        norm2 += out[i] * out[i];
      }
      const scale = (Math.sqrt((count + 2) / 3) * Math.pow(stream.uniform(), 1 / count)) / Math.sqrt(norm2);
      for (let i = 0; i < count; i++) out[i] *= scale;
      return out;
    }
    for (let i = 0; i < count; i++) {
      if (dist === "uniform") {
        out[i] = 2 * stream.uniform() - 1;
      } else if (dist === "normal") {
        out[i] = stream.normal() / Math.sqrt(3);
      } else {
        const a = stream.normal();
        const b = stream.normal();
        const c = stream.normal();
        out[i] = stream.normal() / Math.sqrt((a * a + b * b + c * c) / 3) / 3;
      }
    }
    return out;
  }

  function layerShapes(config) {
    const sizes = [config.in_dim];
    for (let l = 0; l < config.depth; l++) sizes.push(config.width);
    sizes.push(1);
    return sizes.slice(0, -1).map((fanIn, l) => [fanIn, sizes[l + 1]]);
  }

  /** One network's parameters: W ~ U(-s, s), s = alpha sqrt(6 / (fan_in + fan_out)); b ~ U(-bias_scale, bias_scale). */
  function sampleParams(partialConfig, seed) {
    const config = makeConfig(partialConfig);
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be an integer >= 0, got ${seed}`);
    const shapes = layerShapes(config);
    const hidden = shapes.length - 1;
    return shapes.map(([fanIn, fanOut], l) => {
      const bound = config.alpha * Math.sqrt(6 / (fanIn + fanOut));
      const draw = (branch) => {
        const stream = makeStream([seed, l === hidden ? 1000000 : l, branch]);
        const w = unitDraws(fanOut * fanIn, config.weight_dist, stream).map((v) => v * bound);
        const b = unitDraws(fanOut, config.weight_dist, stream).map((v) => v * config.bias_scale);
        return [w, b];
      };
      const [weight, bias] = draw(0);
      const layer = { fanIn, fanOut, weight, bias, gateWeight: null, gateBias: null };
      if (config.gating && l < hidden) [layer.gateWeight, layer.gateBias] = draw(1);
      return layer;
    });
  }

  /** How a JSON value reads in an error message: `the string "1e3"`, `null`, `NaN`, `a list`. */
  function describeValue(v) {
    if (v === undefined) return "missing";
    if (v === null) return "null";
    if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (Array.isArray(v)) return `a list of ${v.length}`;
    return `a ${typeof v}`;
  }
  const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

  /** Weights exported from Python: {"config": {...}, "layers": [{"weight": [[...]], "bias": [...],
   * "gate_weight": [[...]] | null, "gate_bias": [...] | null}, ...]} (one network, torch.nn.Linear layout).
   * Everything is checked before anything is built: the shapes the config implies, and that every
   * entry is a JSON number that is finite (no strings such as "1e3", no null, booleans, NaN or
   * Infinity). The error names the layer, the field, the index and the expected shape. */
  function importNetwork(document) {
    if (!isRecord(document)) {
      throw new Error(`weights JSON must be an object {"config": {...}, "layers": [...]}, got ${describeValue(document)}`);
    }
    if (!Array.isArray(document.layers)) throw new Error('weights JSON needs a "layers" list');
    if (document.config !== undefined && document.config !== null && !isRecord(document.config)) {
      throw new Error(`weights JSON "config" must be an object of MLPConfig fields, got ${describeValue(document.config)}`);
    }
    const config = makeConfig(document.config || {});
    const shapes = layerShapes(config);
    if (document.layers.length !== shapes.length) {
      throw new Error(`weights JSON has ${document.layers.length} layers, the config needs depth + 1 = ${shapes.length}`);
    }
    const entry = (v, where) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${where} is ${describeValue(v)}, not a finite number ` +
          "(entries must be JSON numbers: no strings, null, booleans, NaN or Infinity)");
      }
      return v;
    };
    const matrix = (rows, fanOut, fanIn, what) => {
      const shape = `${fanOut} x ${fanIn} (${fanOut} rows of ${fanIn} numbers, torch.nn.Linear layout)`;
      if (!Array.isArray(rows)) throw new Error(`${what} must be a ${shape} list of lists, got ${describeValue(rows)}`);
      if (rows.length !== fanOut) throw new Error(`${what} has ${rows.length} rows, expected shape ${shape}`);
      const out = new Float64Array(fanOut * fanIn);
      for (let o = 0; o < fanOut; o++) {
        const row = rows[o];
        if (!Array.isArray(row) || row.length !== fanIn) {
          throw new Error(`${what}[${o}] is ${describeValue(row)}, expected a list of ${fanIn} numbers (shape ${shape})`);
        }
        for (let i = 0; i < fanIn; i++) out[o * fanIn + i] = entry(row[i], `${what}[${o}][${i}]`);
      }
      return out;
    };
    const vector = (values, fanOut, what) => {
      if (!Array.isArray(values) || values.length !== fanOut) {
        throw new Error(`${what} is ${describeValue(values)}, expected a list of ${fanOut} numbers`);
      }
      return Float64Array.from(values, (v, o) => entry(v, `${what}[${o}]`));
    };
    const layers = shapes.map(([fanIn, fanOut], l) => {
      const source = document.layers[l];
      if (!isRecord(source)) {
        throw new Error(`layer ${l} must be an object with "weight" and "bias", got ${describeValue(source)}`);
      }
      const gated = config.gating && l < shapes.length - 1;
      if (!gated) {
        for (const name of ["gate_weight", "gate_bias"]) {
          if (source[name] !== undefined && source[name] !== null) {
            throw new Error(`layer ${l} ${name} must be null: ` +
              (config.gating ? "the output layer has no gate" : "the config has gating off"));
          }
        }
      }
      return {
        fanIn, fanOut,
        weight: matrix(source.weight, fanOut, fanIn, `layer ${l} weight`),
        bias: vector(source.bias, fanOut, `layer ${l} bias`),
        gateWeight: gated ? matrix(source.gate_weight, fanOut, fanIn, `layer ${l} gate_weight`) : null,
        gateBias: gated ? vector(source.gate_bias, fanOut, `layer ${l} gate_bias`) : null,
      };
    });
    return { config, layers };
  }

  // ---------------------------------------------------------------- the network on the grid
  /** Cell-centred grid axis x_m = -1 + (2m + 1) / n (redshift_utils.grid_axis). */
  function gridAxis(n) {
    const axis = new Float64Array(n);
    for (let m = 0; m < n; m++) axis[m] = -1 + (2 * m + 1) / n;
    return axis;
  }

  /** scale * (W h + b) for every point; h is (points, fanIn) row-major, z is (points, fanOut).
   * Register-blocked, 4 points x 2 outputs per inner loop: each loaded weight and input is used
   * four or two times, about 3x faster than one dot product at a time in V8. */
  function linear(h, points, weight, bias, fanIn, fanOut, scale) {
    const z = new Float64Array(points * fanOut);
    const single = (p, o) => {
      let acc = 0;
      for (let i = 0; i < fanIn; i++) acc += weight[o * fanIn + i] * h[p * fanIn + i];
      z[p * fanOut + o] = scale * (bias[o] + acc);
    };
    let p = 0;
    for (; p + 3 < points; p += 4) {
      const h0 = p * fanIn, h1 = h0 + fanIn, h2 = h1 + fanIn, h3 = h2 + fanIn;
      const z0 = p * fanOut, z1 = z0 + fanOut, z2 = z1 + fanOut, z3 = z2 + fanOut;
      let o = 0;
      for (; o + 1 < fanOut; o += 2) {
        const wa = o * fanIn, wb = wa + fanIn;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let i = 0; i < fanIn; i++) {
          const x0 = h[h0 + i], x1 = h[h1 + i], x2 = h[h2 + i], x3 = h[h3 + i];
          const u = weight[wa + i], v = weight[wb + i];
          a0 += u * x0; a1 += u * x1; a2 += u * x2; a3 += u * x3;
          b0 += v * x0; b1 += v * x1; b2 += v * x2; b3 += v * x3;
        }
        const ba = bias[o], bb = bias[o + 1];
        z[z0 + o] = scale * (ba + a0); z[z1 + o] = scale * (ba + a1);
        z[z2 + o] = scale * (ba + a2); z[z3 + o] = scale * (ba + a3);
        z[z0 + o + 1] = scale * (bb + b0); z[z1 + o + 1] = scale * (bb + b1);
        z[z2 + o + 1] = scale * (bb + b2); z[z3 + o + 1] = scale * (bb + b3);
      }
      for (; o < fanOut; o++) for (let k = 0; k < 4; k++) single(p + k, o);
    }
    for (; p < points; p++) for (let o = 0; o < fanOut; o++) single(p, o);
    return z;
  }

  /** f on the n x n grid: values[i * n + j] = f(x_i, y_j), the layer-by-layer definition of book/conventions.md.
   * `report`, when given, gets `overflowLayer`: the first hidden layer whose pre-activations or outputs
   * are not finite (null if none). ReLU maps NaN to 0, so an overflow inside the network can leave a
   * finite, constant f that would otherwise score as a plain constant function. */
  function forward(partialConfig, layers, n, report) {
    const config = makeConfig(partialConfig);
    const axis = gridAxis(n);
    const points = n * n;
    let h = new Float64Array(points * 2);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        h[2 * (i * n + j)] = axis[i];
        h[2 * (i * n + j) + 1] = axis[j];
      }
    }
    const phi = ACTIVATIONS[config.activation];
    const scale = config.prefactor;
    let overflowLayer = null;
    const finite = (array) => array.every(Number.isFinite);
    for (let l = 0; l < layers.length - 1; l++) {
      const { weight, bias, fanIn, fanOut } = layers[l];
      const z = linear(h, points, weight, bias, fanIn, fanOut, scale);
      if (config.layernorm) {
        for (let p = 0; p < points; p++) {
          const base = p * fanOut;
          let mean = 0;
          for (let o = 0; o < fanOut; o++) mean += z[base + o];
          mean /= fanOut;
          let variance = 0;
          for (let o = 0; o < fanOut; o++) variance += (z[base + o] - mean) ** 2;
          const inv = config.ln_gain / Math.sqrt(variance / fanOut + 1e-5);
          for (let o = 0; o < fanOut; o++) z[base + o] = (z[base + o] - mean) * inv;
        }
      }
      const gate = config.gating ? linear(h, points, layers[l].gateWeight, layers[l].gateBias, fanIn, fanOut, scale) : null;
      if (overflowLayer === null && !(finite(z) && (!gate || finite(gate)))) overflowLayer = l;
      const next = new Float64Array(points * fanOut);
      for (let k = 0; k < next.length; k++) {
        let a = phi(z[k]);
        if (gate) a *= sigmoid(gate[k]);
        next[k] = config.residual ? z[k] + a : a;
      }
      if (overflowLayer === null && !finite(next)) overflowLayer = l;
      h = next;
    }
    const out = layers[layers.length - 1];
    if (report) report.overflowLayer = overflowLayer;
    return linear(h, points, out.weight, out.bias, out.fanIn, 1, 1);
  }

  // ---------------------------------------------------------------- measures
  const dctCache = new Map();

  /** Orthonormal DCT-II matrix D[k][m] = s_k cos(pi k (2m + 1) / (2n)), and the frequency grid. */
  function dctTables(n) {
    if (!dctCache.has(n)) {
      const matrix = new Float64Array(n * n);
      for (let k = 0; k < n; k++) {
        const s = Math.sqrt((k === 0 ? 1 : 2) / n);
        for (let m = 0; m < n; m++) matrix[k * n + m] = s * Math.cos((Math.PI * k * (2 * m + 1)) / (2 * n));
      }
      const freq = new Float64Array(n * n);
      let total = 0;
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          freq[a * n + b] = Math.sqrt(a * a + b * b) / 2;
          total += freq[a * n + b];
        }
      }
      dctCache.set(n, { matrix, freq, whiteNoise: total / (n * n - 1) });
    }
    return dctCache.get(n);
  }

  /** 2-D orthonormal DCT-II, c = D F D^T (scipy.fft.dctn(type=2, norm="ortho")). */
  function dct2(values, n) {
    const { matrix } = dctTables(n);
    const rows = new Float64Array(n * n); // rows[i, k] = sum_j F[i, j] D[k, j]
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += values[i * n + j] * matrix[k * n + j];
        rows[i * n + k] = acc;
      }
    }
    const out = new Float64Array(n * n); // out[k1, k2] = sum_i D[k1, i] rows[i, k2]
    for (let k1 = 0; k1 < n; k1++) {
      for (let i = 0; i < n; i++) {
        const d = matrix[k1 * n + i];
        for (let k2 = 0; k2 < n; k2++) out[k1 * n + k2] += d * rows[i * n + k2];
      }
    }
    return out;
  }

  /** Mean frequency weighted by |c| without the DC bin (redshift_utils.fourier_complexity). */
  function fourierScore(coeffs, n, normalize) {
    const { freq, whiteNoise } = dctTables(n);
    let mass = 0;
    let weighted = 0;
    for (let k = 1; k < n * n; k++) {
      const m = Math.abs(coeffs[k]);
      mass += m;
      weighted += m * freq[k];
    }
    if (mass <= 1e-10 * (mass + Math.abs(coeffs[0]))) return 0; // a constant function
    const raw = weighted / mass;
    return normalize ? raw / whiteNoise : raw;
  }

  function fourierComplexity(values, n, normalize = true) {
    return fourierScore(dct2(values, n), n, normalize);
  }

  /** LZ76 phrase count (Kaspar and Schuster 1987), as redshift_utils.lz76. */
  function lz76(s) {
    const n = s.length;
    if (n <= 1) return n;
    let c = 1, start = 1, i = 0, k = 1, kMax = 1;
    for (;;) {
      if (s[i + k - 1] === s[start + k - 1]) {
        k += 1;
        if (start + k > n) {
          c += 1;
          break;
        }
      } else {
        if (k > kMax) kMax = k;
        i += 1;
        if (i === start) {
          c += 1;
          start += kMax;
          if (start + 1 > n) break;
          i = 0;
          k = 1;
          kMax = 1;
        } else {
          k = 1;
        }
      }
    }
    return c;
  }

  /** Bits f > median(f), row-major, then LZ76; normalised c log2(L) / L (redshift_utils.lz_complexity). */
  function lzComplexity(values, normalize = true) {
    const sorted = Float64Array.from(values).sort();
    const L = sorted.length;
    const median = L % 2 ? sorted[(L - 1) / 2] : (sorted[L / 2 - 1] + sorted[L / 2]) / 2;
    const bits = new Uint8Array(L);
    for (let p = 0; p < L; p++) bits[p] = values[p] > median ? 1 : 0;
    const count = lz76(bits);
    return normalize ? (count * Math.log2(L)) / L : count;
  }

  /** DCT and scores of f, or `overflow` set (and the scores null) when f or its measures are not finite in
   * double precision: huge weights or a large prefactor over many layers overflow to Infinity and NaN,
   * which would otherwise score as a "constant function" (0) or as noise. */
  function measure(values, n, overflowLayer = null) {
    let nonFinite = 0;
    let top = 0;
    for (const v of values) {
      if (!Number.isFinite(v)) nonFinite++;
      else if (Math.abs(v) > top) top = Math.abs(v);
    }
    const coeffs = dct2(values, n);
    const scores = {
      fourier: fourierScore(coeffs, n, true),
      fourierRaw: fourierScore(coeffs, n, false),
      lz: lzComplexity(values, true),
    };
    const overflow = overflowLayer !== null || nonFinite > 0 || !coeffs.every(Number.isFinite) ||
      !Object.values(scores).every(Number.isFinite);
    if (overflow) for (const key of Object.keys(scores)) scores[key] = null;
    return Object.assign({ coeffs, overflow, overflowLayer, nonFinite, largest: top }, scores);
  }

  /** The page's report of an overflow found by `measure`. */
  function overflowMessage(m, n) {
    let what;
    if (m.overflowLayer !== null) {
      what = `layer ${m.overflowLayer} (counting from 0, as in the weights JSON) reaches Infinity or NaN ` +
        "in double precision";
    } else if (m.nonFinite > 0) {
      what = `${m.nonFinite} of ${n * n} values of f are infinite or NaN in double precision`;
    } else {
      what = `f reaches ${m.largest.toExponential(1)}, too large to measure in double precision`;
    }
    return `Overflow: ${what} (the weights or the prefactor are too large for this network). ` +
      "No scores are shown; lower the prefactor, alpha or depth.";
  }

  /** Function values and scores of one network: sampled from `seed`, or `network` exported from Python.
   * On overflow the scores are null and `overflow` is true (`nonFinite` counts the bad values). */
  function evaluate(partialConfig, network, n = 64, seed = 0) {
    const t0 = performance.now();
    let config;
    let layers;
    if (network) {
      if (!isRecord(network)) throw new Error(`weights JSON must be an object, got ${describeValue(network)}`);
      ({ config, layers } = importNetwork(Object.assign({}, network, { config: partialConfig || network.config })));
    } else {
      config = makeConfig(partialConfig);
      layers = sampleParams(config, seed);
    }
    const report = {};
    const values = forward(config, layers, n, report);
    const m = measure(values, n, report.overflowLayer);
    return {
      values: Array.from(values, (v) => (Number.isFinite(v) ? v : null)),
      fourier: m.fourier,
      fourierRaw: m.fourierRaw,
      lz: m.lz,
      overflow: m.overflow,
      overflowLayer: m.overflowLayer,
      nonFinite: m.nonFinite,
      ms: performance.now() - t0,
    };
  }

  // ---------------------------------------------------------------- drawing
  /** Grayscale image, x to the right and y up (redshift_utils.plotting.show_function). */
  function drawImage(canvas, values, n) {
    canvas.width = n;
    canvas.height = n;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(n, n);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi > lo ? hi - lo : 1;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const gray = Math.round((255 * (values[i * n + j] - lo)) / span);
        const pixel = 4 * ((n - 1 - j) * n + i); // column i = x_i, row from the top = n - 1 - j
        image.data[pixel] = image.data[pixel + 1] = image.data[pixel + 2] = gray;
        image.data[pixel + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  /** An empty (transparent) n x n image, for a function that cannot be drawn. */
  function clearCanvas(canvas, n) {
    canvas.width = n; // setting the size clears the canvas
    canvas.height = n;
  }

  /** log10 |c| over five decades below the largest non-DC coefficient; (0, 0) at the bottom left. */
  function spectrumImage(coeffs, n) {
    const logs = new Float64Array(n * n);
    let top = -Infinity;
    for (let k = 0; k < n * n; k++) {
      logs[k] = Math.log10(Math.abs(coeffs[k]) + 1e-300);
      if (k > 0 && logs[k] > top) top = logs[k];
    }
    for (let k = 0; k < n * n; k++) logs[k] = Math.min(Math.max(logs[k], top - 5), top);
    return logs;
  }

  // ---------------------------------------------------------------- the page
  const CONTROLS = [
    { name: "activation", label: "activation", kind: "select", options: Object.keys(ACTIVATIONS),
      help: "the nonlinearity phi of every hidden layer" },
    { name: "depth", label: "depth", kind: "int", min: 1, max: 16, step: 1, help: "hidden layers" },
    { name: "width", label: "width", kind: "int", min: 2, max: 256, step: 2, help: "units per hidden layer" },
    { name: "alpha", label: "alpha", kind: "log", min: 0.1, max: 10, help: "weight scale: W ~ U(-s, s), s = alpha sqrt(6 / (fan_in + fan_out))" },
    { name: "prefactor", label: "prefactor", kind: "log", min: 0.1, max: 20, help: "multiplies W h + b before phi: the magnitude axis of Figures 4 and 5" },
    { name: "bias_scale", label: "bias scale", kind: "float", min: 0, max: 2, step: 0.05, help: "b ~ U(-bias_scale, bias_scale)" },
    { name: "weight_dist", label: "weight law", kind: "select", options: WEIGHT_DISTRIBUTIONS,
      help: "normal and Student-t (3 dof) have the variance of the uniform" },
    { name: "residual", label: "residual", kind: "bool", help: "h = z + phi(z): the skip goes around phi" },
    { name: "layernorm", label: "layer norm", kind: "bool", help: "normalise z over the units before phi" },
    { name: "ln_gain", label: "ln_gain", kind: "log", min: 0.1, max: 10, help: "gain after layer norm (only with layer norm)" },
    { name: "gating", label: "gating", kind: "bool", help: "phi(z) times sigmoid(prefactor (W'h + b'))" },
    { name: "seed", label: "seed", kind: "seed" },
    { name: "n", label: "grid", kind: "select", options: [32, 64, 128], help: "points per axis" },
  ];
  const SAMPLING_FIELDS = new Set(["depth", "width", "alpha", "bias_scale", "weight_dist", "gating", "seed"]);
  // Log sliders step through round values (1, 1.5, 2, 3, 5, 7 per decade); a value set from a
  // link or an exported file that is not on the list is kept exactly until the slider moves.
  const ROUND_MANTISSAS = [1, 1.5, 2, 3, 5, 7];
  function roundValues(min, max) {
    const values = [];
    for (let d = Math.floor(Math.log10(min)); d <= Math.ceil(Math.log10(max)); d++) {
      for (const m of ROUND_MANTISSAS) {
        const v = Number((m * 10 ** d).toPrecision(3));
        if (v >= min && v <= max) values.push(v);
      }
    }
    return values;
  }
  const nearestIndex = (values, v) => values.reduce(
    (best, x, i) => (Math.abs(Math.log(x / v)) < Math.abs(Math.log(values[best] / v)) ? i : best), 0);

  const format = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : "—");

  function element(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  /** Settings from the address fragment (#activation=tanh&depth=4...). A part that cannot be decoded
   * (a malformed %-escape such as %E0%A4%A, on which decodeURIComponent throws) is ignored, so its
   * setting keeps its default; `ignored` lists those parts for the page's notice. */
  function readHash() {
    const state = {};
    const ignored = [];
    let hash = "";
    try {
      hash = String(window.location.hash || "").replace(/^#/, "");
    } catch (e) {
      return { state, ignored };
    }
    if (!hash.includes("=")) return { state, ignored };
    for (const part of hash.split("&")) {
      let key;
      let raw;
      try {
        [key, raw] = part.split("=").map(decodeURIComponent);
      } catch (e) {
        ignored.push(part);
        continue;
      }
      const control = CONTROLS.find((c) => c.name === key);
      if (!control || raw === undefined) continue;
      if (control.kind === "bool") state[key] = raw === "1" || raw === "true";
      else if (control.kind === "select" && control.name !== "n") state[key] = raw;
      else if (Number.isFinite(Number(raw))) state[key] = Number(raw);
    }
    return { state, ignored };
  }

  function build(root) {
    const fromHash = readHash();
    const state = Object.assign({}, DEFAULTS, { seed: 0, n: 64 }, fromHash.state);
    const inputs = {};
    const shown = {};
    let loaded = null; // {layers, name} while exported weights are shown
    const exact = {}; // log-slider values off the round list, kept until the slider moves
    const setLog = (c, v) => {
      const index = nearestIndex(c.values, v);
      inputs[c.name].value = String(index);
      if (c.values[index] === v) delete exact[c.name];
      else exact[c.name] = v;
    };
    const controls = element("div", { className: "rx-controls" });

    for (const c of CONTROLS) {
      const id = `rx-${c.name}`;
      const row = element("div", { className: `rx-row rx-${c.kind}` });
      const label = element("label", { for: id, text: c.label });
      if (c.help) label.title = c.help;
      let input;
      if (c.kind === "select") {
        input = element("select", { id }, c.options.map((o) => element("option", { value: String(o), text: String(o) })));
        input.value = String(state[c.name]);
        if (input.value !== String(state[c.name])) input.value = String(DEFAULTS[c.name] ?? 64);
      } else if (c.kind === "bool") {
        input = element("input", { id, type: "checkbox" });
        input.checked = Boolean(state[c.name]);
      } else if (c.kind === "seed") {
        input = element("input", { id, type: "number", min: "0", max: "999999", step: "1", value: String(state.seed) });
      } else if (c.kind === "log") {
        c.values = roundValues(c.min, c.max);
        input = element("input", { id, type: "range", min: "0", max: String(c.values.length - 1), step: "1" });
      } else {
        input = element("input", { id, type: "range", min: String(c.min), max: String(c.max), step: String(c.step) });
        input.value = String(state[c.name]);
      }
      inputs[c.name] = input;
      if (c.kind === "log") setLog(c, state[c.name]);
      if (c.kind === "bool") {
        row.appendChild(input);
        row.appendChild(label);
      } else {
        row.appendChild(label);
        row.appendChild(input);
      }
      if (c.kind === "int" || c.kind === "float" || c.kind === "log") {
        shown[c.name] = element("output", { for: id, className: "rx-value" });
        row.appendChild(shown[c.name]);
      }
      if (c.kind === "seed") {
        const next = element("button", { type: "button", className: "rx-button", text: "new network" });
        next.addEventListener("click", () => {
          input.value = String((Number(input.value) || 0) + 1);
          input.dispatchEvent(new Event("input"));
        });
        row.appendChild(next);
      }
      controls.appendChild(row);
      input.addEventListener(c.kind === "bool" || c.kind === "select" ? "change" : "input", () => {
        delete exact[c.name];
        if (SAMPLING_FIELDS.has(c.name)) loaded = null;
        schedule();
      });
    }

    const fileInput = element("input", { id: "rx-file", type: "file", accept: ".json,application/json" });
    controls.appendChild(element("div", { className: "rx-row rx-file" }, [
      element("label", { for: "rx-file", text: "weights from Python (JSON)" }), fileInput,
    ]));

    const fnCanvas = element("canvas", { className: "rx-canvas", role: "img", "aria-label": "the network's function" });
    const specCanvas = element("canvas", { className: "rx-canvas", role: "img", "aria-label": "its DCT spectrum" });
    const figure = (canvas, caption) => element("figure", { className: "rx-figure" }, [
      canvas, element("figcaption", { text: caption }),
    ]);
    const stat = (key, label, note) => {
      const value = element("span", { className: "rx-stat-value", "data-stat": key });
      return [element("div", { className: "rx-stat" }, [
        element("span", { className: "rx-stat-label", text: label }), value,
        element("span", { className: "rx-stat-note", text: note }),
      ]), value];
    };
    const [fourierRow, fourierOut] = stat("fourier", "Fourier complexity", "white noise = 1");
    const [rawRow, rawOut] = stat("fourier-raw", "mean frequency", "cycles over [-1, 1]");
    const [lzRow, lzOut] = stat("lz", "LZ compressibility", "random bits ≈ 1");
    const [timeRow, timeOut] = stat("ms", "computed in", "ms: sample, evaluate, measure, draw");
    const source = element("p", { className: "rx-source" });
    const error = element("p", { className: "rx-error", role: "alert" });
    const outputs = element("div", { className: "rx-outputs" }, [
      element("div", { className: "rx-figures" }, [
        figure(fnCanvas, "f(x, y) on [-1, 1]², x to the right, y up; black = min, white = max"),
        figure(specCanvas, "|DCT coefficient|, log scale (5 decades); frequency 0 at bottom left"),
      ]),
      element("div", { className: "rx-stats" }, [fourierRow, rawRow, lzRow, timeRow]),
      source, error,
    ]);
    root.textContent = "";
    root.classList.add("rx-explorer");
    root.appendChild(controls);
    root.appendChild(outputs);

    function readControls() {
      for (const c of CONTROLS) {
        const input = inputs[c.name];
        if (c.kind === "bool") state[c.name] = input.checked;
        else if (c.kind === "select") state[c.name] = c.name === "n" ? Number(input.value) : input.value;
        else if (c.kind === "log") state[c.name] = c.name in exact ? exact[c.name] : c.values[Number(input.value)];
        else if (c.kind === "seed") state.seed = Math.max(0, Math.floor(Number(input.value) || 0));
        else state[c.name] = Number(input.value);
        if (shown[c.name]) shown[c.name].textContent = String(state[c.name]);
      }
      inputs.ln_gain.disabled = !state.layernorm;
    }

    function writeHash() {
      const parts = CONTROLS.map((c) => {
        const v = state[c.name];
        return `${c.name}=${encodeURIComponent(typeof v === "boolean" ? (v ? 1 : 0) : v)}`;
      });
      if (window.history && window.history.replaceState) {
        try {
          window.history.replaceState(null, "", `#${parts.join("&")}`);
        } catch (e) {
          // Some file:// contexts refuse replaceState; the page works without a shareable hash.
        }
      }
    }

    /** Sample (or reuse loaded weights), evaluate, measure and draw; returns the milliseconds.
     * `share` writes the settings into the address bar (not on first load, which would drop a
     * section anchor the reader followed). */
    function render(share = true) {
      const t0 = performance.now();
      readControls();
      const config = makeConfig(Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, state[k]])));
      const n = state.n;
      const layers = loaded ? loaded.layers : sampleParams(config, state.seed);
      const report = {};
      const values = forward(config, layers, n, report);
      const m = measure(values, n, report.overflowLayer);
      if (m.overflow) {
        clearCanvas(fnCanvas, n); // an image of Infinity and NaN would draw as a flat or random field
        clearCanvas(specCanvas, n);
      } else {
        drawImage(fnCanvas, values, n);
        drawImage(specCanvas, spectrumImage(m.coeffs, n), n); // j1 to the right, j2 up, like f
      }
      const ms = performance.now() - t0;
      fourierOut.textContent = format(m.fourier);
      rawOut.textContent = format(m.fourierRaw, 2);
      lzOut.textContent = format(m.lz);
      timeOut.textContent = ms.toFixed(0);
      error.textContent = m.overflow ? overflowMessage(m, n) : "";
      source.textContent = loaded
        ? `Weights: ${loaded.name}, exported from redshift_utils (change depth, width, alpha, bias scale, weight law, gating or seed to sample again).`
        : `Weights: sampled in your browser from seed ${state.seed} (the browser's random numbers differ from torch's, their law is the same).`;
      if (share) writeHash();
      last = {
        fourier: m.fourier, fourierRaw: m.fourierRaw, lz: m.lz,
        overflow: m.overflow, overflowLayer: m.overflowLayer, nonFinite: m.nonFinite, ms, n, config,
      };
      return ms;
    }

    let pending = false;
    let last = null;
    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(() => {
        pending = false;
        try {
          error.textContent = "";
          render();
        } catch (e) {
          error.textContent = String(e.message || e);
        }
      });
    }

    /** Move the controls to `values` (any subset of the config fields, seed and n). */
    function setControls(values) {
      for (const c of CONTROLS) {
        if (!(c.name in values)) continue;
        const v = values[c.name];
        if (c.kind === "bool") inputs[c.name].checked = Boolean(v);
        else if (c.kind === "log") setLog(c, v);
        else inputs[c.name].value = String(v);
      }
    }

    const snapshotControls = () =>
      Object.fromEntries(CONTROLS.map((c) => [c.name, c.kind === "bool" ? inputs[c.name].checked : inputs[c.name].value]));
    function restoreControls(values, exactValues) {
      for (const c of CONTROLS) {
        if (c.kind === "bool") inputs[c.name].checked = values[c.name];
        else inputs[c.name].value = values[c.name];
      }
      for (const key of Object.keys(exact)) delete exact[key];
      Object.assign(exact, exactValues);
    }

    fileInput.addEventListener("change", () => {
      const file = fileInput.files && fileInput.files[0];
      if (!file) return;
      const reader = new FileReader();
      // Everything is checked before anything changes: on a bad file the page keeps the network it shows.
      const refuse = (why) => {
        error.textContent = `Could not load ${file.name}: ${why}. The network shown is unchanged.`;
      };
      reader.onload = () => {
        fileInput.value = ""; // so that choosing the same file again (after fixing it) loads it again
        let network;
        try {
          let parsed;
          try {
            parsed = JSON.parse(String(reader.result));
          } catch (e) {
            throw new Error(`not valid JSON (${e.message || e}); NaN and Infinity are not JSON numbers`);
          }
          network = importNetwork(parsed);
        } catch (e) {
          refuse(e.message || e);
          return;
        }
        const before = { loaded, exact: Object.assign({}, exact), controls: snapshotControls() };
        try {
          setControls(network.config);
          loaded = { layers: network.layers, name: file.name };
          render();
        } catch (e) {
          loaded = before.loaded;
          restoreControls(before.controls, before.exact);
          try {
            render();
          } catch (ignored) {
            // the previous network rendered before, so this does not happen; the message below stands
          }
          refuse(e.message || e);
        }
      };
      reader.onerror = () => refuse(String(reader.error || "the file could not be read"));
      reader.readAsText(file);
    });

    try {
      render(false);
    } catch (e) {
      error.textContent = String(e.message || e); // e.g. a hand-edited link with alpha=-1
    }
    if (fromHash.ignored.length) {
      const notice = `Ignored a malformed part of the address (${fromHash.ignored.join("&")}): ` +
        "its settings keep their defaults.";
      error.textContent = error.textContent ? `${notice} ${error.textContent}` : notice;
    }
    const show = (values) => {
      setControls(values);
      loaded = null;
      return render();
    };
    return { render, show, last: () => last };
  }

  let page = null;
  const api = {
    version: 1,
    erf, activations: ACTIVATIONS, defaults: Object.assign({}, DEFAULTS),
    makeConfig, sampleParams, importNetwork, gridAxis, forward, dct2,
    fourierComplexity, lzComplexity, lz76, evaluate,
    /** Re-render the page `repeats` times; returns the milliseconds of each full render. */
    benchmark(repeats = 10) {
      if (!page) throw new Error("no explorer on this page");
      const times = [];
      for (let r = 0; r < repeats; r++) times.push(page.render());
      return times;
    },
    lastRender: () => (page ? page.last() : null),
    /** Set the controls (e.g. {activation: "tanh", seed: 3}; the rest stays) and render; returns ms. */
    show(values) {
      if (!page) throw new Error("no explorer on this page");
      return page.show(values);
    },
  };
  window.redshiftExplorer = api;

  function start() {
    const root = document.getElementById("redshift-explorer");
    if (root && !page) page = build(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
