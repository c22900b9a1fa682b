// podnet ui: the page. Draws the server's graph with Cytoscape.js, keeps it live from the
// /api/events stream, shows inspect data on click, runs traces and lights their hops one by one,
// and offers bounded pcap downloads. Everything it loads comes from the same 127.0.0.1 origin.
/* global cytoscape */
'use strict';

const $ = (id) => document.getElementById(id);
const state = { snapshot: null, ids: '', trace: null, highlightDone: false, events: 0 };
window.podnet = state;

const COLORS = { node: '#eef3fb', pod: '#3b82c4', bridge: '#d98a1c', veth: '#7a8aa0', cali: '#8a5cc2', tunnel: '#c2410c', nic: '#2f855a', device: '#a0aec0', underlay: '#4a5568', service: '#0f766e' };

const cy = cytoscape({
  container: $('cy'),
  style: [
    { selector: 'node', style: { label: 'data(label)', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 3, width: 16, height: 16, 'background-color': (e) => COLORS[e.data('kind')] || '#999', color: '#1d2430', 'text-wrap': 'wrap', 'text-max-width': 140 } },
    { selector: 'node[kind = "node"]', style: { shape: 'round-rectangle', 'background-color': COLORS.node, 'border-color': '#8aa4c8', 'border-width': 1.5, 'text-valign': 'top', 'text-halign': 'center', 'font-size': 11, 'font-weight': 'bold', padding: 14 } },
    { selector: 'node[kind = "pod"]', style: { shape: 'ellipse', width: 22, height: 22 } },
    { selector: 'node[kind = "service"]', style: { shape: 'hexagon', width: 24, height: 22 } },
    { selector: 'node[kind = "bridge"]', style: { shape: 'rectangle', width: 26, height: 14 } },
    { selector: 'node[kind = "tunnel"]', style: { shape: 'diamond', width: 22, height: 22 } },
    { selector: 'node[kind = "underlay"]', style: { shape: 'barrel', width: 60, height: 20 } },
    { selector: 'edge', style: { width: 1.5, 'line-color': '#b8c2cf', 'curve-style': 'bezier', 'font-size': 8, color: '#6b7888' } },
    { selector: 'edge[label]', style: { label: 'data(label)' } },
    { selector: 'edge[kind = "vxlan-peer"]', style: { 'line-style': 'dashed', 'line-color': '#e2a37a', 'curve-style': 'unbundled-bezier', 'control-point-distances': 45, 'control-point-weights': 0.5 } },
    { selector: 'edge[kind = "bgp"]', style: { 'line-style': 'dashed', 'line-color': '#a78bd4' } },
    { selector: 'edge[kind = "endpoint"]', style: { 'line-color': '#7cc7bd', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#7cc7bd' } },
    { selector: 'edge.hop', style: { 'line-color': '#e11d48', width: 4, 'target-arrow-color': '#e11d48', 'z-index': 10 } },
    { selector: 'node.hop', style: { 'border-width': 3, 'border-color': '#e11d48', 'background-color': '#fb7185', 'z-index': 10 } },
    { selector: 'node[kind = "node"].hop', style: { 'background-color': '#ffe4e6' } },
    { selector: ':selected', style: { 'overlay-opacity': 0.15, 'overlay-color': '#2563eb' } },
  ],
});
state.cy = cy;

function apply(s) {
  state.snapshot = s;
  $('lab').textContent = s.lab ? `lab ${s.lab}` : '';
  const els = [...s.graph.nodes, ...s.graph.edges];
  const ids = els.map((e) => e.data.id).sort().join('\n');
  cy.batch(() => {
    const want = new Set(els.map((e) => e.data.id));
    cy.elements().filter((e) => !want.has(e.id())).remove();
    // parents (lab nodes) before their children: a child added before its parent would float free
    const nodes = [...s.graph.nodes].sort((a, b) => (a.data.kind === 'node' ? 0 : 1) - (b.data.kind === 'node' ? 0 : 1));
    for (const e of nodes) {
      const c = cy.getElementById(e.data.id);
      if (c.empty()) { cy.add({ group: 'nodes', data: e.data }); continue; }
      if ((c.data('parent') || null) !== (e.data.parent || null)) c.move({ parent: e.data.parent || null });
      const { parent: _p, ...rest } = e.data;
      c.data(rest);
    }
    for (const e of s.graph.edges) { const c = cy.getElementById(e.data.id); if (c.nonempty()) c.data(e.data); else cy.add({ group: 'edges', data: e.data }); }
  });
  if (ids !== state.ids) {
    state.ids = ids;
    layout();
  }
  const kinds = {};
  for (const n of s.graph.nodes) kinds[n.data.kind] = (kinds[n.data.kind] || 0) + 1;
  $('counts').textContent = `${kinds.node || 0} nodes · ${kinds.pod || 0} pods · ${kinds.service || 0} services · ${(kinds.veth || 0) + (kinds.cali || 0)} veths · ${kinds.tunnel || 0} tunnels · update ${s.version}`;
  renderNodes(s.nodes);
  fillSelects(s.graph.nodes);
  state.events++;
}

// Cytoscape's layouts, one region each: the underlay on top; a column per lab node where
// breadthfirst hangs the node's devices from eth0 and its bridges (eth0 → tunnel; cni0 → veths →
// pods); Services (and pods on no node) in a grid below, next to the pods they point at.
function layout() {
  const labNodes = cy.nodes('[kind = "node"]').sort((a, b) => (a.id() < b.id() ? -1 : 1));
  const colW = 360, colH = 420, top = 110;
  labNodes.forEach((n, i) => {
    const kids = n.children();
    if (kids.empty()) { n.position({ x: i * colW + colW / 2, y: top + colH / 2 }); return; }
    const roots = kids.filter((k) => k.data('device') === 'eth0' || k.data('kind') === 'bridge' || k.data('kind') === 'cali');
    kids.union(kids.edgesWith(kids)).layout({
      name: 'breadthfirst', directed: false, roots, spacingFactor: 0.9, avoidOverlap: true, nodeDimensionsIncludeLabels: true, animate: false,
      boundingBox: { x1: i * colW + 20, y1: top, w: colW - 40, h: colH },
    }).run();
  });
  const width = Math.max(1, labNodes.length) * colW;
  cy.$id('underlay').position({ x: width / 2, y: 30 });
  const loose = cy.nodes().filter((e) => e.data('kind') === 'service' || (e.data('kind') === 'pod' && !e.data('parent')));
  loose.layout({ name: 'grid', avoidOverlap: true, nodeDimensionsIncludeLabels: true, condense: true, rows: Math.max(1, Math.ceil(loose.length / 6)), animate: false,
    boundingBox: { x1: 20, y1: top + colH + 70, w: width - 40, h: 60 * Math.max(1, Math.ceil(loose.length / 6)) } }).run();
  cy.fit(undefined, 15);
}

function ago(sec) {
  if (!sec) return '–';
  const d = Math.max(0, Math.round(Date.now() / 1000 - sec));
  return d < 60 ? `${d}s ago` : `${Math.round(d / 60)}m ago`;
}

function renderNodes(nodes) {
  const tb = $('nodes').querySelector('tbody');
  tb.textContent = '';
  for (const n of nodes) {
    const tr = document.createElement('tr');
    const total = n.rules.reduce((a, f) => a + f.rules, 0);
    const svc = n.rules.filter((f) => /KUBE-SVC|service/i.test(f.family)).reduce((a, f) => a + f.chains, 0);
    const cells = [n.node, n.proxyMode || '?', n.rules.length ? `${total} (${svc} svc chains)` : '–', ago(n.sync.proxyLastSync),
      n.sync.proxySyncMeanMs !== undefined ? `${n.sync.proxySyncMeanMs} ms ×${n.sync.proxySyncs}` : '–',
      n.sync.policyRules !== undefined ? `${n.sync.policyRules} rules` : '–'];
    for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); }
    tr.dataset.node = n.node;
    if (n.error) { tr.title = n.error; tr.classList.add('err'); }
    tb.appendChild(tr);
  }
}

