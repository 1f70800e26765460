// The OpenID provider of the single sign-on cluster tests: oidc-provider (an OpenID-certified
// provider library) with a login form of our own, run by node in the test namespace.
//   ISSUER        the issuer URL, the in-cluster name the server pods and the browser both use
//   /etc/oidc/    jwks.json (the signing keys, from a Secret), clients.json, users.json
//                 ({"alice": {"password": "...", "email": "...", "name": "...", "groups": [...]}}),
//                 cookie-key
// Every answer is logged as one line, so a failing test can show what the provider saw.
import http from "node:http";
import fs from "node:fs";
import { URLSearchParams } from "node:url";
import Provider from "/opt/oidc-provider/node_modules/oidc-provider/lib/index.js";

const read = (name) => JSON.parse(fs.readFileSync(`/etc/oidc/${name}`, "utf8"));
const users = read("users.json");
const issuer = process.env.ISSUER;

const provider = new Provider(issuer, {
  clients: read("clients.json"),
  jwks: read("jwks.json"),
  cookies: { keys: [fs.readFileSync("/etc/oidc/cookie-key", "utf8").trim()] },
  scopes: ["openid", "email", "profile", "groups", "offline_access"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
    groups: ["groups"],
  },
  // The groups and email claims in the ID token too, not only at userinfo: the plugin reads the ID token.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({
        sub: id,
        email: user.email,
        email_verified: true,
        name: user.name,
        preferred_username: id,
        groups: user.groups,
      }),
    };
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => false },
  ttl: { AccessToken: 3600, IdToken: 3600, Session: 3600, Interaction: 600, Grant: 3600, ClientCredentials: 3600 },
});
provider.proxy = true;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (uid, message) => `<!doctype html>
<html><head><title>Test provider: log in</title></head>
<body><h1>Log in to the test provider</h1>
${message ? `<p id="error">${escape(message)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>User <input id="username" name="username" autocomplete="off"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Log in</button>
</form></body></html>`;

const body = (req) => new Promise((resolve) => {
  let data = "";
  req.on("data", (chunk) => { data += chunk; });
  req.on("end", () => resolve(new URLSearchParams(data)));
});

const callback = provider.callback();
http.createServer(async (req, res) => {
  res.on("finish", () => console.log(`${req.method} ${req.url.split("?")[0]} ${res.statusCode}`));
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    const { uid, prompt, params } = details;
    if (prompt.name === "login" && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(page(uid));
    }
    if (prompt.name === "login" && match[2]) {
      const form = await body(req);
      const user = users[form.get("username")];
      if (!user || user.password !== form.get("password")) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return res.end(page(uid, "Wrong user name or password."));
      }
      return provider.interactionFinished(req, res, { login: { accountId: form.get("username") } }, { mergeWithLastSubmission: false });
    }
    if (prompt.name === "consent") {
      // A first-party client: consent is given on the user's behalf, for what the client asked.
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      if (prompt.details.missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) grant.addResourceScope(indicator, scopes.join(" "));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    res.writeHead(400);
    res.end(`unexpected prompt ${prompt.name}`);
  } catch (error) {
    console.log(`interaction error: ${error}`);
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(String(error));
  }
}).listen(3000, () => console.log(`test provider listening on 3000 as ${issuer}`));
