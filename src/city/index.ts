// The synthetic city's public surface, for other domains, benchmarks and tests.
export { generateCity, CityGenerator, routeUnit, defaultIncidentCounts, dayVolume } from './generate-city.ts';
export type { CityOptions, GenCase, GenEvent, DayBatch, Truth, TruthIncident } from './generate-city.ts';
export { seedReference, isReferenceEmpty } from './seed-reference.ts';
export { loadDemo, writeDemoCsv, writeTruth, CASE_COLUMNS, EVENT_COLUMNS } from './load-demo.ts';
export { runLive, submitLiveCase } from './live.ts';
export { prepareOnStart, STARTUP_DEMO } from './start-demo.ts';
export { loadGazetteer, CITY_CODE, CITY_NAME } from './gazetteer.ts';
export type { Gazetteer, Division, Place } from './gazetteer.ts';
export { loadTaxonomy } from './taxonomy.ts';
export type { Category, Leaf, RequestType } from './taxonomy.ts';
export { dayFactor, dayKind, holidayName, isWorkday, seasonFactor, HOUR_WEIGHTS } from './calendar.ts';
export { CITY_UNITS, unitId } from './units-data.ts';