function setOptions(sel, opts) {
  const cur = sel.value;
  const key = opts.map((o) => o[0]).join('|');
  if (sel.dataset.key === key) return;
  sel.dataset.key = key;
  sel.textContent = '';
  for (const [value, label] of opts) { const o = document.createElement('option'); o.value = value; o.textContent = label; sel.appendChild(o); }
  if (opts.some((o) => o[0] === cur)) sel.value = cur;
}

function fillSelects(nodes) {
  const pods = nodes.filter((n) => n.data.kind === 'pod').map((n) => n.data);
  const svcs = nodes.filter((n) => n.data.kind === 'service').map((n) => n.data);
  const labNodes = nodes.filter((n) => n.data.kind === 'node').map((n) => n.data);
  const pod = (p) => [`pod|${p.namespace}|${p.name}`, `pod ${p.namespace}/${p.name}${p.node ? ` (${p.node})` : ''}`];
  setOptions($('trace-src'), [...pods.map(pod), ...labNodes.map((n) => [`node||${n.name}`, `node ${n.name}`])]);
  setOptions($('trace-dst'), [...pods.map(pod), ...svcs.map((s) => [`svc|${s.namespace}|${s.name}`, `svc ${s.namespace}/${s.name}`])]);
  if ($('trace-dst').value === $('trace-src').value) {
    // a first guess worth tracing: a pod on another node than the source's
    const src = pods.find((p) => `pod|${p.namespace}|${p.name}` === $('trace-src').value);
    const other = pods.find((p) => src && p.node && p.node !== src.node);
    if (other) $('trace-dst').value = `pod|${other.namespace}|${other.name}`;
  }
  const caps = [['underlay', 'underlay bridge']];
  for (const n of nodes.map((x) => x.data)) {
    if (n.node && n.device) caps.push([`node/${n.node}/${n.device}`, `${n.node} ${n.device}`]);
    if (n.kind === 'pod' && n.node) caps.push([`pod/${n.name}|${n.namespace}`, `pod ${n.namespace}/${n.name} eth0`]);
  }
  setOptions($('cap-target'), caps);
  updateCaptureLink();
}

