// Renders a chaos report's charts without a browser: runs the page's own scripts against a minimal
// document, with echarts.init switched to ECharts' server-side SVG renderer, and prints what each
// chart drew. Used by ReportTest when node is installed.
const fs = require('fs');
// Errors as one short line: node's default quotes the whole minified line of the library.
process.on('uncaughtException', e => { console.log('ERROR: ' + e.message + ' | ' + String(e.stack).split('\n').slice(1, 4)
    .map(l => l.trim().slice(0, 120)).join(' | ')); process.exit(3); });
const html = fs.readFileSync(process.argv[2], 'utf8');
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(m => m[1]);
if (scripts.length !== 2) { console.log('expected 2 inline scripts, found ' + scripts.length); process.exit(2); }
const elements = {};
const element = id => elements[id] || (elements[id] = { id, textContent: '', className: '', rows: [],
  insertRow() { const row = { cells: [], insertCell() { const c = { textContent: '' }; this.cells.push(c); return c; } };
    this.rows.push(row); return row; } });
// The library as a CommonJS module (its UMD wrapper picks that up), then a global, as a page has.
const lib = { exports: {} };
new Function('module', 'exports', scripts[0])(lib, lib.exports);
globalThis.echarts = lib.exports;
// The page sees a document as a parameter, never a global: with a global one ECharts would think it
// runs in a browser and reach for canvases.
const document = { getElementById: element, body: { setAttribute(k, v) { this[k] = v; } } };
const charts = [];
const realInit = globalThis.echarts.init;
globalThis.echarts.init = (el, theme) => {
  const chart = realInit(null, theme, { renderer: 'svg', ssr: true, width: 900, height: 360 });
  charts.push(chart);
  return chart;
};
new Function('document', 'echarts', scripts[1])(document, globalThis.echarts);
console.log('summary: ' + elements.summary.textContent);
console.log('checker rows: ' + elements.checkers.rows.length);
charts.forEach((c, i) => {
  const svg = c.renderToSVGString();
  console.log('chart ' + i + ': ' + (svg.match(/<path/g) || []).length + ' paths, ' + svg.length + ' chars');
});
console.log('rendered: ' + document.body['data-rendered']);
charts.forEach(c => c.dispose());
process.exit(0); // zrender's animation timer would keep node alive
