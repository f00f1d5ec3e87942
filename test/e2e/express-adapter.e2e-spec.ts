import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Controller, Get, Module, Query, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { PrototypeStableExpressAdapter } from '../../src/common/express-adapter';

@Controller()
class EchoController {
  @Get('echo')
  echo(@Query('q') q: string, @Req() req: { hostname: string; get(name: string): string | undefined }): object {
    // Express's request helpers (from app.request's prototype chain) work as before.
    return { q, host: req.hostname, agent: req.get('x-test') };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('PrototypeStableExpressAdapter', () => {
  let app: NestExpressApplication;
  const built: boolean[] = [];

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(EchoModule, new PrototypeStableExpressAdapter(), { logger: false });
    await app.init();
    const express = app.getHttpAdapter().getInstance() as { request: object; response: object };
    // Runs before Express's own handler: the objects as the HTTP server built them.
    (app.getHttpServer() as Server).prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      built.push(Object.getPrototypeOf(req) === express.request && Object.getPrototypeOf(res) === express.response);
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('builds requests and responses with Express\'s prototypes, so Express never has to change them', async () => {
    const response = await request(app.getHttpServer()).get('/echo?q=1').set('x-test', 'yes').expect(200);
    expect(response.body).toEqual({ q: '1', host: '127.0.0.1', agent: 'yes' });
    expect(built).toEqual([true]);
  });
});
