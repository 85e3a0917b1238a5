/**
 * @module server/routes/csv
 * CSV exports that open cleanly in a spreadsheet: quoted cells, CRLF, and no cell a spreadsheet
 * would run as a formula (untrusted text such as 12345 reports ends up in these files).
 */

export function csvCell(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  // a number is never a formula: a negative one stays a number
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replaceAll('"', '""')}"`;
}

/** a header row (plain) and data rows (quoted) */
export function csvDocument(header: string[], rows: (string | number | null)[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}
