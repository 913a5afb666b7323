// City-level units (承办单位) of the synthetic Changsha: the 12345 centre, city bureaus and public enterprises.
// District governments and street offices are derived from the divisions (see reference.ts).
export interface UnitSeed {
  key: string;
  name: string;
  kind: 'centre' | 'bureau' | 'enterprise';
  parent?: string;
}

export const CITY_UNITS: UnitSeed[] = [
  { key: 'centre', name: '长沙市12345政务服务便民热线中心', kind: 'centre' },
  { key: 'housing', name: '市住建局', kind: 'bureau' },
  { key: 'housingsec', name: '市住房保障服务局', kind: 'bureau', parent: 'housing' },
  { key: 'hpf', name: '长沙住房公积金管理中心', kind: 'bureau' },
  { key: 'land', name: '市不动产登记中心', kind: 'bureau', parent: 'nature' },
  { key: 'nature', name: '市自然资源和规划局', kind: 'bureau' },
  { key: 'hrss', name: '市人社局', kind: 'bureau' },
  { key: 'market', name: '市市场监管局', kind: 'bureau' },
  { key: 'dev', name: '市发展改革委', kind: 'bureau' },
  { key: 'eco', name: '市生态环境局', kind: 'bureau' },
  { key: 'transport', name: '市交通运输局', kind: 'bureau' },
  { key: 'edu', name: '市教育局', kind: 'bureau' },
  { key: 'health', name: '市卫健委', kind: 'bureau' },
  { key: 'medins', name: '市医保局', kind: 'bureau' },
  { key: 'police', name: '市公安局', kind: 'bureau' },
  { key: 'trafficpolice', name: '市公安局交通警察支队', kind: 'bureau', parent: 'police' },
  { key: 'fire', name: '市消防救援支队', kind: 'bureau' },
  { key: 'urban', name: '市城管局', kind: 'bureau' },
  { key: 'water', name: '市水务局', kind: 'bureau' },
  { key: 'forestry', name: '市林业局', kind: 'bureau' },
  { key: 'agri', name: '市农业农村局', kind: 'bureau' },
  { key: 'civil', name: '市民政局', kind: 'bureau' },
  { key: 'emergency', name: '市应急管理局', kind: 'bureau' },
  { key: 'culture', name: '市文旅广电局', kind: 'bureau' },
  { key: 'sports', name: '市体育局', kind: 'bureau' },
  { key: 'justice', name: '市司法局', kind: 'bureau' },
  { key: 'data', name: '市数据资源局', kind: 'bureau' },
  { key: 'veteran', name: '市退役军人事务局', kind: 'bureau' },
  { key: 'disabled', name: '市残联', kind: 'bureau' },
  { key: 'commerce', name: '市商务局', kind: 'bureau' },
  { key: 'tax', name: '国家税务总局长沙市税务局', kind: 'bureau' },
  { key: 'power', name: '国网长沙供电公司', kind: 'enterprise' },
  { key: 'watersupply', name: '长沙水业集团', kind: 'enterprise', parent: 'water' },
  { key: 'gas', name: '长沙新奥燃气有限公司', kind: 'enterprise' },
  { key: 'telecom', name: '中国电信长沙分公司', kind: 'enterprise' },
  { key: 'bus', name: '长沙城乡公交集团', kind: 'enterprise', parent: 'transport' },
  { key: 'rail', name: '长沙市轨道交通集团', kind: 'enterprise' },
];

export const unitId = {
  city: (key: string) => `U-${key}`,
  district: (code: string) => `U-D${code}`,
  street: (code: string) => `U-S${code}`,
};
