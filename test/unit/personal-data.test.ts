import { describe, expect, it } from 'vitest';
import { maskPersonalData, maskReport } from '../../server/domain/personal-data.ts';

const m = (s: string) => maskPersonalData(s).text;

describe('maskPersonalData', () => {
  it('should mask mobile numbers as 138****5678, with or without separators or +86', () => {
    expect(m('来电人电话13812345678，请回电')).toBe('来电人电话138****5678，请回电');
    expect(m('手机 138-1234-5678')).toBe('手机 138****5678');
    expect(m('+86 13912345678')).toBe('139****5678');
  });

  it('should mask landlines and keep the area code', () => {
    expect(m('座机021-65431234')).toBe('座机021-****1234');
    expect(m('电话 02165431234')).toBe('电话 021-****1234');
  });

  it('should mask resident ID numbers (18 and 15 digits), keeping the region and the last four', () => {
    expect(m('身份证号310110198501012345')).toBe('身份证号310110********2345');
    expect(m('证件31011019850101234X。')).toBe('证件310110********234X。');
    expect(m('老证件310110850101123')).toBe('老证件310110******123');
  });

  it('should mask vehicle plates, keeping the province, the letter and the last character', () => {
    expect(m('沪A12345违停')).toBe('沪A****5违停');
    expect(m('车牌苏E·D12345')).toBe('车牌苏E*****5');
  });

  it('should mask the names the report introduces, keeping the surname', () => {
    expect(m('联系人：张三，电话13812345678')).toBe('联系人：张*，电话138****5678');
    expect(m('投诉人李小明反映噪声扰民')).toBe('投诉人李**反映噪声扰民');
    // a surname and a form of address name nobody; a given name with one is masked
    expect(m('居民王先生称楼道堆物')).toBe('居民王先生称楼道堆物');
    expect(m('王建国先生来电')).toBe('王**先生来电');
  });

  it('should leave a report with no personal data as it is, and not mask counts, dates or device codes', () => {
    for (const s of ['10号网格加油站油气浓度超标', '2026-12-03 14:34 发现窨井盖缺失', '监测点 PM25 浓度 135', '设备 simmx76i7tj-rt-mx76iu75 告警', '共 3 处占道经营']) {
      expect(maskPersonalData(s)).toEqual({ text: s, changed: false });
    }
  });

  it('should mask what an attacker of the first version found left: full-width digits, dots, local numbers, e-mail, spaced IDs, four-character names, lower-case plates', () => {
    expect(m('电话１３８１２３４５６７８')).toBe('电话138****5678');
    expect(m('手机138.1234.5678')).toBe('手机138****5678');
    expect(m('联系电话65432109')).toBe('联系电话****2109');
    expect(m('邮箱 zhang.san@example.com')).toBe('邮箱 z***@example.com');
    expect(m('身份证 310110 19850101 2345')).toBe('身份证 310110********2345');
    expect(m('联系人：欧阳娜娜，')).toBe('联系人：欧***，');
    expect(m('沪a12345')).toBe('沪A****5');
  });

  it('should be idempotent', () => {
    const once = m('联系人：张三 13812345678 沪A12345 310110198501012345');
    expect(m(once)).toBe(once);
    expect(maskPersonalData(once).changed).toBe(false);
  });
});

describe('maskReport', () => {
  it('should keep the originals only when something was masked', () => {
    expect(maskReport('窨井盖缺失', '')).toEqual({ title: '窨井盖缺失', description: '', personal: null });
    expect(maskReport('噪声扰民', '联系人：张三 13812345678')).toEqual({
      title: '噪声扰民',
      description: '联系人：张* 138****5678',
      personal: { title: '噪声扰民', description: '联系人：张三 13812345678' },
    });
  });
});
