// Request type (诉求类型) from cue phrases: explicit verbs weigh most, typical phrasings less. The cues found
// are the evidence; without any cue the type is a low-confidence complaint (the most common type).
export type RequestType = 'consultation' | 'help' | 'complaint' | 'report' | 'suggestion' | 'praise';

export const REQUEST_TYPE_NAMES: Record<RequestType, string> = {
  consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬',
};

const CUES: [RequestType, number, RegExp][] = [
  ['praise', 3, /表扬|点赞|致谢|感谢信|锦旗|赞扬|好评|称赞/g],
  ['praise', 1, /感谢|谢谢|辛苦了|为.{1,10}点赞|负责任|很满意/g],
  ['suggestion', 3, /建议|提议|献策/g],
  ['suggestion', 1, /希望(能|可以|政府|相关部门)|能否考虑|呼吁|应该(增设|增加|设置|修建)|意见/g],
  ['report', 3, /举报|检举|揭发/g],
  ['report', 1, /违法|非法|违规|偷排|偷倒|传销|诈骗|黑车|无证经营|偷税|漏税|私自|违建|违章搭建/g],
  ['complaint', 3, /投诉/g],
  ['complaint', 1, /扰民|不作为|乱收费|拖欠|态度(恶劣|差)|噪音|噪声|强烈要求|不满|推诿|敷衍|欺骗|严重影响/g],
  ['help', 3, /求助|求救|救命/g],
  ['help', 1, /帮忙|帮助|救助|走投无路|困难|被困|怎么办|无家可归|找不到/g],
  ['consultation', 3, /咨询|请问|询问/g],
  ['consultation', 1, /如何办理|怎么办理|怎样办理|是否可以|能否办理|什么时候|哪里可以|需要(哪些|什么)|多少钱|政策|标准是|吗[?？]?$|[?？]/g],
];

export interface RequestTypeResult {
  type: RequestType;
  name: string;
  confidence: number;
  cues: string[];
}

export function detectRequestType(text: string): RequestTypeResult {
  const score = new Map<RequestType, number>();
  const cues = new Map<RequestType, string[]>();
  for (const [type, weight, re] of CUES) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      score.set(type, (score.get(type) ?? 0) + weight);
      const list = cues.get(type) ?? cues.set(type, []).get(type)!;
      if (!list.includes(m[0]) && list.length < 5) list.push(m[0]);
    }
  }
  const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]);
  if (!ranked.length) return { type: 'complaint', name: REQUEST_TYPE_NAMES.complaint, confidence: 0.3, cues: [] };
  const [type, best] = ranked[0];
  const total = ranked.reduce((s, [, v]) => s + v, 0);
  // Share of the cue weight, damped when there is little evidence.
  const confidence = Math.round((best / total) * Math.min(1, 0.55 + best * 0.1) * 100) / 100;
  return { type, name: REQUEST_TYPE_NAMES[type], confidence, cues: cues.get(type) ?? [] };
}
