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
  const minutes = rows.map((r) => (r.first_response_avg_seconds === null ? null : r.first_response_avg_seconds / 60));
  return (
    <div class="report" data-testid="report">
      <p>{t("last30")}</p>
      <Bars title={t("firstResponse")} rows={rows} values={minutes} max={Math.max(1, ...minutes.map((m) => m ?? 0))} testid="chart-first-response" />
      <Bars title={t("csat")} rows={rows} values={rows.map((r) => r.csat_avg)} max={5} testid="chart-csat" />
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
              <td>{minutes[i]?.toFixed(1) ?? "–"}</td>
              <td>{r.csat_avg?.toFixed(1) ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Bars(props: { title: string; rows: Row[]; values: (number | null)[]; max: number; testid: string }) {
  const width = 40;
  const height = 120;
  return (
    <figure data-testid={props.testid}>
      <figcaption>{props.title}</figcaption>
      <svg width={props.rows.length * width + 10} height={height + 40} role="img" aria-label={props.title}>
        {props.rows.map((r, i) => {
          const v = props.values[i];
          const h = v === null ? 0 : Math.max(2, (v / props.max) * height);
          return (
            <g transform={`translate(${i * width + 5},0)`}>
              <rect x={6} y={height - h + 10} width={width - 12} height={h} class="bar" />
              <text x={width / 2} y={height - h + 4} text-anchor="middle">
                {v === null ? "" : v.toFixed(1)}
              </text>
              <text x={width / 2} y={height + 28} text-anchor="middle" class="axis">
                {r.period_start.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
