import type { EnrolledDevice } from '@janix/schemas';
import { openEnrolledConsole, type Session } from './lib/accounts.ts';
import { reserveStdoutForResults } from './lib/output.ts';
import { serveRpc } from './lib/rpc.ts';

/**
 * The local core alone in a process: open an empty replica, run the initial sync of the big organization,
 * then what a console does next (list events, open each, look up a ticket, search people). Reports the
 * process's peak resident set size.
 */
reserveStdoutForResults();
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

serveRpc({
  async run(payload: { serverUrl: string; dataDir: string; session: Session; device: EnrolledDevice }) {
    const baselineMb = mb(process.resourceUsage().maxRSS);
    const core = await openEnrolledConsole(
      { dataDir: payload.dataDir, serverUrl: payload.serverUrl, autoSync: false },
      payload.session,
      payload.device,
    );
    try {
      const started = performance.now();
      await core.syncNow();
      const syncSeconds = (performance.now() - started) / 1000;
      if (core.sync().state.lastError) throw new Error(`initial sync failed: ${core.sync().state.lastError}`);
      const afterSyncMb = mb(process.resourceUsage().maxRSS);

      const events = await core.caller.events.list();
      for (const event of events) await core.caller.events.get({ id: event.id });
      const db = core.replica().db;
      const tickets = (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n;
      const perEvent = db
        .prepare('SELECT event_id, count(*) AS n FROM tickets GROUP BY event_id ORDER BY n DESC')
        .all();
      const sample = db.prepare('SELECT secret FROM tickets ORDER BY id LIMIT 1 OFFSET 5000').get() as {
        secret: string;
      };
      const scanned = db
        .prepare(
          `SELECT t.id, t.status, p.first_name, p.last_name FROM tickets t
           LEFT JOIN people p ON p.id = t.person_id WHERE t.secret = ?`,
        )
        .get(sample.secret);
      const search = db
        .prepare(
          `SELECT id, first_name, last_name, email FROM people
           WHERE last_name LIKE ? OR email LIKE ? ORDER BY last_name LIMIT 50`,
        )
        .all('Mül%', '%smith%');
      const revenue = db
        .prepare('SELECT event_id, sum(total_cents) AS cents FROM orders GROUP BY event_id')
        .all();
      if (!scanned || perEvent.length === 0 || revenue.length === 0) throw new Error('queries found nothing');
      return {
        tickets,
        events: events.length,
        searchHits: search.length,
        syncSeconds,
        baselineMb,
        afterSyncMb,
        peakMb: mb(process.resourceUsage().maxRSS),
      };
    } finally {
      await core.close();
    }
  },
});
