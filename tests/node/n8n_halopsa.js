// Runs n8n's published HaloPSA credential and node code (n8n-nodes-base, unpacked by .ci/run) against
// a Halo, unchanged. Only what n8n's runtime would give the node is provided here: `n8n-workflow`'s
// error classes, `this.getCredentials`, and `this.helpers.request` with request-promise's options
// (uri, method, headers, form, qs, body, json) over Node's own fetch.
//
// Usage: node n8n_halopsa.js DIST_DIR, with on stdin one JSON object:
//   {"fields": [{"label": "...", "value": "..."}], "secret": "..."}
// where `fields` are the values typed into n8n's credential form, by the labels n8n shows, and the
// Client Secret comes apart. Prints one JSON line per step: the credential test, then each list the
// node loads first. Never prints the secret.
'use strict';

const path = require('path');
const Module = require('module');

class NodeApiError extends Error {
  constructor(node, error) {
    super((error && error.message) || String(error));
    this.httpCode = error && error.statusCode;
  }
}
const workflow = {
  NodeApiError,
  NodeOperationError: class NodeOperationError extends Error {},
  NodeConnectionTypes: { Main: 'main' },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'n8n-workflow' ? workflow : load.call(this, request, ...rest);
};

const dist = process.argv[2];
const { HaloPSAApi } = require(path.join(dist, 'credentials', 'HaloPSAApi.credentials.js'));
const { HaloPSA } = require(path.join(dist, 'nodes', 'HaloPSA', 'HaloPSA.node.js'));

// request-promise's form encoding and its error message shape ("<status> - <body>").
async function request(options) {
  let url = options.uri;
  if (options.qs && Object.keys(options.qs).length > 0) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(options.qs)) q.append(k, String(v));
    url += (url.includes('?') ? '&' : '?') + q.toString();
  }
  const init = { method: options.method || 'GET', headers: { ...(options.headers || {}) } };
  if (options.form) {
    init.body = new URLSearchParams(options.form).toString();
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
  }
  delete init.headers['Accept-Encoding'];
  delete init.headers.Connection;
  const res = await fetch(url, init);
  const text = await res.text();
  let body = text;
  if (options.json) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      body = text;
    }
  }
  if (res.status < 200 || res.status >= 300) {
    const err = new Error(`${res.status} - ${typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)}`);
    err.statusCode = res.status;
    throw err;
  }
  return body;
}

// The credential's data as n8n stores it: defaults, the typed values by label, option labels
// turned into their values, and fields the chosen options hide left out.
function credentials(fields, secret) {
  const data = {};
  const props = new HaloPSAApi().properties;
  for (const p of props) if (p.default !== undefined && p.default !== '') data[p.name] = p.default;
  for (const f of fields) {
    const p = props.find((x) => x.displayName === f.label);
    if (!p) throw new Error(`n8n's credential form has no field labelled ${JSON.stringify(f.label)}`);
    let v = f.value;
    if (p.type === 'options') {
      const o = p.options.find((x) => x.name === v);
      if (!o) throw new Error(`n8n's ${p.displayName} has no option ${JSON.stringify(v)}`);
      v = o.value;
    }
    if (p.typeOptions && p.typeOptions.password) v = secret;
    data[p.name] = v;
  }
  for (const p of props) {
    const show = p.displayOptions && p.displayOptions.show;
    if (show && !Object.entries(show).every(([k, vals]) => vals.includes(data[k]))) delete data[p.name];
  }
  return data;
}

async function main() {
  const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const creds = credentials(input.fields, input.secret);
  const ctx = {
    getCredentials: async () => creds,
    getNode: () => ({ name: 'HaloPSA', type: 'n8n-nodes-base.haloPSA' }),
    helpers: { request },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  };
  const node = new HaloPSA();
  const say = (o) => {
    const line = JSON.stringify(o);
    if (input.secret && line.includes(input.secret)) throw new Error('the secret would be printed');
    console.log(line);
  };
  const test = await node.methods.credentialTest.haloPSAApiCredentialTest.call(ctx, { data: creds });
  say({ step: 'credentialTest', ok: test.status === 'OK', message: test.message });
  for (const name of ['getHaloPSASites', 'getHaloPSAClients', 'getHaloPSATicketsTypes', 'getHaloPSAAgents']) {
    try {
      const options = await node.methods.loadOptions[name].call(ctx);
      say({ step: name, ok: true, count: options.length, names: options.slice(0, 3).map((o) => o.name) });
    } catch (e) {
      say({ step: name, ok: false, message: String(e.message).slice(0, 200) });
    }
  }
}

main().catch((e) => {
  console.log(JSON.stringify({ step: 'shim', ok: false, message: String(e.message) }));
  process.exit(2);
});