function updateCaptureLink() {
  const [target, ns] = $('cap-target').value.split('|');
  const q = new URLSearchParams({ target: target || 'underlay', count: $('cap-count').value, seconds: $('cap-seconds').value });
  if (ns) q.set('namespace', ns);
  $('cap-go').href = `/api/capture?${q}`;
  $('cap-go').setAttribute('download', `${(target || 'underlay').replace(/[^\w.-]+/g, '-')}.pcap`);
}
for (const id of ['cap-target', 'cap-count', 'cap-seconds']) $(id).addEventListener('change', updateCaptureLink);

async function getJSON(url) {
  const r = await fetch(url);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

cy.on('tap', 'node, edge', async (ev) => {
  const d = ev.target.data();
  let q;
  if (d.kind === 'node') q = { kind: 'node', name: d.name };
  else if (d.kind === 'pod') q = { kind: 'pod', name: d.name, namespace: d.namespace };
  else if (d.kind === 'service') q = { kind: 'service', name: d.name, namespace: d.namespace };
  else if (d.node && d.device) q = { kind: 'device', node: d.node, name: d.device };
  else { $('insp-title').textContent = d.id; $('inspect').textContent = JSON.stringify(d, null, 2); return; }
  $('insp-title').textContent = d.id;
  $('inspect').textContent = 'reading…';
  try { $('inspect').textContent = JSON.stringify(await getJSON(`/api/inspect?${new URLSearchParams(q)}`), null, 2); } catch (e) { $('inspect').textContent = `error: ${e.message}`; }
  if (d.node && d.device) { $('cap-target').value = `node/${d.node}/${d.device}`; updateCaptureLink(); }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

$('trace-run').addEventListener('click', async () => {
  const [sk, sns, sname] = $('trace-src').value.split('|');
  const [dk, dns, dname] = $('trace-dst').value.split('|');
  if (!sname || !dname) return;
  const port = $('trace-port').value.trim();
  const proto = $('trace-proto').value;
  let dst = `${dk}/${dname}`;
  const namespace = sns || dns || 'default';
  if (dk === 'pod' && dns !== namespace) dst = cy.getElementById(`pod:${dns}/${dname}`).data('ip') || dst;
  if (port && proto !== 'icmp') dst += `:${port}`;
  const q = new URLSearchParams({ src: `${sk}/${sname}`, dst, namespace, proto });
  cy.elements().removeClass('hop');
  state.trace = null; state.highlightDone = false;
  $('trace-hops').textContent = '';
  $('trace-verdict').textContent = 'tracing…';
  $('trace-verdict').className = '';
  try {
    const r = await getJSON(`/api/trace?${q}`);
    state.trace = r;
    $('trace-verdict').textContent = `${r.trace.verdict}${r.trace.reason ? `: ${r.trace.reason}` : ''}`;
    $('trace-verdict').className = `verdict-${r.trace.verdict}`;
    const items = r.highlight.map((h) => {
      const li = document.createElement('li');
      li.append(`${h.step} `, Object.assign(document.createElement('code'), { textContent: h.elements[0] || '' }), ` ${h.detail}`);
      $('trace-hops').appendChild(li);
      return li;
    });
    for (let i = 0; i < r.highlight.length; i++) {
      for (const id of r.highlight[i].elements) cy.getElementById(id).addClass('hop');
      items[i].classList.add('lit');
      await sleep(200);
    }
  } catch (e) {
    $('trace-verdict').textContent = `error: ${e.message}`;
    $('trace-verdict').className = 'err';
  }
  state.highlightDone = true;
});

function connect() {
  const es = new EventSource('/api/events');
  es.addEventListener('snapshot', (m) => { $('conn').textContent = 'live'; $('conn').className = 'conn live'; apply(JSON.parse(m.data)); });
  es.onerror = () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'conn'; };
}
connect();
