/** H.264 Annex B byte streams: split into NAL units (start codes 00 00 01 / 00 00 00 01). */

export function splitAnnexB(data: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) {
        let end = i;
        while (end > start && data[end - 1] === 0) end -= 1; // trailing zero of a 4-byte start code
        if (end > start) nals.push(data.subarray(start, end));
      }
      i += 3;
      start = i;
    } else {
      i += 1;
    }
  }
  if (start >= 0 && start < data.length) nals.push(data.subarray(start));
  return nals;
}

export const nalType = (nal: Buffer): number => nal[0]! & 0x1f;
export const isKeyframe = (nals: Buffer[]): boolean => nals.some((n) => nalType(n) === 5);
