// The review server's JSON API. Every call throws an Error carrying the server's message and HTTP
// status when the request is refused, so the page can show the reviewer why.
//
// Login: when the server has reviewer accounts it answers 401 to a call without a valid token.
// The page then asks for the token once (askToken, set by app.js), keeps it in sessionStorage (so
// it lasts as long as the tab) and sends it as "Authorization: Bearer" on every request.
const TOKEN_KEY = 'longtail.token';
let askToken = null;     // async (message) => token, or null when the page cannot ask
let pendingAsk = null;  // one dialog for every call refused at the same time

export function setTokenPrompt(prompt) {
  askToken = prompt;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function headers(extra = {}) {
  const t = token();
  return t ? {...extra, Authorization: `Bearer ${t}`} : extra;
}

// fetch() with the token; on 401 asks for a (new) token and tries again.
async function authorizedFetch(path, init = {}) {
  for (;;) {
    const sent = token();
    const response = await fetch(path, {...init, headers: headers(init.headers)});
    if (response.status !== 401 || !askToken) return response;
    if (pendingAsk) {
      await pendingAsk;
      continue;
    }
    // Refused with a token another call has since replaced: just try again with the new one.
    if (token() !== sent) continue;
    let message = 'This server needs your reviewer token.';
    try {
      const payload = await response.clone().json();
      if (sent && payload && payload.error) message = payload.error;
    } catch (_) {
    }
    if (!pendingAsk) {
      pendingAsk = askToken(message).then((entered) => {
        sessionStorage.setItem(TOKEN_KEY, entered);
      }).finally(() => {
        pendingAsk = null;
      });
    }
    await pendingAsk;
  }
}

async function call(method, path, body) {
  const response = await authorizedFetch(path, {
    method,
    headers: body === undefined ? {} : {'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get('Content-Type') || '';
  const payload = type.startsWith('application/json') ? await response.json() : null;
  if (!response.ok) {
    const error =
        new Error((payload && payload.error) || `${method} ${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return payload;
}

export const api = {
  whoami: () => call('GET', '/api/whoami'),
  stats: () => call('GET', '/api/stats'),
  tasks: (state) => call('GET', '/api/tasks' + (state ? `?state=${state}` : '')),
  task: (id) => call('GET', `/api/tasks/${id}`),
  frame: (id, index) => call('GET', `/api/tasks/${id}/frames/${index}`),
  claim: (reviewer) => call('POST', '/api/claim', {reviewer}),
  heartbeat: (claim_id, reviewer) => call('POST', '/api/heartbeat', {claim_id, reviewer}),
  release: (claim_id, reviewer) => call('POST', '/api/release', {claim_id, reviewer}),
  submit: (taskId, body) => call('POST', `/api/tasks/${taskId}/submit`, body),
  // For the tab closing: keepalive lets the request outlive the page (sendBeacon cannot carry
  // the Authorization header).
  releaseOnExit: (claim_id, reviewer) => fetch('/api/release', {
    method: 'POST',
    keepalive: true,
    headers: headers({'Content-Type': 'application/json'}),
    body: JSON.stringify({claim_id, reviewer}),
  }),

  // x, y, z, intensity float32 quadruples in the vehicle frame.
  async points(url) {
    const response = await authorizedFetch(url);
    if (!response.ok) throw new Error(`points: HTTP ${response.status}`);
    return new Float32Array(await response.arrayBuffer());
  },
  async image(url) {
    const response = await authorizedFetch(url);
    if (!response.ok) throw new Error(`image: HTTP ${response.status}`);
    return createImageBitmap(await response.blob());
  },
};
