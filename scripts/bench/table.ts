/** One row of the benchmark table. */
export interface BenchRow {
  scenario: string;
  measure: string;
  value: number;
  unit: string;
  /** The baseline's figure measured in the same run, if any. */
  baseline?: number;
  baselineName?: string;
  /** The ratio the issue asks for, if any (value / baseline ≥ bar). */
  bar?: number;
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value >= 10 ? 1 : 2);
}

/** Prints rows as an aligned text table. */
export function printTable(rows: BenchRow[]): void {
  const header = [
    "scenario",
    "measure",
    "value",
    "baseline",
    "ratio",
    "bar",
  ];
  const lines = rows.map((row) => {
    const ratio = row.baseline ? row.value / row.baseline : undefined;
    const verdict = row.bar === undefined || ratio === undefined
      ? ""
      : `${ratio >= row.bar ? "ok" : "below"} ≥ ${row.bar}`;
    return [
      row.scenario,
      row.measure,
      `${format(row.value)} ${row.unit}`,
      row.baseline === undefined
        ? ""
        : `${format(row.baseline)} ${row.unit} (${row.baselineName})`,
      ratio === undefined ? "" : ratio.toFixed(2),
      verdict,
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column].length))
  );
  const render = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column])).join("  ")
      .trimEnd();
  console.log(render(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(render(line));
}
