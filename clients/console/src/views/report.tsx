// The shop's report: first response and satisfaction per day over the last 30 days, as bars.
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";
import { report } from "../store";

type Row = {
  period_start: string;
  conversations: number;
  answered: number;
  first_response_avg_seconds: number | null;
  csat_avg: number | null;
  csat_responses: number;
};

export function Report() {
  const [rows, setRows] = useState<Row[] | null>(null);
  useEffect(() => void report().then(setRows), []);
  if (!rows) return null;
  if (rows.length === 0) return <p class="empty">{t("noData")}</p>;
  const seconds = rows.map((r) => r.first_response_avg_seconds);
  return (
    <div class="report" data-testid="report">
      <p>{t("last30")}</p>
      <Bars
        title={t("firstResponse")}
        rows={rows}
        values={seconds}
        max={Math.max(1, ...seconds.map((s) => s ?? 0))}
        format={duration}
        testid="chart-first-response"
      />
      <Bars title={t("csat")} rows={rows} values={rows.map((r) => r.csat_avg)} max={5} format={(v) => v.toFixed(1)} testid="chart-csat" />
      <table>
        <thead>
          <tr>
            <th />
            <th>{t("conversations")}</th>
            <th>{t("answered")}</th>
            <th>{t("firstResponse")}</th>
            <th>{t("csat")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr>
              <td>{r.period_start}</td>
              <td>{r.conversations}</td>
              <td>{r.answered}</td>
              <td>{seconds[i] === null ? "–" : duration(seconds[i]!)}</td>
              <td>{r.csat_avg?.toFixed(1) ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** 45 s, 3.5 min, 2.0 h: first responses run from seconds to hours. */
function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} ${t("sec")}`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} ${t("min")}`;
  return `${(seconds / 3600).toFixed(1)} ${t("hour")}`;
}

function Bars(props: {
  title: string;
  rows: Row[];
  values: (number | null)[];
  max: number;
  format: (v: number) => string;
  testid: string;
}) {
  const width = 40;
  const height = 120;
  const top = 18; // room for the value over the tallest bar
  return (
    <figure data-testid={props.testid}>
      <figcaption>{props.title}</figcaption>
      <svg width={props.rows.length * width + 10} height={height + top + 32} role="img" aria-label={props.title}>
        {props.rows.map((r, i) => {
          const v = props.values[i];
          const h = v === null ? 0 : Math.max(2, (v / props.max) * height);
          return (
            <g transform={`translate(${i * width + 5},${top})`}>
              <rect x={6} y={height - h} width={width - 12} height={h} class="bar" />
              <text x={width / 2} y={height - h - 4} text-anchor="middle">
                {v === null ? "" : props.format(v)}
              </text>
              <text x={width / 2} y={height + 16} text-anchor="middle" class="axis">
                {r.period_start.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
