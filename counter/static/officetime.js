// The office's local time, whatever the device's own time zone: display screens and the kiosk
// show the office's clock (a device set to UTC must not show 06.50 while the hall says 13.50).

/** Year, month (1–12), day, hour, minute and weekday (Monday = 0, as in Python) of the instant
 * `ms` (ms since the epoch) in the IANA time zone `timeZone`. */
export function localParts(ms, timeZone) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  for (const p of format.formatToParts(new Date(ms))) parts[p.type] = Number(p.value);
  const weekday = (new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay() + 6) % 7;
  return { ...parts, weekday };
}
