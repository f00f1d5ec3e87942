import { dirname, join } from 'node:path';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { DomainError } from '../common/domain-error';
import type { HttpRequest, HttpResponse } from '../common/http.types';

/** `dashboards/` at the repository root: beside `src/` (ts-node, jest) and beside `dist/` (the build). */
const DASHBOARDS_ROOT = join(__dirname, '..', '..', 'dashboards');
/** chart.js from its npm package (never a CDN). */
const CHART_JS_ROOT = dirname(require.resolve('chart.js'));
const VENDOR_FILES: Record<string, string> = { 'chart.umd.min.js': 'chart.umd.min.js' };

/** Page and asset names: lower-case words, one optional folder, a known extension. No dots elsewhere, so no `..`. */
const ASSET = /^(?:[a-z0-9-]+\/)?[a-z0-9-]+\.(?:html|js|css|svg)$/;

/**
 * Pages only load what they ship or the API answers: no inline script or style, no third party.
 * chart.js sets canvas sizes through the CSSOM, which style-src does not restrict.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface ExpressResponse extends HttpResponse {
  sendFile(path: string, options: { root: string; dotfiles: 'deny'; cacheControl: false }, done: (error?: Error) => void): void;
  redirect(status: number, url: string): void;
}

/**
 * The dashboards' static pages at /dashboards/ (public: a page holds no data; every figure comes
 * from /v1 with the session cookie). Files are revalidated on each load (ETag), so a new release
 * shows at once.
 */
@ApiExcludeController()
@Public()
@Controller('dashboards')
export class DashboardStaticController {
  @Get()
  index(@Req() request: HttpRequest, @Res() response: ExpressResponse): Promise<void> {
    // Relative links in the pages need the trailing slash.
    if (!(request.originalUrl ?? request.url ?? '').split('?')[0]!.endsWith('/')) {
      response.redirect(301, '/dashboards/');
      return Promise.resolve();
    }
    return send(response, DASHBOARDS_ROOT, 'index.html');
  }

  @Get('vendor/:file')
  vendor(@Param('file') file: string, @Res() response: ExpressResponse): Promise<void> {
    const name = VENDOR_FILES[file];
    if (name === undefined) throw DomainError.notFound('Dashboard file', `vendor/${file}`);
    return send(response, CHART_JS_ROOT, name);
  }

  @Get('*path')
  asset(@Param('path') path: string | string[], @Res() response: ExpressResponse): Promise<void> {
    const name = Array.isArray(path) ? path.join('/') : path;
    if (!ASSET.test(name)) throw DomainError.notFound('Dashboard file', name);
    return send(response, DASHBOARDS_ROOT, name);
  }
}

function send(response: ExpressResponse, root: string, name: string): Promise<void> {
  response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
  response.setHeader('cache-control', 'no-cache');
  return new Promise((resolve, reject) => {
    response.sendFile(name, { root, dotfiles: 'deny', cacheControl: false }, (error) => {
      if (error === undefined) resolve();
      else if (response.headersSent) reject(error);
      else reject(DomainError.notFound('Dashboard file', name));
    });
  });
}
