import { formatDateTime } from "../lib/dates";
import type { TimelineEvent } from "../lib/timeline";

export function PaymentTimeline({ events }: { events: TimelineEvent[] }) {
  return (
    <ol className="timeline" data-test-id="payment-timeline">
      {events.map((event) => (
        <li key={event.key} className={`timeline-item timeline-${event.tone}`}>
          <span className="timeline-dot" aria-hidden="true" />
          <div className="timeline-text">
            <span className="timeline-title">{event.title}</span>
            {event.detail && <span className="timeline-detail">{event.detail}</span>}
          </div>
          {event.time && (
            <time className="timeline-time" dateTime={event.time}>
              {formatDateTime(event.time)}
            </time>
          )}
        </li>
      ))}
    </ol>
  );
}
