import { compactJsonText, toBatchAgreementJson } from './batch.mapper';

describe('agreement body from stored JSON text', () => {
  it('drops whitespace outside strings only, and keeps escapes', () => {
    const text = '{"a": [1, 2.5e-7, null], "b c": "x, y: \\"z\\" \\\\", "d": {"e": true}}';
    expect(compactJsonText(text)).toBe('{"a":[1,2.5e-7,null],"b c":"x, y: \\"z\\" \\\\","d":{"e":true}}');
    expect(JSON.parse(compactJsonText(text))).toEqual(JSON.parse(text));
    expect(compactJsonText('{"a":1}')).toBe('{"a":1}');
  });

  it('assembles { batchId, status, results } with the results in the core order', () => {
    const row = (modality: string, dimension: string) => ({
      modality,
      dimension,
      resultJson: JSON.stringify({ modality, dimension }).replace(/,/g, ', ').replace(/:/g, ': '),
    });
    const body = toBatchAgreementJson({ id: 'b1', status: 'completed' }, [
      row('image', 'objects'),
      row('text', 'topic'),
      row('audio', 'speech'),
      row('text', 'sentiment'),
    ]);
    expect(JSON.parse(body)).toEqual({
      batchId: 'b1',
      status: 'completed',
      results: [
        { modality: 'text', dimension: 'sentiment' },
        { modality: 'text', dimension: 'topic' },
        { modality: 'image', dimension: 'objects' },
        { modality: 'audio', dimension: 'speech' },
      ],
    });
    expect(body).not.toContain(' ');
  });

  it('has an empty results list for a batch without results', () => {
    expect(toBatchAgreementJson({ id: 'b1', status: 'queued' }, [])).toBe('{"batchId":"b1","status":"queued","results":[]}');
  });
});
