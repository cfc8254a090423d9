// SPDX-License-Identifier: Apache-2.0
// An MCP server built with the official TypeScript SDK, Streamable HTTP,
// stateless (a server and transport per request), with one tool. It runs
// behind httpd + mod_auth_introspect (mod_proxy) and does no OAuth of its
// own: the tool answers with the X-Introspect-Client-Id header the module
// set, so the client sees that its token passed the module.
//
// Usage: node server.js       Prints "READY <port>" once it listens on
//                             127.0.0.1.
import http from 'node:http';

let McpServer, StreamableHTTPServerTransport;
try {
    ({ McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js'));
    ({ StreamableHTTPServerTransport } = await import(
        '@modelcontextprotocol/sdk/server/streamableHttp.js'));
} catch (err) {
    process.stderr.write('mcp: @modelcontextprotocol/sdk is not installed; '
        + 'run "npm ci" in tests/integration/mcp (' + err.message + ')\n');
    process.exit(3);
}

function mcpServer(req) {
    const server = new McpServer({ name: 'mai-test-tools', version: '1.0.0' });
    server.registerTool('whoami', {
        description: 'The OAuth client the resource server authenticated',
    }, async () => ({
        content: [{
            type: 'text',
            text: 'client_id=' + (req.headers['x-introspect-client-id']
                                  || '(none)'),
        }],
    }));
    return server;
}

const httpServer = http.createServer(async (req, res) => {
    if (req.method !== 'POST') {
        // stateless: no GET stream, no DELETE of a session
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
    }
    const server = mcpServer(req);
    const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
    });
    res.on('close', () => { transport.close(); server.close(); });
    try {
        await server.connect(transport);
        await transport.handleRequest(req, res);
    } catch (err) {
        process.stderr.write('mcp: ' + err.stack + '\n');
        if (!res.headersSent) {
            res.writeHead(500).end();
        }
    }
});
httpServer.listen(0, '127.0.0.1', () => {
    process.stdout.write(`READY ${httpServer.address().port}\n`);
});
process.on('SIGTERM', () => httpServer.close(() => process.exit(0)));
