// Serve one RecordsResource through each supported stack on a real loopback port.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Identity } from '@recordkit/records-service';
import { createFetchHandler, createNodeHandler, type RecordsResource } from '@recordkit/records-service/http';
import { UnauthorizedError } from '@recordkit/rest-errors';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';

export type StackName = 'node:http' | 'express' | 'fastify' | 'koa' | 'hono';
export const STACKS: readonly StackName[] = ['node:http', 'express', 'fastify', 'koa', 'hono'];

export interface Running {
  url: string;
  close: () => Promise<void>;
}

/** Bearer tokens of the test users. */
export const USERS: Readonly<Record<string, Identity>> = {
  alice: { id: 'alice' },
  bob: { id: 'bob' },
  carol: { id: 'carol', roles: ['curator'] },
};

function fromAuthorization(value: string | null | undefined): Identity | undefined {
  if (!value) return undefined;
  const token = value.match(/^Bearer (\S+)$/)?.[1];
  const user = token ? USERS[token] : undefined;
  if (!user) throw new UnauthorizedError('The access token is invalid.', { challenge: 'Bearer error="invalid_token"' });
  return user;
}

const identifyNode = (req: IncomingMessage) => fromAuthorization(req.headers.authorization);
const identifyFetch = (request: Request) => fromAuthorization(request.headers.get('authorization'));

async function listen(server: Server): Promise<Running> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Start `resource` behind `stack` on 127.0.0.1, port 0. */
export async function startStack(stack: StackName, resource: RecordsResource): Promise<Running> {
  const nodeHandler = createNodeHandler(resource, { identify: identifyNode });
  switch (stack) {
    case 'node:http':
      return listen(createServer(nodeHandler));
    case 'express': {
      const app = express();
      app.disable('x-powered-by');
      app.use((req, res) => {
        void nodeHandler(req, res);
      });
      return listen(createServer(app));
    }
    case 'koa': {
      const app = new Koa();
      app.use(async (ctx) => {
        ctx.respond = false;
        await nodeHandler(ctx.req, ctx.res);
      });
      return listen(createServer(app.callback()));
    }
    case 'fastify': {
      const app = Fastify();
      // Leave the body unread: the resource reads it only once the request is acceptable.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', (_request, _payload, done) => done(null));
      app.all('/*', async (request, reply) => {
        reply.hijack();
        await nodeHandler(request.raw, reply.raw);
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
    }
    case 'hono': {
      const app = new Hono();
      const handler = createFetchHandler(resource, { identify: identifyFetch });
      app.all('*', (c) => handler(c.req.raw));
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
      if (!server.listening) await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    }
  }
}
