// What a detector hands to the alert store: one incident, identified by a deterministic key.

export type AlertKind = 'trending' | 'concentrated' | 'emerging';

export interface Detection {
  kind: AlertKind;
  /** Deterministic incident key (the same incident → the same key in every worker). */
  incidentKey: string;
  /** Keys shared with later detections of the same incident (series, topic+place, member cases). */
  matchKeys: string[];
  title: string;
  categoryCode?: string | null;
  districtCode?: string | null;
  streetCode?: string | null;
  communityCode?: string | null;
  compoundId?: string | null;
  placeName?: string | null;
  keywords?: string[];
  observed: number;
  expected: number;
  statistic?: number | null;
  pValue?: number | null;
  recurrenceDays?: number | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  memberCaseIds: number[];
  series: Record<string, unknown>;
  detail?: Record<string, unknown>;
}

export const KIND_LABEL: Record<AlertKind, string> = { trending: '倾向性', concentrated: '集中性', emerging: '苗头性' };
