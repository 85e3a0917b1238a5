/**
 * @module web/utils/i18n
 * The wall's own UI strings in Chinese (default) and English, and helpers to pick a language.
 * Names of indicators, categories and areas come from the server's data, not from here.
 */
import type { AuditEntry, Lang, LocalisedText, Role } from '../../../../shared/index.ts';

export type { Lang };

export const LANG_STORAGE_KEY = 'onescreen.lang';

export const STRINGS = {
  appTitle: { zh: '一屏观天下', en: 'OneScreen' },
  centreFallback: { zh: '城市运行管理中心', en: 'City Operations Centre' },
  simulated: { zh: '模拟数据', en: 'SIMULATED' },
  connected: { zh: '已连接', en: 'Live' },
  connecting: { zh: '连接中', en: 'Connecting' },
  reconnecting: { zh: '重连中', en: 'Reconnecting' },
  offline: { zh: '离线', en: 'Offline' },
  lastUpdate: { zh: '最近更新', en: 'Last update' },
  backToDistrict: { zh: '← 返回全区', en: '← Back to district' },
  districtScope: { zh: '全区态势', en: 'District overview' },
  streetScope: { zh: '街道态势', en: 'Street view' },
  indicators: { zh: '城市运行体征', en: 'City vital signs' },
  target: { zh: '目标', en: 'Goal' },
  noData: { zh: '无数据', en: 'No data' },
  stale: { zh: '数据过期', en: 'Stale' },
  hourlyTitle: { zh: '事件上报量（按小时）', en: 'Events per hour' },
  today: { zh: '今日', en: 'Today' },
  yesterday: { zh: '昨日', en: 'Yesterday' },
  byStreetTitle: { zh: '在办事件（按街道）', en: 'Open events by street' },
  byGridTitle: { zh: '在办事件（按网格）', en: 'Open events by grid' },
  pm25Title: { zh: 'PM2.5 近24小时', en: 'PM2.5, last 24 h' },
  forecastLabel: { zh: '预测', en: 'forecast' },
  tickerTitle: { zh: '实时事件', en: 'Live events' },
  noEvents: { zh: '暂无事件', en: 'No events yet' },
  openEvents: { zh: '在办事件', en: 'Open events' },
  eventsToday: { zh: '今日上报', en: 'Reported today' },
  highSeverity: { zh: '高危/紧急', en: 'High / critical' },
  eventDetail: { zh: '事件详情', en: 'Event detail' },
  gridDetail: { zh: '网格详情', en: 'Grid detail' },
  gridStreet: { zh: '所属街镇', en: 'Street' },
  zoneType: { zh: '区域类型', en: 'Zone type' },
  gridFocus: { zh: '管理重点', en: 'Focus' },
  population: { zh: '人口', en: 'Population' },
  estimated: { zh: '估算', en: 'estimated' },
  gridOpen: { zh: '在办事件', en: 'Open cases' },
  gridSevere: { zh: '其中较重', en: 'severe' },
  gridChief: { zh: '网格长', en: 'Grid chief' },
  notRegistered: { zh: '未登记', en: 'not registered' },
  buildingsLabel: { zh: '楼栋（三长）', en: 'Buildings' },
  buildingChief: { zh: '楼栋长', en: 'Building chief' },
  unitChiefs: { zh: '单元长', en: 'Unit chiefs' },
  buildingsNone: { zh: '本网格未登记楼栋', en: 'No building registered in this grid' },
  buildingsMore: { zh: '另有 {n} 栋', en: '{n} more' },
  gridApproximate: { zh: '网格边界与归属为近似示意，可由中心导入实际数据', en: 'Boundaries and memberships are approximate; a centre imports its own' },
  overlaySwitch: { zh: '多格合一', en: 'Grid overlays' },
  overlayNone: { zh: '网格', en: 'Grids' },
  close: { zh: '关闭', en: 'Close' },
  category: { zh: '类别', en: 'Category' },
  place: { zh: '位置', en: 'Place' },
  time: { zh: '发生时间', en: 'Occurred' },
  received: { zh: '接收时间', en: 'Received' },
  status: { zh: '状态', en: 'Status' },
  severity: { zh: '等级', en: 'Severity' },
  source: { zh: '来源', en: 'Source' },
  description: { zh: '描述', en: 'Description' },
  noDescription: { zh: '（无描述）', en: '(no description)' },
  simulatedFlag: { zh: '模拟数据', en: 'Simulated' },
  realFlag: { zh: '真实数据', en: 'Real' },
  dataKind: { zh: '数据性质', en: 'Data' },
  uncategorised: { zh: '未分类', en: 'Uncategorised' },
  unknownPlace: { zh: '未知位置', en: 'Unknown place' },
  loadLegend: { zh: '在办事件负荷', en: 'Open-event load' },
  alarmLevel: { zh: '告警', en: 'alarm' },
  severityLegend: { zh: '事件等级', en: 'Severity' },
  hotspotLegend: { zh: '热点（近24小时）', en: 'Hotspots (24 h)' },
  hotspotEmerging: { zh: '新发苗头', en: 'Emerging' },
  hotspotRecurring: { zh: '反复发生', en: 'Recurring' },
  approxNote: { zh: '街道/网格边界为近似推算', en: 'street & grid boundaries approximate' },
  loading: { zh: '加载中…', en: 'Loading…' },
  units: { zh: '件', en: '' },
  hourSuffix: { zh: '时', en: 'h' },
  latestCases: { zh: '最新事件', en: 'Latest' },
  // the closed loop on the wall
  boardTitle: { zh: '闭环比拼 · 近24小时', en: 'Closed loop · last 24 h' },
  boardStreet: { zh: '街道', en: 'Street' },
  boardOpen: { zh: '在办', en: 'Open' },
  onTimeRate: { zh: '按时办结率', en: 'On time' },
  breaches: { zh: '超时', en: 'Late' },
  closedCases: { zh: '办结', en: 'Closed' },
  funnelTitle: { zh: '闭环进度', en: 'Loop stages' },
  closed24h: { zh: '近24h办结', en: 'Closed, 24 h' },
  onTimeShort: { zh: '按时率', en: 'On time' },
  figuresStale: { zh: '数据未更新', en: 'not updating' },
  watchTitle: { zh: '时限预警', en: 'Time limits' },
  watchOverdue: { zh: '超时', en: 'overdue' },
  watchNear: { zh: '临期', en: 'near limit' },
  watchEmpty: { zh: '暂无临期或超时事件', en: 'Nothing near or over its limit' },
  stageLeft: { zh: '本环节剩余', en: 'Stage time left' },
  overdueBy: { zh: '已超时', en: 'Overdue by' },
  leadUnit: { zh: '主办单位', en: 'Lead unit' },
  escalatedFlag: { zh: '已上报区级', en: 'Raised to the district' },
  // sessions
  logout: { zh: '退出', en: 'Sign out' },
  adminLink: { zh: '管理', en: 'Admin' },
  displayKind: { zh: '大屏', en: 'Display' },
  signInTitle: { zh: '登录', en: 'Sign in' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  signIn: { zh: '登 录', en: 'Sign in' },
  signingIn: { zh: '正在登录…', en: 'Signing in…' },
  wrongCredentials: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  throttled: { zh: '登录失败次数过多，已暂时锁定', en: 'Too many failed sign-ins: temporarily locked' },
  retryAt: { zh: '可重试时间', en: 'Try again at' },
  loginFailed: { zh: '登录失败，请稍后重试', en: 'Sign-in failed; please try again later' },
  networkError: { zh: '无法连接服务器，请检查网络', en: 'Cannot reach the server; check the network' },
  fillBoth: { zh: '请输入用户名和密码', en: 'Enter your username and password' },
  authorisedOnly: { zh: '仅限授权人员使用 · 所有操作均被记录', en: 'Authorised personnel only · every action is recorded' },
  signedOut: { zh: '已退出登录', en: 'Signed out' },
  goingToLogin: { zh: '正在转到登录页…', en: 'Going to the sign-in page…' },
  displayRevoked: { zh: '该屏幕已停用', en: 'This display has been revoked' },
  displayRevokedHint: { zh: '请联系系统管理员重新登记本屏幕', en: 'Ask an administrator to enrol this screen again' },
  displayRefused: { zh: '该大屏链接无效或已使用过', en: 'This display link is not valid, or has been used already' },
  displayRefusedHint: { zh: '每个大屏链接只能使用一次：请系统管理员在「系统管理 → 大屏」中新建一个', en: 'A display link works once: ask an administrator to make a new one (Admin → Displays)' },
  makeThisTheWall: { zh: '设为大屏', en: 'Make this screen the wall' },
  keepMySession: { zh: '保留我的登录', en: 'Keep my session' },
  enrolling: { zh: '正在登记大屏…', en: 'Enrolling this display…' },
  forbiddenPage: { zh: '无权访问：此页面仅限系统管理员', en: 'Forbidden: this page is for administrators only' },
  backToWall: { zh: '返回大屏', en: 'Back to the wall' },
  // admin
  adminTitle: { zh: '系统管理', en: 'Administration' },
  tabUsers: { zh: '用户', en: 'Users' },
  tabDisplays: { zh: '大屏令牌', en: 'Displays' },
  tabAudit: { zh: '审计日志', en: 'Audit log' },
  tabLayers: { zh: '图层', en: 'Layers' },
  layerRoads: { zh: '道路与路长（路长制）', en: 'Roads and road chiefs' },
  layerKeyAreas: { zh: '重点区域', en: 'Key areas' },
  layerResources: { zh: '应急资源', en: 'Emergency resources' },
  layerBuildings: { zh: '楼栋与三长', en: 'Buildings and their chiefs' },
  layerBuildingsHint: { zh: 'GeoJSON 点或面（WGS84）：id、name、chief（楼栋长 {name, phone}）、units [{name, chief（单元长）}]；网格长随网格导入（npm run geo:import）', en: 'GeoJSON points or polygons (WGS84): id, name, chief, units [{name, chief}]; a grid’s chief comes with the areas (npm run geo:import)' },
  layerRoadsHint: { zh: 'GeoJSON 线（WGS84）：name、class（expressway/arterial/secondary/branch）、可选 roadId、chief {name, unit, phone}', en: 'GeoJSON lines (WGS84): name, class, optional roadId and chief {name, unit, phone}' },
  layerKeyAreasHint: { zh: 'GeoJSON 面（WGS84）：id、name、factor（时限系数 0.1–1）、可选 focus', en: 'GeoJSON polygons (WGS84): id, name, factor (0.1–1), optional focus' },
  layerResourcesHint: { zh: 'GeoJSON 点（WGS84）：id、kind（team/supply/shelter）、name、owner、contact、capacity', en: 'GeoJSON points (WGS84): id, kind, name, owner, contact, capacity' },
  layerFeatures: { zh: '项', en: 'features' },
  layerDemo: { zh: '示例数据（尚未导入）', en: 'the demo’s (never imported)' },
  layerVersion: { zh: '版本', en: 'version' },
  layerImport: { zh: '导入并替换', en: 'Import and replace' },
  layerExport: { zh: '导出', en: 'Export' },
  layerImported: { zh: '已导入，共', en: 'Imported:' },
  layerNotJson: { zh: '文件不是有效的 JSON', en: 'The file is not valid JSON' },
  tabRules: { zh: '告警规则', en: 'Alarm rules' },
  role: { zh: '角色', en: 'Role' },
  area: { zh: '区域', en: 'Area' },
  createdAt: { zh: '创建时间', en: 'Created' },
  createdBy: { zh: '创建人', en: 'Created by' },
  state: { zh: '状态', en: 'State' },
  actions: { zh: '操作', en: 'Actions' },
  active: { zh: '正常', en: 'Active' },
  enrolled: { zh: '已登记', en: 'Enrolled' },
  awaitingEnrol: { zh: '待登记', en: 'Waiting for enrolment' },
  newLink: { zh: '新登记链接', en: 'New link' },
  newLinkHint: { zh: '原链接即刻作废；已登记的屏幕继续运行（需停止请吊销）。', en: 'The previous link stops working at once; screens already enrolled keep running (revoke to stop them).' },
  repeated: { zh: '次', en: '×' },
  disabled: { zh: '已停用', en: 'Disabled' },
  revoked: { zh: '已吊销', en: 'Revoked' },
  disable: { zh: '停用', en: 'Disable' },
  enable: { zh: '启用', en: 'Enable' },
  resetPassword: { zh: '重置密码', en: 'Reset password' },
  newPassword: { zh: '新密码（至少10位）', en: 'New password (10+ characters)' },
  save: { zh: '保存', en: 'Save' },
  cancel: { zh: '取消', en: 'Cancel' },
  passwordReset: { zh: '密码已重置', en: 'Password reset' },
  createUser: { zh: '新建用户', en: 'New user' },
  create: { zh: '创建', en: 'Create' },
  userCreated: { zh: '用户已创建', en: 'User created' },
  usernameTaken: { zh: '用户名已存在', en: 'That username already exists' },
  usernameHint: { zh: '3–32位小写字母、数字、_ . -', en: '3–32 lower-case letters, digits, _ . -' },
  wholeDistrict: { zh: '全区', en: 'whole district' },
  pickStreet: { zh: '请选择街道', en: 'Choose a street' },
  pickUnit: { zh: '请选择单位', en: 'Choose a unit' },
  taskLegend: { zh: '挂图作战任务', en: 'Tasks on the map' },
  taskOnTrack: { zh: '推进中', en: 'on track' },
  taskSlow: { zh: '慢落实', en: 'slow' },
  taskLate: { zh: '逾期', en: 'overdue' },
  taskBoardTitle: { zh: '挂图作战 · 任务推进', en: 'Tasks on the map' },
  warMode: { zh: '战时状态', en: 'Wartime' },
  drill: { zh: '演练', en: 'Drill' },
  elapsed: { zh: '已持续', en: 'elapsed' },
  incidentPanel: { zh: '应急指挥 · 滚动发布', en: 'Command · releases' },
  commander: { zh: '总指挥', en: 'Commander' },
  commandMembers: { zh: '成员', en: 'Members' },
  logStart: { zh: '启动', en: 'Start' },
  logRelease: { zh: '发布', en: 'Release' },
  logUpdate: { zh: '调整', en: 'Change' },
  logEnd: { zh: '结束', en: 'End' },
  logDispatch: { zh: '调派', en: 'Sent' },
  resourceSample: { zh: '示例', en: 'sample' },
  resourcesNear: { zh: '周边应急资源', en: 'Resources near' },
  resourcesFree: { zh: '可调派', en: 'free' },
  inReachTitle: { zh: '影响范围内事件', en: 'Cases within reach' },
  inReachNone: { zh: '影响范围内暂无在办事件', en: 'No open case within reach' },
  metres: { zh: '米', en: 'm' },
  radius: { zh: '影响半径', en: 'reach' },
  showTasks: { zh: '任务', en: 'Tasks' },
  showLoop: { zh: '闭环', en: 'Loop' },
  showKeyAreas: { zh: '重点区域', en: 'Key areas' },
  keyAreaTitle: { zh: '重点区域', en: 'Key areas' },
  keyAreaOpen: { zh: '在办', en: 'open' },
  keyAreaOverdue: { zh: '超时', en: 'overdue' },
  keyAreaFactor: { zh: '时限', en: 'Limits' },
  keyAreaNone: { zh: '辖区内暂无重点区域', en: 'No key area in view' },
  roadLabel: { zh: '道路', en: 'Road' },
  roadChief: { zh: '路长', en: 'Road chief' },
  keyAreasLabel: { zh: '重点区域', en: 'Key areas' },
  tightened: { zh: '时限收紧', en: 'limits ×' },
  taskDeadline: { zh: '时限', en: 'due' },
  taskAllReached: { zh: '节点已全部完成', en: 'all milestones reached' },
  taskReportOwed: { zh: '待报告', en: 'report owed' },
  taskVisitDue: { zh: '待现场办公', en: 'visit due' },
  taskProject: { zh: '项目', en: 'project' },
  taskMore: { zh: '另有 {n} 项', en: '{n} more' },
  taskCoverage: { zh: '项目本季现场办公', en: 'projects visited this quarter' },
  taskNone: { zh: '暂无推进中的任务', en: 'No active tasks' },
  ladderShort: { zh: '协调升级', en: 'Disputes' },
  ladderTitle: { zh: '协调升级中的事件：分管负责人、主要负责人、区政府', en: 'Disputes being coordinated: deputy head, principal head, district government' },
  ladderDeputy: { zh: '分管', en: 'deputy' },
  ladderPrincipal: { zh: '主要', en: 'head' },
  ladderGovernment: { zh: '区府', en: 'govt' },
  unit: { zh: '单位', en: 'Unit' },
  unitStreets: { zh: '限定街道（不选：全区）', en: 'Limit to streets (none: whole district)' },
  clearedLabel: { zh: '可查看涉密事件', en: 'Cleared for confidential cases' },
  clearedTag: { zh: '涉密权限', en: 'cleared' },
  createDisplay: { zh: '新建大屏令牌', en: 'New display token' },
  displayName: { zh: '大屏名称', en: 'Display name' },
  revoke: { zh: '吊销', en: 'Revoke' },
  confirmRevoke: { zh: '确定吊销该大屏令牌？该屏幕将立即停止显示。', en: 'Revoke this display token? The screen stops at once.' },
  tokenOnce: { zh: '令牌仅显示这一次，请立即复制并在大屏上打开登记地址（链接只能使用一次）。', en: 'The token is shown this once: copy it now and open the enrolment address on the screen (the link works once).' },
  token: { zh: '令牌', en: 'Token' },
  enrolUrl: { zh: '登记地址', en: 'Enrolment address' },
  copy: { zh: '复制', en: 'Copy' },
  copied: { zh: '已复制', en: 'Copied' },
  dismiss: { zh: '我已保存，关闭', en: 'Saved it, close' },
  from: { zh: '开始', en: 'From' },
  to: { zh: '结束', en: 'To' },
  filter: { zh: '查询', en: 'Filter' },
  exportCsv: { zh: '导出CSV', en: 'Export CSV' },
  auditAt: { zh: '时间', en: 'Time' },
  actor: { zh: '操作者', en: 'Actor' },
  action: { zh: '动作', en: 'Action' },
  auditTarget: { zh: '对象', en: 'Target' },
  outcome: { zh: '结果', en: 'Outcome' },
  ip: { zh: '来源地址', en: 'From address' },
  detail: { zh: '详情', en: 'Detail' },
  noRows: { zh: '暂无记录', en: 'Nothing yet' },
  loadFailed: { zh: '加载失败', en: 'Could not load' },
  actionFailed: { zh: '操作失败', en: 'That did not work' },
  refresh: { zh: '刷新', en: 'Refresh' },
  shownRows: { zh: '条', en: 'rows' },
  // notifications out (admin)
  tabNotifications: { zh: '消息推送', en: 'Notifications' },
  channels: { zh: '推送通道', en: 'Channels' },
  newChannel: { zh: '新建推送通道', en: 'New channel' },
  editChannel: { zh: '编辑推送通道', en: 'Edit channel' },
  channelName: { zh: '通道名称', en: 'Channel name' },
  channelKind: { zh: '类型', en: 'Type' },
  kindWebhook: { zh: '通用Webhook（签名JSON）', en: 'Webhook (signed JSON)' },
  kindWecom: { zh: '企业微信群机器人', en: 'WeCom group robot' },
  kindDingtalk: { zh: '钉钉自定义机器人', en: 'DingTalk custom robot' },
  channelUrl: { zh: '推送地址', en: 'URL' },
  channelUrlKeep: { zh: '留空则保持原地址', en: 'Leave empty to keep the current URL' },
  channelSecret: { zh: '签名密钥', en: 'Secret' },
  channelSecretHint: { zh: 'Webhook必填（HMAC密钥）；钉钉填“加签”密钥（SEC开头，可选）；企业微信无需', en: 'Webhook: required (HMAC key); DingTalk: its 加签 secret (SEC…, optional); WeCom: none' },
  channelSecretKeep: { zh: '留空则保持原密钥', en: 'Leave empty to keep the current secret' },
  secretSet: { zh: '已设置', en: 'set' },
  secretNone: { zh: '无', en: 'none' },
  minSeverity: { zh: '最低级别', en: 'From severity' },
  sevWarn: { zh: '预警及以上', en: 'Warnings and alarms' },
  sevAlarm: { zh: '仅告警', en: 'Alarms only' },
  noticeKinds: { zh: '推送内容', en: 'Sends' },
  kindAlarm: { zh: '告警', en: 'Alarms' },
  kindAlarmCleared: { zh: '告警解除', en: 'Alarms cleared' },
  kindBreach: { zh: '案件超时', en: 'Time-limit breaches' },
  kindTask: { zh: '任务催办', en: 'Late tasks' },
  kindTest: { zh: '测试', en: 'Test' },
  enabled: { zh: '启用', en: 'Enabled' },
  sendTest: { zh: '发送测试', en: 'Send test' },
  testQueued: { zh: '测试消息已排队，请看下方推送记录', en: 'Test queued: see the delivery log below' },
  edit: { zh: '编辑', en: 'Edit' },
  remove: { zh: '删除', en: 'Delete' },
  confirmDelete: { zh: '确定删除该通道？其推送记录将保留。', en: 'Delete this channel? Its deliveries stay in the log.' },
  deliveries: { zh: '推送记录', en: 'Delivery log' },
  channel: { zh: '通道', en: 'Channel' },
  noticeTitle: { zh: '内容', en: 'Notice' },
  attempts: { zh: '尝试次数', en: 'Attempts' },
  lastResult: { zh: '最近结果', en: 'Last result' },
  nextAttempt: { zh: '下次尝试', en: 'Next attempt' },
  statusPending: { zh: '待发送', en: 'Pending' },
  statusDelivered: { zh: '已送达', en: 'Delivered' },
  statusFailed: { zh: '失败', en: 'Failed' },
  retryNow: { zh: '立即重试', en: 'Retry now' },
  allStatuses: { zh: '全部状态', en: 'All statuses' },
  // alarms on the wall (体征告警)
  alarmsTitle: { zh: '告警', en: 'Alarms' },
  noAlarms: { zh: '当前无告警', en: 'No active alarms' },
  alarmAlarm: { zh: '告警', en: 'Alarm' },
  alarmWarn: { zh: '预警', en: 'Warning' },
  dataInterrupted: { zh: '数据中断', en: 'Data interrupted' },
  forecastTag: { zh: '预计超标', en: 'Forecast' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  alarmHasCase: { zh: '已立案', en: 'Case opened' },
  moreAlarms: { zh: '另有 {n} 条告警', en: '{n} more alarms' },
  recentlyCleared: { zh: '最近解除', en: 'Recently cleared' },
  healthScore: { zh: '体征指数', en: 'Health score' },
  pulledDownBy: { zh: '拉低', en: 'Pulled down by' },
  streetHealth: { zh: '街道体征指数', en: 'Streets by score' },
  gridHealth: { zh: '网格体征指数', en: 'Grids by score' },
  // data age on every widget and the connection banner (a wall nobody touches)
  staleSourceSilent: { zh: '数据源静默', en: 'source silent' },
  staleConnectionLost: { zh: '连接中断', en: 'connection lost' },
  staleServerRestarting: { zh: '服务器重启中', en: 'server restarting' },
  staleResyncing: { zh: '重新同步中', en: 'resynchronising' },
  staleNotUpdating: { zh: '数据未更新', en: 'not updating' },
  dataAsOf: { zh: '数据时间', en: 'Data as of' },
  ageLive: { zh: '实时', en: 'live' },
  bannerReconnecting: { zh: '与服务器的连接中断，正在重连', en: 'Connection to the server lost, reconnecting' },
  bannerOffline: { zh: '网络离线，恢复后自动重连', en: 'Offline: reconnects by itself when the network is back' },
  bannerRestarting: { zh: '服务器重启中，稍后自动恢复', en: 'Server restarting: the wall resumes by itself' },
  bannerResyncing: { zh: '已重新连接，正在同步数据', en: 'Reconnected, resynchronising data' },
  bannerSince: { zh: '自 {t} 起', en: 'since {t}' },
  bannerNextAttempt: { zh: '约 {n} 秒后重试', en: 'next attempt in about {n} s' },
  bannerAttemptNow: { zh: '正在重试', en: 'trying now' },
} satisfies Record<string, LocalisedText>;

export type StringKey = keyof typeof STRINGS;

/** The UI string `key` in `lang`. */
export function t(lang: Lang, key: StringKey): string {
  return STRINGS[key][lang];
}

/** Picks the language of a localised text from the data, falling back to Chinese. */
export function loc(text: LocalisedText | undefined | null, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text.zh;
}

/** Narrows any string to a supported language, or null. */
export function asLang(value: string | null | undefined): Lang | null {
  return value === 'zh' || value === 'en' ? value : null;
}

/**
 * The language the wall starts in: `?lang=` wins, then the stored choice, then Chinese.
 * @example resolveLang('?lang=en', null) // 'en'
 */
export function resolveLang(search: string, stored: string | null): Lang {
  const fromUrl = asLang(new URLSearchParams(search).get('lang'));
  return fromUrl ?? asLang(stored) ?? 'zh';
}

/**
 * The question asked when a display link is opened where a person is signed in; `name` is who
 * (empty when unknown: the server's own message is shown then).
 */
export function displayQuestion(name: string): LocalisedText {
  return name
    ? { zh: `此浏览器已由 ${name} 登录，要把它变成大屏吗？`, en: `This browser is signed in as ${name}. Turn it into the wall display?` }
    : { zh: '此浏览器已有人登录，要把它变成大屏吗？', en: 'Someone is signed in in this browser. Turn it into the wall display?' };
}

/** What replacing the session means, under the question. */
export function displayQuestionHint(name: string): string {
  const who = name || '当前用户';
  const whoEn = name || 'the current user';
  return `设为大屏后，${who} 在此浏览器上的登录将被替换；保留登录则不使用该链接。 · Making it the wall replaces ${whoEn}'s session in this browser; keeping the session leaves the link unused.`;
}

/** Names of the session roles (shared/schemas/auth.ts `Role`). */
export const ROLE_NAMES = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  district: { zh: '区级值班员', en: 'District officer' },
  street: { zh: '街道值班员', en: 'Street officer' },
  wall: { zh: '大屏', en: 'Wall display' },
  unit: { zh: '部门/专班', en: 'Department or team' },
} satisfies Record<Role, LocalisedText>;

/** Names of audit outcomes. */
export const OUTCOME_NAMES = {
  ok: { zh: '成功', en: 'OK' },
  denied: { zh: '拒绝', en: 'Denied' },
  failed: { zh: '失败', en: 'Failed' },
} satisfies Record<AuditEntry['outcome'], LocalisedText>;

export const SEVERITY_NAMES = {
  low: { zh: '一般', en: 'Low' },
  medium: { zh: '较重', en: 'Medium' },
  high: { zh: '严重', en: 'High' },
  critical: { zh: '紧急', en: 'Critical' },
} satisfies Record<string, LocalisedText>;

/** The closed loop of DOMAIN.md R2.1, plus rejection. */
export const STATUS_NAMES = {
  reported: { zh: '发现上报', en: 'Reported' },
  accepted: { zh: '统一受理', en: 'Accepted' },
  dispatched: { zh: '指挥派遣', en: 'Dispatched' },
  handled: { zh: '处置反馈', en: 'Handled' },
  verified: { zh: '任务核查', en: 'Verified' },
  archived: { zh: '评价归档', en: 'Archived' },
  rejected: { zh: '不予受理', en: 'Rejected' },
} satisfies Record<string, LocalisedText>;

/** An open case's stage as the funnel names it: what it is waiting for. */
export const FUNNEL_NAMES = {
  reported: { zh: '待受理', en: 'To accept' },
  accepted: { zh: '待派遣', en: 'To dispatch' },
  dispatched: { zh: '处置中', en: 'Handling' },
  handled: { zh: '待核查', en: 'To verify' },
  verified: { zh: '待归档', en: 'To archive' },
} satisfies Record<string, LocalisedText>;

export const SOURCE_NAMES: Record<string, LocalisedText> = {
  '12345': { zh: '12345热线', en: '12345 hotline' },
  grid: { zh: '网格巡查', en: 'Grid inspector' },
  sensor: { zh: '物联感知', en: 'IoT sensor' },
  camera: { zh: '视频监控', en: 'Camera' },
  alarm: { zh: '体征告警', en: 'Vital-sign alarm' },
};

/** A source code's display name; unknown codes are shown as they are. */
export function sourceName(code: string, lang: Lang): string {
  const known = Object.hasOwn(SOURCE_NAMES, code) ? SOURCE_NAMES[code] : undefined;
  return known ? known[lang] : code;
}

/** The early warning beside a trend chart: 「预计 N 小时后超标」 (alarm level) or 「预计 N 小时后达预警」 (warn level). */
export function forecastCrossingText(lang: Lang, level: 'warn' | 'alarm', hours: number): string {
  const n = Math.max(1, Math.round(hours));
  if (level === 'alarm') return lang === 'zh' ? `预计 ${n} 小时后超标` : `forecast to exceed in ${n} h`;
  return lang === 'zh' ? `预计 ${n} 小时后达预警` : `forecast to reach warning in ${n} h`;
}
