// Writes dist/index.mjs so that `import * as tf from 'tensorforge'` and named
// imports work from ESM: the names are read from the CommonJS build.
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
const body = [
  "import { createRequire } from 'module';",
  'const require = createRequire(import.meta.url);',
  "const tf = require('./index.js');",
  'export default tf;',
  ...names.map((n) => `export const ${n} = tf.${n};`),
  '',
].join('\n');
fs.writeFileSync(path.join(dist, 'index.mjs'), body);
