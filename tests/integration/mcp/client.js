// SPDX-License-Identifier: Apache-2.0
// The official MCP TypeScript SDK's client with its client-credentials
// OAuth provider, given only the MCP URL: from the 401 it must find the
// protected-resource metadata (RFC 9728), the authorization server
// (RFC 8414), get a token for the resource (RFC 8707) and call a tool.
//
// Usage: MCP_CLIENT_SECRET=... node client.js MCP_URL CLIENT_ID SCOPE
// (the secret comes from the environment, so it is not on a command line
// for ps to show). MCP_PRESET_TOKEN, if set, is a token the client holds
// already (say, one for another MCP server): it tries that first, and
// gets a new one only if the server refuses it with a 401.
// Prints one JSON line: {"ok": true, "tools": [...], "result": "...",
// "resource": ..., "authorization_server": ..., "preset_replaced": ...}
// or {"ok": false, "error": "..."}; exits 0 either way, 2 on bad usage.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport }
    from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider }
    from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const [url, clientId, scope] = process.argv.slice(2);
const clientSecret = process.env.MCP_CLIENT_SECRET;
const preset = process.env.MCP_PRESET_TOKEN;
if (!url || !clientId || !clientSecret) {
    process.stderr.write('usage: MCP_CLIENT_SECRET=... node client.js '
        + 'MCP_URL CLIENT_ID [SCOPE]\n');
    process.exit(2);
}

// The provider records what discovery found, for the test to check.
class Recorder extends ClientCredentialsProvider {
    saveDiscoveryState(state) { this.discovered = state; }
    discoveryState() { return this.discovered; }
}

const out = {};
const provider = new Recorder({ clientId, clientSecret, scope });
if (preset) {
    provider.saveTokens({ access_token: preset, token_type: 'Bearer' });
}
const transport = new StreamableHTTPClientTransport(new URL(url),
                                                    { authProvider: provider });
const client = new Client({ name: 'mai-interop', version: '1.0.0' });
// a bound on the whole exchange, whatever hangs
const timer = setTimeout(() => {
    process.stdout.write(JSON.stringify({ ok: false, error: 'timeout' })
                         + '\n');
    process.exit(1);
}, 30000);
try {
    await client.connect(transport);
    const tools = await client.listTools();
    out.tools = tools.tools.map((t) => t.name);
    const res = await client.callTool({ name: 'whoami', arguments: {} });
    out.result = res.content[0].text;
    out.ok = true;
} catch (err) {
    out.ok = false;
    out.error = String(err && err.message || err);
}
const d = provider.discovered || {};
out.resource = d.resourceMetadata ? d.resourceMetadata.resource : null;
out.scopes_supported = d.resourceMetadata
    ? d.resourceMetadata.scopes_supported : null;
out.authorization_server = d.authorizationServerUrl || null;
out.token_endpoint = d.authorizationServerMetadata
    ? d.authorizationServerMetadata.token_endpoint : null;
// never the token itself: only whether the SDK had to replace it
out.preset_replaced = preset
    ? (provider.tokens() || {}).access_token !== preset : null;
clearTimeout(timer);
await client.close().catch(() => {});
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
