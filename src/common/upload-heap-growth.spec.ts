import { UploadHeapGrowth } from './upload-heap-growth';

describe('UploadHeapGrowth', () => {
  it('tightens the heap while any upload runs and gives V8 its own factor back after the last', () => {
    const flags: string[] = [];
    const growth = new UploadHeapGrowth((value) => flags.push(value));
    const endFirst = growth.begin(20);
    const endSecond = growth.begin(20);
    expect(flags).toEqual(['--heap-growing-percent=20']);
    endFirst();
    endFirst();
    expect(flags).toEqual(['--heap-growing-percent=20']);
    endSecond();
    expect(flags).toEqual(['--heap-growing-percent=20', '--heap-growing-percent=0']);
    growth.begin(35)();
    expect(flags.slice(2)).toEqual(['--heap-growing-percent=35', '--heap-growing-percent=0']);
  });

  it('leaves the flags alone when the growth is 0', () => {
    const flags: string[] = [];
    new UploadHeapGrowth((value) => flags.push(value)).begin(0)();
    expect(flags).toEqual([]);
  });
});
