// Runs the web client's SRP code under node for tests/unit/test_web_srp.py.
// stdin: {"mode": "math", ...fixed inputs} or {"mode": "flow", config, email, password, cognito};
// stdout: JSON with what the browser code computed (big numbers as hex) or sent.

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
}));

const srpUrl = new URL("../../web/js/srp.js", import.meta.url);
const apiUrl = new URL("../../web/js/api.js", import.meta.url);
const hex = (value) => value.toString(16);

async function math({ a, B, salt, poolId, userId, password, secretBlock, timestamp, dates }) {
  const srp = await import(srpUrl);
  const poolName = poolId.split("_")[1];
  const small = BigInt(`0x${a}`);
  const A = srp.largeA(small);
  const { u, x, S, key } = await srp.authenticationKey({
    a: small, A, B: BigInt(`0x${B}`), salt: BigInt(`0x${salt}`), poolName, userId, password,
  });
  const responses = await srp.passwordVerifierResponses({
    a: small, A, poolId, password, timestamp,
    challenge: { SRP_B: B, SALT: salt, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userId },
  });
  return {
    A: hex(A), k: hex(await srp.multiplierK()), u: hex(u), x: hex(x), S: hex(S),
    key: Buffer.from(key).toString("hex"),
    signature: await srp.claimSignature(key, poolName, userId, secretBlock, timestamp),
    responses,
    timestamps: dates.map((iso) => srp.cognitoTimestamp(new Date(iso))),
    start: srp.srpStart().srpA.length > 0,
  };
}

/** Signs in and refreshes through api.js against a scripted Cognito, recording every request. */
async function flow({ config, email, password, cognito, mfaCode }) {
  const store = new Map();
  globalThis.window = { FLINT_CONFIG: {} };
  globalThis.location = { search: "", protocol: "http:", hostname: "localhost" };
  globalThis.sessionStorage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
  };
  const requests = [];
  globalThis.fetch = async (url, init) => {
    const target = init.headers["X-Amz-Target"].split(".").pop();
    const body = JSON.parse(init.body);
    requests.push({ url, target, body });
    const flowName = body.AuthFlow || body.ChallengeName;
    // A password step answered with an MFA challenge: cognito["PASSWORD_VERIFIER"] or the
    // password flow's answer says so; the code's answer is cognito["SOFTWARE_TOKEN_MFA"].
    const answer = cognito[flowName];
    return { ok: true, status: 200, json: async () => answer };
  };
  const api = await import(apiUrl);
  api.state.config = config;
  const chosen = api.signInFlow();
  await api.signIn(email, password, async () => mfaCode);
  const afterSignIn = { ...api.state.session };
  await api.refreshSession();
  return { chosen, requests, afterSignIn, afterRefresh: api.state.session };
}

const output = input.mode === "math" ? await math(input) : await flow(input);
process.stdout.write(JSON.stringify(output));
