// A real OpenID Connect provider for zegel's tests: panva's oidc-provider
// (certified OpenID Connect conformance), on a loopback address, with one
// confidential client and a few accounts. Run by crates/zegel/tests/oidc.rs
// and crates/zegel/tests/browser.rs (for tests/browser/oidc.mjs).
//
//   node tests/browser/oidc_provider.mjs --host 127.0.0.2 --port 0 \
//     --client-id zegel --client-secret geheim \
//     --redirect-uri http://127.0.0.1:8080/app/login/oidc/callback
//
// Port 0 takes a free port. When it listens it prints one line,
// "OIDC PROVIDER READY <issuer>", and then one line per request it serves.
// It runs until it is killed.
//
// Sign-in is oidc-provider's own development form (devInteractions): the
// login field is the account id below, any password. Consent is taken as
// given (a first-party client), so the flow is login, then back to the
// client. Authorization codes only, PKCE required, ID tokens signed with
// RS256 (the development key set, made at start).
//
// Accounts (ZEGEL_OIDC_ACCOUNTS as JSON replaces them): id -> claims.
// `idTokenWithoutEmail`: the e-mail claims are only in the userinfo answer
// (as providers that keep ID tokens small do).

import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string', default: 'zegel' },
    'client-secret': { type: 'string', default: 'zegel-test-secret' },
    'redirect-uri': { type: 'string' },
  },
});
if (!args['redirect-uri']) {
  process.stderr.write('oidc_provider.mjs: --redirect-uri is needed\n');
  process.exit(2);
}

const accounts = process.env.ZEGEL_OIDC_ACCOUNTS
  ? JSON.parse(process.env.ZEGEL_OIDC_ACCOUNTS)
  : {
      fg: { email: 'fg@zorg.nl', email_verified: true },
      jan: { email: 'jan@zorg.nl', email_verified: true },
      piet: { email: 'piet@zorg.nl', email_verified: true, idTokenWithoutEmail: true },
      onbekend: { email: 'onbekend@zorg.nl', email_verified: true },
      ongeverifieerd: { email: 'jan@zorg.nl', email_verified: false },
      oud: { email: 'oud@zorg.nl', email_verified: true },
      gast: { email: 'gast@partner.example', email_verified: true },
    };

async function findAccount(ctx, id) {
  const account = accounts[id];
  if (!account) return undefined;
  return {
    accountId: id,
    async claims(use) {
      if (use === 'id_token' && account.idTokenWithoutEmail) return { sub: id };
      const claims = { sub: id, email: account.email };
      if ('email_verified' in account) claims.email_verified = account.email_verified;
      return claims;
    },
  };
}

// Consent as given for the one (first-party) client.
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId
    || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope('openid email');
  await grant.save();
  return grant;
}

// The issuer needs the port, which is known only once listening: take a
// free port first when asked for 0.
async function freePort(host) {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const port = Number(args.port) || (await freePort(args.host));
const issuer = `http://${args.host}:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: [args['redirect-uri']],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  findAccount,
  loadExistingGrant,
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // Scope claims in the ID token too (most providers put the address there).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['zegel-test-provider-only'] },
});
provider.on('server_error', (ctx, err) => process.stderr.write(`oidc-provider server_error: ${err.stack}\n`));
provider.use(async (ctx, next) => {
  await next();
  process.stdout.write(`${ctx.method} ${ctx.path} ${ctx.status}\n`);
});
provider.listen(port, args.host, () => {
  process.stdout.write(`OIDC PROVIDER READY ${issuer}\n`);
});
