// A starter set of staff-written answers for common hotline questions, loaded into an empty knowledge base
// with the demo data so that the workstation has something to offer from the first call. Wording is generic
// (no real persons, no phone numbers); cities edit or replace them through the API.
import type { Db } from '../store/db.ts';

export const STARTER_ENTRIES: { title: string; content: string; keywords: string[] }[] = [
  { title: '租房提取住房公积金', content: '租住商品房提取住房公积金：本人身份证、租房合同（或登记备案证明），可通过住房公积金中心网上服务大厅、手机 APP 或到各管理部窗口办理，每年可提取一次，额度按当地规定执行。', keywords: ['公积金', '租房', '提取'] },
  { title: '购房提取与贷款咨询', content: '购买自住住房可凭购房合同、发票（或不动产权证）和身份证申请提取住房公积金；公积金贷款需连续足额缴存满规定月数，具体额度与利率以公积金中心公布为准，可拨打公积金服务热线咨询。', keywords: ['公积金', '购房', '贷款'] },
  { title: '社保卡遗失补办', content: '社会保障卡遗失请先通过电话、网上或合作银行网点办理临时挂失，再携带本人身份证到社保卡服务网点或合作银行网点申请补办；部分网点可即时制卡。', keywords: ['社保卡', '补办', '挂失'] },
  { title: '医保异地就医备案', content: '异地长期居住或临时外出就医，可通过国家医保服务平台 APP、当地医保经办窗口办理异地就医备案，备案后在联网定点医院可直接结算。', keywords: ['医保', '异地就医', '备案'] },
  { title: '居住证办理', content: '在居住地居住满半年并有合法稳定就业、住所或连续就读之一的，可凭身份证和居住证明到居住地派出所或社区警务室申领居住证，也可通过公安政务服务平台在线申请。', keywords: ['居住证', '办理'] },
  { title: '户口迁入条件', content: '户口迁入按当地落户政策办理：购房、就业、投靠、人才引进等情形所需材料不同，请携带身份证、户口簿及相关证明到拟落户地派出所户籍窗口咨询办理。', keywords: ['户口', '落户', '迁入'] },
  { title: '夜间施工噪音投诉', content: '夜间（22时至次日6时）在噪声敏感区域内禁止产生噪声的建筑施工作业，因特殊需要必须连续施工的须取得证明并公告。市民反映夜间施工噪音扰民的，转办属地住建或城管执法部门现场核查处理。', keywords: ['噪音', '施工', '夜间', '扰民'] },
  { title: '社会生活噪音（广场舞、商铺喇叭）', content: '广场舞、商铺音响等社会生活噪音扰民，由属地街道、城管或公安部门劝导处置；反映时请说明具体地点、时间段，便于现场核查。', keywords: ['噪音', '广场舞', '扰民'] },
  { title: '餐饮油烟扰民', content: '临街餐饮单位油烟直排、未安装油烟净化设施的，由城管执法或生态环境部门依法责令整改；请提供店铺名称和详细地址。', keywords: ['油烟', '餐饮', '扰民'] },
  { title: '物业收费与服务纠纷', content: '物业服务收费应明码标价、公示收费项目和标准；对收费或服务质量有异议的，可先与物业服务企业协商，协商不成可向所在街道、社区或住建部门反映，必要时依法申请调解或诉讼。', keywords: ['物业', '收费', '服务'] },
  { title: '停水停电报修', content: '突发停水请拨打供水企业服务热线报修，停电请拨打供电服务热线 95598；计划停水停电信息可在供水、供电企业公告中查询。热线已记录的，将同步转相关企业处理。', keywords: ['停水', '停电', '报修'] },
  { title: '路灯不亮、井盖缺失', content: '路灯不亮、井盖缺失或破损等市政设施问题，请提供具体路段或参照物，转办属地市政设施管理部门维修，井盖缺失存在安全隐患的按紧急件处理。', keywords: ['路灯', '井盖', '市政'] },
  { title: '出租车、网约车投诉', content: '投诉出租车或网约车拒载、绕路、乱收费等，请提供车牌号、乘车时间和上下车地点，转交通运输部门调查处理，一般在规定工作日内答复。', keywords: ['出租车', '网约车', '投诉'] },
  { title: '拖欠工资维权', content: '用人单位拖欠工资的，可携带劳动合同、工资条、考勤记录等证据向用人单位所在地人社部门劳动保障监察机构投诉，或向劳动人事争议仲裁委员会申请仲裁；也可拨打 12333 咨询。', keywords: ['欠薪', '工资', '维权'] },
  { title: '食品安全投诉举报', content: '发现食品过期、变质或无证经营等问题，请保留购物凭证和实物，向市场监督管理部门投诉举报（也可拨打 12315），核实后依法查处。', keywords: ['食品安全', '投诉', '举报'] },
];

/** Inserts the starter entries when the knowledge base has no staff entries yet; returns how many. */
export async function seedStarterKnowledge(db: Db): Promise<number> {
  const [has] = await db.query(`SELECT 1 FROM kb_entries WHERE source = 'staff' LIMIT 1`);
  if (has) return 0;
  const now = new Date();
  return db.copyRows('kb_entries', ['title', 'content', 'source', 'keywords', 'created_by', 'created_at', 'updated_at'],
    STARTER_ENTRIES.map((e) => [e.title, e.content, 'staff', e.keywords, 'system', now, now]));
}
