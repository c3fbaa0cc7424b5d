// The ghlake report page: draws every chart from the inline data with Observable Plot (global
// `Plot`, on global `d3`). Every number comes from a dataset — the rows of one SQL statement over
// the warehouse, shown under its chart — and is never recomputed here beyond summing for display.
// Each chart is a <figure data-chart="…">; when all are drawn, <main> gets data-ready="true".
/* global Plot, d3 */
(function () {
  'use strict';
  const DATA = JSON.parse(document.getElementById('report-data').textContent);
  const main = document.getElementById('report');
  const fmt = new Intl.NumberFormat('en-US');
  const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  const STATE_COLORS = { present: '#3a9c5a', damaged: '#e39b2d', missing: '#b9bec7', failed: '#d64545', not_run: '#eef0f3' };
  const STATE_LABELS = {
    present: 'present',
    damaged: 'damaged (readable part kept)',
    missing: 'missing at the source',
    failed: 'failed',
    not_run: 'not yet run',
  };

  // ---- data helpers ------------------------------------------------------------------------
  const dataset = (name) => DATA.datasets.find((d) => d.name === name);
  const TIME_TYPES = /^(TIMESTAMP|DATE)/;
  /** A dataset's rows as objects; TIMESTAMP and DATE cells become Dates (UTC). */
  function rows(name) {
    const d = dataset(name);
    if (!d) return [];
    const time = d.columns.map((c) => TIME_TYPES.test(c.type));
    return d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c.name, time[i] && r[i] !== null ? utc(r[i]) : r[i]])));
  }
  function utc(text) {
    const t = String(text);
    return new Date(t.length === 10 ? `${t}T00:00:00Z` : `${t.replace(' ', 'T')}Z`);
  }
  const dayText = (date) => date.toISOString().slice(0, 10);
  const sum = (xs, f) => xs.reduce((n, x) => n + (f(x) ?? 0), 0);

  // ---- DOM helpers ----------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (v === undefined || v === null) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(c);
    return node;
  }
  const section = (id, title, intro) => {
    const s = el('section', { id }, el('h2', { text: title }));
    if (intro) s.append(el('p', { class: 'muted', text: intro }));
    main.append(s);
    return s;
  };
  function sqlDetails(names) {
    const d = el('details', { class: 'sql' }, el('summary', { text: 'SQL (run it with ghlake query)' }));
    for (const name of names) {
      const ds = dataset(name);
      if (ds) d.append(el('pre', { 'data-dataset': name, text: ds.sql }));
    }
    return d;
  }
  const charts = [];
  /** A figure whose plot is drawn by `draw(width)`; `empty` is the text shown when there is nothing to draw. */
  function figure(parent, name, caption, datasets, draw, empty) {
    const fig = el('figure', { class: 'chart', 'data-chart': name });
    parent.append(fig);
    charts.push(() => {
      try {
        const width = Math.max(240, Math.floor(fig.getBoundingClientRect().width) || 600);
        const node = empty ? null : draw(width);
        fig.append(node ?? el('p', { class: 'empty', 'data-empty': 'true', text: empty || 'No data in this range.' }));
      } catch (error) {
        fig.append(el('p', { class: 'error', text: `This chart could not be drawn: ${error && error.message}` }));
        console.error(`chart ${name}:`, error);
      }
      fig.append(el('figcaption', { text: caption }));
      if (datasets.length) fig.append(sqlDetails(datasets));
    });
    return fig;
  }

  const interval = (grain) => (grain === 'day' ? 'day' : 'hour');
  const hourDate = (key) => utc(`${key.slice(0, 10)} ${key.slice(11).padStart(2, '0')}:00:00`);

  // ---- header ---------------------------------------------------------------------------------
  const meta = DATA.meta;
  const summary = rows('summary')[0] ?? {};
  const calendar = DATA.calendar.map((c) => ({ ...c, date: hourDate(c.hour) }));
  // every time axis spans the whole range, so charts line up and gaps show as gaps
  const rangeStart = hourDate(meta.from);
  const rangeEnd = new Date(hourDate(meta.to).getTime() + 3600000);
  const activityDomain = meta.activityGrain === 'day' ? [utc(meta.firstDay), new Date(utc(meta.lastDay).getTime() + 86400000)] : [rangeStart, rangeEnd];
  const stateCount = (s) => calendar.filter((c) => c.state === s).length;
  const quarantine = rows('quarantine');
  const duplicates = rows('duplicates');
  main.textContent = '';
  main.append(el('h1', { text: 'ghlake report' }));
  main.append(
    el('p', {
      class: 'subtitle',
      text: `${meta.from === meta.to ? meta.from : `${meta.from} .. ${meta.to}`} (${fmt.format(meta.hours)} hour${meta.hours === 1 ? '' : 's'}, UTC) · lake ${meta.lake} · generated ${meta.generatedAt}`,
    }),
  );
  if (meta.gold && !meta.gold.current)
    main.append(
      el('p', {
        class: 'note',
        text: `Gold was built ${meta.gold.builtAt} from ${meta.gold.hours} hours and is stale: run ghlake run (or ghlake gold) to include the newer hours in the top lists and repository charts.`,
      }),
    );
  if (!meta.goldVersion)
    main.append(
      el('p', {
        class: 'note',
        'data-note': 'no-gold',
        text: 'The lake has no gold yet: top lists and repository charts are empty until ghlake gold (or ghlake run) has built it.',
      }),
    );
  const kpi = (key, value, label) =>
    el('div', { class: 'kpi', 'data-kpi': key }, el('div', { class: 'value', text: value }), el('div', { class: 'label', text: label }));
  main.append(
    el(
      'div',
      { class: 'kpis' },
      kpi('events', fmt.format(summary.events ?? 0), 'events (distinct, by event hour)'),
      kpi('actors', fmt.format(summary.actors ?? 0), 'distinct actors'),
      kpi('repos', fmt.format(summary.repos ?? 0), 'distinct repositories'),
      kpi('orgs', fmt.format(summary.orgs ?? 0), 'distinct organizations'),
      kpi('bot_actors', summary.actors ? pct.format(summary.bot_actors / summary.actors) : '–', 'of actors are bots'),
      kpi('hours_present', `${fmt.format(stateCount('present') + stateCount('damaged'))} / ${fmt.format(calendar.length)}`, 'hours in the lake'),
      kpi('quarantined', fmt.format(sum(quarantine, (r) => r.lines)), 'lines quarantined'),
      kpi('duplicates', fmt.format(sum(duplicates, (r) => r.removed)), 'cross-hour duplicates removed'),
    ),
  );
  main.append(sqlDetails(['summary']));

  // ---- activity -------------------------------------------------------------------------------
  const activitySection = section(
    'activity',
    'Activity',
    `Events per ${meta.activityGrain} of their own time (created_at), stacked by type, and the share of actors that are bots.`,
  );
  const activity = rows('activity');
  figure(
    activitySection,
    'activity',
    `Events per ${meta.activityGrain} by type (silver.events, after cross-hour dedup).`,
    ['activity'],
    (width) =>
      Plot.plot({
        width,
        height: 340,
        marginLeft: 56,
        x: { type: 'utc', label: null, domain: activityDomain },
        y: { grid: true, label: 'events' },
        color: { legend: true, scheme: 'tableau10' },
        marks: [Plot.rectY(activity, { x: 'bucket', interval: interval(meta.activityGrain), y: 'events', fill: 'event_type', tip: true }), Plot.ruleY([0])],
      }),
    activity.length ? '' : 'No events in this range.',
  );
  const bots = rows('bots');
  figure(
    activitySection,
    'bots',
    'Share of actors that are bots (login ending in [bot], or bot/robot as a word at either end).',
    ['bots'],
    (width) =>
      Plot.plot({
        width,
        height: 220,
        marginLeft: 56,
        x: { type: 'utc', label: null, domain: activityDomain },
        y: { grid: true, label: 'bot share of actors', tickFormat: '%', zero: true },
        marks: [
          Plot.lineY(bots, { x: 'bucket', y: 'bot_actor_share', stroke: '#7b4fd6' }),
          Plot.dot(bots, { x: 'bucket', y: 'bot_actor_share', fill: '#7b4fd6', r: 2.5, tip: true }),
        ],
      }),
    bots.length ? '' : 'No events in this range.',
  );

  // ---- top lists ------------------------------------------------------------------------------
  const topSection = section(
    'top',
    'Most active',
    `Events on ${meta.firstDay === meta.lastDay ? meta.firstDay : `${meta.firstDay} .. ${meta.lastDay}`} (whole UTC days, from the day-grain gold tables), with each one's ${meta.trendGrain === 'hour' ? 'hourly' : 'daily'} events.`,
  );
  const topGrid = el('div', { class: 'grid' });
  topSection.append(topGrid);
  const dayStart = utc(meta.firstDay);
  const dayEnd = new Date(utc(meta.lastDay).getTime() + 86400000);
  for (const [key, title, label] of [
    ['repos', 'Repositories', 'repository'],
    ['actors', 'Actors', 'actor'],
    ['orgs', 'Organizations', 'organization'],
  ]) {
    const top = rows(`top_${key}`);
    const trend = rows(`top_${key}_trend`);
    const fig = figure(
      topGrid,
      `top_${key}`,
      `Top ${meta.top} by events; the bars are events per ${meta.trendGrain}.`,
      [`top_${key}`, `top_${key}_trend`],
      () => {
        const table = el('table', { class: 'top' });
        table.append(el('thead', {}, el('tr', {}, el('th', { text: label }), el('th', { class: 'num', text: 'events' }), el('th', { text: 'trend' }))));
        const body = el('tbody');
        for (const row of top) {
          const points = trend.filter((t) => t.id === row.id);
          const spark = Plot.plot({
            width: 130,
            height: 26,
            margin: 1,
            axis: null,
            x: { type: 'utc', domain: [dayStart, dayEnd] },
            y: { domain: [0, Math.max(1, ...points.map((p) => p.events))] },
            marks: [Plot.rectY(points, { x: 'bucket', interval: interval(meta.trendGrain), y: 'events', fill: '#2f6fdf' })],
          });
          body.append(
            el(
              'tr',
              { 'data-id': String(row.id) },
              el('td', { class: 'name', title: row.name ?? `#${row.id}`, text: row.name ?? `#${row.id}` }),
              el('td', { class: 'num', 'data-value': String(row.events), text: fmt.format(row.events) }),
              el('td', { class: 'spark' }, spark),
            ),
          );
        }
        table.append(body);
        return el('div', {}, el('h3', { text: title }), table);
      },
      top.length ? '' : `No ${title.toLowerCase()} with events in these days (is gold built?).`,
    );
    fig.dataset.rows = String(top.length);
  }

  // ---- repositories asked for -----------------------------------------------------------------
  if (meta.repos.length) {
    const repoSection = section('repositories', 'Repositories', 'Per day (UTC) from gold.repo_daily_metrics, for each --repo.');
    for (const name of meta.repos) {
      const days = rows(`repo:${name}`);
      const box = el('div', { class: 'repo', 'data-repo': name });
      repoSection.append(box);
      box.append(el('h3', { text: days[0]?.name ?? name }));
      if (!days.length) {
        box.append(el('p', { class: 'note', 'data-empty': 'true', text: `${name}: no events of a repository of that name in these days.` }));
        continue;
      }
      const grid = el('div', { class: 'grid' });
      box.append(grid);
      const x = { type: 'utc', label: null, domain: [dayStart, dayEnd], ticks: meta.lastDay === meta.firstDay ? 1 : undefined };
      // points of a day sit at its middle, over its bar
      const midday = (d) => new Date(d.day.getTime() + 43200000);
      const bars = (key, label, color) =>
        figure(grid, `repo:${name}:${key}`, label, [`repo:${name}`], (width) =>
          Plot.plot({
            width,
            height: 180,
            marginLeft: 44,
            x,
            y: { grid: true, label },
            marks: [Plot.rectY(days, { x: 'day', interval: 'day', y: key, fill: color, tip: true }), Plot.ruleY([0])],
          }),
        );
      const series = (key, label, fields) =>
        figure(grid, `repo:${name}:${key}`, label, [`repo:${name}`], (width) => {
          const long = fields.flatMap(([field, what]) => days.filter((d) => d[field] !== null).map((d) => ({ day: d.day, what, n: d[field] })));
          return Plot.plot({
            width,
            height: 180,
            marginLeft: 44,
            x,
            y: { grid: true, label, zero: true },
            color: { legend: true, domain: fields.map(([, what]) => what), scheme: 'tableau10' },
            marks: [Plot.lineY(long, { x: midday, y: 'n', stroke: 'what' }), Plot.dot(long, { x: midday, y: 'n', fill: 'what', r: 3, tip: true })],
          });
        });
      bars('stars', 'stars per day (WatchEvents)', '#e3a01b');
      bars('forks', 'forks per day', '#3a9c5a');
      series('pull_requests', 'pull requests per day (merged: unknown, so not drawn, where payloads lack the flag)', [
        ['pull_requests_opened', 'opened'],
        ['pull_requests_merged', 'merged'],
        ['pull_requests_closed', 'closed'],
      ]);
      series('issues', 'issues per day', [
        ['issues_opened', 'opened'],
        ['issues_closed', 'closed'],
      ]);
      bars('unique_actors', 'unique contributors per day (distinct actors)', '#2f6fdf');
      series('cumulative_stars', `stars gained since ${meta.firstDay} (cumulative)`, [['cumulative_stars', 'stars']]);
    }
  }

  // ---- data quality ---------------------------------------------------------------------------
  const quality = section(
    'quality',
    'Data quality',
    'What the lake holds for each source hour (the archive file), what was quarantined or removed, and how much of GitHub’s activity the archive captured.',
  );
  figure(
    quality,
    'calendar',
    `Calendar of source hours: ${Object.keys(STATE_COLORS)
      .map((s) => `${fmt.format(stateCount(s))} ${STATE_LABELS[s]}`)
      .join(', ')} (from the manifest and the lake's files).`,
    [],
    (width) =>
      Plot.plot({
        width: Math.min(width, 760),
        height: Math.max(80, 22 * new Set(calendar.map((c) => dayText(c.date))).size + 60),
        marginLeft: 84,
        padding: 0.08,
        x: { type: 'band', domain: d3.range(24), label: 'hour (UTC)' },
        y: { type: 'band', label: null },
        color: { type: 'categorical', domain: Object.keys(STATE_COLORS), range: Object.values(STATE_COLORS), legend: true, tickFormat: (s) => STATE_LABELS[s] },
        marks: [
          Plot.cell(calendar, {
            x: (c) => c.date.getUTCHours(),
            y: (c) => dayText(c.date),
            fill: 'state',
            stroke: '#ffffff',
            title: (c) => `${c.hour}: ${STATE_LABELS[c.state]}${c.note ? ` — ${c.note}` : ''}`,
          }),
        ],
      }),
    calendar.length ? '' : 'No hours in this range.',
  );
  const qualityGrid = el('div', { class: 'grid' });
  quality.append(qualityGrid);
  const sourceX = { type: 'utc', label: 'source hour (UTC)', domain: [rangeStart, rangeEnd] };
  figure(
    qualityGrid,
    'quarantine',
    'Quarantined lines per source hour, by reason (bronze.quarantine: every line that was not an event, kept with its bytes).',
    ['quarantine'],
    (width) =>
      Plot.plot({
        width,
        height: 220,
        marginLeft: 48,
        x: sourceX,
        y: { grid: true, label: 'lines' },
        color: { legend: true, scheme: 'set2' },
        marks: [Plot.rectY(quarantine, { x: 'source_hour', interval: 'hour', y: 'lines', fill: 'reason', tip: true }), Plot.ruleY([0])],
      }),
    quarantine.length ? '' : 'No quarantined line in these hours.',
  );
  figure(
    qualityGrid,
    'duplicates',
    'Cross-hour duplicates removed per source hour: copies of events an earlier hour file already held (recorded by consolidation in each rewritten partition).',
    dataset('duplicates') ? ['duplicates'] : [],
    (width) =>
      Plot.plot({
        width,
        height: 220,
        marginLeft: 48,
        x: sourceX,
        y: { grid: true, label: 'events removed' },
        marks: [Plot.rectY(duplicates, { x: 'source_hour', interval: 'hour', y: 'removed', fill: '#c2571a', tip: true }), Plot.ruleY([0])],
      }),
    duplicates.length ? '' : 'No cross-hour duplicate removed in these hours.',
  );

  const captureSection = el('div', { class: 'capture' });
  quality.append(captureSection);
  captureSection.append(el('h3', { text: 'Capture indicator' }));
  captureSection.append(
    el('p', {
      class: 'note',
      'data-note': 'capture',
      text:
        'An indicator comparable across hours, not absolute completeness. For each id family (a run of event ids with no gap over ' +
        fmt.format(meta.capture.familyGap) +
        '; since October 2025 event types draw ids from several sequences), it is the share of the ids GitHub consumed in the hour that GH Archive holds, over the middle ' +
        pct.format(1 - 2 * meta.capture.trimShare) +
        ' of the hour’s ids. Private activity consumes ids too, so even a perfect capture stays well under 100%: read it for sudden drops (a crawler falling behind), not as a completeness percentage. Families with fewer than ' +
        meta.capture.minFamilyIds +
        ' ids in an hour get no value.',
    }),
  );
  const capture = rows('capture').filter((r) => r.capture !== null);
  figure(
    captureSection,
    'capture',
    'Held per id consumed, per source hour and id family (named by its most frequent event type).',
    ['capture'],
    (width) =>
      Plot.plot({
        width,
        height: 240,
        marginLeft: 48,
        x: sourceX,
        y: { grid: true, label: 'held per id consumed', tickFormat: '%', zero: true },
        color: { legend: true, scheme: 'dark2' },
        marks: [
          Plot.lineY(capture, { x: 'source_hour', y: 'capture', stroke: 'family' }),
          Plot.dot(capture, { x: 'source_hour', y: 'capture', fill: 'family', r: 3, tip: true }),
        ],
      }),
    capture.length ? '' : 'No id family with enough ids in these hours.',
  );
  const weekly = rows('weekly').filter((r) => r.ratio !== null);
  figure(
    captureSection,
    'weekly',
    `Events per type against the median of the same hour in the ${meta.capture.baselineWeeks} previous weeks the lake holds (1 = as usual; a type captured at 20% shows 0.2).`,
    ['weekly'],
    (width) =>
      Plot.plot({
        width,
        height: 26 * new Set(weekly.map((r) => r.event_type)).size + 70,
        marginLeft: 200,
        x: sourceX,
        y: { label: null },
        color: { type: 'diverging', scheme: 'RdBu', pivot: 1, domain: [0, 2], clamp: true, legend: true, label: 'events / usual' },
        marks: [
          Plot.barX(weekly, {
            x1: 'source_hour',
            x2: (r) => new Date(r.source_hour.getTime() + 3600000),
            y: 'event_type',
            fill: 'ratio',
            inset: 0,
            tip: true,
          }),
        ],
      }),
    weekly.length ? '' : `No baseline yet: the lake holds none of these hours' same hour in the ${meta.capture.baselineWeeks} previous weeks.`,
  );

  main.append(
    el('p', {
      class: 'muted',
      text: `Charts: Observable Plot ${meta.libraries['@observablehq/plot']} on d3 ${meta.libraries.d3}, inline; this file needs no network.`,
    }),
  );

  // Draw after layout so each chart knows its width; then say so (tests and benchmarks wait for it).
  requestAnimationFrame(() => {
    for (const draw of charts) draw();
    main.removeAttribute('aria-busy');
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        window.__reportReadyMs = performance.now();
        main.dataset.ready = 'true';
      }),
    );
  });
})();
