import type { ReportFlagRow, ReportSource } from './report.types';

/** A flag as JSON text, in the order of the ReportFlag schema, with its evidence spliced in. */
function flagJson(flag: ReportFlagRow): string {
  const { evidenceJson, status, change, ...rest } = flag;
  return `${JSON.stringify(rest).slice(0, -1)},"evidence":${evidenceJson},"status":${JSON.stringify(status)},"change":${JSON.stringify(change)}}`;
}

const KEY_GROUPS = ['resolved', 'remaining', 'new'] as const;

/**
 * The JSON report (RejectionReportResponse), written as a stream: the head in one piece, then the
 * re-delivery's key lists and the flags grouped by item, page by page as the cursors yield them —
 * a report of 100,000 flags is never one string in memory.
 */
export async function* jsonReport(source: ReportSource): AsyncGenerator<string> {
  const { redelivery, ...head } = source.head;
  yield `${JSON.stringify(head).slice(0, -1)},"redelivery":`;
  if (redelivery === null) {
    yield 'null';
  } else {
    yield `${JSON.stringify(redelivery).slice(0, -1)},"flags":{`;
    let group = -1;
    let first = true;
    for await (const page of source.redeliveryKeys) {
      let text = '';
      for (const { key, change } of page) {
        const index = KEY_GROUPS.indexOf(change);
        while (group < index) {
          group += 1;
          text += `${group === 0 ? '' : ']'}${group === 0 ? '' : ','}"${KEY_GROUPS[group]}":[`;
          first = true;
        }
        text += `${first ? '' : ','}${JSON.stringify(key)}`;
        first = false;
      }
      yield text;
    }
    let tail = '';
    while (group < KEY_GROUPS.length - 1) {
      group += 1;
      tail += `${group === 0 ? '' : '],'}"${KEY_GROUPS[group]}":[`;
    }
    yield `${tail}]}}`;
  }
  yield ',"items":[';
  let current: string | null | undefined;
  for await (const page of source.flags) {
    let text = '';
    for (const flag of page) {
      if (current === undefined || flag.item !== current) {
        text += `${current === undefined ? '' : ']},'}{"item":${JSON.stringify(flag.item)},"flags":[`;
        current = flag.item;
      } else {
        text += ',';
      }
      text += flagJson(flag);
    }
    yield text;
  }
  yield current === undefined ? ']}' : ']}]}';
}
