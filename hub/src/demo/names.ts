/** Fictitious Chinese personal names for demo people, drawn from common surnames and given-name characters. */
import type { SeededRandom } from './random.js';

const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志新宇浩然晨阳欣怡子涵梓轩思远嘉诚雨泽博文一鸣海峰立群德胜晓东春燕秋实冬梅振华';

export function personName(random: SeededRandom): string {
  const surname = random.pick([...SURNAMES]);
  const given = random.chance(0.7) ? random.pick([...GIVEN]) + random.pick([...GIVEN]) : random.pick([...GIVEN]);
  return surname + given;
}

/** A plausible (fictitious) mobile number: 13x/15x/18x. */
export function mobile(random: SeededRandom): string {
  return `1${random.pick(['3', '5', '8'])}${random.int(0, 9)}${String(random.int(0, 99_999_999)).padStart(8, '0')}`;
}
