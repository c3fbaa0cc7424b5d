/**
 * @ghlake/report — `ghlake report`: one self-contained HTML file with time series, top lists,
 * per-repository charts and a data-quality section, every figure from SQL over the warehouse.
 */
export { writeReport, type ReportConfig, type ReportResult } from './write-report.js';
export { collectReportData, CALENDAR_STATES, type CalendarHour, type CalendarState, type Dataset, type ReportData, type ReportInput } from './report-data.js';
export { reportQueries, reportRange, type DatasetName, type DatasetQuery, type ReportQueryParams } from './queries.js';
export { captureIndicatorSql, ID_FAMILY_GAP, MIN_FAMILY_IDS, TRIM_SHARE } from './capture-indicator.js';
export { renderReportHtml, REPORT_CSP } from './render-html.js';
export { REPORT_OPTIONS, type ReportOptions } from './options.js';
