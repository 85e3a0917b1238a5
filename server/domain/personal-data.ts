/**
 * @module server/domain/personal-data
 * Personal data in citizens' reports (DOMAIN.md R6.1 「依法保护个人信息」): mobile and landline
 * numbers, resident ID numbers, vehicle plates and the names that follow the words a report uses
 * to name a person (联系人、投诉人、居民 …, or a surname with 先生/女士). {@link maskPersonalData}
 * finds them and masks them the way Chinese public services do (138****5678): walls and
 * officers see the masked text; the full report is kept once, apart, for permitted officers.
 * Pure: no I/O. It errs on the side of masking: a long digit run shaped like an ID is masked
 * whether or not its check digit holds.
 */

/** mobile numbers (1[3-9] + 9 digits, grouped by dashes, dots or spaces), not inside a longer run of digits */
const MOBILE = /(?<!\d)(?:\+?86[-. ]?)?(1[3-9]\d)[-. ]?(\d{4})[-. ]?(\d{4})(?!\d)/g;
/** any number the report calls a phone number (a local 7–8 digit one included) */
const CALLED = /(电话|手机|座机|联系方式|联系电话|号码|tel|phone)([:：\s]*)(\+?[\d][\d\-. ]{5,16}\d)/gi;
/** e-mail addresses */
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/** landlines: an area code (010 and 02x, else four digits) + 7–8 digits, with or without a dash */
const LANDLINE = /(?<!\d)(0(?:[12]\d|[3-9]\d{2}))[- ]?(\d{3,4})(\d{4})(?!\d)/g;
/** resident ID numbers: 17 digits and a check digit or X (and the older 15 digits) */
const ID_NUMBER = /(?<![\dA-Za-z])(\d{6}) ?(\d{8}) ?(\d{3}[\dXx])(?![\dA-Za-z])|(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)/g;
/** plates: a province's character, a letter, then 5 (or 6 for new-energy) letters and digits */
const PLATE = /([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领])([A-HJ-NP-Z])[·• ]?([A-HJ-NP-Z0-9]{4,5})([A-HJ-NP-Z0-9挂学警港澳])(?![A-Za-z0-9])/gi;
/** a name after the words that introduce a person, e.g. 联系人：张三, 投诉人李四 */
const NAMED = /(联系人|报告人|报案人|投诉人|举报人|反映人|来电人|求助人|当事人|户主|业主|居民|市民|姓名|车主)([:：\s]*)([\u4e00-\u9fa5]{2,4})(?=[，,。；;、\s(（]|电话|手机|联系|$|称|反映|投诉|来电|报称)/g;
/** common surnames followed by a form of address: 王先生, 李女士, 陈阿姨 */
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const TITLES = new Set(['先生', '女士', '小姐', '阿姨', '师傅', '大爷', '大妈', '老师']);
const ADDRESSED = new RegExp(`([${SURNAMES}])([\\u4e00-\\u9fa5]{0,2}?)(先生|女士|小姐|阿姨|师傅|大爷|大妈|老师)`, 'g');

const stars = (n: number) => '*'.repeat(n);

export interface Masked {
  text: string;
  /** true when something was masked */
  changed: boolean;
}

/** The text with its personal data masked (idempotent: masked text stays as it is). */
export function maskPersonalData(text: string): Masked {
  // full-width digits and letters (an input method's) read as their plain forms first; the
  // full-width punctuation of Chinese text stays as it is
  const plain = text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF0B\uFF0D\uFF0E\uFF20]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
  const out = plain
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(ID_NUMBER, (_m, a?: string, b?: string, c?: string, d?: string, e?: string, f?: string) =>
      a !== undefined ? `${a}${stars(b!.length)}${c}` : `${d}${stars(e!.length)}${f}`,
    )
    .replace(MOBILE, (_m, a: string, _b: string, c: string) => `${a}****${c}`)
    .replace(LANDLINE, (_m, a: string, b: string, c: string) => `${a}-${stars(b.length)}${c}`)
    // what is left of a number called a phone number: all but its last four digits
    .replace(CALLED, (_m, word: string, sep: string, num: string) => `${word}${sep}${num.replace(/\d(?=(?:\D*\d){4})/g, '*')}`)
    .replace(PLATE, (_m, p: string, l: string, mid: string, last: string) => `${p}${l.toUpperCase()}${stars(mid.length)}${last.toUpperCase()}`)
    // a surname with a form of address (居民王先生) names nobody: left as it is
    .replace(NAMED, (m: string, word: string, sep: string, name: string) => (TITLES.has(name.slice(1)) ? m : `${word}${sep}${name[0]}${stars(name.length - 1)}`))
    .replace(ADDRESSED, (_m, surname: string, given: string, title: string) => `${surname}${stars(given.length)}${title}`);
  return out === plain ? { text, changed: false } : { text: out, changed: true };
}

/** A report's title and description masked, and the originals when anything was masked. */
export function maskReport(title: string, description: string): { title: string; description: string; personal: { title: string; description: string } | null } {
  const t = maskPersonalData(title);
  const d = maskPersonalData(description);
  return t.changed || d.changed ? { title: t.text, description: d.text, personal: { title, description } } : { title, description, personal: null };
}
