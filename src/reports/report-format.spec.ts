import { negotiateReportFormat } from './report-format';

describe('negotiateReportFormat', () => {
  it.each<[string | undefined, string | null]>([
    [undefined, 'json'],
    ['', 'json'],
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['text/html', 'html'],
    ['*/*', 'json'],
    ['text/*', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'csv'],
    // what browsers send: HTML first
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['application/json;q=0.5, text/csv;q=0.9', 'csv'],
    ['text/*;q=0.3, text/html;q=0.7, */*;q=0.1', 'html'],
    // a more specific range overrides a wildcard, even with q=0
    ['*/*, application/json;q=0', 'csv'],
    ['text/*, text/csv;q=0', 'html'],
    ['application/xml', null],
    ['image/png, application/pdf', null],
    ['application/json;q=0', null],
    ['garbage', null],
  ])('Accept %p → %p', (accept, expected) => {
    expect(negotiateReportFormat(accept)).toBe(expected);
  });
});
