// Today's bookings, one column per staff member, as the calendar and booking frames say.
import { locale, t } from "../i18n";
import { use } from "../signal";
import { names, services, timezone, todays, type Booking } from "../store";

export function Today() {
  const bookings = [...use(todays).values()].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const people = use(names);
  const catalog = use(services);
  const zone = use(timezone);
  const columns = new Map<string, Booking[]>();
  for (const b of bookings) columns.set(b.staff_id ?? "", [...(columns.get(b.staff_id ?? "") ?? []), b]);
  const time = (iso: string) => new Date(iso).toLocaleTimeString(locale(), { timeZone: zone, hour: "2-digit", minute: "2-digit" });
  if (bookings.length === 0) return <p class="empty" data-testid="today-empty">{t("noBookings")}</p>;
  return (
    <div class="today" data-testid="today">
      {[...columns].map(([staff, list]) => (
        <section class="column" data-testid="staff-column" data-staff={staff}>
          <h3>{staff ? (people.get(staff) ?? staff.slice(0, 8)) : t("noStaff")}</h3>
          {list.map((b) => (
            <div class={`booking ${b.status}`} data-testid="booking" data-booking={b.booking_id} data-status={b.status}>
              <b>
                {time(b.starts_at)}–{time(b.ends_at)}
              </b>
              <span>{b.service_name ?? catalog.get(b.service_id) ?? ""}</span>
              <span>{people.get(b.customer_id) ?? ""}</span>
              <span class="status">{t(`status_${b.status}`)}</span>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
